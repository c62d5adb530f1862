"""``ecr-access scan``: the rules on the account the boto3 credential chain points at.

Runs each rule's own ``evaluate_parameters`` and ``evaluate_periodic`` (the code
Lambda runs on a periodic trigger) with the caller's credentials, and prints what
the rules would put to Config instead of putting it: repositories per Region, IAM
once. Exit 0 all compliant, 1 something NON_COMPLIANT, 2 an error or a resource
that could not be evaluated.
"""

import argparse
import json
import sys
from dataclasses import asdict, dataclass, replace
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
from ecr_access.config_rules.rule_modules import ENDPOINT_RULE, PRINCIPAL_RULE, REPOSITORY_RULE, load_rule
from ecr_access.deployment.roles import RULE_EXECUTION_ROLE_NAME
from ecr_access.sources.aws_errors import describe_error

GLOBAL = "global"
FORMATS = ("table", "json", "csv", "asff", "ocsf")


@dataclass(frozen=True, slots=True)
class Target:
    account: str
    caller_arn: str
    home_region: str  # IAM is read here, once
    regions: tuple[str, ...]  # repositories are read in each


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="run the rules against the account of your AWS credentials",
        description="Run ECR_REPO_NOT_PUBLIC, ECR_LAYER_DOWNLOAD_RESTRICTED and ECR_VPC_ENDPOINT_RESTRICTED "
        "against the account the boto3 credential chain points at. Exit 0 compliant, 1 NON_COMPLIANT "
        "found, 2 error.",
    )
    account = parser.add_argument_group("account")
    account.add_argument("--profile", help="a profile of your AWS config (default: the credential chain)")
    account.add_argument("--region", help="the Region to read (default: the profile's)")
    account.add_argument(
        "--all-regions", action="store_true", help="read repositories in every enabled Region (IAM once)"
    )
    many = parser.add_argument_group("many accounts")
    many.add_argument(
        "--org",
        action="store_true",
        help="every ACTIVE account of the organization (from its management or "
        "a delegated-administrator account), each in every enabled Region unless --region narrows",
    )
    many.add_argument(
        "--accounts", nargs="+", metavar="ID", help="these accounts instead of the whole organization"
    )
    many.add_argument(
        "--role-name",
        default=RULE_EXECUTION_ROLE_NAME,
        help="the role assumed in each account (default: %(default)s)",
    )
    many.add_argument("--max-concurrency", type=int, default=8, metavar="N", help="accounts scanned at once")
    scan_settings.add_arguments(parser)
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        help="table (default), json (evidence: time, version, parameters), csv, asff (Security Hub), ocsf; "
        "repeat it with as many --output-file",
    )
    output.add_argument(
        "--output-file",
        action="append",
        default=[],
        metavar="PATH",
        help="write the n-th --format here instead of standard output",
    )
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


def _known_region(session: boto3.Session, region: str) -> None:
    """A Region botocore does not know for ECR in any partition is a typo, said as such (``us-esat-1``)."""
    import difflib

    known = {
        r
        for partition in session.get_available_partitions()
        for r in session.get_available_regions("ecr", partition_name=partition)
    }
    if known and region not in known:
        close = sorted(difflib.get_close_matches(region, sorted(known), n=2, cutoff=0.7))
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise UsageError(f"{region!r} is not an AWS Region ECR is offered in{hint}")


def locate(session: boto3.Session, all_regions: bool) -> Target:
    home = session.region_name
    if home is None:
        raise UsageError("no AWS Region: pass --region or set one in your profile (AWS_REGION)")
    _known_region(session, home)
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


def _not_evaluated(rule: str, region: str, resource_type: str, failure: str) -> ComplianceRow:
    """A failure (``"<resource>: <why>"``) as a row that names the resource and says why in one line:
    an error body (XML, a traceback) is cut to its first line."""
    name, _, why = failure.partition(": ")
    if not why:
        name, why = "—", failure
    line = next((part.strip() for part in why.splitlines() if part.strip()), why)
    return ComplianceRow(rule, region, resource_type, name, name, NOT_EVALUATED, line[:300])


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
        _not_evaluated(rule_name, row_region, "/".join(sorted(outcome.resource_types)), f)
        for f in outcome.failures
    ]
    return rows + failed


def evaluate(
    session: boto3.Session, target: Target, parameters: dict[str, dict[str, str]]
) -> list[ComplianceRow]:
    repository_rule, principal_rule, endpoint_rule = (
        getattr(load_rule(n), n)() for n in (REPOSITORY_RULE, PRINCIPAL_RULE, ENDPOINT_RULE)
    )
    rows = []
    for region in target.regions:
        rows += _evaluate(repository_rule, session, target, parameters[REPOSITORY_RULE], region)
        rows += _evaluate(endpoint_rule, session, target, parameters[ENDPOINT_RULE], region)
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


