"""The demo, end to end: the real rule handlers and runbooks on an embedded AWS account.

1. change notifications for a repository and a role, through each rule's ``lambda_handler``;
2. a periodic run of both rules: the dashboard (what the Config console would list);
3. each NON_COMPLIANT resource remediated by its runbook, executed from its YAML
   document by the local Automation runner, with the parameters the pack passes;
4. a second periodic run: the same dashboard, with what changed;
5. the preventive control: the SCP and RCP rendered from the same allow-list, and what the
   engine says they would change, before anything is attached;
6. the detective control on use: a burst of CloudTrail layer events through the detection
   handler, one finding.

The account is moto, in process: no network, no credentials. What the rules put
to Config is captured at the botocore level (moto keeps no evaluations).
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import boto3
from moto import mock_aws
from rich.console import Console
from rich.markup import escape

from ecr_access.cli.compliance_report import (
    ComplianceRow,
    print_tables,
    rows_from_evaluations,
    sorted_rows,
    summary,
)
from ecr_access.cli.scan_remediation import runbook_events
from ecr_access.config_rules.rule_modules import PRINCIPAL_RULE, REPOSITORY_RULE, load_rule
from ecr_access.demo import organization_slice as slice_
from ecr_access.demo.seed import seed_account
from ecr_access.detection.dedup import Deduplicator
from ecr_access.detection.handler import Sinks, handle_event, settings_from
from ecr_access.loaders.authorization_details import load_authorization_details
from ecr_access.perimeter.impact import perimeter_impact
from ecr_access.perimeter.policies import render_rcp, render_scp
from ecr_access.perimeter.settings import settings_from_rules
from ecr_access.remediation.documents import REMEDIATION_DIR
from ecr_access.testing.automation_runner import AutomationRunner
from ecr_access.testing.config_harness import (
    AuthorizationDetailsPager,
    ConfigCapture,
    LambdaContext,
    capture_config,
    change_event,
    periodic_event,
)
from ecr_access.testing.recorded_items import repository_item, role_item

AUTOMATION_ROLE = f"arn:aws:iam::{slice_.ACCOUNT}:role/ecr-access-remediation"
PARAMETERS = {
    REPOSITORY_RULE: slice_.REPOSITORY_RULE_PARAMETERS,
    PRINCIPAL_RULE: slice_.PRINCIPAL_RULE_PARAMETERS,
}
# Only the embedded account is ever reached: no credentials or profile of the person running it.
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_SESSION_TOKEN": "demo",
    "AWS_DEFAULT_REGION": slice_.REGION,
    "AWS_REGION": slice_.REGION,
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",  # ReadOnlyAccess & co. as AWS publishes them
}
UNSET = ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL")


@dataclass(frozen=True, slots=True)
class DemoResult:
    before: list[ComplianceRow]
    after: list[ComplianceRow]
    executions: dict[str, tuple[str, str]]  # resource name → (Success | Failed, what the runbook said)
    seconds: float


@contextmanager
def embedded_account() -> Iterator[ConfigCapture]:
    saved = {k: os.environ.get(k) for k in (*ENVIRONMENT, *UNSET)}
    os.environ.update(ENVIRONMENT)
    for key in UNSET:
        os.environ.pop(key, None)
    capture = ConfigCapture()
    capture.overrides[("iam", "GetAccountAuthorizationDetails")] = AuthorizationDetailsPager()
    try:
        with mock_aws(), capture_config(capture):
            yield capture
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _names(iam: Any) -> dict[str, str]:
    """IAM unique id → ARN (what a person reads; Config reports against the id)."""
    names = {}
    for kind in ("Role", "User"):
        for page in iam.get_paginator(f"list_{kind.lower()}s").paginate():
            names.update({e[f"{kind}Id"]: e["Arn"] for e in page[f"{kind}s"]})
    return names


def _periodic(rules: dict[str, Any], capture: ConfigCapture, iam: Any) -> list[ComplianceRow]:
    rows = []
    names = _names(iam)
    for name, module in rules.items():
        start = len(capture.put_calls)
        module.lambda_handler(periodic_event(name, PARAMETERS[name]), LambdaContext(lambda: 840_000))
        evaluations = [e for call in capture.put_calls[start:] for e in call["Evaluations"]]
        region = "global" if name == PRINCIPAL_RULE else slice_.REGION
        rows += rows_from_evaluations(name, region, evaluations, names)
    return rows


def _change(console: Console, module: Any, rule: str, item: dict, capture: ConfigCapture, story: str) -> None:
    start = len(capture.put_calls)
    module.lambda_handler(change_event(item, rule, PARAMETERS[rule]), LambdaContext(lambda: 840_000))
    for evaluation in (e for call in capture.put_calls[start:] for e in call["Evaluations"]):
        console.print(
            f"  {story}\n  → {rule} puts [bold]{evaluation['ComplianceType']}[/bold] for "
            f"{item['resourceType']} {item['resourceName']}: {evaluation.get('Annotation', '')}",
            highlight=False,
        )


def _remediate(console: Console, rows: list[ComplianceRow]) -> dict[str, str]:
    runners = {
        REPOSITORY_RULE: AutomationRunner(REMEDIATION_DIR / "ECRAccess-RestrictRepositoryPolicy.yaml"),
        PRINCIPAL_RULE: AutomationRunner(REMEDIATION_DIR / "ECRAccess-RevokeLayerDownload.yaml"),
    }
    options = {"Mode": "RemoveStatements"}
    executions = {}
    for row in (r for r in sorted_rows(rows) if r.compliance == "NON_COMPLIANT"):
        runbook, events = runbook_events(row, PARAMETERS, options)
        parameters = {k: v for k, v in events.items() if v != ""} | {"AutomationAssumeRole": AUTOMATION_ROLE}
        execution = runners[row.rule].start(parameters)
        if execution.status == "Success":
            detail = execution.steps[-1].outputs.get("Message", "")
        else:  # the first line names the exception and its message; a traceback follows
            detail = (execution.failure or "").splitlines()[0]
        executions[row.resource_name] = (execution.status, detail)
        style = "green" if execution.status == "Success" else "yellow"
        console.print(
            f"  [{style}]{execution.status:7}[/{style}] {runbook} "
            f"{row.resource_name.split(':', 5)[-1]}: {escape(detail)}",
            highlight=False,
            soft_wrap=True,
        )
    return executions


def _perimeter(console: Console, iam: Any) -> None:
    """Render the SCP/RCP from the rules' parameters and show what they would change, before attaching."""
    settings = settings_from_rules(PARAMETERS)
    # The allow-list tag exempts from the SCP: only the SSO administrators may set it.
    settings = replace(settings, tag_administrator_arns=(slice_.SSO_ADMINS,))
    scp, rcp = render_scp(settings), render_rcp(settings)
    pages = list(iam.get_paginator("get_account_authorization_details").paginate())
    principals = load_authorization_details(pages).principals
    impacts = perimeter_impact(principals, settings, scp=scp, rcp=rcp, organization_id=slice_.ORGANIZATION)
    lose = [i for i in impacts if i.loses_pull]
    keep = [i for i in impacts if i.keeps_pull]
    console.print(
        f"SCP {scp.size:,} characters and RCP {rcp.size:,} (minified), from AllowedPrincipalArns, the "
        f"allow-list tag and the trusted organization; `ecr-access perimeter check` on this account:",
        highlight=False,
    )
    names = ", ".join(i.principal.arn.split(":", 5)[-1] for i in lose[:6]) + (" …" if len(lose) > 6 else "")
    console.print(f"  lose pull ({len(lose)}): {names}", highlight=False, soft_wrap=True)
    kept = ", ".join(f"{i.principal.arn.split(':', 5)[-1]} ({i.allow_listed})" for i in keep[:4])
    console.print(f"  keep pull ({len(keep)}): {kept}", highlight=False, soft_wrap=True)
    console.print(
        f"  after the SCP: {sum(i.violates for i in impacts)} non-allow-listed principals can pull",
        highlight=False,
    )


