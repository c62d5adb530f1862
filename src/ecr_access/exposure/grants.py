"""The principals an Allow statement of a repository policy reaches, and their limits."""

from dataclasses import dataclass
from functools import lru_cache

from ecr_access.exposure.caller_classes import (
    ALWAYS_PRESENT_FOR_IAM_PRINCIPALS,
    CallerClass,
    clause_for_class,
)
from ecr_access.exposure.identity_bounds import SOURCE_KEYS, condition_restricts_identity
from ecr_access.exposure.limits import NOBODY, Limit, LimitKind, Member, MemberKind
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.model import ConditionClause, Principal, PrincipalKind, Statement


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


_ANY_SERVICE = Principal(PrincipalKind.SERVICE, "*")


def _class_limits(conditions: tuple[ConditionClause, ...], caller: CallerClass) -> tuple[Limit, ...]:
    """NOBODY when a clause fails for every caller of the class (caller_classes.py)."""
    if any(clause_for_class(c, caller) is False for c in conditions):
        return (NOBODY,)
    return ()


@dataclass(frozen=True, slots=True)
class _ConditionLimits:
    """What one statement's conditions do to each class of caller (see grantees)."""

    strict: tuple[Limit, ...]  # on any caller
    for_principals: tuple[Limit, ...]  # on IAM principals (keys they always carry present)
    for_services: tuple[Limit, ...]  # on AWS service principals named in Principal
    any_service: tuple[Limit, ...]  # on AWS service principals reached through "*"


@lru_cache(maxsize=8192)
def _condition_limits(conditions: tuple[ConditionClause, ...]) -> _ConditionLimits:
    """Cached by the conditions as written: the same Condition block recurs across an account's
    policies (an organization bound, a source account), and this is most of a statement's analysis."""
    # A service acts for whichever customer invokes it; only aws:Source* keys tie
    # it to one (IAM User Guide, "The confused deputy problem").
    strict = tuple(filter(None, (condition_restricts_identity(c) for c in conditions)))
    relaxed = tuple(
        filter(
            None,
            (condition_restricts_identity(c, present=ALWAYS_PRESENT_FOR_IAM_PRINCIPALS) for c in conditions),
        )
    )
    for_services = tuple(
        filter(None, (condition_restricts_identity(c, keys=SOURCE_KEYS) for c in conditions))
    )
    return _ConditionLimits(
        strict,
        (*_class_limits(conditions, CallerClass.IAM_PRINCIPAL), *relaxed),
        for_services,
        # "*" reaches AWS service principals too: judged as their own class (a clause on a key
        # only IAM principals carry, such as aws:SourceArn's absence, settles nothing for them).
        (*_class_limits(conditions, CallerClass.AWS_SERVICE), *strict, *for_services),
    )


def grantees(statement: Statement) -> tuple[Grantee, ...]:
    limits_of = _condition_limits(statement.conditions)
    for_principals, for_services = limits_of.for_principals, limits_of.for_services
    if statement.not_principals is not None:
        # Allow + NotPrincipal grants everyone but the few it lists: public by nature.
        return (Grantee("everyone except the NotPrincipal list", "NotPrincipal", None, for_principals),)
    if statement.principals is None:
        raise PolicyError(
            f"statement {statement.label} has no Principal; a repository policy statement needs one"
        )
    result = []
    for principal in statement.principals:
        who, own = _principal_limit(principal)
        conditions = for_services if principal.kind is PrincipalKind.SERVICE else for_principals
        limits = conditions if own is None else (own, *conditions)
        result.append(Grantee(who, principal.value, principal, limits))
        if principal.kind is PrincipalKind.ANYONE:
            result.append(
                Grantee(
                    "any AWS service principal (Principal *)",
                    principal.value,
                    _ANY_SERVICE,
                    limits_of.any_service,
                )
            )
    return tuple(result)
