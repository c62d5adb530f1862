"""What evaluate_principal returns."""

from dataclasses import dataclass

from ecr_access.permissions.principal import PolicySource
from ecr_access.policy.identity_enum import IdentityEnum


class AccessVerdict(IdentityEnum):
    ALLOWED = "ALLOWED"
    DENIED = "DENIED"
    CONDITIONAL = "CONDITIONAL"  # depends on request facts no document settles


@dataclass(frozen=True, slots=True)
class AccessDecision:
    verdict: AccessVerdict
    reason: str  # one readable line naming the deciding policy and statement
    source: PolicySource | None = None  # the deciding policy, when one decided it
    statement_index: int | None = None
    sid: str | None = None
    resource_patterns: tuple[str, ...] = ()  # ALLOWED/CONDITIONAL: the patterns of the granting statement
    unknown_keys: tuple[str, ...] = ()  # CONDITIONAL: the request facts it depends on
    unreadable: bool = False  # CONDITIONAL because a policy could not be read or parsed
    registry_account: str | None = None  # the account whose repositories it is about, if not the principal's
