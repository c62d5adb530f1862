"""The principals an Allow statement of a repository policy reaches, and their limits."""

from dataclasses import dataclass
from functools import lru_cache

from ecr_access.exposure.identity_bounds import SOURCE_KEYS, condition_restricts_identity
from ecr_access.exposure.limits import NOBODY, Limit, LimitKind, Member, MemberKind
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.model import Principal, PrincipalKind, Statement


@dataclass(frozen=True, slots=True)
class Grantee:
    """One principal of an Allow statement together with everything that limits it."""

    who: str  # how a finding names it
    label: str  # the principal as written in the policy
    principal: Principal | None  # None: "everyone except the NotPrincipal list"
    limits: tuple[Limit, ...]

    @property
    def is_service(self) -> bool:
        return self.principal is not None and self.principal.kind is PrincipalKind.SERVICE


def _account_limit(account: str, source: str) -> Limit:
    return Limit(LimitKind.IDENTITY, frozenset({Member(MemberKind.ACCOUNT, account)}), source)


@lru_cache(maxsize=8192)
def _principal_limit(principal: Principal) -> tuple[str, Limit | None]:
    """How to name the principal, and the limit it places on who is reached."""
    kind, value = principal.kind, principal.value
    if kind is PrincipalKind.ANYONE:
        return "anyone (Principal *)", None
    if kind is PrincipalKind.ANY_ACCOUNT:
        return f"any account (Principal {value})", None
    if kind is PrincipalKind.WEB_IDENTITY:
        return f"any user of web identity provider {value}", None
    if kind is PrincipalKind.UNIQUE_ID:
        return f"deleted principal {value}", NOBODY
    if kind is PrincipalKind.CANONICAL_USER:
        return f"canonical user {value}", Limit(
            LimitKind.IDENTITY, frozenset({Member(MemberKind.CANONICAL_USER, value)}), f"Principal {value}"
        )
    if kind is PrincipalKind.SERVICE:
        return f"service {value}", None
    assert principal.account is not None
    who = f"account {value}" if kind is PrincipalKind.ACCOUNT and value == principal.account else value
    return who, _account_limit(principal.account, f"Principal {value}")


def grantees(statement: Statement) -> tuple[Grantee, ...]:
    # A service acts for whichever customer invokes it; only aws:Source* keys tie
    # it to one (IAM User Guide, "The confused deputy problem").
    for_principals = tuple(filter(None, (condition_restricts_identity(c) for c in statement.conditions)))
    if statement.not_principals is not None:
        # Allow + NotPrincipal grants everyone but the few it lists: public by nature.
        return (Grantee("everyone except the NotPrincipal list", "NotPrincipal", None, for_principals),)
    if statement.principals is None:
        raise PolicyError(
            f"statement {statement.label} has no Principal; a repository policy statement needs one"
        )
    for_services = tuple(
        filter(None, (condition_restricts_identity(c, keys=SOURCE_KEYS) for c in statement.conditions))
    )
    result = []
    for principal in statement.principals:
        who, own = _principal_limit(principal)
        conditions = for_services if principal.kind is PrincipalKind.SERVICE else for_principals
        limits = conditions if own is None else (own, *conditions)
        result.append(Grantee(who, principal.value, principal, limits))
    return tuple(result)
