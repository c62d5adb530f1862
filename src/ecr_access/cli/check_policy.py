"""``ecr-access check-policy``: judge repository and registry policies in files, templates and plans.

Each argument is a policy file, a CloudFormation/SAM/CDK template, a Terraform plan
(``terraform show -json``), a directory (its ``.json``/``.yaml``/``.yml``/``.template`` files),
a glob, or ``-`` for standard input. Every policy found is judged with its file and line.
Exit 0: nothing at or above ``--fail-on``; 1: something is; 2: some input could not be read
or judged (never counted as safe).
"""

import argparse
import glob
import json
import sys
from dataclasses import asdict
from pathlib import Path

from ecr_access.cli import json_output
from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.cli.json_input import read_text
from ecr_access.exposure import ECR_POLICY_MAX_CHARS, RepositoryExposure, analyze_repository_policy
from ecr_access.iac.discover import NotAPolicySource, policies_in, read_source
from ecr_access.iac.judge import Judged, Verdict, judge
from ecr_access.iac.locations import PolicyKind, PolicyLocation
from ecr_access.policy import PolicyError

SUFFIXES = (".json", ".yaml", ".yml", ".template")
_BARE_POLICY_KEYS = ('"Version"', '"Statement"', '"Id"')


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-policy",
        help="judge repository/registry policies in files, CloudFormation/CDK templates, Terraform plans",
        description="Judge ECR repository and registry policies wherever they are written. "
        "Exit 0 nothing at --fail-on, 1 something is, 2 invalid input.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="files, directories, globs, or - (stdin)")
    parser.add_argument("--account", required=True, help="the account that owns the repository (12 digits)")
    parser.add_argument(
        "--trusted-account", action="append", default=[], metavar="ID", help="another account allowed to pull"
    )
    parser.add_argument(
        "--trusted-org", action="append", default=[], metavar="o-…", help="an organization allowed to pull"
    )
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument(
        "--fail-on",
        choices=("PUBLIC", "CROSS_ACCOUNT_UNTRUSTED"),
        default="CROSS_ACCOUNT_UNTRUSTED",
        help="the least severe verdict that makes the exit code 1 (default: any exposure)",
    )
    parser.set_defaults(run=run)


def render_text(name: str, exposure: RepositoryExposure) -> str:
    lines = [
        f"{name}: {exposure.verdict.value}"
        + (" — image layers can be pulled from outside the zone of trust" if exposure.pull_exposed else "")
    ]
    if not exposure.findings:
        lines.append(f"  {exposure.summary()}")
    lines.extend(f"  - {finding.describe()}" for finding in exposure.findings)
    return "\n".join(lines)


def render_json(name: str, exposure: RepositoryExposure) -> str:
    findings = [{**asdict(f), "verdict": f.verdict.value} for f in exposure.findings]
    return json.dumps(
        {
            "file": name,
            "verdict": exposure.verdict.value,
            "pull_exposed": exposure.pull_exposed,
            "has_policy": exposure.has_policy,
            "findings": findings,
        },
        indent=2,
    )


def _expand(arguments: list[str]) -> list[str]:
    paths: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if argument == "-" or path.is_file():
            paths.append(argument)
        elif path.is_dir():
            paths.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.name.endswith(SUFFIXES))
        elif any(c in argument for c in "*?["):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise UsageError(f"no file matches {argument}")
            paths.extend(m for m in matches if Path(m).is_file())
        else:
            paths.append(argument)  # read_text names it: cannot read …
    return paths


def _is_bare_policy(path: str) -> bool:
    """A policy document (bounded by ECR's 10,240 characters), judged on its first bytes only."""
    if path == "-":
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096).lstrip()
    except OSError:
        return True  # read_text reports it
    if not head.startswith("{"):
        return False
    first_key = head[1:].lstrip()
    return first_key.startswith(_BARE_POLICY_KEYS)


def _locations(path: str, account: str) -> list[PolicyLocation]:
    name = "<stdin>" if path == "-" else path
    if _is_bare_policy(path):
        return [
            PolicyLocation(
                name, 1, "policy", PolicyKind.REPOSITORY, read_text(path, max_chars=ECR_POLICY_MAX_CHARS)
            )
        ]
    try:
        return policies_in(name, read_source(Path(path)), account=account)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except NotAPolicySource as exc:
        raise UsageError(str(exc)) from exc


def _label(judged: Judged) -> str:
    location = judged.location
    if location.resource == "policy":
        return location.file
    return f"{location.file}:{location.line} {location.resource} ({location.kind.value})"


def _text(judged: Judged, columns: int) -> str:
    """One block per policy, in scan's list layout: wrapped at word boundaries, never padded."""
    from ecr_access.cli.text_layout import wrapped

    suffix = " — image layers can be pulled from outside the zone of trust" if judged.pull_exposed else ""
    lines = wrapped(f"{_label(judged)}: {judged.verdict.name}{suffix}", columns)
    restricted = judged.verdict is Verdict.RESTRICTED
    for reason in judged.reasons:
        lines += wrapped(reason, columns, "  ") if restricted else wrapped(reason, columns, "  - ", "    ")
    return "\n".join(lines)


def _json(judged: Judged) -> dict:
    location = judged.location
    return {
        "file": location.file,
        "line": location.line,
        "resource": location.resource,
        "kind": location.kind.value,
        "verdict": judged.verdict.name,
        "pull_exposed": judged.pull_exposed,
        "reasons": list(judged.reasons),
    }


def run(args: argparse.Namespace) -> ExitCode:
    paths = _expand(args.files)
    if len(paths) == 1 and _is_bare_policy(paths[0]) and args.format != "sarif":
        return _one_policy(paths[0], args)  # the original one-policy output, kept as it was
    judged: list[Judged] = []
    unreadable = 0
    zone = {
        "account": args.account,
        "trusted_accounts": args.trusted_account,
        "trusted_org_ids": args.trusted_org,
    }
    for path in paths:
        try:
            locations = _locations(path, args.account)
        except UsageError as exc:
            print(f"ecr-access: error: {exc}", file=sys.stderr)
            unreadable += 1
            continue
        judged.extend(judge(location, **zone) for location in locations)
    if args.format == "sarif":
        from ecr_access.cli.sarif import sarif_log

        json_output.write(sarif_log(judged), sys.stdout)
    elif args.format == "json":
        json_output.write([_json(j) for j in judged], sys.stdout)
    else:
        from ecr_access.cli import text_layout

        columns = text_layout.width()
        for item in judged:
            print(_text(item, columns))
        print(f"{len(judged)} policies in {len(paths) - unreadable} files")
    if unreadable or any(j.verdict is Verdict.UNJUDGED for j in judged):
        return ExitCode.INVALID_INPUT
    threshold = Verdict[args.fail_on].value
    return ExitCode.EXPOSED if any(j.verdict.value >= threshold for j in judged) else ExitCode.OK


def _one_policy(path: str, args: argparse.Namespace) -> ExitCode:
    text = read_text(path, max_chars=ECR_POLICY_MAX_CHARS)
    name = "<stdin>" if path == "-" else path
    try:
        exposure = analyze_repository_policy(
            text,
            owner_account=args.account,
            trusted_accounts=args.trusted_account,
            trusted_org_ids=args.trusted_org,
        )
    except PolicyError as exc:
        raise UsageError(f"{name}: {exc}") from exc
    print(render_json(name, exposure) if args.format == "json" else render_text(name, exposure))
    verdict = Verdict[exposure.verdict.value]
    return ExitCode.EXPOSED if verdict.value >= Verdict[args.fail_on].value else ExitCode.OK
