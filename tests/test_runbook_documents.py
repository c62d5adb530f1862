"""The runbooks as documents: rendered from the repository, within SSM's limits, complete, least privilege."""

import hashlib
import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from ecr_access.policy import Effect, parse_document
from ecr_access.remediation.documents import DOCUMENTS, HANDLERS, render_document, rendered_script
from ecr_access.remediation.revoke_layer_download import DENY_DOCUMENT
from ecr_access.testing.automation_runner import AutomationRunner
from ecr_access.testing.config_harness import ConfigCapture, capture_config

from principal_builder import ECS_TASKS_TRUST

ROOT = Path(__file__).resolve().parent.parent
SIZE_LIMIT = 64 * 1024  # SSM CreateDocument: content, runtime parameters included, at most 64 KB
PARAMETER_ROOM = 2 * 1024  # kept free for the values passed at run time


def document_of(name: str) -> dict:
    return yaml.safe_load((ROOT / "remediation" / f"{name}.yaml").read_text())


def script_step(document: dict) -> dict:
    (step,) = [s for s in document["mainSteps"] if s["action"] == "aws:executeScript"]
    return step


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_committed_document_is_a_fresh_render(name):
    committed = (ROOT / "remediation" / f"{name}.yaml").read_text()
    assert committed == render_document(name), f"remediation/{name}.yaml drifted: run `make runbooks`"


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_document_fits_ssm_limits_and_conventions(name):
    text = (ROOT / "remediation" / f"{name}.yaml").read_text()
    assert len(text.encode()) <= SIZE_LIMIT - PARAMETER_ROOM
    document = yaml.safe_load(text)
    assert document["schemaVersion"] == "0.3"
    assert document["assumeRole"] == "{{ AutomationAssumeRole }}"
    for parameter, spec in document["parameters"].items():
        assert spec["type"] in ("String", "StringList")
        assert "allowedPattern" in spec or "allowedValues" in spec, parameter
    step = script_step(document)
    assert (step["inputs"]["Runtime"], step["inputs"]["Handler"]) == ("python3.11", "handler")
    assert all(o["Selector"].startswith("$.Payload.") for o in step["outputs"])
    assert document["outputs"] == [f"{step['name']}.{o['Name']}" for o in step["outputs"]]


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_the_attachment_is_declared_with_the_checksum_of_a_fresh_build(name):
    """Schema 0.3: a step's Attachment is named in the top-level files section with its SHA-256."""
    document = document_of(name)
    rendered = rendered_script(name)
    assert script_step(document)["inputs"]["Attachment"] == rendered.attachment_name == f"{name}.zip"
    declared = document["files"][rendered.attachment_name]
    assert declared == {
        "checksums": {"sha256": hashlib.sha256(rendered.attachment).hexdigest()},
        "size": len(rendered.attachment),
    }
    assert rendered_script(name).attachment == rendered.attachment  # byte-reproducible


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_no_script_holds_a_parameter_reference(name):
    """SSM reads {{ name }} anywhere in a document as a parameter reference and rejects undeclared ones."""
    script = script_step(document_of(name))["inputs"]["Script"]
    assert "{{" not in script and "}}" not in script


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_script_and_attachment_run_in_a_clean_interpreter_with_only_boto3(tmp_path, name):
    """The attachment is complete: no ecr_access installed, only the standard library, boto3 and the zip."""
    rendered = rendered_script(name)
    (tmp_path / "runbook.py").write_text(script_step(document_of(name))["inputs"]["Script"])
    (tmp_path / rendered.attachment_name).write_bytes(rendered.attachment)
    probe = (
        "import sys, importlib.util\n"
        f"sys.path.append({sysconfig.get_paths()['purelib']!r})\n"
        "import boto3\n"
        "assert importlib.util.find_spec('ecr_access') is None, 'the installed package must not be visible'\n"
        f"sys.path.insert(0, {str(tmp_path / rendered.attachment_name)!r})\n"
        f"namespace = {{}}\nexec(open({str(tmp_path / 'runbook.py')!r}).read(), namespace)\n"
        "assert callable(namespace['handler'])\n"
        "print('ok', sorted(m for m in sys.modules if m.startswith('ecr_access'))[:3])\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok ['ecr_access'")


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_module_a_runbook_runs_is_valid_on_its_declared_runtime(name):
    """python3.11 in the document: 3.12-only syntax (type statements, type parameters) must not ride along."""
    import ast

    from ecr_access.remediation.render import module_sources

    runtime = script_step(document_of(name))["inputs"]["Runtime"]
    version = tuple(int(part) for part in runtime.removeprefix("python").split("."))
    for module, source in module_sources(HANDLERS[name]).items():
        ast.parse(source, filename=module, feature_version=version)  # raises SyntaxError on newer syntax


