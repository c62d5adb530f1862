"""The rule's current results in Config, for clean-up and ReportOnlyChanges.

Reading them is a side read: when it fails (a denied
GetComplianceDetailsByConfigRule, throttling past retries) or would eat the time
needed to put, the run goes on without them, putting every evaluation and
retiring nothing, rather than putting none.
"""

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.config_rules.deadline import PRIOR_RESERVE_SECONDS, Deadline
from ecr_access.sources.aws_errors import describe_error

COMPLIANCE_TYPES = ("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE")
log = logging.getLogger("ecr_access.config_rules")


@dataclass(frozen=True, slots=True)
class PriorResult:
    resource_type: str
    resource_id: str
    compliance: str
    annotation: str


def read_prior_results(
    config: Any, rule_name: str, deadline: Deadline | None = None
) -> dict[tuple[str, str], PriorResult] | None:
    """Every result the rule holds now, keyed by (resource type, resource id); paginated.

    None when they could not all be read: the caller must then neither filter nor retire.
    """
    deadline = deadline or Deadline(None)
    results: dict[tuple[str, str], PriorResult] = {}
    token = None
    while True:
        if not deadline.leaves(PRIOR_RESERVE_SECONDS):
            log.warning("prior results not read completely before the deadline: putting every evaluation")
            return None
        request = {"ConfigRuleName": rule_name, "ComplianceTypes": list(COMPLIANCE_TYPES), "Limit": 100}
        if token:
            request["NextToken"] = token
        try:
            page = config.get_compliance_details_by_config_rule(**request)
        except (ClientError, BotoCoreError) as exc:
            log.warning(
                "prior results could not be read (%s): putting every evaluation, retiring none",
                describe_error(exc, "config"),
            )
            return None
        for result in page.get("EvaluationResults", ()):
            qualifier = result["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
            key = (qualifier["ResourceType"], qualifier["ResourceId"])
            results[key] = PriorResult(key[0], key[1], result["ComplianceType"], result.get("Annotation", ""))
        token = page.get("NextToken")
        if not token:
            return results