def _detection(console: Console) -> None:
    """40 layer events of one pull by a role the allow-list does not name, through the detection
    handler (SNS captured): one finding, not forty."""
    settings = settings_from(PARAMETERS[PRINCIPAL_RULE] | PARAMETERS[REPOSITORY_RULE])
    role = f"arn:aws:iam::{slice_.ACCOUNT}:role/github-actions-build"
    identity = {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{slice_.ACCOUNT}:assumed-role/github-actions-build/run-1842",
        "accountId": slice_.ACCOUNT,
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role, "accountId": slice_.ACCOUNT}},
    }
    published: list[str] = []
    dedup = Deduplicator()
    for second in range(40):
        record = {
            "eventSource": "ecr.amazonaws.com",
            "eventName": "GetDownloadUrlForLayer",
            "eventTime": f"2026-11-30T10:00:{second:02}Z",
            "awsRegion": slice_.REGION,
            "sourceIPAddress": "198.51.100.24",
            "userIdentity": identity,
            "requestParameters": {"registryId": slice_.ACCOUNT, "repositoryName": "payments/api"},
            "recipientAccountId": slice_.ACCOUNT,
        }
        handle_event({"detail": record}, settings, dedup, Sinks(lambda subject, body: published.append(body)))
    console.print(
        f"40 GetDownloadUrlForLayer events (one per layer) → {len(published)} finding to SNS:",
        highlight=False,
    )
    for line in published[0].splitlines() if published else ():
        console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)


