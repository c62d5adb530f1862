"""The detection Lambda: an EventBridge event carrying a CloudTrail record → at most one finding.

A thin door onto the detectors (pull_events.py, registry_events.py). Settings come from the
environment as the rules' own parameter names (``ECR_ACCESS_PARAMETERS``, a JSON object:
AllowedPrincipalArns, AllowedPrincipalTagKey/Value, AllowedServicePrincipals,
TrustedAccountIds, TrustedOrganizationIds, ExpectedVpcEndpointIds, ExpectedCidrs), validated
by the same functions the rules use. Findings go to the SNS topic ``FINDINGS_TOPIC_ARN``;
with ``SECURITY_HUB=true``, to Security Hub in the finding's own account and Region; with
``REVOKE_ON_PULL_FINDING=true``, a pull by a non-approved principal asks that principal's
account to run the revoke runbook (responses.py). Other accounts are acted in through
``MEMBER_ROLE_NAME`` (account_clients.py). The deduplicator lives as long as the Lambda
instance: within it one pull is one finding; across instances the Security Hub finding id
is the same, so a repeat updates it.
"""

import ipaddress
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.config_rules import parameters
from ecr_access.config_rules.allow_list import AllowList
from ecr_access.detection.account_clients import AccountClients
from ecr_access.detection.callers import Caller, CallerType
from ecr_access.detection.dedup import Deduplicator
from ecr_access.detection.findings import change_asff, message, pull_asff
from ecr_access.detection.pull_events import DetectionSettings, PullFinding, judge_pull, pull_of
from ecr_access.detection.registry_events import ChangeFinding, judge_registry_change
from ecr_access.detection.responses import revoke_request
from ecr_access.loaders.authorization_details import load_authorization_details
from ecr_access.permissions.principal import IamPrincipal
from ecr_access.policy import PolicyError


@dataclass(frozen=True, slots=True)
class Settings:
    detection: DetectionSettings
    trusted_org_ids: tuple[str, ...]


def settings_from(values: Mapping[str, Any]) -> Settings:
    cidrs = parameters.csv(values, "ExpectedCidrs")
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as exc:
            raise ValueError(f"ExpectedCidrs: {cidr!r} is not a CIDR") from exc
    allow_list = AllowList(
        arn_patterns=parameters.principal_arn_patterns(values, "AllowedPrincipalArns"),
        tag_key=parameters.optional_text(values, "AllowedPrincipalTagKey"),
        tag_value=parameters.optional_text(values, "AllowedPrincipalTagValue"),
        service_principals=parameters.csv(values, "AllowedServicePrincipals"),
    )
    return Settings(
        DetectionSettings(
            allow_list,
            frozenset(parameters.account_ids(values, "TrustedAccountIds")),
            frozenset(parameters.csv(values, "ExpectedVpcEndpointIds")),
            cidrs,
        ),
        parameters.organization_ids(values, "TrustedOrganizationIds"),
    )


@dataclass(frozen=True, slots=True)
class Sinks:
    """Where findings go, and what the handler may read; each is optional but ``publish``."""

    publish: Callable[[str, str], None]  # (subject, message) to SNS
    import_findings: Callable[[dict[str, Any]], None] | None = None  # an ASFF finding to Security Hub
    lookup: Callable[[Caller], IamPrincipal | None] | None = None  # the caller's IAM record
    request_revoke: Callable[[PullFinding, dict[str, Any]], None] | None = None  # a PutEvents entry


def handle_event(
    event: Mapping[str, Any], settings: Settings, dedup: Deduplicator, sinks: Sinks
) -> dict[str, Any] | None:
    """The finding (ASFF) the event makes, after publishing it; None when it makes none."""
    record = event.get("detail") if isinstance(event.get("detail"), dict) else None
    if record is None:
        return None
    pull = pull_of(record)
    finding: Any
    if pull is not None:
        if not dedup.first(pull):
            return None  # another layer of a pull already judged
        needs_record = (
            settings.detection.allow_list.tag_key or settings.detection.allow_list.service_principals
        )
        principal = sinks.lookup(pull.caller) if sinks.lookup is not None and needs_record else None
        finding = judge_pull(pull, settings.detection, principal)
        asff = pull_asff(finding) if finding else None
    else:
        finding = judge_registry_change(
            record,
            trusted_accounts=settings.detection.trusted_accounts,
            trusted_org_ids=settings.trusted_org_ids,
        )
        asff = change_asff(finding) if isinstance(finding, ChangeFinding) else None
    if finding is None or asff is None:
        return None
    sinks.publish(asff["Title"][:100], message(finding))  # first: whatever fails after, people know
    if sinks.import_findings is not None:
        sinks.import_findings(asff)
    entry = revoke_request(finding) if isinstance(finding, PullFinding) else None
    if entry is not None and sinks.request_revoke is not None:
        sinks.request_revoke(finding, entry)
    return asff


