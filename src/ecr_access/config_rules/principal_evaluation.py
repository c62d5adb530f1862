"""One principal's effective permission → one Config evaluation for ECR_LAYER_DOWNLOAD_RESTRICTED."""

from dataclasses import dataclass, field

from rdklib import ComplianceType, Evaluation

from ecr_access.config_rules.allow_list import AllowList
from ecr_access.config_rules.annotation import fitted_evaluation
from ecr_access.permissions import AccessDecision, AccessVerdict, IamPrincipal


@dataclass(frozen=True, slots=True)
class PrincipalRuleSettings:
    allow_list: AllowList = field(default_factory=AllowList)
    conditional_is_compliant: bool = False


def principal_evaluation(
    principal: IamPrincipal, decision: AccessDecision | None, settings: PrincipalRuleSettings, scp_note: str
) -> Evaluation:
    """``decision`` is None for a service-linked role (AWS owns it; it is not judged)."""
    resource_type = principal.type.config_resource_type

    def evaluation(compliance: str, annotation: str) -> Evaluation:
        return fitted_evaluation(compliance, principal.unique_id, resource_type, annotation)

    if decision is None:
        return evaluation(ComplianceType.NOT_APPLICABLE, "service-linked role: owned by AWS")
    if decision.unreadable:
        return evaluation(ComplianceType.NON_COMPLIANT, f"{decision.reason}; {scp_note}")
    granted = decision.verdict is AccessVerdict.ALLOWED or (
        decision.verdict is AccessVerdict.CONDITIONAL and not settings.conditional_is_compliant
    )
    if not granted:
        return evaluation(ComplianceType.COMPLIANT, f"{decision.reason}; {scp_note}")
    if (entry := settings.allow_list.entry_for(principal)) is not None:
        return evaluation(ComplianceType.COMPLIANT, f"Allow-listed by {entry}: {decision.reason}")
    return evaluation(ComplianceType.NON_COMPLIANT, f"{decision.reason}; {scp_note}")
