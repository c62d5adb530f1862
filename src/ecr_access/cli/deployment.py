"""``ecr-access deploy-plan`` and ``render-pack``: deploy ecr-access to an account or an organization."""

import argparse

from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.deployment.pack import PRINCIPAL_RUNBOOK, REPO_RUNBOOK, conformance_pack, organization_pack
from ecr_access.deployment.plan import DELEGATED_ADMIN_PREREQUISITE, Settings, commands, run
from ecr_access.deployment.templates import RUNBOOK_ROLES, dump


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    plan = subparsers.add_parser(
        "deploy-plan", help="print (or --execute) the commands that deploy ecr-access"
    )
    plan.add_argument(
        "--code-bucket", required=True, help="S3 bucket for the Lambda zips and the member template"
    )
    plan.add_argument(
        "--region", action="append", required=True, dest="regions", help="Region to deploy to (repeatable)"
    )
    plan.add_argument("--iam-region", help="the one Region that records IAM (default: the first --region)")
    plan.add_argument(
        "--organizational-unit",
        action="append",
        default=[],
        dest="units",
        help="deploy to an organization: OU (or root) ids for the member StackSet (repeatable)",
    )
    plan.add_argument("--delivery-bucket", help="organization packs: an S3 bucket named awsconfigconforms-…")
    plan.add_argument(
        "--automation-account",
        default="ACCOUNT_ID",
        help="organization packs: account id written into the automation role ARNs",
    )
    plan.add_argument(
        "--pack-parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a conformance pack parameter (repeatable), e.g. TrustedOrganizationIds=o-a1b2c3d4e5",
    )
    plan.add_argument(
        "--execute", action="store_true", help="run the commands, stopping at the first failure"
    )
    plan.set_defaults(run=run_plan)
    pack = subparsers.add_parser(
        "render-pack", help="print the conformance pack (for an organization: literal roles)"
    )
    pack.add_argument("--organization", action="store_true")
    pack.add_argument("--automation-account", default="ACCOUNT_ID")
    pack.set_defaults(run=run_render_pack)


def run_plan(args: argparse.Namespace) -> ExitCode:
    if args.units and not (args.delivery_bucket or "").startswith("awsconfigconforms"):
        raise UsageError(
            "an organization pack needs --delivery-bucket awsconfigconforms-… (Config requires the prefix)"
        )
    if any("=" not in p for p in args.pack_parameter):
        raise UsageError("--pack-parameter takes NAME=VALUE")
    settings = Settings(
        args.code_bucket,
        tuple(args.regions),
        args.iam_region or args.regions[0],
        tuple(args.units),
        args.delivery_bucket,
        tuple(args.pack_parameter),
        args.automation_account,
    )
    steps = commands(settings)
    if args.execute:
        return ExitCode.OK if run(steps) == 0 else ExitCode.EXPOSED
    prerequisite = (
        f"# Prerequisite, once, in the management account:\n#   {DELEGATED_ADMIN_PREREQUISITE}\n"
        if settings.organization
        else ""
    )
    print("#!/usr/bin/env bash\nset -euo pipefail\n" + prerequisite + "\n".join(steps))
    return ExitCode.OK


def run_render_pack(args: argparse.Namespace) -> ExitCode:
    if not args.organization:
        print(dump(conformance_pack()), end="")
        return ExitCode.OK
    repo, principal = (
        f"arn:aws:iam::{args.automation_account}:role/{RUNBOOK_ROLES[runbook]}"
        for runbook in (REPO_RUNBOOK, PRINCIPAL_RUNBOOK)
    )
    print(dump(organization_pack(repo, principal)), end="")
    return ExitCode.OK
