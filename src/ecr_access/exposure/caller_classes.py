"""Condition clauses whose outcome is fixed for a whole class of caller.

A repository policy's ``Principal "*"`` reaches two classes of caller: IAM principals
(users, role sessions, root users of any account) and AWS service principals. Some keys
have the same value, or the same absence, for every caller of a class (IAM User Guide,
"AWS global condition context keys"):
- ``aws:PrincipalIsAWSService`` is ``false`` for IAM principals and ``true`` for services;
- ``aws:SecureTransport`` is ``true``: the ECR API is HTTPS only;
- for IAM principals, ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``
  and ``aws:userid`` are in every signed request, and the ``aws:Source*`` keys are absent
  (they exist "only when the call to your resource is made directly by an AWS service
  principal");
- for services, ``aws:PrincipalOrgID`` and ``aws:PrincipalOrgPaths`` are absent (included
  "only if the principal is a member of an organization"), and the principal keys
  ``aws:PrincipalAccount``, ``aws:PrincipalArn`` and ``aws:userid`` are absent or name the
  service, never a customer's account or IAM principal: a test against fixed customer
  values (account ids, organization ids, ARNs with a fixed account) is false for them, its
  negation true; ``…IfExists`` on a positive test stays undecided.
AWS's data-perimeter Deny (``StringNotEqualsIfExists aws:PrincipalOrgID`` plus
``BoolIfExists aws:PrincipalIsAWSService false``) therefore fires for every IAM principal
outside the organization and never for a service: the class-fixed clause is settled here
and the identity clause bounds the rest (carve_outs.py). Operators follow "Condition
operators": a negated test and ``…IfExists`` are true for a missing key, a positive test is
false, ``Null`` tests presence. Anything else is not fixed for the class (UNKNOWN).
"""

from ecr_access.policy.identity_enum import IdentityEnum
from ecr_access.policy.model import ConditionClause, ConditionOperator, OperatorFamily, SetOperator
from ecr_access.policy.variables import Escaped, Variable


class CallerClass(IdentityEnum):
    IAM_PRINCIPAL = "IAM principal"
    AWS_SERVICE = "AWS service principal"


_VALUES = {
    CallerClass.IAM_PRINCIPAL: {"aws:principalisawsservice": "false", "aws:securetransport": "true"},
    CallerClass.AWS_SERVICE: {"aws:principalisawsservice": "true", "aws:securetransport": "true"},
}
_PRESENT = {
    CallerClass.IAM_PRINCIPAL: frozenset(
        {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:userid"}
    ),
    CallerClass.AWS_SERVICE: frozenset(),
}
_ABSENT = {
    CallerClass.IAM_PRINCIPAL: frozenset(
        {"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths"}
    ),
    # "included in the request context only if the principal is a member of an organization":
    # a service principal is not.
    CallerClass.AWS_SERVICE: frozenset({"aws:principalorgid", "aws:principalorgpaths"}),
}
# Keys every IAM principal's request carries: an …IfExists test on them bounds like the plain one.
ALWAYS_PRESENT_FOR_IAM_PRINCIPALS = _PRESENT[CallerClass.IAM_PRINCIPAL]


# ${aws:ResourceAccount} is the owner's account: a customer account, whatever its id.
_OWNER_ACCOUNT_STANDIN = "000000000000"


def _literal(clause: ConditionClause) -> list[str] | None:
    texts = []
    for value in clause.values:
        parts = value.parts
        if len(parts) == 1 and isinstance(parts[0], Variable) and parts[0].key == "aws:resourceaccount":
            texts.append(_OWNER_ACCOUNT_STANDIN)
            continue
        if value.has_variables:
            return None
        texts.append("".join(p.char if isinstance(p, Escaped) else p for p in parts))
    return texts


_CUSTOMER_KEYS = frozenset({"aws:principalaccount", "aws:principalarn", "aws:userid"})


def _names_customers_only(values: list[str]) -> bool:
    """Fixed account ids, org ids, unique ids or ARNs whose account field is 12 fixed digits."""
    for value in values:
        fields = value.split(":", 5)
        account = fields[4] if len(fields) == 6 else value.split(":", 1)[0]
        if not (account.isdigit() and len(account) == 12) and not value.startswith(("o-", "AROA", "AIDA")):
            return False
        if len(fields) != 6 and ("*" in value or "?" in value):
            return False
    return True


def _absent_key(operator: ConditionOperator) -> bool | None:
    """A clause on a key missing from the request ("Condition operators", "…IfExists", set operators)."""
    if operator.set_operator is SetOperator.FOR_ALL_VALUES:
        return True
    if operator.set_operator is SetOperator.FOR_ANY_VALUE:
        return False
    return bool(operator.negated or operator.if_exists)


def clause_for_class(clause: ConditionClause, caller: CallerClass) -> bool | None:
    """Whether the clause holds for every caller of the class (True), none (False), or it varies (None)."""
    operator = clause.operator
    if not operator.known:
        return None
    values = _literal(clause)
    if values is None:
        return None
    key = clause.key
    if operator.family is not OperatorFamily.NULL and key in _ABSENT[caller]:
        return _absent_key(operator)
    if (
        caller is CallerClass.AWS_SERVICE
        and key in _CUSTOMER_KEYS
        and operator.set_operator is SetOperator.NONE
    ):
        if operator.family in (OperatorFamily.STRING, OperatorFamily.ARN) and _names_customers_only(values):
            if operator.negated:
                return True
            return None if operator.if_exists else False
        return None
    if operator.set_operator is not SetOperator.NONE:
        return None
    if operator.family is OperatorFamily.NULL:
        wants_absent = {v.lower() for v in values}
        if wants_absent not in ({"true"}, {"false"}):
            return None
        if key in _PRESENT[caller] or key in _VALUES[caller]:
            return wants_absent == {"false"}
        if key in _ABSENT[caller]:
            return wants_absent == {"true"}
        return None
    known = _VALUES[caller].get(key)
    if known is None or operator.family not in (OperatorFamily.BOOL, OperatorFamily.STRING):
        return None
    if operator.family is OperatorFamily.STRING and any("*" in v or "?" in v for v in values):
        return None
    matched = any(v.lower() == known for v in values)
    return matched != operator.negated