def _counts(rows: list[ComplianceRow]) -> str:
    return "; ".join(
        f"{rule}: " + ", ".join(f"{n} {c}" for c, n in counts.items())
        for rule, counts in summary(rows).items()
    )


def run_demo(console: Console) -> DemoResult:
    started = time.perf_counter()
    rules = {name: load_rule(name) for name in (REPOSITORY_RULE, PRINCIPAL_RULE)}
    with embedded_account() as capture:
        iam, ecr = boto3.client("iam"), boto3.client("ecr")
        console.rule("[bold]ecr-access demo")
        console.print(
            f"An embedded AWS account {slice_.ACCOUNT} ({slice_.REGION}, moto in process; no network, no "
            f"credentials): {len(slice_.REPOSITORIES)} repositories and "
            f"{len(slice_.PRINCIPALS) + len(slice_.SERVICE_LINKED)} IAM principals of a workload account in "
            f"organization {slice_.ORGANIZATION}; shared-services account {slice_.SHARED_SERVICES} is "
            "trusted.",
            highlight=False,
        )
        seed_account(iam, ecr)

        console.rule("1. Change notifications (each rule's lambda_handler, a real-shaped Config event)")
        _change(
            console,
            rules[REPOSITORY_RULE],
            REPOSITORY_RULE,
            repository_item(ecr, "storefront/web"),
            capture,
            "A developer made storefront/web public to share a demo image.",
        )
        _change(
            console,
            rules[PRINCIPAL_RULE],
            PRINCIPAL_RULE,
            role_item(iam, "github-actions-build"),
            capture,
            "The CI role github-actions-build was given ecr:* on every repository.",
        )

        console.rule("2. Periodic evaluation: the compliance dashboard")
        before = _periodic(rules, capture, iam)
        print_tables(console, before, f"Account {slice_.ACCOUNT}", narrow=False)

        console.rule("3. Remediation: each runbook's YAML document, run by the local Automation runner")
        executions = _remediate(console, before)

        console.rule("4. Periodic evaluation again: the dashboard after remediation")
        after = _periodic(rules, capture, iam)
        previous = {row.key: row.compliance for row in before}
        print_tables(console, after, f"Account {slice_.ACCOUNT}", previous, narrow=False)

        console.rule("5. Preventive control: the SCP rendered from the same allow-list, proved first")
        _perimeter(console, iam)

        console.rule("6. Detective control on use: a non-approved role pulls, CloudTrail says so")
        _detection(console)
    seconds = time.perf_counter() - started
    console.print(f"Before: {_counts(before)}\nAfter:  {_counts(after)}", highlight=False)
    for row in (r for r in after if r.compliance == "NON_COMPLIANT"):
        status, said = executions.get(row.resource_name, ("not run", ""))
        console.print(
            f"Still NON_COMPLIANT: {row.resource_name} (runbook {status}: {escape(said)})", soft_wrap=True
        )
    console.print(f"Done in {seconds:.1f} s.", highlight=False)
    return DemoResult(before, after, executions, seconds)
