"""The rule's current results in Config, for clean-up and ReportOnlyChanges."""

from dataclasses import dataclass
from typing import Any

COMPLIANCE_TYPES = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE")


@dataclass(frozen=True, slots=True)
class PriorResult:
    resource_type: str
    resource_id: str
    compliance: str
    annotation: str


def read_prior_results(config: Any, rule_name: str) -> dict[tuple[str, str], PriorResult]:
    """Every result the rule holds now, keyed by (resource type, resource id); paginated."""
    results: dict[tuple[str, str], PriorResult] = {}
    token = None
    while True:
        request = {"ConfigRuleName": rule_name, "ComplianceTypes": list(COMPLIANCE_TYPES), "Limit": 100}
        if token:
            request["NextToken"] = token
        page = config.get_compliance_details_by_config_rule(**request)
        for result in page.get("EvaluationResults", ()):
            qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
            key = (qualifier["ResourceType"], qualifier["ResourceId"])
            results[key] = PriorResult(key[0], key[1], result["ComplianceType"], result.get("Annotation", ""))
        token = page.get("NextToken")
        if not token:
            return results
