"""IAM wildcard patterns (``*`` any run of characters, ``?`` one character), matched in linear time.

In IAM, ``*`` also spans ``/`` and ``:`` — ``repository/*`` matches
``repository/team/app`` (IAM User Guide, "IAM JSON policy elements: Resource").

Everything matched here comes from documents an attacker may write, so no
pattern is turned into a backtracking regular expression (``ecr:?**************x``
made one evaluation run for minutes). A pattern is split at its runs of ``*``
into fixed-length segments; the first must match at the start, the last at the
end, and each one between at its leftmost place after the previous one — which
is exact for glob patterns and costs at most pattern × text steps. A segment with
``?`` is searched with a regex of fixed length (no quantifier, so no
backtracking); one without is a plain substring search.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@dataclass(frozen=True, slots=True)
class _Segment:
    """A run of the pattern between two ``*``: literal text, or a fixed-length regex when it has ``?``."""

    text: str
    regex: re.Pattern[str] | None  # None: no ``?``, plain string comparison
    length: int

    def matches_at(self, subject: str, position: int) -> bool:
        if self.regex is None:
            return subject.startswith(self.text, position)
        return self.regex.match(subject, position, position + self.length) is not None

    def find(self, subject: str, start: int, end: int) -> int:
        if self.regex is None:
            return subject.find(self.text, start, end)
        found = self.regex.search(subject, start, end)
        return -1 if found is None else found.start()


def _segment(chars: list[str], wild: list[int]) -> _Segment:
    text = "".join(chars)
    if not wild:
        return _Segment(text, None, len(text))
    source = "".join("." if i in wild else re.escape(c) for i, c in enumerate(chars))
    return _Segment(text, re.compile(source, re.DOTALL), len(text))


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled pattern: ``head`` at the start, ``middle`` in order, ``tail`` at the end.

    ``tail`` is None when the pattern has no ``*``: then ``head`` must be the whole text.
    """

    head: _Segment
    middle: tuple[_Segment, ...]
    tail: _Segment | None

    def matches(self, subject: str) -> bool:
        head, tail = self.head, self.tail
        if tail is None:
            return len(subject) == head.length and head.matches_at(subject, 0)
        end = len(subject) - tail.length
        if end < head.length or not head.matches_at(subject, 0) or not tail.matches_at(subject, end):
            return False
        position = head.length
        for segment in self.middle:
            found = segment.find(subject, position, end)
            if found < 0:
                return False
            position = found + segment.length
        return True


# A pattern as a sequence of tokens: single literal characters, or these two-character markers.
ANY_RUN = "\0*"
ANY_ONE = "\0?"


def compile_tokens(tokens: Iterable[str]) -> Glob:
    """Build a Glob from single characters and the ANY_RUN / ANY_ONE markers."""
    segments: list[_Segment] = []
    chars: list[str] = []
    wild: list[int] = []
    starred = False
    for token in tokens:
        if token == ANY_RUN:
            segments.append(_segment(chars, wild))
            chars, wild, starred = [], [], True
        elif token == ANY_ONE:
            wild.append(len(chars))
            chars.append("?")
        else:
            chars.append(token)
    last = _segment(chars, wild)
    if not starred:
        return Glob(last, (), None)
    # Runs of '*' leave empty segments between them: they match anywhere, so they are dropped.
    middle = tuple(s for s in segments[1:] if s.length)
    return Glob(segments[0], middle, last)


def _pattern_tokens(pattern: str) -> Iterable[str]:
    for char in pattern:
        yield ANY_RUN if char == "*" else ANY_ONE if char == "?" else char


@lru_cache(maxsize=8192)
def compile_wildcard(pattern: str) -> Glob:
    """An IAM wildcard pattern, compiled once (the same few patterns recur across policies)."""
    return compile_tokens(_pattern_tokens(pattern))


def wildcard_match(pattern: str, text: str, *, case_sensitive: bool) -> bool:
    if not case_sensitive:
        pattern, text = pattern.lower(), text.lower()
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    return compile_wildcard(pattern).matches(text)
