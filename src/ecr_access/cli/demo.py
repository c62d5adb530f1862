"""``ecr-access demo``: the rules and runbooks on an embedded AWS account (see ecr_access.demo)."""

import argparse

from rich.console import Console

from ecr_access.cli.exit_codes import ExitCode, UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="see both rules and runbooks work on an embedded AWS account (no AWS account needed)",
        description="Seed an in-process AWS account (moto) with 20 repositories and 30 principals, run both "
        "rules' Lambda handlers on Config events, remediate with both runbooks, and evaluate again.",
    )
    parser.add_argument("--width", type=int, help="output width in columns (default: the terminal's)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> ExitCode:
    try:
        from ecr_access.demo.walkthrough import run_demo  # moto and PyYAML: the demo extra
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"the demo needs {exc.name}: pip install 'ecr-access[demo]' (make setup installs it)"
        ) from exc
    run_demo(Console(width=args.width, highlight=False))
    return ExitCode.OK
