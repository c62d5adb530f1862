"""Where each value of a JSON text lies, so that an edit can keep every untouched byte.

A remediation must change a policy by surgery, not by re-serialisation: decoding
and encoding again would rewrite numbers (``1e400`` becomes ``Infinity``, which is
not JSON), unicode escapes and whitespace of statements nobody meant to touch.
This reader records the span of every value; ``rebuild`` writes a container anew
from the original text of the parts it keeps, with the container's own separators.
It runs only on text the strict parser has accepted (bounded size and nesting).
"""

import json
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any

_WHITESPACE = " \t\n\r"
_SCALAR_END = ",]}" + _WHITESPACE


@dataclass(frozen=True, slots=True)
class Span:
    """One JSON value: ``text[start:end]``; objects and arrays list their parts."""

    start: int
    end: int
    kind: str  # "object" | "array" | "string" | "scalar"
    value: Any = None  # a string's value; the raw text of another scalar
    members: tuple["Member", ...] = field(default=())  # objects
    items: tuple["Span", ...] = field(default=())  # arrays

    def member(self, name: str) -> "Member | None":
        return next((m for m in self.members if m.key == name), None)


@dataclass(frozen=True, slots=True)
class Member:
    key: str
    start: int  # where the key's opening quote is
    value: Span

    @property
    def end(self) -> int:
        return self.value.end


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _value(text: str, position: int) -> Span:
    position = _skip(text, position)
    char = text[position]
    if char == "{":
        members: list[Member] = []
        cursor = _skip(text, position + 1)
        if text[cursor] == "}":
            return Span(position, cursor + 1, "object")
        while True:
            key, after_key = scanstring(text, cursor + 1)
            colon = _skip(text, after_key)
            value = _value(text, colon + 1)
            members.append(Member(key, cursor, value))
            cursor = _skip(text, value.end)
            if text[cursor] == "}":
                return Span(position, cursor + 1, "object", members=tuple(members))
            cursor = _skip(text, cursor + 1)  # past the comma
    if char == "[":
        items: list[Span] = []
        cursor = _skip(text, position + 1)
        if text[cursor] == "]":
            return Span(position, cursor + 1, "array")
        while True:
            item = _value(text, cursor)
            items.append(item)
            cursor = _skip(text, item.end)
            if text[cursor] == "]":
                return Span(position, cursor + 1, "array", items=tuple(items))
            cursor = cursor + 1  # past the comma
    if char == '"':
        value, end = scanstring(text, position + 1)
        return Span(position, end, "string", value)
    end = position
    while end < len(text) and text[end] not in _SCALAR_END:
        end += 1
    return Span(position, end, "scalar", text[position:end])


def read_spans(text: str) -> Span:
    """The spans of a JSON text the strict parser already accepted."""
    return _value(text, 0)


def part_text(text: str, part: Span | Member) -> str:
    return text[part.start : part.end]


def rebuild(text: str, container: Span, pieces: list[str]) -> str:
    """``container`` written anew from ``pieces`` (original part texts or new ones), keeping its
    opening and closing characters, the whitespace inside them and its separator."""
    opening, closing = text[container.start], text[container.end - 1]
    parts: list[Span | Member] = list(container.members or container.items)
    if not pieces:
        return opening + closing
    if not parts:
        return opening + ", ".join(pieces) + closing
    lead = text[container.start + 1 : parts[0].start]
    trail = text[parts[-1].end : container.end - 1]
    separator = (
        text[parts[0].end : parts[1].start] if len(parts) > 1 else "," + (lead if not lead.strip() else " ")
    )
    return opening + lead + separator.join(pieces) + trail + closing


def string_list(value: Span) -> list[str]:
    """A string or an array of strings as a list (other shapes: empty)."""
    if value.kind == "string":
        return [value.value]
    return [item.value for item in value.items if item.kind == "string"]


def encoded(value: Any) -> str:
    """A new value's text (only ever strings and lists of strings)."""
    return json.dumps(value)
