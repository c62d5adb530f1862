"""Entry point of the ``ecr-access`` console script."""

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.config_rules.rule_modules import RulesNotFound

# Each subcommand's module, imported only when that subcommand runs: `ecr-access who-can-pull` does not
# load boto3, rich or the deployment templates (issue "Performance": imports were 18 % of its time).
COMMANDS = {
    "check-policy": "check_policy",
    "who-can-pull": "who_can_pull",
    "scan": "scan",
    "demo": "demo",
    "deploy-plan": "deployment",
    "render-pack": "deployment",
    "pack-parameters": "deployment",
    "perimeter": "perimeter",
    "pulls": "pulls",
}


def _version() -> str:
    try:
        return version("ecr-access")
    except PackageNotFoundError:  # running from a source tree
        return "unknown"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand, or (``command``) with that one only, importing only its module."""
    parser = argparse.ArgumentParser(prog="ecr-access", description="Keep private ECR image layers private.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(required=True, metavar="COMMAND")
    wanted = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in wanted:
        module = importlib.import_module(f"ecr_access.cli.{name}")
        (module.add_parsers if hasattr(module, "add_parsers") else module.add_parser)(subparsers)
    return parser


# What a shell reports for a process ended by SIGPIPE: the reader of our output went away.
BROKEN_PIPE = 141


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; pointed at /dev/null that flush cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Like parse_args, but an unknown flag is reported with its subcommand's usage, not the top one's."""
    words = list(argv) if argv is not None else sys.argv[1:]
    parser = build_parser(next((w for w in words if not w.startswith("-")), None))
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
    except KeyboardInterrupt:
        print("ecr-access: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if type(exc).__module__.startswith("botocore"):  # an AWS error: one line, never a traceback
            from ecr_access.sources.aws_errors import describe_error

            print(f"ecr-access: error: {describe_error(exc)}", file=sys.stderr)
            return ExitCode.INVALID_INPUT
        # a bug: one line, and never the "exposed" exit code
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
