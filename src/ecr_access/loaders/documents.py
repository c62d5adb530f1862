"""Policy documents as IAM, Config and the CLI carry them: decoded JSON, JSON text or URL-encoded text.

IAM APIs return documents URL-encoded (RFC 3986); boto3 and the AWS CLI decode
them, Config items keep them encoded (``%7B%22Version%22…``). Parsing goes through
the content cache, so one document shared by many principals is parsed once.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from ecr_access.policy.errors import PolicyError
from ecr_access.policy.json_text import compact_text, decoded_text
from ecr_access.policy.model import Policy
from ecr_access.policy.parse import parse_decoded_document, parse_policy_text


def document_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return decoded_text(value)
    if isinstance(value, str):
        stripped = value.lstrip()
        return unquote(stripped) if stripped.startswith("%") else stripped
    raise PolicyError(f"a policy document must be JSON text or an object, not {type(value).__name__}")


def parse_document_value(value: Any) -> Policy:
    if isinstance(value, Mapping):  # decoded already: parsed as it is, its text only the cache key
        return parse_decoded_document(value, compact_text(value))
    return parse_policy_text(document_text(value))
