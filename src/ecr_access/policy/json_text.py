"""Strict JSON loading for policy documents.

Python's json module keeps the *last* of two duplicate keys. AWS services do not
document which one they honour, so a document such as
``{"Effect": "Deny", "Effect": "Allow"}`` could be read either way. Rather than
silently picking one reading, the document is rejected: the caller reports it
as unanalysable, which is never COMPLIANT.
"""

import json
from typing import Any

from ecr_access.policy.errors import PolicyError


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise PolicyError(
                f'duplicate key "{key}" in one JSON object: AWS may honour either copy, '
                "so the document cannot be judged; remove one of them"
            )
        result[key] = value
    return result


# One decoder for every document: building one per call costs more than decoding a small policy.
_DECODER = json.JSONDecoder(object_pairs_hook=_reject_duplicates)


def load_policy_json(text: str, *, max_chars: int | None = None) -> Any:
    """Parse policy JSON text, rejecting duplicate keys and over-long documents."""
    if max_chars is not None and len(text) > max_chars:
        raise PolicyError(
            f"policy is {len(text)} characters long; the limit is {max_chars} "
            "(shorten it or split the grants across fewer statements)"
        )
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"policy is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
