"""SCP levels: a list from the organization root down to the account, each a list of SCPs.

At every level at least one SCP must allow the action and none may deny it
(Organizations User Guide, "SCP evaluation"). An SCP is given as its document, or
as ``{"Name": ..., "Content"|"Document": ...}`` (Organizations' DescribePolicy shape).
"""

from typing import Any

from ecr_access.loaders.documents import parse_document_value
from ecr_access.permissions.principal import AttachedPolicy, PolicySource, PolicySourceKind
from ecr_access.policy.errors import PolicyError


def _scp(item: Any, level: int, position: int) -> AttachedPolicy:
    name, document = f"#{position}", item
    if isinstance(item, dict) and "Statement" not in item:
        name = str(item.get("Name") or name)
        document = item.get("Content", item.get("Document"))
    source = PolicySource(PolicySourceKind.SCP, name, level=level)
    try:
        return AttachedPolicy(source, parse_document_value(document))
    except PolicyError as exc:
        raise PolicyError(f"SCP {name} at level {level}: {exc}") from exc


def load_scp_levels(levels: Any) -> tuple[tuple[AttachedPolicy, ...], ...]:
    if not isinstance(levels, list | tuple):
        raise PolicyError("SCPs must be a JSON list of levels (root first), each a list of SCP documents")
    result = []
    for number, level in enumerate(levels):
        if not isinstance(level, list | tuple):
            raise PolicyError(f"SCP level {number} must be a list of SCP documents")
        result.append(tuple(_scp(item, number, position) for position, item in enumerate(level)))
    return tuple(result)
