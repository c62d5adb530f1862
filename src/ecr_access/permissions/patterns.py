"""Matching resolved policy strings (templates) against request values."""

import re
from functools import lru_cache

from ecr_access.policy.variables import Escaped, Template


@lru_cache(maxsize=16384)
def template_regex(template: Template, *, wildcards: bool, case_sensitive: bool = True) -> re.Pattern[str]:
    """A resolved template as an anchored regex; escapes (``${*}``) are always literal."""
    parts = []
    for part in template.parts:
        if isinstance(part, Escaped):
            parts.append(re.escape(part.char))
        elif isinstance(part, str):
            if wildcards:
                parts.append("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in part))
            else:
                parts.append(re.escape(part))
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile("".join(parts) + r"\Z", flags)


def template_matches(template: Template, text: str, *, wildcards: bool, case_sensitive: bool = True) -> bool:
    return (
        template_regex(template, wildcards=wildcards, case_sensitive=case_sensitive).match(text) is not None
    )


def arn_matches(template: Template, arn: str) -> bool:
    """ArnEquals/ArnLike: each of the six colon-separated fields is matched on its own,
    with * and ? wildcards (IAM User Guide, "Condition operators: ARN")."""
    if any(isinstance(p, Escaped) for p in template.parts):
        return template_matches(template, arn, wildcards=True)  # rare: keep escapes literal
    pattern_fields = "".join(p for p in template.parts if isinstance(p, str)).split(":", 5)
    arn_fields = arn.split(":", 5)
    if len(pattern_fields) != 6 or len(arn_fields) != 6:
        return template_matches(template, arn, wildcards=True)
    return all(
        template_matches(Template(p, (p,)), a, wildcards=True)
        for p, a in zip(pattern_fields, arn_fields, strict=True)
    )
