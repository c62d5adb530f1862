"""``scan --remediate``: what each runbook would change, and running the runbooks' own handlers.

The preview calls the runbooks' ``propose`` functions (the same reads and the same
analysis the runbook makes before it writes); applying calls their ``handler``
with the parameters the conformance pack's remediation passes. The handlers use
boto3's default session, so it is pointed at the scanned account and Region for
the call.
"""

import difflib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.cli.compliance_report import ComplianceRow, sorted_rows
from ecr_access.config_rules.rule_modules import PRINCIPAL_RULE, REPOSITORY_RULE
from ecr_access.deployment.pack import PRINCIPAL_RUNBOOK, REPO_RUNBOOK
from ecr_access.remediation import restrict_repository_policy, revoke_layer_download
from ecr_access.remediation.script_inputs import RemediationRefused
from ecr_access.sources.aws_errors import describe_error

RUNBOOK_SERVICES = ("ecr", "ssm", "iam", "sts", "sns", "config", "organizations")


@dataclass(frozen=True, slots=True)
class RemediationPlan:
    row: ComplianceRow
    runbook: str
    events: dict[str, Any]  # the runbook step's input, as the pack's remediation would pass it
    action: str  # UPDATE_POLICY | DELETE_POLICY | ATTACH_DENY | NONE | REFUSED | ERROR
    detail: list[str] = field(default_factory=list)  # the policy diff, or the inline deny, or why not

    @property
    def will_change(self) -> bool:
        return self.action in ("UPDATE_POLICY", "DELETE_POLICY", "ATTACH_DENY")


@contextmanager
def default_session(profile: str | None, region: str) -> Iterator[None]:
    """Run the runbook code (``boto3.client(...)``) against the scanned account and Region."""
    saved = boto3.DEFAULT_SESSION
    boto3.setup_default_session(profile_name=profile, region_name=region)
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = saved


@cache
def _operations(service: str) -> frozenset[str]:
    return frozenset(botocore.session.get_session().get_service_model(service).operation_names)


def service_of(operation: str) -> str | None:
    """Which of the runbooks' services has this API operation (to name a missing permission)."""
    return next((s for s in RUNBOOK_SERVICES if operation in _operations(s)), None)


def describe_failure(exc: Exception) -> str:
    service = service_of(exc.operation_name) if isinstance(exc, ClientError) else None
    return describe_error(exc, service)


def _pretty(document: dict[str, Any]) -> list[str]:
    """A policy with one statement per line (no separating commas), so a diff shows whole statements."""
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    others = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in document.items() if k != "Statement"]
    body = [f"    {json.dumps(s)}" for s in statements]
    return ["{", *others, '  "Statement": [', *body, "  ]", "}"]


def _repository_plan(
    ecr: Any, trust: restrict_repository_policy.Trust, row: ComplianceRow, events: dict[str, Any]
) -> tuple[str, list[str]]:
    change = restrict_repository_policy.propose(ecr, row.resource_id, events["Mode"], trust)
    if not change.before.verdict.exposed:
        return "NONE", [f"{row.resource_id} is already RESTRICTED; nothing would change"]
    before = _pretty(json.loads(change.original or "{}"))
    if change.new_text is None:
        return "DELETE_POLICY", [
            "delete the policy (no Allow statement remains without the exposing ones):",
            *(f"- {line}" for line in before),
        ]
    diff = difflib.unified_diff(
        before, _pretty(json.loads(change.new_text)), "policy now", "policy after", n=2, lineterm=""
    )
    return "UPDATE_POLICY", list(diff)


def _principal_plan(
    iam: Any, caller_arn: str, events: dict[str, Any], listed: dict[str, tuple[str, dict[str, Any]]]
) -> tuple[str, list[str]]:
    revocation = revoke_layer_download.propose(iam, caller_arn, events, listed)
    kind = revocation.kind.lower()
    return "ATTACH_DENY", [
        f"attach managed policy {revocation.policy_arn} to {kind} {revocation.name}",
        *(f"+ {line}" for line in _pretty(revoke_layer_download.DENY_DOCUMENT)),
    ]


