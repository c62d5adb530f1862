"""Strict, bounded JSON loading for policy documents.

Python's json module keeps the *last* of two duplicate keys. AWS services do not
document which one they honour, so a document such as
``{"Effect": "Deny", "Effect": "Allow"}`` could be read either way. Rather than
silently picking one reading, the document is rejected: the caller reports it
as unanalysable, which is never COMPLIANT.

Every document may be hostile, so size and nesting are bounded before anything
else runs: at most ``MAX_DOCUMENT_CHARS`` characters (the IAM API's own limit on a
``PolicyDocument``: "Maximum length of 131072", IAM API Reference, PutRolePolicy)
and ``MAX_NESTING_DEPTH`` levels of arrays/objects. The policy grammar needs six
(document → Statement list → statement → Condition → operator → key → values);
json's C decoder would otherwise recurse on a 1,500-deep array until it raised
RecursionError.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

from ecr_access.policy.errors import PolicyError

MAX_DOCUMENT_CHARS = 262_144
MAX_NESTING_DEPTH = 32

# One structural character at a time: a single character class, so the scan is linear.
_STRUCTURE = re.compile(r'["\\\[\]{}]')


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a key seen twice leaves the dict shorter than the pairs
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise PolicyError(
                    f'duplicate key "{key}" in one JSON object: AWS may honour either copy, '
                    "so the document cannot be judged; remove one of them"
                )
            seen.add(key)
    return result


# One decoder for every document (and for files that carry many): building one per call costs
# more than decoding a small policy.
STRICT_DECODER = json.JSONDecoder(object_pairs_hook=_reject_duplicates)


def _too_deep() -> PolicyError:
    return PolicyError(
        f"policy nests arrays/objects more than {MAX_NESTING_DEPTH} levels deep "
        "(the policy grammar needs 6); it cannot be a valid policy"
    )


def check_text_depth(text: str) -> None:
    """Raise PolicyError when brackets outside strings nest deeper than MAX_NESTING_DEPTH."""
    if text.count("[") + text.count("{") <= MAX_NESTING_DEPTH:
        return  # cannot nest deeper than it has brackets (the common case, counted in C)
    depth, in_string, skip = 0, False, -1
    for found in _STRUCTURE.finditer(text):
        position = found.start()
        if position == skip:
            continue  # the character after a backslash inside a string
        char = text[position]
        if in_string:
            if char == "\\":
                skip = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                raise _too_deep()
        elif char in "]}":
            depth -= 1


def compact_text(document: Mapping[str, Any]) -> str:
    """A decoded document's compact JSON text (the C encoder), which is what ECR and IAM count and
    what the parse cache is keyed on; nesting past the interpreter's own bound is an error."""
    try:
        return json.dumps(document)
    except RecursionError as exc:
        raise _too_deep() from exc
    except (TypeError, ValueError) as exc:  # a key or value JSON cannot hold: not a decoded document
        raise PolicyError(f"a policy document must be JSON: {exc}") from exc


def decoded_text(document: Mapping[str, Any]) -> str:
    """``compact_text`` with the same nesting bound as a document given as text."""
    text = compact_text(document)
    check_text_depth(text)
    return text


def check_length(text: str, max_chars: int | None) -> None:
    limit = MAX_DOCUMENT_CHARS if max_chars is None else max_chars
    if len(text) > limit:
        raise PolicyError(
            f"policy is {len(text)} characters long; the limit is {limit} "
            "(shorten it or split the grants across fewer statements)"
        )


def load_policy_json(text: str, *, max_chars: int | None = None) -> Any:
    """Parse policy JSON text, rejecting duplicate keys, over-long and over-deep documents."""
    check_length(text, max_chars)
    check_text_depth(text)
    try:
        return STRICT_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"policy is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except RecursionError as exc:  # pragma: no cover - check_text_depth stops this first
        raise _too_deep() from exc
