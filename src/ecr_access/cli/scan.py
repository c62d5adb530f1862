"""``ecr-access scan``: both rules on the account the boto3 credential chain points at.

Runs each rule's own ``evaluate_parameters`` and ``evaluate_periodic`` (the code
Lambda runs on a periodic trigger) with the caller's credentials, and prints what
the rules would put to Config instead of putting it: repositories per Region, IAM
once. Exit 0 all compliant, 1 something NON_COMPLIANT, 2 an error or a resource
that could not be evaluated.
"""

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from rdklib import InvalidParametersError
from rich.console import Console

from ecr_access.cli import compliance_report, scan_remediation, scan_settings
from ecr_access.cli.compliance_report import NOT_EVALUATED, ComplianceRow
from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.cli.scan_progress import sweep_progress
from ecr_access.config_rules.clients import RuleClients
from ecr_access.config_rules.rule_modules import PRINCIPAL_RULE, REPOSITORY_RULE, load_rule
from ecr_access.sources.aws_errors import describe_error

GLOBAL = "global"


@dataclass(frozen=True, slots=True)
class Target:
    account: str
    caller_arn: str
    home_region: str  # IAM is read here, once
    regions: tuple[str, ...]  # repositories are read in each


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="run both rules against the account of your AWS credentials",
        description="Run ECR_REPO_NOT_PUBLIC and ECR_LAYER_DOWNLOAD_RESTRICTED against the account the "
        "boto3 credential chain points at. Exit 0 compliant, 1 NON_COMPLIANT found, 2 error.",
    )
    account = parser.add_argument_group("account")
    account.add_argument("--profile", help="a profile of your AWS config (default: the credential chain)")
    account.add_argument("--region", help="the Region to read (default: the profile's)")
    account.add_argument(
        "--all-regions", action="store_true", help="read repositories in every enabled Region (IAM once)"
    )
    scan_settings.add_arguments(parser)
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=("table", "json", "csv"), default="table")
    output.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    fix = parser.add_argument_group("remediation")
    fix.add_argument("--remediate", action="store_true", help="run the runbooks on NON_COMPLIANT resources")
    fix.add_argument("--dry-run", action="store_true", help="with --remediate: show the changes, make none")
    fix.add_argument("--yes", action="store_true", help="with --remediate: do not ask for confirmation")
    fix.add_argument(
        "--mode",
        choices=("RemoveStatements", "RestrictToOrganization"),
        default="RemoveStatements",
        help="how the repository runbook restricts a policy",
    )
    parser.set_defaults(run=run)


def _aws_failure(exc: Exception, service: str) -> UsageError:
    if isinstance(exc, NoCredentialsError):
        return UsageError(
            "no AWS credentials found: set AWS_PROFILE, pass --profile or log in (aws sso login)"
        )
    return UsageError(describe_error(exc, service))


def locate(session: boto3.Session, all_regions: bool) -> Target:
    home = session.region_name
    if home is None:
        raise UsageError("no AWS Region: pass --region or set one in your profile (AWS_REGION)")
    try:
        identity = session.client("sts").get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise _aws_failure(exc, "sts") from exc
    regions: tuple[str, ...] = (home,)
    if all_regions:
        try:
            listed = session.client("ec2").describe_regions(AllRegions=False)["Regions"]
        except (ClientError, BotoCoreError) as exc:
            raise _aws_failure(exc, "ec2") from exc
        regions = tuple(sorted(r["RegionName"] for r in listed))
    return Target(identity["Account"], identity["Arn"], home, regions)


def periodic_event(rule: str, account: str, parameters: dict[str, str]) -> dict[str, Any]:
    """The ScheduledNotification event Config would send the rule (the scan puts nothing)."""
    invoking = {"awsAccountId": account, "messageType": "ScheduledNotification", "recordVersion": "1.0"}
    return {
        "version": "1.0",
        "invokingEvent": json.dumps(invoking),
        "ruleParameters": json.dumps(parameters),
        "resultToken": "ecr-access-scan",
        "eventLeftScope": False,
        "configRuleName": rule,
        "accountId": account,
        "evaluationMode": "DETECTIVE",
    }


def _evaluate(
    rule: Any, session: boto3.Session, target: Target, parameters: dict[str, str], region: str
) -> list[ComplianceRow]:
    """One rule's periodic evaluation in one Region, as report rows (failures as NOT_EVALUATED)."""
    rule_name = type(rule).__name__  # RDK names the class after the rule
    try:
        valid = rule.evaluate_parameters(parameters)
    except InvalidParametersError as exc:
        raise UsageError(f"{rule_name}: {exc}") from exc
    clients = RuleClients(None, region, assume_role_mode=False, session=session)
    outcome = rule.evaluate_periodic(periodic_event(rule_name, target.account, parameters), clients, valid)
    row_region = GLOBAL if rule_name == PRINCIPAL_RULE else region
    evaluations = [
        {
            "ComplianceResourceType": e.complianceResourceType,
            "ComplianceResourceId": e.complianceResourceId,
            "ComplianceType": e.complianceType,
            "Annotation": e.annotation,
        }
        for e in outcome.evaluations
    ]
    rows = compliance_report.rows_from_evaluations(rule_name, row_region, evaluations, outcome.names)
    failed = [
        ComplianceRow(
            rule_name, row_region, "/".join(sorted(outcome.resource_types)), "—", "—", NOT_EVALUATED, f
        )
        for f in outcome.failures
    ]
    return rows + failed


