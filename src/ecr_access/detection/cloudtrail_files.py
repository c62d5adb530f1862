"""CloudTrail log files, one record at a time, in bounded memory.

A file as CloudTrail delivers it to S3 is one JSON object, ``{"Records": [record, ...]}``
(CloudTrail User Guide, "CloudTrail log file examples"), gzip-compressed; CloudTrail Lake
and Athena exports hold one record per line. A delivered file is usually a few MB, but a
month of them is gigabytes and nothing stops a hostile or odd file from being large, so
neither form is read whole: the records array is decoded element by element with
``json.JSONDecoder.raw_decode`` from a buffer that holds at most one record plus a read
chunk. Bounds (hostile input): one record at most ``MAX_RECORD_CHARS``, a file at most
``MAX_FILE_CHARS`` once decompressed (a gzip bomb), nesting as deep as ``json`` allows
(a RecursionError is the caller's unreadable file, never a crash).
"""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

CHUNK_CHARS = 1 << 20
MAX_RECORD_CHARS = 16 << 20  # a CloudTrail record is kilobytes; this is a bound, not a format limit
MAX_FILE_CHARS = 8 << 30  # decompressed; far above any delivered file
_WHITESPACE = " \t\n\r"


class _Reader:
    """A text stream decoded in place: a buffer, a position in it, and refills that keep it bounded."""

    def __init__(self, handle: IO[str], name: Path) -> None:
        self.handle, self.name = handle, name
        self.buffer, self.position, self.read_chars, self.at_end = "", 0, 0, False
        self.decoder = json.JSONDecoder()

    def refill(self, at_least: int = CHUNK_CHARS) -> bool:
        """Read more (dropping what was consumed); False at the end of the file."""
        if self.at_end:
            return False
        chunk = self.handle.read(max(at_least, CHUNK_CHARS))
        self.read_chars += len(chunk)
        if self.read_chars > MAX_FILE_CHARS:
            raise ValueError(f"{self.name}: more than {MAX_FILE_CHARS:,} characters once decompressed")
        self.buffer, self.position = self.buffer[self.position :] + chunk, 0
        self.at_end = not chunk
        return bool(chunk)

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end), not consumed."""
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position] in _WHITESPACE:
                self.position += 1
            if self.position < len(self.buffer):
                return self.buffer[self.position]
            if not self.refill():
                return ""

    def expect(self, characters: str) -> str:
        found = self.peek()
        if not found or found not in characters:
            raise ValueError(f"{self.name}: expected one of {characters!r}, found {found or 'the end'!r}")
        self.position += 1
        return found

    def value(self) -> Any:
        """The next JSON value, reading more until it is whole (never a truncated number or object)."""
        self.peek()
        while True:
            pending = len(self.buffer) - self.position
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.position)
                if end - self.position > MAX_RECORD_CHARS:
                    raise ValueError(f"{self.name}: a record longer than {MAX_RECORD_CHARS:,} characters")
                if end < len(self.buffer) or self.at_end or isinstance(value, (dict, list, str)):
                    self.position = end
                    return value
            except json.JSONDecodeError:
                if self.at_end:
                    raise
            if pending > MAX_RECORD_CHARS:
                raise ValueError(f"{self.name}: a record longer than {MAX_RECORD_CHARS:,} characters")
            if not self.refill(at_least=pending):  # doubling: linear in the record's size
                self.at_end = True


def _records_document(reader: _Reader) -> Iterator[dict[str, Any]]:
    """``{"Records": [...], ...}``: the array's objects, one at a time; other keys are skipped."""
    reader.expect("{")
    if reader.peek() == "}":
        return
    while True:
        key = reader.value()
        reader.expect(":")
        if key == "Records" and reader.peek() == "[":
            reader.expect("[")
            if reader.peek() != "]":
                while True:
                    record = reader.value()
                    if isinstance(record, dict):
                        yield record
                    if reader.expect(",]") == "]":
                        break
            else:
                reader.expect("]")
        else:
            reader.value()
        if reader.expect(",}") == "}":
            return


def _records_lines(handle: IO[str], name: Path) -> Iterator[dict[str, Any]]:
    read = 0
    while line := handle.readline(MAX_RECORD_CHARS + 1):
        read += len(line)
        if len(line) > MAX_RECORD_CHARS:
            raise ValueError(f"{name}: a line longer than {MAX_RECORD_CHARS:,} characters")
        if read > MAX_FILE_CHARS:
            raise ValueError(f"{name}: more than {MAX_FILE_CHARS:,} characters once decompressed")
        if line.strip():
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("Records"), list):
                yield from (r for r in record["Records"] if isinstance(r, dict))  # a one-line log file
            elif isinstance(record, dict):
                yield record


def _open(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _first_key_is_records(path: Path) -> bool:
    """Whether the file is a delivered log file (its object's first key is "Records")."""
    with _open(path) as handle:
        reader = _Reader(handle, path)
        if reader.peek() != "{":
            return False
        reader.expect("{")
        if reader.peek() != '"':
            return False
        return reader.value() == "Records"


def records_of(path: Path) -> Iterator[dict[str, Any]]:
    """Every record of one CloudTrail file, either form; a malformed file raises ValueError (or
    OSError, EOFError for a broken gzip, RecursionError for absurd nesting) after the records
    read before the fault."""
    if _first_key_is_records(path):
        with _open(path) as handle:
            yield from _records_document(_Reader(handle, path))
        return
    with _open(path) as handle:
        yield from _records_lines(handle, path)
