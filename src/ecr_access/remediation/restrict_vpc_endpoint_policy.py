"""Runbook ECRAccess-RestrictVpcEndpointPolicy: bound one ECR interface endpoint's policy, only narrowing.

Read the endpoint → judge its policy with the engine the rule uses → add the perimeter's two
explicit Denies (perimeter/endpoint_policies.py: principals and registries outside the
trusted organizations, accounts and named third-party registries) to the policy as it is —
every statement it had is kept, and an explicit Deny overrides any Allow (IAM User Guide,
"Policy evaluation logic"), so the result can only allow less — → judge the plan and stop
unless it is bounded → back the original up (SSM parameters, in pieces) → re-read and stop
if the policy changed → ``ModifyVpcEndpoint`` with the new document → re-read and re-judge.

Trust is the union of the caller's lists and the Config rule's own (read from Config), as for
the repository runbook: more trust only makes the Denies admit more of what the policy
already allowed, never anything it did not. S3 gateway endpoints are refused: what the rule
reports there (the layer bucket blocked) can only be fixed by allowing more, which a
remediation must never do.
"""

from datetime import UTC, datetime
from typing import Any

import boto3

from ecr_access.exposure.endpoint_policies import EndpointKind, judge_ecr_endpoint_policy
from ecr_access.loaders.vpc_endpoints import endpoint_record
from ecr_access.perimeter.endpoint_policies import EndpointPolicyTooLarge, perimeter_denies, with_perimeter
from ecr_access.remediation.backups import BACKUP_PREFIX, write_backup
from ecr_access.remediation.restrict_repository_policy import read_trust
from ecr_access.remediation.script_inputs import RemediationRefused, comma_separated

RULE_NAME = "ECR_VPC_ENDPOINT_RESTRICTED"


def _read(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id]).get("VpcEndpoints", [])
    if len(endpoints) != 1:
        raise RemediationRefused(f"VPC endpoint {endpoint_id} was not found (deleted?); nothing changed")
    return endpoints[0]


def restore_command(endpoint_id: str, parameters: list[str]) -> str:
    if not parameters:  # it had no document of its own: the default policy
        return f"aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint_id} --reset-policy"
    reads = "".join(
        f"$(aws ssm get-parameter --name {p} --query Parameter.Value --output text)" for p in parameters
    )
    return f'aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint_id} --policy-document "{reads}"'


def handler(events: dict[str, Any], context: Any) -> dict[str, Any]:
    endpoint_id = events["VpcEndpointId"]
    ec2, ssm = boto3.client("ec2"), boto3.client("ssm")
    owner = boto3.client("sts").get_caller_identity()["Account"]
    trust = read_trust(boto3.client("config"), boto3.client("organizations"), events, rule_name=RULE_NAME)
    third_party = comma_separated(events, "AllowedThirdPartyRegistryAccounts")
    record = endpoint_record(_read(ec2, endpoint_id))
    if record is None or record.kind not in (EndpointKind.ECR_API, EndpointKind.ECR_DKR):
        raise RemediationRefused(
            f"{endpoint_id} is not an ECR interface endpoint; only those are narrowed here "
            "(an S3 gateway that blocks the layer bucket needs an Allow, which a remediation never adds)"
        )

    def judge(text: str | None) -> tuple[str, ...]:
        return judge_ecr_endpoint_policy(
            text,
            owner_account=owner,
            trusted_accounts=trust.accounts,
            trusted_org_ids=trust.organizations,
            third_party_registry_accounts=third_party,
        ).problems

    before = judge(record.policy)
    if not before:
        return {
            "Action": "NONE",
            "BackupParameter": "",
            "RestoreCommand": "",
            "Message": f"{endpoint_id} is already bounded",
        }
    denies = perimeter_denies(owner, trust.accounts, trust.organizations, third_party)
    try:
        new_text = with_perimeter(record.policy, denies)
    except EndpointPolicyTooLarge as exc:
        raise RemediationRefused(
            f"{endpoint_id}: the policy with the perimeter would be {exc}; nothing changed"
        ) from exc
    if remaining := judge(new_text):
        raise RemediationRefused(
            f"{endpoint_id} would still not be bounded ({remaining[0]}); nothing changed"
        )

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = f"{BACKUP_PREFIX}/vpc-endpoint/{endpoint_id}/{stamp}"
    parameters = write_backup(
        ssm,
        backup,
        record.policy or "",
        f"ecr-access: policy of VPC endpoint {endpoint_id} before remediation",
    )
    restore = restore_command(endpoint_id, parameters)
    if endpoint_record(_read(ec2, endpoint_id)).policy != record.policy:
        raise RemediationRefused(
            f"the policy of {endpoint_id} changed since it was judged; nothing was written (backup: {backup})"
        )
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, PolicyDocument=new_text)
    if after := judge(endpoint_record(_read(ec2, endpoint_id)).policy):
        raise RemediationRefused(
            f"{endpoint_id} is not bounded after the change ({after[0]}); restore with: {restore}"
        )
    return {
        "Action": "UPDATED",
        "BackupParameter": backup,
        "RestoreCommand": restore,
        "Message": f"{endpoint_id}: the perimeter Denies were added ({before[0]})",
    }
