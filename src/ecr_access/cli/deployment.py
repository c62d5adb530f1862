"""``ecr-access deploy-plan``, ``render-pack`` and ``pack-parameters``: deploy ecr-access to an account
or an organization."""

import argparse
import json
import re

from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.deployment.pack import THIS_ACCOUNT, conformance_pack
from ecr_access.deployment.plan import Settings, commands, pack_parameters, run, script
from ecr_access.deployment.templates import dump

# S3 bucket names are at most 63 characters of lowercase letters, digits, dots and hyphens (S3 User
# Guide, "Bucket naming rules"); <prefix>-<region> must fit, and no dots, so virtual-hosted HTTPS works.
_BUCKET_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]{1,40}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d")
_PARTITIONS = ("aws", "aws-us-gov", "aws-cn")


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    plan = subparsers.add_parser(
        "deploy-plan", help="print (or --execute) the commands that deploy or update ecr-access"
    )
    plan.add_argument(
        "--code-bucket-prefix",
        required=True,
        help="code buckets are <prefix>-<region>, one per Region (Lambda reads its code from its own "
        "Region); the plan creates any that are missing",
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
    plan.add_argument("--partition", default="aws", choices=_PARTITIONS)
    plan.add_argument(
        "--pack-parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a conformance pack parameter (repeatable), "
        "e.g. TrustedOrganizationIds=o-a1b2c3d4e5,o-f6g7h8i9j0",
    )
    plan.add_argument(
        "--with-detection",
        action="store_true",
        help="also deploy deploy/detection.yaml: CloudTrail pulls and registry changes judged as they happen",
    )
    plan.add_argument(
        "--with-perimeter",
        metavar="CONFIG",
        help="also deploy the preventive SCP/RCP rendered from the rules' TOML settings, after "
        "`perimeter check` has shown their impact (off by default)",
    )
    plan.add_argument(
        "--perimeter-target",
        action="append",
        default=[],
        metavar="ID",
        help="root, OU or account id the SCP/RCP are attached to (a test OU first; repeatable)",
    )
    plan.add_argument(
        "--tag-administrator-arn",
        action="append",
        default=[],
        metavar="PATTERN",
        help="who may set the perimeter's exemption tags (needed when the allow-list has a tag)",
    )
    plan.add_argument(
        "--execute", action="store_true", help="run the commands, stopping at the first failure"
    )
    plan.set_defaults(run=run_plan)
    pack = subparsers.add_parser("render-pack", help="print the conformance pack")
    pack.add_argument("--partition", default="aws", choices=_PARTITIONS)
    pack.add_argument(
        "--automation-account",
        default=THIS_ACCOUNT,
        help="account in the automation role ARNs (default {{global:ACCOUNT_ID}}: the account that runs "
        "the remediation, right in every account of an organization)",
    )
    pack.set_defaults(run=run_render_pack)
    parameters = subparsers.add_parser(
        "pack-parameters", help="print the conformance pack's input parameters for one Region (JSON)"
    )
    parameters.add_argument("--region", required=True)
    parameters.add_argument("--iam-region", required=True)
    parameters.add_argument("--central-account", required=True, help="account of the rule Lambdas")
    parameters.add_argument("--partition", default="aws", choices=_PARTITIONS)
    parameters.add_argument("--pack-parameter", action="append", default=[], metavar="NAME=VALUE")
    parameters.set_defaults(run=run_pack_parameters)


def _checked_parameters(given: list[str]) -> tuple[str, ...]:
    if any("=" not in p or not p.split("=", 1)[0] for p in given):
        raise UsageError("--pack-parameter takes NAME=VALUE")
    return tuple(given)


def _checked_regions(*regions: str) -> None:
    bad = [r for r in regions if not _REGION.fullmatch(r)]
    if bad:
        raise UsageError(f"not a Region: {', '.join(bad)}")


def run_plan(args: argparse.Namespace) -> ExitCode:
    if args.units and not (args.delivery_bucket or "").startswith("awsconfigconforms"):
        raise UsageError(
            "an organization pack needs --delivery-bucket awsconfigconforms-… (Config requires the prefix)"
        )
    if not _BUCKET_PREFIX.fullmatch(args.code_bucket_prefix):
        raise UsageError(
            "--code-bucket-prefix: 2-41 lowercase letters, digits or hyphens (buckets are <prefix>-<region>)"
        )
    _checked_regions(*args.regions, *([args.iam_region] if args.iam_region else []))
    settings = Settings(
        args.code_bucket_prefix,
        tuple(dict.fromkeys(args.regions)),
        args.iam_region or args.regions[0],
        tuple(args.units),
        args.delivery_bucket,
        _checked_parameters(args.pack_parameter),
        args.partition,
        args.with_perimeter,
        tuple(args.perimeter_target),
        tuple(args.tag_administrator_arn),
        args.with_detection,
    )
    if args.with_perimeter and not args.perimeter_target:
        raise UsageError("--with-perimeter needs --perimeter-target (a test OU first, then the root)")
    if any(
        not re.fullmatch(r"r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12}", t)
        for t in args.perimeter_target
    ):
        raise UsageError("--perimeter-target takes a root (r-…), OU (ou-…) or account id")
    if settings.iam_region not in settings.regions:
        raise UsageError("--iam-region must be one of the --region values")
    if args.execute:
        return ExitCode.OK if run(commands(settings)) == 0 else ExitCode.EXPOSED
    print(script(settings))
    return ExitCode.OK


def run_render_pack(args: argparse.Namespace) -> ExitCode:
    if args.automation_account != THIS_ACCOUNT and not re.fullmatch(r"\d{12}", args.automation_account):
        raise UsageError("--automation-account takes a 12-digit account id")
    print(dump(conformance_pack(args.partition, args.automation_account)), end="")
    return ExitCode.OK


def run_pack_parameters(args: argparse.Namespace) -> ExitCode:
    _checked_regions(args.region, args.iam_region)
    if not re.fullmatch(r"\d{12}", args.central_account):
        raise UsageError("--central-account takes a 12-digit account id")
    settings = Settings(
        "unused",
        (args.region,),
        args.iam_region,
        pack_parameters=_checked_parameters(args.pack_parameter),
        partition=args.partition,
    )
    print(json.dumps(pack_parameters(settings, args.region, args.central_account), indent=2))
    return ExitCode.OK