def iam_lookup(iam_in: Callable[[str], Any | None]) -> Callable[[Caller], IamPrincipal | None]:
    """The caller's role or user as IAM records it (tags, trust policy), read with ``iam_in(account)``
    (None: that account cannot be read). Any read that fails gives None: ARN patterns still apply."""
    cache: dict[str, IamPrincipal | None] = {}

    def lookup(caller: Caller) -> IamPrincipal | None:
        arn = caller.principal_arn
        if arn is None or caller.account is None or caller.type not in (CallerType.ROLE, CallerType.USER):
            return None
        if arn not in cache:
            cache[arn] = _read_principal(iam_in(caller.account), caller.type, arn.rsplit("/", 1)[1])
        return cache[arn]

    return lookup


def _read_principal(iam: Any | None, kind: CallerType, name: str) -> IamPrincipal | None:
    if iam is None:
        return None
    try:
        if kind is CallerType.ROLE:
            role = iam.get_role(RoleName=name)["Role"]
            page = {"RoleDetailList": [{**role, "RolePolicyList": [], "AttachedManagedPolicies": []}]}
        else:
            user = iam.get_user(UserName=name)["User"]
            tags = iam.list_user_tags(UserName=name).get("Tags", [])
            bare = {"UserPolicyList": [], "AttachedManagedPolicies": [], "GroupList": []}
            page = {"UserDetailList": [{**user, "Tags": tags, **bare}]}
        principals = load_authorization_details(page).principals
        return principals[0] if principals else None
    except (ClientError, BotoCoreError, KeyError, PolicyError):
        return None


def sinks_from_environment(environment: Mapping[str, str], clients: AccountClients) -> Sinks:
    """The Lambda's sinks: SNS always; Security Hub and the revoke request when switched on."""
    topic = environment["FINDINGS_TOPIC_ARN"]
    sns = clients.client("sns", clients.own_account)

    def publish(subject: str, body: str) -> None:
        sns.publish(TopicArn=topic, Subject=subject, Message=body)

    def import_findings(asff: dict[str, Any]) -> None:
        region = asff["Resources"][0].get("Region")
        securityhub = clients.client("securityhub", asff["AwsAccountId"], region)
        if securityhub is None:
            return  # no way into that account: the SNS message stands
        try:
            securityhub.batch_import_findings(Findings=[asff])
        except (ClientError, BotoCoreError) as exc:
            print(f"ecr-access detection: Security Hub import in {asff['AwsAccountId']} failed: {exc}")

    def request_revoke(finding: PullFinding, entry: dict[str, Any]) -> None:
        account = finding.pull.caller.account or ""
        events = clients.client("events", account, finding.pull.region)
        if events is None:
            return
        try:
            events.put_events(Entries=[entry])
        except (ClientError, BotoCoreError) as exc:
            print(f"ecr-access detection: revoke request in {account} failed: {exc}")

    def enabled(name: str) -> bool:
        return environment.get(name, "false").lower() == "true"

    return Sinks(
        publish,
        import_findings if enabled("SECURITY_HUB") else None,
        iam_lookup(lambda account: clients.client("iam", account)),
        request_revoke if enabled("REVOKE_ON_PULL_FINDING") else None,
    )


_DEDUP = Deduplicator()  # one per Lambda instance (module state survives between invocations)
# Likewise the sinks: their clients, member credentials (reused until renewed) and the callers' IAM
# records (read once per instance) outlive one event; the environment does not change under them.
_SINKS: list[Sinks] = []


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
    import boto3

    settings = settings_from(json.loads(os.environ.get("ECR_ACCESS_PARAMETERS") or "{}"))
    if not _SINKS:
        identity = boto3.client("sts").get_caller_identity()
        clients = AccountClients(
            identity["Account"],
            os.environ.get("MEMBER_ROLE_NAME") or None,
            partition=identity["Arn"].split(":")[1],
            make_client=boto3.client,
        )
        _SINKS.append(sinks_from_environment(os.environ, clients))
    return handle_event(event, settings, _DEDUP, _SINKS[0])