def _outputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    formats = args.format or ["table"]
    if args.output_file and len(args.output_file) != len(formats):
        raise UsageError(
            f"{len(formats)} --format and {len(args.output_file)} --output-file: give one file per format"
        )
    if not args.output_file and len(formats) > 1:
        raise UsageError("several --format need as many --output-file (one of them may be -)")
    files = args.output_file or [None]
    return [(f, None if path in (None, "-") else path) for f, path in zip(formats, files, strict=True)]


def _write(
    kind: str,
    path: str | None,
    rows: list[ComplianceRow],
    context: dict[str, Any],
    parameters: dict[str, Any],
) -> None:
    from ecr_access.cli import report_formats

    if kind == "table":
        if path is None:
            compliance_report.print_tables(Console(soft_wrap=False), rows, f"Account {context['account']}")
            return
        with open(path, "w", encoding="utf-8") as handle:
            compliance_report.print_tables(
                Console(file=handle, width=120, soft_wrap=False), rows, f"Account {context['account']}"
            )
        return
    text = (
        compliance_report.as_csv(rows)
        if kind == "csv"
        else report_formats.render(kind, rows, context, parameters) + "\n"
    )
    if path is None:
        sys.stdout.write(text)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def _run_many(
    args: argparse.Namespace,
    session: boto3.Session,
    parameters: dict[str, dict[str, str]],
    outputs: list[tuple[str, str | None]],
) -> ExitCode:
    from rich.progress import Progress

    from ecr_access.cli import scan_organization

    if args.remediate:
        raise UsageError("--remediate works on one account at a time: scan it without --org/--accounts")
    try:
        caller = session.client("sts").get_caller_identity()["Arn"]
    except (ClientError, BotoCoreError) as exc:
        raise _aws_failure(exc, "sts") from exc
    accounts = (
        sorted(set(args.accounts)) if args.accounts else scan_organization.organization_accounts(session)
    )
    every_region = args.region is None or args.all_regions

    def scan_one(member: boto3.Session) -> tuple[Target, list[ComplianceRow]]:
        target = locate(member, every_region)
        return target, evaluate(member, target, parameters)

    errors = Console(stderr=True)
    with Progress(console=errors, transient=True, disable=not errors.is_terminal or args.no_progress) as bars:
        tasks = {a: bars.add_task(f"account {a}", total=1) for a in accounts}

        def done(account: str, found: int) -> None:
            bars.update(tasks[account], completed=1, description=f"account {account}: {found} results")

        rows, targets = scan_organization.scan_accounts(
            session,
            accounts,
            role_name=args.role_name,
            scan_one=scan_one,
            max_concurrency=args.max_concurrency,
            on_done=done,
        )
    regions = sorted({r for t in targets.values() if t is not None for r in t.regions})
    context = {
        "accounts": accounts,
        "account": accounts[0] if accounts else "",
        "caller": caller,
        "regions": regions,
    }
    for kind, path in outputs:
        if kind == "table":
            console = Console(soft_wrap=False)
            for account in accounts:
                mine = [r for r in rows if r.account == account]
                compliance_report.print_tables(console, mine, f"Account {account}")
        else:
            _write(kind, path, rows, context, parameters)
    if any(r.compliance == NOT_EVALUATED for r in rows):
        return ExitCode.INVALID_INPUT
    return ExitCode.EXPOSED if any(r.compliance == "NON_COMPLIANT" for r in rows) else ExitCode.OK


def run(args: argparse.Namespace) -> ExitCode:
    outputs = _outputs(args)
    args.format = outputs[0][0] if len(outputs) == 1 and outputs[0][1] is None else "files"
    if (args.dry_run or args.yes) and not args.remediate:
        raise UsageError("--dry-run and --yes go with --remediate")
    if args.remediate and args.format == "csv":
        raise UsageError("--remediate reports in table or json format, not csv")
    parameters = scan_settings.rule_parameters(args)
    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
    except ProfileNotFound as exc:
        raise UsageError(str(exc)) from exc
    if args.org or args.accounts:
        return _run_many(args, session, parameters, outputs)
    target = locate(session, args.all_regions)
    errors = Console(stderr=True)
    console = Console(soft_wrap=False)
    with sweep_progress(session, errors, enabled=errors.is_terminal and not args.no_progress):
        rows = [replace(r, account=target.account) for r in evaluate(session, target, parameters)]
    context = {"account": target.account, "caller": target.caller_arn, "regions": list(target.regions)}
    for kind, path in outputs:
        if kind == "table":
            _write(kind, path, rows, context, parameters)
    exposed = any(r.compliance == "NON_COMPLIANT" for r in rows)
    code = ExitCode.EXPOSED if exposed else ExitCode.OK
    if args.remediate:
        code, context["remediation"] = _remediate(args, console, session, target, rows, parameters)
    if any(r.compliance == NOT_EVALUATED for r in rows):
        code = ExitCode.INVALID_INPUT  # an incomplete scan is an error, whatever else it found
    for kind, path in outputs:
        if kind != "table":
            _write(kind, path, rows, context, parameters)
    return code
