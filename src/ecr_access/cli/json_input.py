"""Reading input files for the command line: bounded, strict, with one-line errors.

A file can be anything — the wrong file, a truncated download, something hostile —
so reading never costs more than the input may legitimately be (``max_chars``),
a decode error names the file, duplicate keys are refused as the engine refuses
them in one policy (policy/json_text.py), and a nesting bomb is an error, not a
traceback.
"""

import json
import sys
from typing import Any

from ecr_access.cli.exit_codes import UsageError
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.json_text import STRICT_DECODER

# Room for what tools add around a policy at its length limit: a trailing newline, indentation.
_SLACK_CHARS = 64


def read_text(path: str, *, max_chars: int | None = None) -> str:
    """The file's text (``-``: standard input); refused unread past ``max_chars``."""
    limit = None if max_chars is None else max_chars + _SLACK_CHARS
    try:
        if path == "-":
            text = sys.stdin.read() if limit is None else sys.stdin.read(limit + 1)
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read() if limit is None else handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    if limit is not None and len(text) > limit:
        raise UsageError(
            f"{path} is longer than {max_chars:,} characters, the limit for this input; it was not read whole"
        )
    return text


def read_json(path: str) -> Any:
    text = read_text(path)
    try:
        return STRICT_DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except PolicyError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    except RecursionError as exc:
        raise UsageError(f"{path} nests arrays/objects too deeply to be AWS output") from exc
