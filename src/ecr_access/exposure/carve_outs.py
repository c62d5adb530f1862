"""Deny statements of a repository policy, as limits on the grants they cover.

A Deny narrows an Allow only where it surely fires: for the principals its
Principal/NotPrincipal covers, the actions it names, and — when it has
conditions — for every caller outside a fixed set (see identity_bounds.py). The
callers it leaves standing become one more limit on the grant (IAM User Guide,
"Policy evaluation logic": an explicit deny overrides any allow).
"""

from dataclasses import dataclass

from ecr_access.exposure.caller_classes import CallerClass, clause_for_class
from ecr_access.exposure.grants import Grantee
from ecr_access.exposure.identity_bounds import SOURCE_KEYS, deny_spares_only
from ecr_access.exposure.limits import NOBODY, Limit, LimitKind, Member, MemberKind
from ecr_access.exposure.repository_resources import deny_covers_repository
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.model import (
    ActionSpec,
    ConditionClause,
    OperatorFamily,
    Principal,
    PrincipalKind,
    Statement,
)

_ACCOUNT_KINDS = (PrincipalKind.ACCOUNT,)


@dataclass(frozen=True, slots=True)
class CarveOut:
    statement: Statement
    actions: ActionSpec
    spares_principals: Limit | None  # whom it leaves standing among IAM principals; None: unsure
    spares_services: Limit | None  # the same for service principals

    def spares(self, grantee: Grantee) -> Limit | None:
        """The limit this Deny adds to a grantee, or None when it does not surely apply."""
        if not self._covers(grantee):
            return None
        if grantee.is_service:  # a NotPrincipal that does not list the service covers it (_covers)
            return self.spares_services
        if self.statement.not_principals is not None and self.spares_principals is not None:
            return self.spares_principals.union(_not_principal_limit(self.statement.not_principals))
        return self.spares_principals

    def _covers(self, grantee: Grantee) -> bool:
        listed = self.statement.principals
        if listed is not None:
            return any(_denies(p, grantee.principal) for p in listed)
        excluded = self.statement.not_principals or ()
        if any(p.kind is PrincipalKind.ANYONE for p in excluded):
            return False
        return grantee.principal is None or not any(_same(p, grantee.principal) for p in excluded)


def _same(a: Principal, b: Principal) -> bool:
    if a.kind is PrincipalKind.SERVICE or b.kind is PrincipalKind.SERVICE:
        return a.kind is b.kind and a.value.lower() == b.value.lower()
    return a.value == b.value or (
        a.kind in _ACCOUNT_KINDS and a.account is not None and a.account == b.account
    )


def _denies(denied: Principal, grantee: Principal | None) -> bool:
    if denied.kind is PrincipalKind.ANYONE:
        return True
    return grantee is not None and _same(denied, grantee)


def _not_principal_limit(excluded: tuple[Principal, ...]) -> Limit:
    accounts = frozenset(Member(MemberKind.ACCOUNT, p.account) for p in excluded if p.account)
    return Limit(LimitKind.IDENTITY, accounts, "NotPrincipal " + ", ".join(p.value for p in excluded))


def _spares(
    conditions: tuple[ConditionClause, ...], caller: CallerClass, **keys: frozenset[str]
) -> Limit | None:
    # A Deny fires when all its clauses hold, so it spares whoever fails any one of them. A clause
    # that holds for the whole class of caller spares nobody; one that holds for none of it means
    # the Deny never fires for that class (None: it adds no limit).
    spared = NOBODY
    for clause in conditions:
        fixed = clause_for_class(clause, caller)
        if fixed is True or _acts_for_a_customer(clause, caller):
            continue
        if fixed is False:
            return None
        limit = deny_spares_only(clause, **keys)
        if limit is None:
            return None
        spared = spared.union(limit)
    return spared


def _acts_for_a_customer(clause: ConditionClause, caller: CallerClass) -> bool:
    """``Null aws:SourceAccount false`` (AWS's confused-deputy RCP) spares only services that act
    for no customer's resource: not a path into anyone's repositories, so it spares nobody here."""
    operator = clause.operator
    return (
        caller is CallerClass.AWS_SERVICE
        and operator.family is OperatorFamily.NULL
        and clause.key in SOURCE_KEYS
        and [v.text.lower() for v in clause.values] == ["false"]
    )


def carve_outs(
    statement: Statement, owner: str | None = None, repository_arn: str | None = None
) -> CarveOut | None:
    if statement.principals is None and statement.not_principals is None:
        raise PolicyError(
            f"statement {statement.label} has no Principal; a repository policy statement needs one"
        )
    if not deny_covers_repository(statement.resources, owner, repository_arn):
        return None
    return CarveOut(
        statement,
        statement.actions,
        _spares(statement.conditions, CallerClass.IAM_PRINCIPAL),
        _spares(statement.conditions, CallerClass.AWS_SERVICE, keys=SOURCE_KEYS),
    )
