"""``ecr-access check-policy``: judge one repository policy file."""

import argparse
import json
from dataclasses import asdict

from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.cli.json_input import read_text
from ecr_access.exposure import ECR_POLICY_MAX_CHARS, RepositoryExposure, analyze_repository_policy
from ecr_access.policy import PolicyError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-policy",
        help="judge a repository policy: PUBLIC, CROSS_ACCOUNT_UNTRUSTED or RESTRICTED",
        description="Judge an ECR repository policy. Exit 0 restricted, 1 exposed, 2 invalid input.",
    )
    parser.add_argument("file", help="policy JSON file, or - for standard input")
    parser.add_argument("--account", required=True, help="the account that owns the repository (12 digits)")
    parser.add_argument(
        "--trusted-account",
        action="append",
        default=[],
        metavar="ID",
        help="another account allowed to pull (repeatable)",
    )
    parser.add_argument(
        "--trusted-org",
        action="append",
        default=[],
        metavar="o-…",
        help="an organization allowed to pull (repeatable)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
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


def run(args: argparse.Namespace) -> ExitCode:
    text = read_text(args.file, max_chars=ECR_POLICY_MAX_CHARS)
    name = "<stdin>" if args.file == "-" else args.file
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
    return ExitCode.EXPOSED if exposure.verdict.exposed else ExitCode.OK
