"""Compliance results as the Config console lists them: a table, JSON or CSV, and a summary per rule."""

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ecr_access.config_rules.rule_modules import PRINCIPAL_RULE, REPOSITORY_RULE

NOT_EVALUATED = "NOT_EVALUATED"  # not a Config compliance type: the resource could not be read
ORDER = ("NON_COMPLIANT", NOT_EVALUATED, "COMPLIANT", "NOT_APPLICABLE")
STYLES = {
    "NON_COMPLIANT": "bold red",
    NOT_EVALUATED: "bold yellow",
    "COMPLIANT": "green",
    "NOT_APPLICABLE": "dim",
}


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    rule: str
    region: str  # "global" for IAM
    resource_type: str
    resource_id: str  # what Config reports against (repository name, IAM unique id)
    resource_name: str  # what a person reads (repository name, IAM ARN)
    compliance: str
    reason: str
    account: str = ""  # the scanned account (scan --org: many)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.rule, self.region, self.resource_type, self.resource_id)


def rows_from_evaluations(
    rule: str, region: str, evaluations: Iterable[Mapping[str, Any]], names: Mapping[str, str]
) -> list[ComplianceRow]:
    """Rows from evaluations in PutEvaluations form (``ComplianceResourceId``, ``ComplianceType``, …)."""
    return [
        ComplianceRow(
            rule,
            region,
            e["ComplianceResourceType"],
            e["ComplianceResourceId"],
            names.get(e["ComplianceResourceId"], e["ComplianceResourceId"]),
            e["ComplianceType"],
            e.get("Annotation") or "",
        )
        for e in evaluations
    ]


def sorted_rows(rows: Iterable[ComplianceRow]) -> list[ComplianceRow]:
    """Repositories first, then principals; in each, NON_COMPLIANT first."""
    rank = {c: i for i, c in enumerate(ORDER)}
    rules = {REPOSITORY_RULE: 0, PRINCIPAL_RULE: 1}
    return sorted(
        rows,
        key=lambda r: (rules.get(r.rule, 2), r.rule, rank.get(r.compliance, 0), r.region, r.resource_name),
    )


