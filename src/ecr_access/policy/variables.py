"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ``${*}``.

Variables exist only in documents whose ``Version`` is ``2012-10-17``; under
``2008-10-17`` or with no Version the same characters are literal text (IAM User
Guide, "IAM policy elements: Variables and tags"). ``${*}``, ``${?}`` and ``${$}``
stand for a literal ``*``, ``?`` and ``$`` — characters that would otherwise be
wildcards or start a variable.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from ecr_access.policy.errors import PolicyError

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    """A ``${key}`` reference, with its ``'default'`` when one is given."""

    key: str  # lower-cased: condition and variable keys are case-insensitive
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Escaped:
    """A character written as ``${*}``, ``${?}`` or ``${$}``: always literal."""

    char: str


# A TypeAlias, not a `type` statement: this module runs in the runbooks' python3.11 runtime.
TemplatePart: TypeAlias = str | Variable | Escaped  # noqa: UP040


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string split into literal text, escapes and variables."""

    text: str
    parts: tuple[TemplatePart, ...]

    @property
    def has_variables(self) -> bool:
        return any(isinstance(p, Variable) for p in self.parts)

    @property
    def has_wildcards(self) -> bool:
        """Whether a ``*``/``?`` outside an escape makes this a pattern."""
        return any(isinstance(p, str) and ("*" in p or "?" in p) for p in self.parts)

    def resolve(self, lookup: Callable[[str], str | None]) -> "Template | None":
        """Substitute variables; None when one has neither a value nor a default.

        AWS: a variable that cannot be resolved makes the element not match
        (unless a default is given). Escapes stay escapes.
        """
        if not self.has_variables:
            return self
        parts: list[TemplatePart] = []
        for part in self.parts:
            if isinstance(part, Variable):
                value = lookup(part.key)
                if value is None:
                    value = part.default
                if value is None:
                    return None
                # A substituted value is data, never a wildcard.
                parts.extend(Escaped(c) if c in "*?" else c for c in value)
            else:
                parts.append(part)
        return Template(self.text, tuple(parts))


def literal_template(text: str) -> Template:
    return Template(text, (text,))


@lru_cache(maxsize=16384)
def parse_template(text: str, *, variables_enabled: bool) -> Template:
    if not variables_enabled or "${" not in text:
        return literal_template(text)
    parts: list[TemplatePart] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        body = match.group(1)
        if body in _ESCAPES:
            parts.append(Escaped(_ESCAPES[body]))
        elif (with_default := _DEFAULT.match(body)) is not None:
            parts.append(Variable(with_default.group(1).lower(), with_default.group(2)))
        elif body.strip() and "," not in body and "'" not in body:
            parts.append(Variable(body.strip().lower()))
        else:
            raise PolicyError(f'malformed policy variable "${{{body}}}" in "{text}"')
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return Template(text, tuple(parts))
