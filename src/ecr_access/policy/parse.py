"""Turning policy text or a decoded document into an immutable ``Policy``.

Elements and their shapes follow the IAM JSON policy grammar (IAM User Guide,
"Grammar of the IAM JSON policy language"). Element names are case-sensitive
there, so an unknown or misspelt element is an error, not something to skip: a
skipped ``Condition`` would make a bounded grant look public, and a skipped
``Principal`` the reverse.
"""

from typing import Any

from ecr_access.policy.conditions import parse_conditions
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.json_text import check_length, check_text_depth, load_policy_json
from ecr_access.policy.model import (
    ActionSpec,
    Effect,
    Policy,
    PolicyVersion,
    ResourceSpec,
    Statement,
)
from ecr_access.policy.principals import parse_principals
from ecr_access.policy.variables import parse_template

_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_EFFECTS = {e.value: e for e in Effect}
_VERSIONS = {v.value: v for v in PolicyVersion if v is not PolicyVersion.ABSENT}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise PolicyError(f"{where} must be a non-empty string or a list of non-empty strings")
    return tuple(items)


def _one_of(raw: dict[str, Any], positive: str, negative: str, where: str) -> tuple[str, Any] | None:
    if positive in raw and negative in raw:
        raise PolicyError(f"{where} has both {positive} and {negative}; a statement takes one of them")
    if positive in raw:
        return positive, raw[positive]
    if negative in raw:
        return negative, raw[negative]
    return None


def _parse_statement(raw: Any, index: int, version: PolicyVersion) -> Statement:
    where = f"statement #{index}"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be a JSON object, not {type(raw).__name__}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}: Sid must be a string")
    where = f'statement "{sid}" (#{index})' if sid else where
    unknown = sorted(raw.keys() - _STATEMENT)
    if unknown:
        raise PolicyError(f'{where} has unknown element "{unknown[0]}" (element names are case-sensitive)')
    effect = _EFFECTS.get(raw.get("Effect"))  # type: ignore[arg-type]
    if effect is None:
        raise PolicyError(f'{where}: Effect must be "Allow" or "Deny", not {raw.get("Effect")!r}')

    action = _one_of(raw, "Action", "NotAction", where)
    if action is None:
        raise PolicyError(f"{where} has neither Action nor NotAction")
    actions = ActionSpec(_strings(action[1], f"{where}: {action[0]}"), negated=action[0] == "NotAction")

    principals = not_principals = None
    principal = _one_of(raw, "Principal", "NotPrincipal", where)
    if principal is not None:
        parsed = parse_principals(principal[1], f"{where}: {principal[0]}")
        if principal[0] == "Principal":
            principals = parsed
        else:
            not_principals = parsed

    resources = None
    resource = _one_of(raw, "Resource", "NotResource", where)
    if resource is not None:
        patterns = tuple(
            parse_template(p, variables_enabled=version.variables_enabled)
            for p in _strings(resource[1], f"{where}: {resource[0]}")
        )
        resources = ResourceSpec(patterns, negated=resource[0] == "NotResource")

    conditions = ()
    if "Condition" in raw:
        conditions = parse_conditions(
            raw["Condition"], f"{where}: Condition", variables_enabled=version.variables_enabled
        )
    return Statement(index, sid, effect, actions, principals, not_principals, resources, conditions)


def parse_document(document: Any) -> Policy:
    """Parse a decoded policy document (the object ``json.loads`` returns)."""
    if not isinstance(document, dict):
        raise PolicyError(f"a policy must be a JSON object, not {type(document).__name__}")
    unknown = sorted(set(document) - _TOP_LEVEL)
    if unknown:
        raise PolicyError(f'unknown top-level element "{unknown[0]}" (expected Version, Id, Statement)')
    raw_version = document.get("Version")
    version = PolicyVersion.ABSENT if raw_version is None else _VERSIONS.get(raw_version)
    if version is None:
        raise PolicyError(f'Version must be "2012-10-17" or "2008-10-17", not {raw_version!r}')
    if "Statement" not in document:
        raise PolicyError("policy has no Statement element")
    raw_statements = document["Statement"]
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise PolicyError("Statement must be an object or a list of objects")
    return Policy(version, tuple(_parse_statement(s, i, version) for i, s in enumerate(raw_statements)))


# Texts longer than this are parsed without caching, so that hostile documents near the
# 131,072-character limit cannot make the cache hold gigabytes.
CACHED_TEXT_CHARS = 16_384
CACHED_TEXTS = 4096


class ParsedByText:
    """Parsed policies by their JSON text, oldest dropped first: one text recurs across many resources.

    Keyed by text, whether the caller holds the text or a decoded document (whose compact
    ``json.dumps`` is its text): a document shared by 10,000 roles is parsed once and the
    10,000 principals share one ``Policy``, which is also what the evaluators' per-policy
    preparation is keyed on.
    """

    def __init__(self, size: int = CACHED_TEXTS) -> None:
        self._size = size
        self._parsed: dict[str, Policy] = {}

    def get(self, text: str) -> Policy | None:
        return self._parsed.get(text)

    def put(self, text: str, policy: Policy) -> None:
        if len(text) > CACHED_TEXT_CHARS:
            return
        if len(self._parsed) >= self._size:
            del self._parsed[next(iter(self._parsed))]
        self._parsed[text] = policy

    def clear(self) -> None:
        self._parsed.clear()


PARSED = ParsedByText()


def parse_policy_text(text: str, *, max_chars: int | None = None) -> Policy:
    """Parse policy JSON text (strict, bounded: json_text.py), through the cache."""
    check_length(text, max_chars)
    found = PARSED.get(text)
    if found is None:
        found = parse_document(load_policy_json(text, max_chars=max_chars))
        PARSED.put(text, found)
    return found


def parse_decoded_document(document: Any, text: str) -> Policy:
    """Parse an already decoded document whose compact ``json.dumps`` is ``text``.

    The document is parsed as it is, not decoded again from ``text`` (issue "Performance":
    re-decoding was 15 % of who-can-pull); ``text`` is the cache key and carries the same
    bounds as a document given as text: its length, and its nesting (the parser itself only
    ever walks the grammar's six levels, and rejects anything else where a string belongs).
    """
    check_length(text, None)
    found = PARSED.get(text)
    if found is None:
        check_text_depth(text)
        found = parse_document(document)
        PARSED.put(text, found)
    return found
