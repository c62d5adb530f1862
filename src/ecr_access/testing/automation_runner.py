"""A small local SSM Automation runner: enough of schemaVersion 0.3 to run our runbooks against moto.

moto and LocalStack do not execute Automation documents. This interprets what
our documents use — ``aws:executeScript`` (with its ``Attachment``),
``aws:executeAwsApi``, ``aws:branch``, ``aws:approve`` — with SSM's parameter
validation (required, ``allowedPattern``, ``allowedValues``), ``{{ Parameter }}``
and ``{{ Step.Output }}`` substitution, the system variables ``{{global:ACCOUNT_ID}}``,
``{{global:REGION}}`` and ``{{global:AWS_PARTITION}}`` (also inside parameter values, which SSM
validates before it resolves them), the ``assumeRole`` the execution would run as, ``Selector`` outputs,
``nextStep``/``isEnd``/``onFailure`` and document outputs. A script runs in the
test process but in an import namespace of its own, with the attachment the
document declares (its SHA-256 and size checked against ``files``) first on the
import path, so the ``ecr_access`` modules in the attachment — not the installed
package — are what runs.
"""

import ast
import hashlib
import io
import re
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.:]+)\s*\}\}")
_ROLE_ACCOUNT = re.compile(r"^arn:[\w-]+:iam::(\d{12}):role/")
_OWN_PACKAGE = "ecr_access"


class InvalidParameters(ValueError):
    """What StartAutomationExecution answers with InvalidAutomationExecutionParametersException."""


@dataclass
class StepResult:
    name: str
    status: str  # Success | Failed
    outputs: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None


@dataclass
class Execution:
    status: str  # Success | Failed
    steps: list[StepResult]
    outputs: dict[str, Any]
    failure: str | None = None
    assumed_role: str | None = None  # the resolved assumeRole, when the document declares one

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)