def runbook_events(
    row: ComplianceRow, parameters: dict[str, dict[str, str]], options: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """(runbook, its step input) as the pack's RemediationConfiguration would pass them for this row."""
    if row.rule == REPOSITORY_RULE:
        rule = parameters[REPOSITORY_RULE]
        return REPO_RUNBOOK, {
            "RepositoryName": row.resource_id,
            "Mode": options["Mode"],
            "TrustedAccountIds": rule.get("TrustedAccountIds", ""),
            "TrustedOrganizationIds": rule.get("TrustedOrganizationIds", ""),
        }
    return PRINCIPAL_RUNBOOK, {
        "ResourceId": row.resource_id,
        "AllowedPrincipalArns": parameters[PRINCIPAL_RULE].get("AllowedPrincipalArns", ""),
        "AutomationAssumeRole": "",
        "ProtectedRoleNames": "",
        "NotificationTopicArn": "",
    }


def plan(
    session: boto3.Session,
    rows: list[ComplianceRow],
    parameters: dict[str, dict[str, str]],
    options: dict[str, str],
) -> list[RemediationPlan]:
    """One plan per NON_COMPLIANT row; reads only."""
    plans = []
    clients: dict[tuple[str, str | None], Any] = {}  # one client per service and Region

    def client(service: str, region: str | None = None) -> Any:
        return clients.setdefault((service, region), session.client(service, region_name=region))

    caller_arn: str | None = None
    listed: dict[str, tuple[str, dict[str, Any]]] | None = None  # every role and user, listed once
    trusts: dict[str, restrict_repository_policy.Trust] = {}  # per Region: the rule there holds the lists
    for row in (r for r in sorted_rows(rows) if r.compliance == "NON_COMPLIANT"):
        runbook, events = runbook_events(row, parameters, options)
        try:
            if row.rule == REPOSITORY_RULE:
                if row.region not in trusts:
                    trusts[row.region] = restrict_repository_policy.read_trust(
                        client("config", row.region), client("organizations"), events
                    )
                action, detail = _repository_plan(client("ecr", row.region), trusts[row.region], row, events)
            else:
                if caller_arn is None or listed is None:
                    caller_arn = client("sts").get_caller_identity()["Arn"]
                    listed = {
                        e[f"{k}Id"]: (k, e) for k, e in revoke_layer_download.listed_principals(client("iam"))
                    }
                action, detail = _principal_plan(client("iam"), caller_arn, events, listed)
        except RemediationRefused as exc:
            action, detail = "REFUSED", [str(exc)]
        except (ClientError, BotoCoreError) as exc:
            action, detail = "ERROR", [describe_failure(exc)]
        plans.append(RemediationPlan(row, runbook, events, action, detail))
    return plans


@dataclass(frozen=True, slots=True)
class RemediationResult:
    plan: RemediationPlan
    outcome: str  # APPLIED | REFUSED | FAILED
    message: str


def apply(profile: str | None, home_region: str, plans: list[RemediationPlan]) -> list[RemediationResult]:
    """Run the runbook handler for every plan that changes something; one failure never stops the rest.

    IAM rows ("global") run in the home Region, where the scan read IAM.
    """
    results = []
    for item in (p for p in plans if p.will_change):
        handler = (
            restrict_repository_policy.handler
            if item.runbook == REPO_RUNBOOK
            else revoke_layer_download.handler
        )
        try:
            region = home_region if item.row.region == "global" else item.row.region
            with default_session(profile, region):
                output = handler(dict(item.events), None)
            results.append(RemediationResult(item, "APPLIED", output["Message"]))
        except RemediationRefused as exc:
            results.append(RemediationResult(item, "REFUSED", str(exc)))
        except (ClientError, BotoCoreError) as exc:
            results.append(RemediationResult(item, "FAILED", describe_failure(exc)))
    return results
