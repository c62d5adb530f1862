"""IAM wildcard patterns (``*`` any run of characters, ``?`` one character).

In IAM, ``*`` also spans ``/`` and ``:`` — ``repository/*`` matches
``repository/team/app`` (IAM User Guide, "IAM JSON policy elements: Resource").
Compiled patterns are cached: the same few patterns recur across thousands of
policies.
"""

import re
from functools import lru_cache

WILDCARD_CHARS = frozenset("*?")


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=8192)
def compile_wildcard(pattern: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """Compile an IAM wildcard pattern into an anchored regular expression."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile("".join(parts) + r"\Z", flags)


def wildcard_match(pattern: str, text: str, *, case_sensitive: bool) -> bool:
    return compile_wildcard(pattern, case_sensitive=case_sensitive).match(text) is not None
