"""Whether a repository-policy statement's Principal or NotPrincipal covers one IAM user or role.

IAM User Guide, "Policy evaluation logic" and "Permissions boundaries for IAM entities":
within one account a resource-based policy that names an IAM *user* ARN grants even where
the user's boundary implicitly denies; one that names a *role* ARN is limited by the role's
boundary; one that names a *role session* ARN is not — and names only that session, so for
the role's standing permission it depends on the session name (UNKNOWN). Naming an account
delegates to that account's identity policies: across accounts that satisfies the resource
side, within the account it grants nothing by itself.

IAM User Guide, "AWS JSON policy elements: NotPrincipal":
- ``Deny`` + ``NotPrincipal`` always denies principals that have a permissions boundary,
  whatever NotPrincipal lists;
- listing an account exempts that account's root user, not its users and roles;
- a role is exempt only through the ARN of its session (plus the role and account), so a
  listed role ARN or one session ARN leaves the role's other sessions undecided (UNKNOWN);
- a user is exempt when its ARN is listed together with its account; without the account
  "the policy might deny access" (UNKNOWN, never read as surely denied).
``Allow`` + ``NotPrincipal`` is no longer supported by AWS for new policies; an existing one
is judged as its worst case: it grants everyone it does not list by exact ARN.
"""

from ecr_access.permissions.principal import IamPrincipal, PrincipalType
from ecr_access.permissions.tristate import Tri
from ecr_access.policy.model import Effect, Principal, PrincipalKind, Statement

_TRUE, _FALSE, _UNKNOWN = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN


def _partition(principal: IamPrincipal) -> str:
    return principal.arn.split(":", 2)[1] if principal.arn.count(":") >= 2 else "aws"


def _session_prefix(principal: IamPrincipal) -> str:
    return f"arn:{_partition(principal)}:sts::{principal.account}:assumed-role/{principal.name}/"


def _is_own_session(value: str, principal: IamPrincipal) -> bool:
    return principal.type is PrincipalType.ROLE and value.startswith(_session_prefix(principal))


def _covers(p: Principal, principal: IamPrincipal, same_account: bool, deny: bool) -> tuple[Tri, bool]:
    """(does it cover the principal, is it the role's own ARN — a grant its boundary limits)."""
    if p.kind is PrincipalKind.ANYONE:
        return _TRUE, False
    if p.kind is PrincipalKind.ACCOUNT:
        return Tri.of(p.account == principal.account and (not same_account or deny)), False
    if p.kind is PrincipalKind.IAM_PRINCIPAL:
        if p.value == principal.arn:
            return _TRUE, principal.type is PrincipalType.ROLE
        if _is_own_session(p.value, principal):
            return _UNKNOWN, False  # one session of the role, not the role
    return _FALSE, False


def _exempted(listed: tuple[Principal, ...], principal: IamPrincipal) -> Tri:
    """Whether a Deny's NotPrincipal list surely spares the principal."""
    account_listed = any(p.kind is PrincipalKind.ACCOUNT and p.account == principal.account for p in listed)
    result = _FALSE
    for p in listed:
        if p.kind is PrincipalKind.ANYONE:
            return _TRUE
        if p.kind is not PrincipalKind.IAM_PRINCIPAL:
            continue
        if p.value == principal.arn:
            sure = principal.type is PrincipalType.USER and account_listed
            result |= _TRUE if sure else _UNKNOWN
        elif _is_own_session(p.value, principal):
            result |= _UNKNOWN
    return result


def repository_principal_match(
    statement: Statement, principal: IamPrincipal, same_account: bool
) -> tuple[Tri, bool]:
    """(does the statement's Principal/NotPrincipal cover the principal, only through the role's ARN)."""
    deny = statement.effect is Effect.DENY
    if statement.principals is not None:
        found, via_role = _FALSE, False
        for p in statement.principals:
            covered, role_arn = _covers(p, principal, same_account, deny)
            if covered is _TRUE and not role_arn:
                return _TRUE, False
            if covered is _TRUE:
                found, via_role = _TRUE, True
            elif covered is _UNKNOWN and found is _FALSE:
                found = _UNKNOWN
        return found, via_role
    if statement.not_principals is None:
        return _FALSE, False
    listed = statement.not_principals
    if deny:
        if principal.boundary is not None:
            return _TRUE, False
        return ~_exempted(listed, principal), False
    # Allow + NotPrincipal, judged at its worst: everyone not listed by exact ARN.
    excluded = any(p.kind is PrincipalKind.ANYONE or p.value == principal.arn for p in listed)
    return Tri.of(not excluded), False
