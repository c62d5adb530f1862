"""One VPC endpoint → one Config evaluation for ECR_VPC_ENDPOINT_RESTRICTED.

The endpoint is read by loaders/vpc_endpoints.py (Config's and EC2's shapes). ECR interface
endpoints and S3 gateway endpoints are judged (exposure/endpoint_policies.py); every other
endpoint is NOT_APPLICABLE. A policy that cannot be read or judged is NON_COMPLIANT, never
COMPLIANT.
"""

from dataclasses import dataclass

from rdklib import ComplianceType, Evaluation

from ecr_access.config_rules.annotation import fitted_evaluation
from ecr_access.config_rules.isolation import judge_isolated
from ecr_access.exposure.endpoint_policies import (
    EndpointKind,
    judge_ecr_endpoint_policy,
    judge_s3_gateway_policy,
)
from ecr_access.loaders.vpc_endpoints import EndpointRecord, endpoint_record

__all__ = [
    "RESOURCE_TYPE",
    "EndpointRecord",
    "EndpointRuleSettings",
    "endpoint_evaluation",
    "endpoint_record",
]
from ecr_access.policy.errors import PolicyError

RESOURCE_TYPE = "AWS::EC2::VPCEndpoint"


@dataclass(frozen=True, slots=True)
class EndpointRuleSettings:
    trusted_accounts: tuple[str, ...] = ()
    trusted_organizations: tuple[str, ...] = ()
    third_party_registry_accounts: tuple[str, ...] = ()
    require_s3_layer_bucket_only: bool = False


def _region_of(service_name: str) -> str:
    parts = service_name.split(".")
    return parts[-2] if len(parts) >= 2 else ""


def _judge(record: EndpointRecord, owner_account: str, settings: EndpointRuleSettings) -> Evaluation:
    name = record.endpoint_id
    if record.kind is EndpointKind.OTHER:
        return fitted_evaluation(
            ComplianceType.NOT_APPLICABLE,
            name,
            RESOURCE_TYPE,
            f"not an ECR or S3 gateway endpoint ({record.service_name})",
        )
    if not record.policy_known:
        return fitted_evaluation(
            ComplianceType.NON_COMPLIANT,
            name,
            RESOURCE_TYPE,
            "the endpoint policy is unknown (not in the record)",
        )
    try:
        if record.kind is EndpointKind.S3_GATEWAY:
            judged = judge_s3_gateway_policy(
                record.policy,
                region=_region_of(record.service_name),
                layer_bucket_only=settings.require_s3_layer_bucket_only,
            )
        else:
            judged = judge_ecr_endpoint_policy(
                record.policy,
                owner_account=owner_account,
                trusted_accounts=settings.trusted_accounts,
                trusted_org_ids=settings.trusted_organizations,
                third_party_registry_accounts=settings.third_party_registry_accounts,
            )
    except (PolicyError, ValueError) as exc:
        return fitted_evaluation(
            ComplianceType.NON_COMPLIANT, name, RESOURCE_TYPE, f"endpoint policy could not be analysed: {exc}"
        )
    if judged.compliant:
        return fitted_evaluation(
            ComplianceType.COMPLIANT, name, RESOURCE_TYPE, f"{record.kind.value} endpoint policy bounded"
        )
    first, *others = judged.problems
    more = f" (+{len(others)} more)" if others else ""
    return fitted_evaluation(ComplianceType.NON_COMPLIANT, name, RESOURCE_TYPE, f"{first}{more}")


def endpoint_evaluation(
    record: EndpointRecord, *, owner_account: str, settings: EndpointRuleSettings
) -> Evaluation:
    """The endpoint's evaluation; any failure or overrun is reported against it alone."""
    return judge_isolated(
        record.endpoint_id,
        RESOURCE_TYPE,
        lambda: _judge(record, owner_account, settings),
        lambda failed: failed,
    )
