"""Runbook ECRAccess-RestrictRepositoryPolicy: make one repository's policy RESTRICTED again, only narrowing.

Read the policy → analyse it with the engine the rule uses → plan the new text by
surgery (policy_surgery.py: principals removed, bounds ANDed in, untouched bytes
kept) → analyse the plan and stop unless it is RESTRICTED → back the original up
(SSM parameters, in pieces that each fit a Standard parameter) → re-read and stop
if the policy changed since it was read → write → re-read and re-analyse.

Nothing the caller passes can widen access. The trust it judges by is the union of
the caller's lists and the ones the Config rule itself holds (read from Config):
extra trust only makes the runbook remove less, and a missing one can no longer
make it delete a trusted partner's grant. ``RestrictToOrganization`` bounds a
statement only to this account's own organization (``DescribeOrganization``, which
works from member accounts) and the trusted organizations the statement already
names — never to one the caller alone supplies.

The residual race: ECR has no conditional write, so an edit made between the last
re-read and SetRepositoryPolicy (milliseconds) would be overwritten; the backup
of what was read is kept, and the final re-read reports what is there.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.aws_identifiers import ACCOUNT_ID, ORGANIZATION_ID
from ecr_access.exposure.analyze import analyze_repository_policy
from ecr_access.exposure.verdict import RepositoryExposure
from ecr_access.policy.model import Effect, Statement
from ecr_access.policy.parse import parse_policy_text
from ecr_access.remediation import policy_surgery
from ecr_access.remediation.backups import BACKUP_PREFIX, write_backup
from ecr_access.remediation.script_inputs import RemediationRefused, comma_separated

RULE_NAME = "ECR_REPO_NOT_PUBLIC"
_ORG_KEYS = ("aws:principalorgid", "aws:sourceorgid", "aws:principalorgpaths", "aws:sourceorgpaths")


@dataclass(frozen=True, slots=True)
class Trust:
    """Whom the runbook judges by: the caller's lists joined with the rule's own."""

    accounts: tuple[str, ...]
    organizations: tuple[str, ...]
    own_organization: str | None  # None: the account is in no organization


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


def _own_organization(organizations: Any) -> str | None:
    try:
        return organizations.describe_organization()["Organization"]["Id"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "AWSOrganizationsNotInUseException":
            return None
        raise RemediationRefused(
            f"cannot read this account's organization ({exc.response['Error']['Code']}); nothing changed"
        ) from exc


def _rule_lists(config: Any, rule_name: str) -> tuple[set[str], set[str]]:
    """The trusted accounts and organizations of the Config rule (organization packs suffix its name)."""
    accounts: set[str] = set()
    organizations: set[str] = set()
    try:
        for page in config.get_paginator("describe_config_rules").paginate():
            for rule in page.get("ConfigRules", ()):
                name = rule.get("ConfigRuleName", "")
                if name != rule_name and not name.startswith(rule_name + "-"):
                    continue
                parameters = json.loads(rule.get("InputParameters") or "{}")
                if not isinstance(parameters, dict):  # not what Config stores: the trust is unknown
                    raise ValueError(f"rule {name} has InputParameters that are not a JSON object")
                accounts.update(comma_separated(parameters, "TrustedAccountIds"))
                organizations.update(comma_separated(parameters, "TrustedOrganizationIds"))
    except (ClientError, BotoCoreError, ValueError) as exc:
        raise RemediationRefused(
            f"cannot read the trusted lists of Config rule {rule_name} ({exc}); nothing changed"
        ) from exc
    return (
        {a for a in accounts if ACCOUNT_ID.match(a)},
        {o.lower() for o in organizations if ORGANIZATION_ID.match(o.lower())},
    )


def read_trust(
    config: Any, organizations: Any, events: dict[str, Any], *, rule_name: str = RULE_NAME
) -> Trust:
    rule_accounts, rule_organizations = _rule_lists(config, rule_name)
    return Trust(
        tuple(sorted({*comma_separated(events, "TrustedAccountIds"), *rule_accounts})),
        tuple(sorted({*comma_separated(events, "TrustedOrganizationIds"), *rule_organizations})),
        _own_organization(organizations),
    )


def judge(text: str | None, owner: str, trust: Trust) -> RepositoryExposure:
    return analyze_repository_policy(
        text, owner_account=owner, trusted_accounts=trust.accounts, trusted_org_ids=trust.organizations
    )


def _named_organizations(statement: Statement) -> set[str]:
    named = set()
    for clause in statement.conditions:
        if clause.key in _ORG_KEYS:
            named.update(v.text.split("/", 1)[0].lower() for v in clause.values)
    return named


def _bound_for(statement: Statement, trust: Trust) -> tuple[str, ...]:
    """This account's own organization, and the trusted organizations the statement already names:
    never an organization taken from the caller alone."""
    bound = _named_organizations(statement) & set(trust.organizations)
    if trust.own_organization:
        bound.add(trust.own_organization)
    if not bound:
        raise RemediationRefused(
            f"RestrictToOrganization has nothing to bound statement {statement.label} to: the account is "
            "in no organization and the statement names no trusted one; nothing changed"
        )
    return tuple(sorted(bound))


def _restricted(statement_text: str, statement: Statement, organizations: tuple[str, ...]) -> list[str]:
    """The statement bounded to the organizations: the key its callers carry, split when mixed."""
    result = []
    for half in policy_surgery.split_services(statement_text):
        services = policy_surgery.only_services(half)
        key = policy_surgery.SOURCE_ORG if services else policy_surgery.PRINCIPAL_ORG
        narrowed = policy_surgery.bounded(half, key, organizations)
        if narrowed is not None:
            result.append(narrowed)
    return result


def plan(text: str, exposure: RepositoryExposure, mode: str, trust: Trust) -> str | None:
    """The narrowed policy text; None when no Allow would remain (the policy is then deleted)."""
    policy = parse_policy_text(text)
    _, _, texts = policy_surgery.statement_texts(text)
    new: dict[int, list[str]] = {}
    for finding in exposure.findings:
        index = finding.statement_index
        statement = policy.statements[index]
        if mode == "RemoveStatements":
            kept = policy_surgery.without_principals(texts[index], frozenset(finding.principals))
            new[index] = [] if kept is None else [kept]
        else:
            new[index] = _restricted(texts[index], statement, _bound_for(statement, trust))
    narrowed = policy_surgery.with_statements(text, new)
    if not any(s.effect is Effect.ALLOW for s in parse_policy_text(narrowed).statements):
        return None
    return narrowed


def restore_command(name: str, parameters: list[str]) -> str:
    reads = "".join(
        f"$(aws ssm get-parameter --name {p} --query Parameter.Value --output text)" for p in parameters
    )
    return f'aws ecr set-repository-policy --repository-name {name} --policy-text "{reads}"'


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """What the runbook would do to one repository; ``ecr-access scan --remediate --dry-run`` shows it."""

    name: str
    owner: str
    original: str | None  # the policy text as read; None: no policy
    before: RepositoryExposure
    new_text: str | None  # None: delete the policy (meaningful only when exposed)
    trust: Trust


def propose(ecr: Any, name: str, mode: str, trust: Trust) -> PolicyChange:
    """Read, analyse and plan; the plan is verified RESTRICTED before it is returned. Writes nothing."""
    owner = _owner(ecr, name)
    original = _read_policy(ecr, name)
    before = judge(original, owner, trust)
    if not before.verdict.exposed or original is None:
        return PolicyChange(name, owner, original, before, None, trust)
    new_text = plan(original, before, mode, trust)
    after = judge(new_text, owner, trust)
    if after.verdict.exposed:
        raise RemediationRefused(
            f"{mode} would leave {name} {after.verdict.value} ({after.summary()}); nothing was written"
        )
    return PolicyChange(name, owner, original, before, new_text, trust)


def handler(events: dict[str, Any], context: Any) -> dict[str, Any]:
    name = events["RepositoryName"]
    mode = events.get("Mode") or "RemoveStatements"
    ecr, ssm = boto3.client("ecr"), boto3.client("ssm")
    trust = read_trust(boto3.client("config"), boto3.client("organizations"), events)
    change = propose(ecr, name, mode, trust)
    if not change.before.verdict.exposed:
        return {
            "Action": "NONE",
            "Verdict": change.before.verdict.value,
            "RemovedStatements": [],
            "BackupParameter": "",
            "RestoreCommand": "",
            "Message": f"{name} is already RESTRICTED; nothing changed",
        }
    original = change.original or ""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = f"{BACKUP_PREFIX}/{name}/{stamp}"
    parameters = write_backup(
        ssm, backup, original, f"ecr-access: policy of ECR repository {name} before remediation"
    )
    restore = restore_command(name, parameters)

    if _read_policy(ecr, name) != original:
        raise RemediationRefused(
            f"the policy of {name} changed since it was analysed; nothing was written "
            f"(the analysed version is backed up under {backup})"
        )
    try:
        if change.new_text is None:
            ecr.delete_repository_policy(repositoryName=name)
        else:
            ecr.set_repository_policy(repositoryName=name, policyText=change.new_text)
    except ClientError as exc:
        raise RemediationRefused(
            f"writing the policy of {name} failed ({exc.response['Error']['Code']}); "
            f"it is unchanged; the original is backed up under {backup}"
        ) from exc

    after = judge(_read_policy(ecr, name), change.owner, trust)
    if after.verdict.exposed:
        raise RemediationRefused(
            f"{name} is {after.verdict.value} again after {mode} (changed concurrently?): {after.summary()}; "
            f"restore with: {restore}"
        )
    touched = [f.statement_label for f in change.before.findings]
    done = (
        "narrowed: untrusted principals removed"
        if mode == "RemoveStatements"
        else "bounded to the organization"
    )
    return {
        "Action": "DELETED" if change.new_text is None else "UPDATED",
        "Verdict": after.verdict.value,
        "RemovedStatements": touched if mode == "RemoveStatements" else [],
        "BackupParameter": backup,
        "RestoreCommand": restore,
        "Message": f"{mode} on {name}: {', '.join(touched)} {done}",
    }
