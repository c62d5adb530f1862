"""One text layout for every command's report: a table on a wide terminal, a list below 100 columns.

Below ``LIST_LAYOUT_BELOW`` columns (and when piped: no terminal means 80 columns, or
``COLUMNS``) a table's last column is too narrow to read, so each item becomes a block — a
heading line, then its reason indented — wrapped at word boundaries only (an ARN is never
split across lines) and never padded. On a wide terminal the columns are aligned and the
reason wraps under itself.
"""

import shutil
import textwrap
from collections.abc import Sequence

LIST_LAYOUT_BELOW = 100


def width() -> int:
    """The terminal's columns (``COLUMNS`` first; 80 when there is no terminal)."""
    return shutil.get_terminal_size((80, 24)).columns


def wrapped(text: str, columns: int, indent: str = "", subsequent: str | None = None) -> list[str]:
    lines = textwrap.wrap(
        text,
        width=max(20, columns),
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or [indent.rstrip()]


def report(headers: Sequence[str], rows: Sequence[Sequence[str]], columns: int | None = None) -> list[str]:
    """Rows whose last cell is the reason: aligned columns when wide, blocks when narrow."""
    columns = width() if columns is None else columns
    if columns < LIST_LAYOUT_BELOW:
        lines: list[str] = []
        for row in rows:
            *fields, reason = row
            lines += wrapped("  ".join(f for f in fields if f), columns)
            lines += wrapped(reason, columns, "    ")
        return lines
    sizes = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers[:-1])]
    lead = sum(sizes) + len(sizes)
    out = [
        (" ".join(h.ljust(s) for h, s in zip(headers[:-1], sizes, strict=True)) + " " + headers[-1]).rstrip()
    ]
    for row in rows:
        head = " ".join(c.ljust(s) for c, s in zip(row[:-1], sizes, strict=True)) + " "
        body = wrapped(row[-1], columns - lead) if columns - lead >= 30 else [row[-1]]
        out.append((head + body[0]).rstrip())
        out += [(" " * lead + line).rstrip() for line in body[1:]]
    return out
