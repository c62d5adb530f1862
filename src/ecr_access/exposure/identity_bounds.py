"""Which condition clauses bound the callers of a grant, and to whom.

Identity-bounding keys (IAM User Guide, "AWS global condition context keys"):
``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``, ``aws:PrincipalAccount``,
``aws:PrincipalArn``, ``aws:userid`` describe the calling principal;
``aws:SourceAccount``, ``aws:SourceArn``, ``aws:SourceOwner``, ``aws:SourceOrgID``,
``aws:SourceOrgPaths`` describe the resource a service principal acts for.

On an **Allow**, a clause bounds the grant only when it is a positive string/ARN
test of fixed values: negated operators, ``…IfExists`` (true when the key is
absent — and with ``Principal "*"`` service principals lack the Principal* keys),
``ForAllValues:`` (true when the key is absent), ``Null``, dates, tags and
``aws:SecureTransport`` bound nothing. Under ``StringEquals`` a ``*`` is literal
text and matches no real account.

On a **Deny**, a clause removes everyone outside a fixed set only when it is a
negated test, which is also true when the key is absent (IAM User Guide,
"Condition operators": negated operators match a missing key), so
``StringNotEquals aws:PrincipalOrgID o-x`` denies everyone outside ``o-x``.
"""

from enum import Enum

from ecr_access.aws_identifiers import ACCOUNT_ID, IAM_UNIQUE_ID, ORGANIZATION_ID
from ecr_access.exposure.limits import OWNER_ACCOUNT, OWNER_ORGANIZATION, Limit, LimitKind, Member, MemberKind
from ecr_access.exposure.network import NETWORK_KEYS, network_value_is_narrow
from ecr_access.policy.model import ConditionClause, OperatorFamily, SetOperator
from ecr_access.policy.variables import Escaped, Template, Variable

ORG_KEYS = frozenset({"aws:principalorgid", "aws:sourceorgid"})
ORG_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount", "aws:sourceowner"})
ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
USERID_KEYS = frozenset({"aws:userid"})
IDENTITY_KEYS = ORG_KEYS | ORG_PATH_KEYS | ACCOUNT_KEYS | ARN_KEYS | USERID_KEYS
# What scopes a service principal to the customer it acts for (confused deputy):
# IAM User Guide, "The confused deputy problem".
SOURCE_KEYS = frozenset(
    {"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths"}
)


class _Unbounded(Enum):
    """A value that admits callers from any account (a wildcard, a variable)."""

    UNBOUNDED = "unbounded"


_UNBOUNDED = _Unbounded.UNBOUNDED


def _literal(value: Template) -> str:
    return "".join(
        p.char if isinstance(p, Escaped) else p for p in value.parts if isinstance(p, str | Escaped)
    )


# A value that is only ${aws:ResourceAccount} or ${aws:ResourceOrgID} pins the caller to the
# repository owner's account or organization; any other variable (${aws:PrincipalAccount} is
# always equal to itself) admits callers from anywhere.
def _owner_member(key: str, value: Template) -> Member | _Unbounded:
    if len(value.parts) == 1 and isinstance(value.parts[0], Variable) and value.parts[0].default is None:
        variable = value.parts[0].key
        if key in ACCOUNT_KEYS and variable == "aws:resourceaccount":
            return Member(MemberKind.ACCOUNT, OWNER_ACCOUNT)
        if key in ORG_KEYS and variable == "aws:resourceorgid":
            return Member(MemberKind.ORGANIZATION, OWNER_ORGANIZATION)
    return _UNBOUNDED