def evaluate(
    session: boto3.Session, target: Target, parameters: dict[str, dict[str, str]]
) -> list[ComplianceRow]:
    repository_rule, principal_rule = (getattr(load_rule(n), n)() for n in (REPOSITORY_RULE, PRINCIPAL_RULE))
    rows = []
    for region in target.regions:
        rows += _evaluate(repository_rule, session, target, parameters[REPOSITORY_RULE], region)
    rows += _evaluate(principal_rule, session, target, parameters[PRINCIPAL_RULE], target.home_region)
    return rows


def _print_plans(console: Console, plans: list[scan_remediation.RemediationPlan]) -> None:
    console.rule("Remediation plan")
    if not plans:
        console.print("Nothing to remediate.")
    for plan in plans:
        where = "" if plan.row.region == GLOBAL else f" ({plan.row.region})"
        console.print(
            f"[bold]{plan.row.resource_name}[/bold]{where} — {plan.runbook}: {plan.action}", markup=True
        )
        for line in plan.detail:
            console.print(f"    {line}", markup=False, highlight=False, soft_wrap=True)


def _confirm(count: int, target: Target, assume_yes: bool) -> bool:
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "--remediate changes the account: confirm on a terminal, or pass --yes (or --dry-run)"
        )
    answer = input(f"Apply {count} change(s) to account {target.account}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _remediate(
    args: argparse.Namespace,
    console: Console,
    session: boto3.Session,
    target: Target,
    rows: list[ComplianceRow],
    parameters: dict[str, dict[str, str]],
) -> tuple[ExitCode, dict[str, Any]]:
    options = {"Mode": args.mode}
    plans = scan_remediation.plan(session, rows, parameters, options)
    if args.format == "table":
        _print_plans(console, plans)
    report: dict[str, Any] = {"plans": [asdict(p) for p in plans]}
    errors = any(p.action == "ERROR" for p in plans)
    changes = [p for p in plans if p.will_change]
    if args.dry_run or not changes:
        return (ExitCode.INVALID_INPUT if errors else ExitCode.EXPOSED if plans else ExitCode.OK), report
    if not _confirm(len(changes), target, args.yes):
        console.print("Nothing changed.")
        return ExitCode.EXPOSED, report
    results = scan_remediation.apply(args.profile, target.home_region, plans)
    report["results"] = [
        {"resource": r.plan.row.resource_name, "outcome": r.outcome, "message": r.message} for r in results
    ]
    if args.format == "table":
        console.rule("Remediation")
        for r in results:
            console.print(f"{r.outcome:8} {r.message}", markup=False, highlight=False, soft_wrap=True)
    if errors or any(r.outcome == "FAILED" for r in results):
        return ExitCode.INVALID_INPUT, report
    unresolved = len(plans) - sum(r.outcome == "APPLIED" for r in results)
    return (ExitCode.EXPOSED if unresolved else ExitCode.OK), report


def run(args: argparse.Namespace) -> ExitCode:
    if (args.dry_run or args.yes) and not args.remediate:
        raise UsageError("--dry-run and --yes go with --remediate")
    if args.remediate and args.format == "csv":
        raise UsageError("--remediate reports in table or json format, not csv")
    parameters = scan_settings.rule_parameters(args)
    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
    except ProfileNotFound as exc:
        raise UsageError(str(exc)) from exc
    target = locate(session, args.all_regions)
    errors = Console(stderr=True)
    console = Console(soft_wrap=False)
    with sweep_progress(session, errors, enabled=errors.is_terminal and not args.no_progress):
        rows = evaluate(session, target, parameters)
    context = {"account": target.account, "caller": target.caller_arn, "regions": list(target.regions)}
    if args.format == "table":
        compliance_report.print_tables(console, rows, f"Account {target.account}")
    exposed = any(r.compliance == "NON_COMPLIANT" for r in rows)
    code = ExitCode.EXPOSED if exposed else ExitCode.OK
    if args.remediate:
        code, context["remediation"] = _remediate(args, console, session, target, rows, parameters)
    if any(r.compliance == NOT_EVALUATED for r in rows):
        code = ExitCode.INVALID_INPUT  # an incomplete scan is an error, whatever else it found
    if args.format == "json":
        print(compliance_report.as_json(rows, **context))
    elif args.format == "csv":
        sys.stdout.write(compliance_report.as_csv(rows))
    return code
