"""One policy found in a file: where it is, what it belongs to, and its document."""

from dataclasses import dataclass
from enum import Enum
from typing import Any


class PolicyKind(Enum):
    REPOSITORY = "repository policy"
    REGISTRY = "registry policy"


@dataclass(frozen=True, slots=True)
class PolicyLocation:
    file: str
    line: int  # 1-based; the line of the policy (or of its resource when the policy has none of its own)
    resource: str  # the template's logical id, the plan's resource address, or "policy" for a bare document
    kind: PolicyKind
    document: Any  # JSON text or a decoded dict; None when it cannot be judged (see ``unjudged``)
    unjudged: str | None = None  # why it cannot be judged (an intrinsic function, say): never "safe"
