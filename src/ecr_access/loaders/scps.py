"""SCP or RCP levels: a list from the organization root down to the account, each a list of policies.

At every level at least one policy must allow the action and none may deny it
(Organizations User Guide, "SCP evaluation" and "RCP evaluation"). A policy is given as
its document, or as ``{"Name": ..., "Content"|"Document": ...}`` (Organizations'
DescribePolicy shape).
"""

from typing import Any

from ecr_access.loaders.documents import parse_document_value
from ecr_access.permissions.principal import AttachedPolicy, PolicySource, PolicySourceKind
from ecr_access.policy.errors import PolicyError


def _policy(item: Any, level: int, position: int, kind: PolicySourceKind) -> AttachedPolicy:
    name, document = f"#{position}", item
    if isinstance(item, dict) and "Statement" not in item:
        name = str(item.get("Name") or name)
        document = item.get("Content", item.get("Document"))
    source = PolicySource(kind, name, level=level)
    try:
        return AttachedPolicy(source, parse_document_value(document))
    except PolicyError as exc:
        raise PolicyError(f"{kind.value} {name} at level {level}: {exc}") from exc


def load_policy_levels(levels: Any, kind: PolicySourceKind) -> tuple[tuple[AttachedPolicy, ...], ...]:
    what = kind.value
    if not isinstance(levels, list | tuple):
        raise PolicyError(
            f"{what}s must be a JSON list of levels (root first), each a list of {what} documents"
        )
    result = []
    for number, level in enumerate(levels):
        if not isinstance(level, list | tuple):
            raise PolicyError(f"{what} level {number} must be a list of {what} documents")
        result.append(tuple(_policy(item, number, position, kind) for position, item in enumerate(level)))
    return tuple(result)


def load_scp_levels(levels: Any) -> tuple[tuple[AttachedPolicy, ...], ...]:
    return load_policy_levels(levels, PolicySourceKind.SCP)


def load_rcp_levels(levels: Any) -> tuple[tuple[AttachedPolicy, ...], ...]:
    """RCPs are written with ``Principal "*"`` (Organizations User Guide, "RCP syntax")."""
    return load_policy_levels(levels, PolicySourceKind.RCP)