def test_the_inline_script_is_the_handler_module_as_written():
    for name, module in HANDLERS.items():
        source = Path(__import__(module, fromlist=["x"]).__file__).read_text()
        assert script_step(document_of(name))["inputs"]["Script"] == source


# --- least privilege for AutomationAssumeRole ---------------------------------------------------------
ROLE = "arn:aws:iam::123456789012:role/ecr-access-automation"


def _repositories() -> None:
    ecr = boto3.client("ecr", region_name="us-east-1")
    public = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}],
    }
    keep = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "ecr:*"}
    for repository in ("updated", "deleted"):
        ecr.create_repository(repositoryName=repository)
    ecr.set_repository_policy(
        repositoryName="updated", policyText=json.dumps({**public, "Statement": [*public["Statement"], keep]})
    )
    ecr.set_repository_policy(repositoryName="deleted", policyText=json.dumps(public))


def _principals() -> tuple[str, str]:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_policy(PolicyName="ECRAccessDenyLayerDownload", PolicyDocument=json.dumps(DENY_DOCUMENT))
    role_id = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))["Role"][
        "RoleId"
    ]
    user_id = iam.create_user(UserName="u")["User"]["UserId"]
    return role_id, user_id


def _called_apis(name: str) -> set[str]:
    """Every API the runbook calls across its paths, as IAM actions (sts:GetCallerIdentity needs none)."""
    capture = ConfigCapture()
    with mock_aws(), capture_config(capture):
        runner = AutomationRunner(ROOT / "remediation" / f"{name}.yaml", approve=lambda step, message: True)
        if name == "ECRAccess-RestrictVpcEndpointPolicy":
            ec2 = boto3.client("ec2", region_name="us-east-1")
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            endpoint = ec2.create_vpc_endpoint(
                VpcId=vpc, ServiceName="com.amazonaws.us-east-1.ecr.dkr", VpcEndpointType="Interface"
            )["VpcEndpoint"]["VpcEndpointId"]
            start = len(capture.calls)
            execution = runner.start({"VpcEndpointId": endpoint, "AutomationAssumeRole": ROLE})
            assert execution.status == "Success", execution.failure
        elif name == "ECRAccess-RestrictRepositoryPolicy":
            _repositories()
            start = len(capture.calls)
            for repository in ("updated", "deleted"):
                execution = runner.start({"RepositoryName": repository, "AutomationAssumeRole": ROLE})
                assert execution.status == "Success", execution.failure
        else:
            role_id, user_id = _principals()
            topic = boto3.client("sns", region_name="us-east-1").create_topic(Name="ecr-access-x")["TopicArn"]
            start = len(capture.calls)
            ids = (role_id, user_id) if name == "ECRAccess-RevokeLayerDownload" else (role_id,)
            for unique_id in ids:
                parameters = {"ResourceId": unique_id, "AutomationAssumeRole": ROLE}
                if name == "ECRAccess-RevokeLayerDownload":
                    parameters["NotificationTopicArn"] = topic
                else:
                    parameters["Approvers"] = ["arn:aws:iam::123456789012:role/oncall"]
                execution = runner.start(parameters)
                assert execution.status == "Success", execution.failure
    return {f"{s}:{o}" for s, o in capture.calls[start:]} - {"sts:GetCallerIdentity"}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_automation_role_policy_allows_exactly_the_apis_the_runbook_calls(monkeypatch, name):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    policy = parse_document(
        json.loads((ROOT / "deploy" / "iam" / f"{name}.automation-policy.json").read_text())
    )
    allowed = {p for s in policy.statements if s.effect is Effect.ALLOW for p in s.actions.patterns}
    assert all("*" not in action for action in allowed)
    assert allowed == _called_apis(name)
    for statement in policy.statements:
        writes = [
            a for a in statement.actions.patterns if a.split(":")[1].startswith(("Put", "Set", "Delete"))
        ]
        if statement.effect is Effect.ALLOW and writes:
            assert all(p.text != "*" for p in statement.resources.patterns), statement.label
    texts = json.dumps(json.loads((ROOT / "deploy" / "iam" / f"{name}.automation-policy.json").read_text()))
    assert "arn:aws:" not in texts  # every ARN names its partition through ${AWS::Partition}