def summary(rows: Iterable[ComplianceRow]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for row in sorted_rows(rows):
        counts.setdefault(row.rule, Counter())[row.compliance] += 1
    return {rule: {c: counter[c] for c in ORDER if counter[c]} for rule, counter in counts.items()}


def _short_name(row: ComplianceRow) -> str:
    # An ARN reads better without its "arn:aws:iam::<account>:" prefix (the title names the account).
    return row.resource_name.split(":", 5)[5] if row.resource_name.startswith("arn:") else row.resource_name


def _resource(row: ComplianceRow) -> str:
    name = _short_name(row)
    if row.resource_name == row.resource_id:
        return escape(name)
    return f"{escape(name)}\n[dim]{escape(row.resource_id)}[/dim]"


def tables(
    rows: Iterable[ComplianceRow], title: str, previous: Mapping[tuple[str, str, str, str], str] | None = None
) -> list[Table]:
    """The console view, one table per rule. With ``previous`` (row key → compliance) only the
    rows that changed or are still NON_COMPLIANT are shown, with what each was before."""
    by_rule: dict[str, list[ComplianceRow]] = {}
    hidden: dict[str, int] = {}
    for row in sorted_rows(rows):
        if previous is not None and previous.get(row.key) == row.compliance != "NON_COMPLIANT":
            hidden[row.rule] = hidden.get(row.rule, 0) + 1
            continue
        by_rule.setdefault(row.rule, []).append(row)
    grids = []
    for rule, members in by_rule.items():
        regions = sorted({r.region for r in members})
        unchanged = f" · {hidden[rule]} unchanged not shown" if hidden.get(rule) else ""
        grid = Table(
            title=f"{title} · {rule} · {', '.join(regions)}{unchanged}",
            box=box.SIMPLE_HEAD,
            title_justify="left",
            title_style="bold",
        )
        grid.add_column("Resource", overflow="fold", ratio=2)
        if len(regions) > 1:
            grid.add_column("Region", no_wrap=True)
        grid.add_column("Type", no_wrap=True)
        grid.add_column("Compliance", no_wrap=True)
        if previous is not None:
            grid.add_column("Was", no_wrap=True)
        grid.add_column("Reason", overflow="fold", ratio=3)
        for row in members:
            cells = [_resource(row)]
            if len(regions) > 1:
                cells.append(row.region)
            cells += [
                row.resource_type.removeprefix("AWS::"),
                f"[{STYLES.get(row.compliance, '')}]{row.compliance}",
            ]
            if previous is not None:
                before = previous.get(row.key, "(new)")
                cells.append("" if before == row.compliance else before)
            cells.append(escape(row.reason))
            grid.add_row(*cells)
        grids.append(grid)
    return grids


def summary_table(rows: Iterable[ComplianceRow]) -> Table:
    grid = Table(title="Summary", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    grid.add_column("Rule", no_wrap=True)
    for compliance in ORDER:
        grid.add_column(compliance, justify="right")
    for rule, counts in summary(rows).items():
        grid.add_row(rule, *(str(counts.get(c, 0)) for c in ORDER))
    return grid


LIST_LAYOUT_BELOW = 100  # columns: a table's Reason column is too narrow to read below this


def print_tables(
    console: Console,
    rows: list[ComplianceRow],
    title: str,
    previous: Mapping[tuple[str, str, str, str], str] | None = None,
    *,
    narrow: bool | None = None,
) -> None:
    """The tables, or below LIST_LAYOUT_BELOW columns (``narrow`` None: the console's width) one block
    per resource, each line wrapped at word boundaries only (an ARN is never split) and never padded."""
    if narrow is None:
        narrow = console.width < LIST_LAYOUT_BELOW
    if narrow:
        for line in list_lines(rows, title, previous, width=console.width):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    for grid in tables(rows, title, previous):
        console.print(grid)
    console.print(summary_table(rows))


def _wrapped(text: str, width: int, indent: str) -> list[str]:
    from ecr_access.cli.text_layout import wrapped

    return wrapped(text, width, indent)


def list_lines(
    rows: Iterable[ComplianceRow],
    title: str,
    previous: Mapping[tuple[str, str, str, str], str] | None = None,
    *,
    width: int = 80,
) -> list[str]:
    """The list layout: per rule a heading, then per resource its name and verdict, then its reason."""
    rows = list(rows)
    lines: list[str] = []
    shown = [
        r
        for r in sorted_rows(rows)
        if previous is None or not (previous.get(r.key) == r.compliance != "NON_COMPLIANT")
    ]
    hidden = len(rows) - len(shown)
    current = None
    for row in shown:
        if row.rule != current:
            current = row.rule
            lines += ["", *_wrapped(f"{title} · {row.rule}", width, "")]
        was = ""
        if previous is not None and previous.get(row.key, "(new)") != row.compliance:
            was = f" (was {previous.get(row.key, '(new)')})"
        where = "" if row.region == "global" else f" [{row.region}]"
        if row.resource_type not in ("AWS::ECR::Repository", "AWS::IAM::Role", "AWS::IAM::User"):
            where += f" ({row.resource_type.removeprefix('AWS::')})"  # the registry, an endpoint…
        lines += _wrapped(f"{_short_name(row)}{where}: {row.compliance}{was}", width, "  ")
        lines += _wrapped(row.reason, width, "      ")
    if hidden:
        lines.append(f"({hidden} unchanged not shown)")
    lines.append("")
    lines.append("Summary")
    for rule, counts in summary(rows).items():
        lines += _wrapped(f"{rule}: " + ", ".join(f"{n} {c}" for c, n in counts.items()), width, "  ")
    return lines


def as_json(rows: list[ComplianceRow], **context: Any) -> str:
    return json.dumps(
        {**context, "results": [asdict(r) for r in sorted_rows(rows)], "summary": summary(rows)}, indent=2
    )


def as_csv(rows: list[ComplianceRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = list(ComplianceRow.__dataclass_fields__)
    writer.writerow(fields)
    for row in sorted_rows(rows):
        writer.writerow([getattr(row, f) for f in fields])
    return out.getvalue()