def _member(
    key: str, value: Template, wildcards: bool, ignore_case: bool = False
) -> Member | _Unbounded | None:
    """The account/org a value pins callers to; None if it matches no real caller.

    Organization ids are lower case, and ``StringEquals`` compares case-sensitively: under a
    case-sensitive operator ``O-ABC…`` matches no organization."""
    if value.has_variables:
        return _owner_member(key, value)
    text = _literal(value)
    is_pattern = wildcards and value.has_wildcards

    def fixed(field: str) -> bool:
        return not (wildcards and ("*" in field or "?" in field))

    def organization(org: str) -> Member | None:
        org = org.lower() if ignore_case else org
        return Member(MemberKind.ORGANIZATION, org) if ORGANIZATION_ID.fullmatch(org) else None

    if key in ORG_KEYS:
        return _UNBOUNDED if is_pattern else organization(text)
    if key in ORG_PATH_KEYS:
        org = text.split("/", 1)[0]
        return organization(org) if fixed(org) else _UNBOUNDED
    if key in ACCOUNT_KEYS:
        if is_pattern:
            return _UNBOUNDED
        return Member(MemberKind.ACCOUNT, text) if ACCOUNT_ID.match(text) else None
    if key in ARN_KEYS:
        fields = text.split(":", 5)
        if len(fields) < 6:
            return _UNBOUNDED if is_pattern else None
        if not fixed(fields[4]) or (is_pattern and fields[4] == ""):
            return _UNBOUNDED  # any account, or any resource of a type that names none
        if fields[4] == "":
            return Member(MemberKind.RESOURCE, text)  # one S3 bucket: fixed, owner unknown
        return Member(MemberKind.ACCOUNT, fields[4]) if ACCOUNT_ID.match(fields[4]) else None
    # aws:userid: "AIDA…" for a user, "AROA…:session" for a role session, the account id for root
    unique_id = text.split(":", 1)[0]
    if not fixed(unique_id):
        return _UNBOUNDED
    if ACCOUNT_ID.match(unique_id):
        return Member(MemberKind.ACCOUNT, unique_id)
    return Member(MemberKind.PRINCIPAL_ID, unique_id) if IAM_UNIQUE_ID.match(unique_id) else None


def _identity_limit(clause: ConditionClause) -> Limit | None:
    members: set[Member] = set()
    for value in clause.values:
        member = _member(clause.key, value, clause.operator.wildcards, clause.operator.ignore_case)
        if member is _UNBOUNDED:
            return None
        if isinstance(member, Member):
            members.add(member)
    return Limit(LimitKind.IDENTITY, frozenset(members), clause.describe())


def _network_limit(clause: ConditionClause) -> Limit | None:
    operator = clause.operator
    if all(
        network_value_is_narrow(clause.key, operator.family, v, wildcards=operator.wildcards)
        for v in clause.values
    ):
        return Limit(LimitKind.NETWORK, frozenset(), clause.describe())
    return None


def _tests_identity_or_network(clause: ConditionClause, keys: frozenset[str]) -> bool:
    family = clause.operator.family
    if clause.key in keys & IDENTITY_KEYS:
        return family in (OperatorFamily.STRING, OperatorFamily.ARN)
    if clause.key in keys & NETWORK_KEYS:
        return family in (OperatorFamily.STRING, OperatorFamily.IP_ADDRESS)
    return False


def _limit_of(clause: ConditionClause) -> Limit | None:
    return _identity_limit(clause) if clause.key in IDENTITY_KEYS else _network_limit(clause)


def condition_restricts_identity(
    clause: ConditionClause,
    *,
    keys: frozenset[str] = IDENTITY_KEYS | NETWORK_KEYS,
    present: frozenset[str] = frozenset(),
) -> Limit | None:
    """On an Allow: the limit this clause puts on callers, or None if it bounds nothing.

    ``keys`` narrows which keys may bound (service principals: only SOURCE_KEYS);
    ``present``: keys every caller of the class carries, on which ``…IfExists`` bounds like
    the plain operator (``aws:PrincipalAccount`` for IAM principals).
    """
    operator = clause.operator
    if (
        not operator.known
        or operator.negated
        or (operator.if_exists and clause.key not in present)
        or operator.set_operator is SetOperator.FOR_ALL_VALUES
        or not _tests_identity_or_network(clause, keys)
    ):
        return None
    return _limit_of(clause)


def deny_spares_only(
    clause: ConditionClause, *, keys: frozenset[str] = IDENTITY_KEYS | NETWORK_KEYS
) -> Limit | None:
    """On a Deny: the callers this clause surely spares (it fires for all others), or None.

    ``ForAnyValue:`` with a negated operator is false when the key is absent, so
    it spares callers outside every organization: no fixed set, None.
    """
    operator = clause.operator
    if (
        not operator.known
        or not operator.negated
        or operator.set_operator is SetOperator.FOR_ANY_VALUE
        or not _tests_identity_or_network(clause, keys)
    ):
        return None
    return _limit_of(clause)
