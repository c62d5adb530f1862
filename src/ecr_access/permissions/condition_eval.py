"""Evaluating a condition clause against a RequestContext, in three values.

Semantics (IAM User Guide, "IAM JSON policy elements: Condition operators",
"Single-valued vs. multivalued context keys", "...IfExists condition operators"):
- a missing key makes a positive operator false and a negated one true;
  ``…IfExists`` makes it true; ``ForAllValues:`` is true and ``ForAnyValue:``
  false on a missing key; ``Null`` tests presence itself;
- several values under one key are ORed for positive operators and NORed for
  negated ones;
- an unknown key, an unresolvable variable whose key is unknown, or an operator
  the engine does not know gives UNKNOWN — never a silent true or false.
"""

import base64
import ipaddress
from datetime import datetime

from ecr_access.permissions.patterns import arn_matches, template_matches
from ecr_access.permissions.request_context import KeyState, RequestContext
from ecr_access.permissions.tristate import Tri
from ecr_access.policy.model import Comparison, ConditionClause, OperatorFamily, SetOperator
from ecr_access.policy.variables import Template


def resolve(template: Template, context: RequestContext) -> Template | KeyState:
    """Substitute policy variables; UNKNOWN when one depends on an unknown key,
    ABSENT when one is missing and has no default (the value then matches nothing)."""
    if not template.has_variables:
        return template
    unknown = False

    def lookup(key: str) -> str | None:
        nonlocal unknown
        found = context.lookup(key)
        if found is KeyState.UNKNOWN:
            unknown = True
            return ""
        return None if found is KeyState.ABSENT else found[0]

    resolved = template.resolve(lookup)
    if unknown:
        return KeyState.UNKNOWN
    return KeyState.ABSENT if resolved is None else resolved


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _epoch(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp()


_ORDER = {
    Comparison.EQUALS: lambda a, b: a == b,
    Comparison.LESS_THAN: lambda a, b: a < b,
    Comparison.LESS_THAN_EQUALS: lambda a, b: a <= b,
    Comparison.GREATER_THAN: lambda a, b: a > b,
    Comparison.GREATER_THAN_EQUALS: lambda a, b: a >= b,
}


def _ordered(clause: ConditionClause, actual: str, expected: str) -> bool:
    convert = _number if clause.operator.family is OperatorFamily.NUMERIC else _epoch
    a, b = convert(actual), convert(expected)
    return a is not None and b is not None and _ORDER[clause.operator.comparison](a, b)


def _ip(actual: str, expected: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected.strip(), strict=False)
    except ValueError:
        return False


def _binary(actual: str, expected: str) -> bool:
    try:
        return base64.b64decode(actual) == base64.b64decode(expected)
    except ValueError:
        return False


def _value_matches(clause: ConditionClause, actual: str, expected: Template) -> bool:
    operator = clause.operator
    family = operator.family
    if family is OperatorFamily.STRING:
        return template_matches(
            expected, actual, wildcards=operator.wildcards, case_sensitive=not operator.ignore_case
        )
    if family is OperatorFamily.ARN:
        return arn_matches(expected, actual)
    if family is OperatorFamily.BOOL:
        return actual.lower() == expected.text.lower()
    if family is OperatorFamily.IP_ADDRESS:
        return _ip(actual, expected.text)
    if family is OperatorFamily.BINARY:
        return _binary(actual, expected.text)
    return _ordered(clause, actual, expected.text)  # Numeric, Date


def _any_value_matches(clause: ConditionClause, actual: str, expected: list[Template]) -> bool:
    return any(_value_matches(clause, actual, value) for value in expected)


def evaluate_clause(clause: ConditionClause, context: RequestContext) -> Tri:
    operator = clause.operator
    if not operator.known:
        return Tri.UNKNOWN
    found = context.lookup(clause.key)
    if found is KeyState.UNKNOWN:
        return Tri.UNKNOWN
    if operator.family is OperatorFamily.NULL:
        wanted = {v.text.lower() for v in clause.values}
        return Tri.of(("true" if found is KeyState.ABSENT else "false") in wanted)
    if found is KeyState.ABSENT:
        if operator.if_exists or operator.set_operator is SetOperator.FOR_ALL_VALUES:
            return Tri.TRUE
        if operator.set_operator is SetOperator.FOR_ANY_VALUE:
            return Tri.FALSE
        return Tri.of(operator.negated)

    expected: list[Template] = []
    for value in clause.values:
        resolved = resolve(value, context)
        if resolved is KeyState.UNKNOWN:
            return Tri.UNKNOWN
        if resolved is not KeyState.ABSENT:
            expected.append(resolved)

    matches = [_any_value_matches(clause, actual, expected) for actual in found]
    if operator.set_operator is SetOperator.FOR_ALL_VALUES:
        return Tri.of(all(not m for m in matches) if operator.negated else all(matches))
    if operator.set_operator is SetOperator.FOR_ANY_VALUE and operator.negated:
        return Tri.of(any(not m for m in matches))
    return Tri.of(not any(matches) if operator.negated else any(matches))