@contextmanager
def _own_import_namespace() -> Iterator[None]:
    """Hide the installed ecr_access while a script runs; restore it (and sys.meta_path) after."""
    ours = [name for name in sys.modules if name == _OWN_PACKAGE or name.startswith(_OWN_PACKAGE + ".")]
    saved = {name: sys.modules.pop(name) for name in ours}
    finders = list(sys.meta_path)
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n == _OWN_PACKAGE or n.startswith(_OWN_PACKAGE + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.meta_path[:] = finders


def _select(data: Any, selector: str) -> Any:
    """The subset of JSONPath SSM selectors use here: $.A.B and $.A[0]."""
    value = data
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", selector.removeprefix("$").lstrip(".")):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def _document_names() -> list[str]:
    from ecr_access.remediation.documents import DOCUMENTS

    return list(DOCUMENTS)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class AutomationRunner:
    """``attachments``: file name → bytes, as the document's ``Attachments`` would deliver them
    (default: rendered from this checkout). ``approve(step_name, message)`` answers ``aws:approve``
    steps (default: nobody approves, and the execution fails there, as a rejected one does)."""

    def __init__(
        self,
        document: Mapping[str, Any] | str | Path,
        name: str = "runbook",
        attachments: Mapping[str, bytes] | None = None,
        approve: Callable[[str, str], bool] | None = None,
        account_id: str | None = None,
        region: str | None = None,
    ) -> None:
        if isinstance(document, str | Path):
            name = Path(document).stem
            document = yaml.safe_load(Path(document).read_text())
        if document.get("schemaVersion") != "0.3":
            raise ValueError("only Automation documents (schemaVersion 0.3) are supported")
        self.document, self.name = document, name
        self.attachments = dict(attachments) if attachments is not None else None
        self.approve = approve or (lambda step, message: False)
        self.account_id, self.region = account_id, region

    def _system_variables(self) -> dict[str, str]:
        if self.account_id is None:
            self.account_id = boto3.client("sts").get_caller_identity()["Account"]
        region = self.region or boto3.session.Session().region_name or "us-east-1"
        return {"global:ACCOUNT_ID": self.account_id, "global:REGION": region, "global:AWS_PARTITION": "aws"}

    def _attachment(self, file_name: str) -> bytes:
        declared = self.document.get("files", {}).get(file_name)
        if declared is None:
            raise ValueError(f"attachment {file_name} is not declared in the document's files section")
        if self.attachments is None:
            from ecr_access.remediation.documents import rendered_script

            self.attachments = {}
            for document_name in _document_names():
                rendered = rendered_script(document_name)
                self.attachments[rendered.attachment_name] = rendered.attachment
        content = self.attachments.get(file_name)
        if content is None:
            raise ValueError(f"no attachment named {file_name} was delivered with the document")
        if hashlib.sha256(content).hexdigest() != declared["checksums"]["sha256"] or len(
            content
        ) != declared.get("size", len(content)):
            raise ValueError(f"attachment {file_name} does not match the checksum in the document")
        return content

    def _parameters(self, given: Mapping[str, Any]) -> dict[str, Any]:
        declared = self.document.get("parameters", {})
        unknown = set(given) - set(declared)
        if unknown:
            raise InvalidParameters(f"unknown parameters: {', '.join(sorted(unknown))}")
        values = {}
        for name, spec in declared.items():
            if name in given:
                value = given[name]
            elif "default" in spec:
                value = spec["default"]
            else:
                raise InvalidParameters(f"parameter {name} is required")
            items = value if isinstance(value, list) else [value]
            for item in items:
                if "allowedValues" in spec and item not in spec["allowedValues"]:
                    raise InvalidParameters(f"{name}: {item!r} is not one of {spec['allowedValues']}")
                if "allowedPattern" in spec and not re.search(spec["allowedPattern"], str(item)):
                    raise InvalidParameters(f"{name}: {item!r} does not match {spec['allowedPattern']}")
            values[name] = value
        return values

    def _substitute(self, value: Any, variables: Mapping[str, Any]) -> Any:
        if isinstance(value, dict):
            return {k: self._substitute(v, variables) for k, v in value.items()}
        if isinstance(value, list):
            return [self._substitute(v, variables) for v in value]
        if not isinstance(value, str):
            return value
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole and whole.group(1) in variables:
            return variables[whole.group(1)]  # a StringList stays a list
        return _PLACEHOLDER.sub(lambda m: str(variables.get(m.group(1), m.group(0))), value)

    def _execute_script(self, step: Mapping[str, Any], inputs: Mapping[str, Any]) -> Any:
        if inputs.get("Runtime") not in ("python3.11", "python3.12"):
            raise ValueError(f"step {step['name']}: unsupported runtime {inputs.get('Runtime')}")
        namespace: dict[str, Any] = {"__name__": f"runbook_{self.name}_{step['name']}"}
        attachment = inputs.get("Attachment")
        content = self._attachment(attachment) if attachment else b""
        # This process may be newer than the runtime the step declares: hold the code to that
        # runtime's grammar (3.12-only syntax would fail in SSM before the first line ran).
        version = tuple(int(part) for part in inputs["Runtime"].removeprefix("python").split("."))
        ast.parse(inputs["Script"], filename=f"{self.name}:{step['name']}", feature_version=version)
        if content:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for entry in archive.namelist():
                    if entry.endswith(".py"):
                        ast.parse(archive.read(entry).decode(), filename=entry, feature_version=version)
        with tempfile.TemporaryDirectory() as folder, _own_import_namespace():
            if attachment:
                path = Path(folder) / attachment
                path.write_bytes(content)
                sys.path.insert(0, str(path))
            try:
                exec(compile(inputs["Script"], f"<{self.name}:{step['name']}>", "exec"), namespace)
                return namespace[inputs["Handler"]](dict(inputs.get("InputPayload", {})), {})
            finally:
                if attachment:
                    sys.path.remove(str(path))
                    sys.path_importer_cache.pop(str(path), None)

    @staticmethod
    def _execute_aws_api(inputs: Mapping[str, Any]) -> Any:
        params = {k: v for k, v in inputs.items() if k not in ("Service", "Api")}
        return getattr(boto3.client(inputs["Service"]), _snake(inputs["Api"]))(**params)

    @staticmethod
    def _branch(inputs: Mapping[str, Any]) -> str | None:
        for choice in inputs.get("Choices", ()):
            actual = choice["Variable"]
            if "StringEquals" in choice and str(actual) == choice["StringEquals"]:
                return choice["NextStep"]
            if "BooleanEquals" in choice and str(actual).lower() == str(choice["BooleanEquals"]).lower():
                return choice["NextStep"]
        return inputs.get("Default")

    def start(self, parameters: Mapping[str, Any]) -> Execution:
        given = self._parameters(parameters)  # validated first, as StartAutomationExecution does
        system = self._system_variables()
        # allowedPattern sees the value as given; the system variables in it are resolved after.
        variables: dict[str, Any] = {name: self._substitute(value, system) for name, value in given.items()}
        variables.update(system)
        assumed_role = self._substitute(self.document.get("assumeRole"), variables)
        if assumed_role is not None:
            # Our automation roles trust only this account's automation executions (aws:SourceAccount),
            # so an ARN naming another account (or an unresolved one) cannot be assumed.
            owner = _ROLE_ACCOUNT.match(str(assumed_role))
            if owner is None or owner.group(1) != system["global:ACCOUNT_ID"]:
                failure = (
                    f"cannot assume {assumed_role!r}: not a role of account {system['global:ACCOUNT_ID']}"
                )
                return Execution("Failed", [], {}, failure, assumed_role)
        steps = self.document["mainSteps"]
        by_name = {s["name"]: i for i, s in enumerate(steps)}
        results: list[StepResult] = []
        index: int | None = 0
        while index is not None and index < len(steps):
            step = steps[index]
            inputs = self._substitute(step.get("inputs", {}), variables)
            following = None if step.get("isEnd") else by_name.get(step.get("nextStep"), index + 1)
            try:
                if step["action"] == "aws:executeScript":
                    response = {"Payload": self._execute_script(step, inputs)}
                elif step["action"] == "aws:executeAwsApi":
                    response = self._execute_aws_api(inputs)
                elif step["action"] == "aws:approve":
                    message = str(inputs.get("Message", ""))
                    if not self.approve(step["name"], message):
                        raise RuntimeError(f"step {step['name']} was not approved: {message}")
                    response = {}
                elif step["action"] == "aws:branch":
                    response, target = {}, self._branch(inputs)
                    following = by_name[target] if target else None
                else:
                    raise ValueError(f"action {step['action']} is not supported by this runner")
                outputs = {o["Name"]: _select(response, o["Selector"]) for o in step.get("outputs", ())}
            except Exception as exc:  # a step failure is data for the execution, as in SSM
                failure = f"{type(exc).__name__}: {exc}"
                results.append(StepResult(step["name"], "Failed", failure=failure))
                if step.get("onFailure", "Abort") == "Abort":
                    detail = failure + "\n" + traceback.format_exc(limit=-3)
                    return Execution("Failed", results, {}, detail, assumed_role)
                continue_to = step["onFailure"].removeprefix("step:")
                index = by_name.get(continue_to, index + 1)
                continue
            results.append(StepResult(step["name"], "Success", outputs))
            variables.update({f"{step['name']}.{k}": v for k, v in outputs.items()})
            index = following
        outputs = {name: variables.get(name) for name in self.document.get("outputs", ())}
        return Execution("Success", results, outputs, assumed_role=assumed_role)
