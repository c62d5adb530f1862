"""The responsive option: a pull by a non-approved principal asks the revoke runbook to run.

The detection Lambda does not start the runbook itself. It puts one event on the default
bus of the *caller's* account (where the principal and the runbook live); there an
EventBridge rule, deployed only when the option is on, targets the SSM Automation
runbook ``ECRAccess-RevokeLayerDownload`` with the principal's unique id (Systems Manager
User Guide, "Run automations based on EventBridge events": the target is the runbook's
``automation-definition/<name>:$DEFAULT``, with a role EventBridge assumes). So the same
runbook, role and checks as Config's remediation do the work: it only attaches the
explicit Deny, and it refuses allow-listed, protected and product roles by itself.

Only an allow-list miss asks for a revoke: a pull that is merely from an unexpected
network, or a caller without a unique id (root, federated, another account's principal
known only by account), is reported and left to people.
"""

import json
from typing import Any

from ecr_access.detection.callers import CallerType
from ecr_access.detection.dedup import pull_key
from ecr_access.detection.pull_events import PullFinding

SOURCE = "ecr-access.detection"
DETAIL_TYPE = "ecr-access pull by a non-approved principal"
RUNBOOK = "ECRAccess-RevokeLayerDownload"
PATTERN = {"source": [SOURCE], "detail-type": [DETAIL_TYPE]}


def revoke_request(finding: PullFinding) -> dict[str, Any] | None:
    """The PutEvents entry asking the caller's account to revoke, or None when no revoke is due."""
    caller = finding.pull.caller
    if caller.type not in (CallerType.ROLE, CallerType.USER) or not caller.principal_id or not caller.account:
        return None
    if not finding.not_allow_listed:
        return None
    detail = {
        "principalId": caller.principal_id,
        "principalArn": caller.principal_arn,
        "account": caller.account,
        "repository": finding.pull.repository_arn,
        "findingId": f"ecr-access/pull/{pull_key(finding.pull)}",
    }
    return {"Source": SOURCE, "DetailType": DETAIL_TYPE, "Detail": json.dumps(detail)}
