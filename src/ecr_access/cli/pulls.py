"""``ecr-access pulls --cloudtrail PATH…``: who pulled what, from CloudTrail logs, and the allow-list
that fits it."""

import argparse
import sys
from pathlib import Path

from ecr_access.cli import json_output
from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.detection.pull_history import PullHistory, log_files, pull_history, suggested_allow_list


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pulls",
        help="who pulled which repositories, from CloudTrail log files (and the allow-list that fits)",
    )
    parser.add_argument(
        "--cloudtrail",
        action="append",
        required=True,
        metavar="PATH",
        help="CloudTrail log files or directories (.json, .json.gz; one record per line also read)",
    )
    parser.add_argument("--since", help="only pulls at or after this ISO-8601 time, e.g. 2026-11-01")
    parser.add_argument(
        "--suggest-allow-list",
        action="store_true",
        help="print the AllowedPrincipalArns that cover what was observed, as the rules' TOML",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    paths = [Path(p) for p in args.cloudtrail]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"not found: {', '.join(missing)}")
    found = _read(paths, args.since, show_progress=sys.stderr.isatty())
    history = found.principals
    for failure in found.unreadable:
        print(f"ecr-access: skipped unreadable CloudTrail file {failure}", file=sys.stderr)
    if args.suggest_allow_list:
        print(suggested_allow_list(history), end="")
        return _done(found.unreadable)
    ordered = sorted(history.values(), key=lambda p: (-p.pulls, p.principal))
    if args.format == "json":
        rows = [
            {
                "principal": p.principal,
                "pulls": p.pulls,
                "repositories": sorted(p.repositories),
                "networks": sorted(p.networks),
                "first_seen": p.first_seen,
                "last_seen": p.last_seen,
            }
            for p in ordered
        ]
        json_output.write(rows, sys.stdout)
        return _done(found.unreadable)
    for p in ordered:
        print(f"{p.pulls:>6} pulls  {p.principal}")
        networks = ", ".join(sorted(p.networks))
        print(f"        {len(p.repositories)} repositories, {p.first_seen} → {p.last_seen}, from {networks}")
    print(f"{len(ordered)} principals pulled")
    return _done(found.unreadable)


def _read(paths: list[Path], since: str | None, *, show_progress: bool) -> PullHistory:
    """The history, with a bar over the files' compressed bytes on a terminal (stderr: stdout stays
    the report, and piped output has no bar)."""
    if not show_progress:
        return pull_history(paths, since=since)
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    files = log_files(paths)
    sizes = {path: path.stat().st_size for path in files}
    columns = (TextColumn("CloudTrail files"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("files", total=sum(sizes.values()))
        return pull_history(files, since=since, done=lambda path: progress.advance(task, sizes.get(path, 0)))


def _done(unreadable: list[str]) -> ExitCode:
    return ExitCode.INVALID_INPUT if unreadable else ExitCode.OK  # an incomplete history is never a pass
