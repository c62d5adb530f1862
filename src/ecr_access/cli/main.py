"""Entry point of the ``ecr-access`` console script."""

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.cli import check_policy, demo, deployment, perimeter, pulls, scan, who_can_pull
from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.config_rules.rule_modules import RulesNotFound
from ecr_access.sources.aws_errors import describe_error


def _version() -> str:
    try:
        return version("ecr-access")
    except PackageNotFoundError:  # running from a source tree
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecr-access", description="Keep private ECR image layers private.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(required=True, metavar="COMMAND")
    check_policy.add_parser(subparsers)
    who_can_pull.add_parser(subparsers)
    scan.add_parser(subparsers)
    demo.add_parser(subparsers)
    deployment.add_parsers(subparsers)
    perimeter.add_parser(subparsers)
    pulls.add_parser(subparsers)
    return parser


# What a shell reports for a process ended by SIGPIPE: the reader of our output went away.
BROKEN_PIPE = 141


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; pointed at /dev/null that flush cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Like parse_args, but an unknown flag is reported with its subcommand's usage, not the top one's."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        chosen = next(
            (
                sub
                for action in parser._subparsers._group_actions
                for name, sub in getattr(action, "choices", {}).items()
                if sub.get_default("run") is getattr(args, "run", None)
                and name in (list(argv) if argv is not None else sys.argv[1:])
            ),
            parser,
        )
        chosen.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:  # `ecr-access … | head`: not an error to report
        _silence_stdout()
        return BROKEN_PIPE
    except (UsageError, ValueError, RulesNotFound) as exc:  # PolicyError is a ValueError
        print(f"ecr-access: error: {exc}", file=sys.stderr)
        return ExitCode.INVALID_INPUT
    except (ClientError, BotoCoreError) as exc:  # one line, never a traceback
        print(f"ecr-access: error: {describe_error(exc)}", file=sys.stderr)
        return ExitCode.INVALID_INPUT
    except KeyboardInterrupt:
        print("ecr-access: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, and never the "exposed" exit code
        print(f"ecr-access: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("ECR_ACCESS_TRACEBACK"):
            traceback.print_exc()
        else:
            print(
                "ecr-access: set ECR_ACCESS_TRACEBACK=1 to see where, and please report it", file=sys.stderr
            )
        return ExitCode.INVALID_INPUT


if __name__ == "__main__":
    sys.exit(main())
