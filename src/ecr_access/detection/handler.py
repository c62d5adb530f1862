"""The detection Lambda: an EventBridge event carrying a CloudTrail record → at most one finding.

A thin door onto the detectors (pull_events.py, registry_events.py). Settings come from the
environment as the rules' own parameter names (``ECR_ACCESS_PARAMETERS``, a JSON object:
AllowedPrincipalArns, AllowedPrincipalTagKey/Value, AllowedServicePrincipals,
TrustedAccountIds, TrustedOrganizationIds, ExpectedVpcEndpointIds, ExpectedCidrs), validated
by the same functions the rules use. Findings go to the SNS topic ``FINDINGS_TOPIC_ARN``
and, with ``SECURITY_HUB=true``, to Security Hub in the finding's account. The deduplicator
lives as long as the Lambda instance: within it one pull is one finding; across instances
the Security Hub finding id is the same, so a repeat updates it.
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
from ecr_access.detection.callers import Caller, CallerType
from ecr_access.detection.dedup import Deduplicator
from ecr_access.detection.findings import change_asff, message, pull_asff
from ecr_access.detection.pull_events import DetectionSettings, judge_pull, pull_of
from ecr_access.detection.registry_events import ChangeFinding, judge_registry_change
from ecr_access.loaders import load_authorization_details
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


def handle_event(
    event: Mapping[str, Any],
    settings: Settings,
    dedup: Deduplicator,
    publish: Callable[[str, str], None],
    import_findings: Callable[[dict[str, Any]], None] | None = None,
    lookup: Callable[[Caller], IamPrincipal | None] | None = None,
) -> dict[str, Any] | None:
    """The finding (ASFF) the event makes, after publishing it; None when it makes none.
    ``lookup``: the caller's IAM record (tags, trust policy), for tag and service allow-list entries."""
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
        principal = lookup(pull.caller) if lookup is not None and needs_record else None
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
    publish(asff["Title"][:100], message(finding))
    if import_findings is not None:
        import_findings(asff)
    return asff


def iam_lookup(iam: Any, account: str) -> Callable[[Caller], IamPrincipal | None]:
    """The caller's role or user as IAM records it (tags, trust policy), for callers of ``account``
    (the Lambda's own); others, and any read that fails, give None (ARN patterns still apply)."""
    cache: dict[str, IamPrincipal | None] = {}

    def lookup(caller: Caller) -> IamPrincipal | None:
        arn = caller.principal_arn
        if arn is None or caller.account != account or caller.type not in (CallerType.ROLE, CallerType.USER):
            return None
        if arn not in cache:
            name = arn.rsplit("/", 1)[1]
            try:
                if caller.type is CallerType.ROLE:
                    role = iam.get_role(RoleName=name)["Role"]
                    page = {"RoleDetailList": [{**role, "RolePolicyList": [], "AttachedManagedPolicies": []}]}
                else:
                    user = iam.get_user(UserName=name)["User"]
                    tags = iam.list_user_tags(UserName=name).get("Tags", [])
                    entry = {
                        **user,
                        "Tags": tags,
                        "UserPolicyList": [],
                        "AttachedManagedPolicies": [],
                        "GroupList": [],
                    }
                    page = {"UserDetailList": [entry]}
                principals = load_authorization_details(page).principals
                cache[arn] = principals[0] if principals else None
            except (ClientError, BotoCoreError, KeyError, PolicyError):
                cache[arn] = None
        return cache[arn]

    return lookup


_DEDUP = Deduplicator()  # one per Lambda instance (module state survives between invocations)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
    import boto3

    settings = settings_from(json.loads(os.environ.get("ECR_ACCESS_PARAMETERS") or "{}"))
    topic = os.environ["FINDINGS_TOPIC_ARN"]
    sns = boto3.client("sns")

    def publish(subject: str, body: str) -> None:
        sns.publish(TopicArn=topic, Subject=subject, Message=body)

    importer = None
    if os.environ.get("SECURITY_HUB", "false").lower() == "true":
        securityhub = boto3.client("securityhub")

        def importer(asff: dict[str, Any]) -> None:
            # "The identifier of the account that you are calling BatchImportFindings from needs to be
            # the same as the AwsAccountId attribute" with the default product ARN (Security Hub API
            # Reference, BatchImportFindings): another account's finding goes to SNS only.
            if asff["AwsAccountId"] == account:
                securityhub.batch_import_findings(Findings=[asff])

    account = boto3.client("sts").get_caller_identity()["Account"]
    return handle_event(event, settings, _DEDUP, publish, importer, iam_lookup(boto3.client("iam"), account))
