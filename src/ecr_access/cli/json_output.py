"""JSON reports as ``json.dumps(value, indent=2)`` writes them, byte for byte, at C speed.

CPython 3.12's C encoder cannot indent, so ``indent=2`` falls back to the pure-Python
encoder: a generator per container and a yield per token (10 % of ``who-can-pull`` at
5,000 roles, and a list of every token held at once, about 80 MiB at 50,000 roles:
issue "Performance"). Here each string goes through the C encoder's own escaper and each
container is joined in one step, holding one string per item rather than one per token.
Anything whose bytes the shortcut cannot promise (a float, a key that is not a string)
takes ``json.dumps`` itself, so the output never differs from it.
"""

import json
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, TextIO

_INDENT = "  "


class _Unusual(Exception):
    """A value whose bytes only json.dumps decides."""


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    raise _Unusual


def _render(value: Any, depth: int) -> str:
    if type(value) is str:  # the common case first: most values of a report are strings
        return encode_basestring_ascii(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + _INDENT * (depth + 1)
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            shown = encode_basestring_ascii(item) if type(item) is str else _render(item, depth + 1)
            items.append(f"{encode_basestring_ascii(key)}: {shown}")
        return "{" + inner + ("," + inner).join(items) + "\n" + _INDENT * depth + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + _INDENT * (depth + 1)
        rendered = ("," + inner).join([_render(item, depth + 1) for item in value])
        return "[" + inner + rendered + "\n" + _INDENT * depth + "]"
    return _scalar(value)


def _items(value: Any) -> list[str]:
    """The text in pieces, each item of a top-level list its own piece (written without one big join)."""
    if isinstance(value, list | tuple) and value:
        pieces = ["[\n  "]
        for number, item in enumerate(value):
            if number:
                pieces.append(",\n  ")
            pieces.append(_render(item, 1))
        pieces.append("\n]")
        return pieces
    return [_render(value, 0)]


def _pieces(value: Any) -> list[str]:
    try:
        return _items(value)
    except (_Unusual, RecursionError):
        return [json.dumps(value, indent=2)]


def dumps(value: Any) -> str:
    """Exactly ``json.dumps(value, indent=2)``."""
    return "".join(_pieces(value))


def write(value: Any, stream: TextIO) -> None:
    """``print(json.dumps(value, indent=2), file=stream)``."""
    stream.writelines(_pieces(value))
    stream.write("\n")
