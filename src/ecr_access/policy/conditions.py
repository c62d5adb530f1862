"""Parsing the ``Condition`` element and its operators.

Operator grammar (IAM User Guide, "IAM JSON policy elements: Condition operators"
and "Multivalued context keys"): optional ``ForAnyValue:``/``ForAllValues:``
prefix, a base operator, optional ``IfExists`` suffix (not allowed on ``Null``).
Condition key names are case-insensitive; values may be one value or a list, and
JSON booleans and numbers compare as their string form. An operator the engine
does not know is kept as UNKNOWN so that analyses can treat it as restricting
nothing.
"""

from functools import lru_cache
from typing import Any

from ecr_access.policy.errors import PolicyError
from ecr_access.policy.model import (
    Comparison,
    ConditionClause,
    ConditionOperator,
    OperatorFamily,
    SetOperator,
)
from ecr_access.policy.variables import parse_template

_C = Comparison
_ORDERED = {
    "equals": (_C.EQUALS, False),
    "notequals": (_C.EQUALS, True),
    "lessthan": (_C.LESS_THAN, False),
    "lessthanequals": (_C.LESS_THAN_EQUALS, False),
    "greaterthan": (_C.GREATER_THAN, False),
    "greaterthanequals": (_C.GREATER_THAN_EQUALS, False),
}

# base name (lower case) -> family, comparison, negated, ignore_case
_BASE_OPERATORS: dict[str, tuple[OperatorFamily, Comparison, bool, bool]] = {
    "stringequals": (OperatorFamily.STRING, _C.EQUALS, False, False),
    "stringnotequals": (OperatorFamily.STRING, _C.EQUALS, True, False),
    "stringequalsignorecase": (OperatorFamily.STRING, _C.EQUALS, False, True),
    "stringnotequalsignorecase": (OperatorFamily.STRING, _C.EQUALS, True, True),
    "stringlike": (OperatorFamily.STRING, _C.LIKE, False, False),
    "stringnotlike": (OperatorFamily.STRING, _C.LIKE, True, False),
    "bool": (OperatorFamily.BOOL, _C.EQUALS, False, False),
    "binaryequals": (OperatorFamily.BINARY, _C.EQUALS, False, False),
    "ipaddress": (OperatorFamily.IP_ADDRESS, _C.IN_RANGE, False, False),
    "notipaddress": (OperatorFamily.IP_ADDRESS, _C.IN_RANGE, True, False),
    "arnequals": (OperatorFamily.ARN, _C.EQUALS, False, False),
    "arnlike": (OperatorFamily.ARN, _C.LIKE, False, False),
    "arnnotequals": (OperatorFamily.ARN, _C.EQUALS, True, False),
    "arnnotlike": (OperatorFamily.ARN, _C.LIKE, True, False),
    "null": (OperatorFamily.NULL, _C.IS_NULL, False, False),
    **{f"numeric{k}": (OperatorFamily.NUMERIC, c, n, False) for k, (c, n) in _ORDERED.items()},
    **{f"date{k}": (OperatorFamily.DATE, c, n, False) for k, (c, n) in _ORDERED.items()},
}

_SET_PREFIXES = {"foranyvalue:": SetOperator.FOR_ANY_VALUE, "forallvalues:": SetOperator.FOR_ALL_VALUES}


@lru_cache(maxsize=1024)
def parse_operator(name: str) -> ConditionOperator:
    rest = name.lower()
    set_operator = SetOperator.NONE
    for prefix, operator in _SET_PREFIXES.items():
        if rest.startswith(prefix):
            set_operator, rest = operator, rest[len(prefix) :]
    if_exists = rest.endswith("ifexists") and rest != "ifexists"
    if if_exists:
        rest = rest[: -len("ifexists")]
    base = _BASE_OPERATORS.get(rest)
    if base is None or (if_exists and base[0] is OperatorFamily.NULL):
        return ConditionOperator(
            name, OperatorFamily.UNKNOWN, Comparison.UNKNOWN, if_exists=if_exists, set_operator=set_operator
        )
    family, comparison, negated, ignore_case = base
    return ConditionOperator(name, family, comparison, negated, ignore_case, if_exists, set_operator)


def _value_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise PolicyError(f"{where} values must be strings, numbers or booleans")


def _reject_case_variants(names: dict[str, Any], where: str) -> None:
    # Operator and key names are matched case-insensitively, so "aws:PrincipalOrgID"
    # and "AWS:principalorgid" side by side are duplicates in disguise: which one
    # AWS honours is undocumented, so the document is refused (see json_text.py).
    seen: dict[str, str] = {}
    for name in names:
        if (first := seen.setdefault(name.lower(), name)) != name:
            raise PolicyError(f'{where} names "{first}" and "{name}", which differ only in case; keep one')


def parse_conditions(element: Any, where: str, *, variables_enabled: bool) -> tuple[ConditionClause, ...]:
    if not isinstance(element, dict):
        raise PolicyError(
            f'{where} must be an object such as {{"StringEquals": {{"aws:PrincipalOrgID": "o-…"}}}}'
        )
    clauses: list[ConditionClause] = []
    _reject_case_variants(element, where)
    for operator_name, tests in element.items():
        if not isinstance(tests, dict):
            raise PolicyError(f"{where}.{operator_name} must be an object of condition keys to values")
        operator = parse_operator(operator_name)
        _reject_case_variants(tests, f"{where}.{operator_name}")
        for key, raw in tests.items():
            place = f"{where}.{operator_name}.{key}"
            items = raw if isinstance(raw, list) else [raw]
            values = tuple(
                parse_template(_value_text(item, place), variables_enabled=variables_enabled)
                for item in items
            )
            clauses.append(ConditionClause(operator, key.lower(), key, values))
    return tuple(clauses)
