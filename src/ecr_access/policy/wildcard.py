"""IAM wildcard patterns (``*`` any run of characters, ``?`` one character).

In IAM, ``*`` also spans ``/`` and ``:`` — ``repository/*`` matches
``repository/team/app`` (IAM User Guide, "IAM JSON policy elements: Resource").
Compiled patterns are cached: the same few patterns recur across thousands of
policies.
"""

import re
from functools import lru_cache


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
    if not case_sensitive:
        pattern, text = pattern.lower(), text.lower()
    if "?" in pattern:
        return compile_wildcard(pattern, case_sensitive=True).match(text) is not None
    if "*" not in pattern:
        return pattern == text
    # Only '*': the first and last pieces anchor the ends, the others must appear in order
    # between them; taking each at its leftmost place is exact for this kind of pattern.
    first, *middle, last = pattern.split("*")
    if len(first) + len(last) > len(text) or not text.startswith(first) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True
