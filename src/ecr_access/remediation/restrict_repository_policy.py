"""Runbook ECRAccess-RestrictRepositoryPolicy: make one repository's policy RESTRICTED again.

Read the policy → analyse it with the same engine the rule uses → back it up
(execution output and an SSM parameter) → re-read and abort if it changed since it
was analysed → write → re-read and re-analyse (fail if still exposed) → report
what changed and how to restore it. ``RemoveStatements`` removes exactly the Allow
statements the analysis flags (the policy is deleted when none remain);
``RestrictToOrganization`` keeps them but adds an ``aws:PrincipalOrgID`` condition
for the trusted organizations. A restricted repository is left untouched.
"""

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ecr_access.exposure.analyze import analyze_repository_policy
from ecr_access.exposure.verdict import RepositoryExposure
from ecr_access.remediation.script_inputs import RemediationRefused, comma_separated

BACKUP_PREFIX = "/ecr-access/backup"
STANDARD_PARAMETER_LIMIT = 4_096  # characters; larger values need the Advanced tier (SSM quotas)


def _read_policy(ecr: Any, name: str) -> str | None:
    try:
        return ecr.get_repository_policy(repositoryName=name)["policyText"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "RepositoryPolicyNotFoundException":
            return None
        raise


def _owner(ecr: Any, name: str) -> str:
    try:
        return ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["registryId"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "RepositoryNotFoundException":
            raise RemediationRefused(
                f"repository {name} does not exist (deleted?); nothing to remediate"
            ) from exc
        raise


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _restrict_to_organization(statement: dict[str, Any], organizations: tuple[str, ...]) -> dict[str, Any]:
    restricted = copy.deepcopy(statement)
    condition = restricted.setdefault("Condition", {})
    tests = condition.setdefault("StringEquals", {})
    for key in [k for k in tests if k.lower() == "aws:principalorgid"]:
        del tests[key]  # an untrusted organization named before is replaced, not widened
    tests["aws:PrincipalOrgID"] = list(organizations)
    return restricted


def plan(
    document: dict[str, Any], exposure: RepositoryExposure, mode: str, organizations: tuple[str, ...]
) -> dict[str, Any] | None:
    """The new document (None: delete the policy). Statements not flagged are kept as they are."""
    flagged = {f.statement_index for f in exposure.findings}
    statements = _statements(document)
    if mode == "RemoveStatements":
        kept = [s for i, s in enumerate(statements) if i not in flagged]
        if not any(s.get("Effect") == "Allow" for s in kept):
            return None  # only Deny statements (or nothing) would remain: no policy grants the same
        return {**document, "Statement": kept}
    if not organizations:
        raise RemediationRefused(
            "Mode RestrictToOrganization needs at least one TrustedOrganizationIds value"
        )
    changed = [
        _restrict_to_organization(s, organizations) if i in flagged else s for i, s in enumerate(statements)
    ]
    return {**document, "Statement": changed}


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """What the runbook would do to one repository; ``ecr-access scan --remediate --dry-run`` shows it."""

    name: str
    owner: str
    original: str | None  # the policy text as read; None: no policy
    before: RepositoryExposure
    new_document: dict[str, Any] | None  # None: delete the policy (meaningful only when exposed)


def propose(
    ecr: Any, name: str, mode: str, accounts: tuple[str, ...], organizations: tuple[str, ...]
) -> PolicyChange:
    """Read and analyse the repository's policy and plan the change; writes nothing."""
    owner = _owner(ecr, name)
    original = _read_policy(ecr, name)
    before = judge(original, owner, accounts, organizations)
    if not before.verdict.exposed:
        return PolicyChange(name, owner, original, before, None)
    if original is None:  # pragma: no cover - an exposed repository always has a policy
        raise RemediationRefused(f"{name} has no policy but was judged {before.verdict.value}")
    return PolicyChange(
        name, owner, original, before, plan(json.loads(original), before, mode, organizations)
    )


def judge(
    text: str | None, owner: str, accounts: tuple[str, ...], organizations: tuple[str, ...]
) -> RepositoryExposure:
    return analyze_repository_policy(
        text, owner_account=owner, trusted_accounts=accounts, trusted_org_ids=organizations
    )


def handler(events: dict[str, Any], context: Any) -> dict[str, Any]:
    name = events["RepositoryName"]
    mode = events.get("Mode") or "RemoveStatements"
    accounts = comma_separated(events, "TrustedAccountIds")
    organizations = comma_separated(events, "TrustedOrganizationIds")
    ecr, ssm = boto3.client("ecr"), boto3.client("ssm")

    change = propose(ecr, name, mode, accounts, organizations)
    before, original, new_document = change.before, change.original, change.new_document
    if not before.verdict.exposed:
        return {
            "Action": "NONE",
            "Verdict": before.verdict.value,
            "RemovedStatements": [],
            "BackupParameter": "",
            "RestoreCommand": "",
            "Message": f"{name} is already RESTRICTED; nothing changed",
        }

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = f"{BACKUP_PREFIX}/{name}/{stamp}"
    tier = "Advanced" if len(original) > STANDARD_PARAMETER_LIMIT else "Standard"
    ssm.put_parameter(
        Name=backup,
        Value=original,
        Type="String",
        Tier=tier,
        Overwrite=False,
        Description=f"ecr-access: policy of ECR repository {name} before remediation",
    )
    restore = (
        f"aws ecr set-repository-policy --repository-name {name} --policy-text "
        f'"$(aws ssm get-parameter --name {backup} --query Parameter.Value --output text)"'
    )

    if _read_policy(ecr, name) != original:
        raise RemediationRefused(
            f"the policy of {name} changed since it was analysed; nothing was written "
            f"(the analysed version is backed up in {backup})"
        )
    try:
        if new_document is None:
            ecr.delete_repository_policy(repositoryName=name)
        else:
            ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(new_document, indent=2))
    except ClientError as exc:
        raise RemediationRefused(
            f"writing the policy of {name} failed ({exc.response['Error']['Code']}); "
            f"it is unchanged; the original is backed up in {backup}"
        ) from exc

    after = judge(_read_policy(ecr, name), change.owner, accounts, organizations)
    if after.verdict.exposed:
        raise RemediationRefused(
            f"{name} is still {after.verdict.value} after {mode}: {after.summary()}; restore with: {restore}"
        )
    removed = [f.statement_label for f in before.findings]
    done = "removed" if mode == "RemoveStatements" else "bounded to the trusted organizations"
    return {
        "Action": "DELETED" if new_document is None else "UPDATED",
        "Verdict": after.verdict.value,
        "RemovedStatements": removed if mode == "RemoveStatements" else [],
        "BackupParameter": backup,
        "RestoreCommand": restore,
        "Message": f"{mode} on {name}: {', '.join(removed)} {done}",
    }
