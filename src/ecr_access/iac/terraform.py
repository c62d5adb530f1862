"""Repository and registry policies in a Terraform plan (``terraform show -json``).

The plan's ``planned_values.root_module`` holds ``resources`` and nested ``child_modules``;
``aws_ecr_repository_policy`` and ``aws_ecr_registry_policy`` carry the policy as JSON text
in ``values.policy`` (Terraform, "JSON Output Format"; AWS provider resources). A value
known only after apply is absent from ``values`` and listed in ``resource_changes[].change.
after_unknown``: such a policy is unjudged. The line is that of the resource's ``"address"``
in the file (the plan is one JSON document; ``terraform show -json`` writes it on one line,
so the line is 1 there).
"""

from collections.abc import Iterator
from typing import Any

from ecr_access.iac.locations import PolicyKind, PolicyLocation

_TYPES = {"aws_ecr_repository_policy": PolicyKind.REPOSITORY, "aws_ecr_registry_policy": PolicyKind.REGISTRY}
MAX_MODULE_DEPTH = 32


def looks_like_plan(document: Any) -> bool:
    return isinstance(document, dict) and "planned_values" in document and "terraform_version" in document


def _resources(module: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if not isinstance(module, dict) or depth > MAX_MODULE_DEPTH:
        return
    for resource in module.get("resources") or ():
        if isinstance(resource, dict):
            yield resource
    for child in module.get("child_modules") or ():
        yield from _resources(child, depth + 1)


def _line_of(text: str, address: str) -> int:
    needle = f'"address": "{address}"'
    at = text.find(needle)
    if at < 0:
        at = text.find(f'"address":"{address}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def policies(file: str, plan: dict[str, Any], text: str) -> list[PolicyLocation]:
    found = []
    root = (plan.get("planned_values") or {}).get("root_module")
    for resource in _resources(root):
        kind = _TYPES.get(resource.get("type"))
        if kind is None:
            continue
        address = str(resource.get("address", resource.get("name", "?")))
        policy = (resource.get("values") or {}).get("policy")
        unjudged = None if isinstance(policy, str) else "its policy is known only after apply"
        found.append(PolicyLocation(file, _line_of(text, address), address, kind, policy, unjudged))
    return found
