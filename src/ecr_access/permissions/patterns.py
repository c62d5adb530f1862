"""Matching resolved policy strings (templates) against request values, in linear time.

A template's escapes (``${*}``, ``${?}``) and substituted variable values are
literal characters; only ``*``/``?`` written in the policy are wildcards. The
match itself is policy/wildcard.py's linear glob (no backtracking regex).
"""

from collections.abc import Iterator
from functools import lru_cache

from ecr_access.policy.variables import Escaped, Template
from ecr_access.policy.wildcard import ANY_ONE, ANY_RUN, Glob, compile_tokens, compile_wildcard


def _tokens(template: Template, case_sensitive: bool) -> Iterator[str]:
    for part in template.parts:
        if isinstance(part, Escaped):
            yield part.char if case_sensitive else part.char.lower()
        elif isinstance(part, str):
            for char in part if case_sensitive else part.lower():
                yield ANY_RUN if char == "*" else ANY_ONE if char == "?" else char


def _literal(template: Template) -> str:
    return "".join(
        p.char if isinstance(p, Escaped) else p for p in template.parts if isinstance(p, str | Escaped)
    )


@lru_cache(maxsize=16384)
def template_glob(template: Template, *, case_sensitive: bool = True) -> Glob:
    """A resolved template as a compiled glob; escapes are always literal."""
    return compile_tokens(_tokens(template, case_sensitive))


def template_matches(template: Template, text: str, *, wildcards: bool, case_sensitive: bool = True) -> bool:
    if not case_sensitive:
        text = text.lower()
    if not wildcards:
        literal = _literal(template)
        return (literal if case_sensitive else literal.lower()) == text
    if len(template.parts) == 1 and isinstance(template.parts[0], str):
        pattern = template.parts[0] if case_sensitive else template.parts[0].lower()
        return (
            pattern == text
            if "*" not in pattern and "?" not in pattern
            else compile_wildcard(pattern).matches(text)
        )
    return template_glob(template, case_sensitive=case_sensitive).matches(text)


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
        p == a if "*" not in p and "?" not in p else compile_wildcard(p).matches(a)
        for p, a in zip(pattern_fields, arn_fields, strict=True)
    )
