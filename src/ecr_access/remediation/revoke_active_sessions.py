"""Runbook ECRAccess-RevokeActiveSessions (incident response): deny every action to a role's older sessions.

Credentials a role already handed out stay valid until they expire, whatever
policy is attached later — unless a policy denies requests signed with tokens
issued before now. This is IAM's own "Revoke active sessions" pattern: an inline
policy denying ``*`` when ``aws:TokenIssueTime`` is earlier than now (IAM User
Guide, "Revoking IAM role temporary security credentials").

It writes policy *content*, which IAM cannot constrain, so the role that runs it
could write any inline policy on a role: it is the one deployed role that can
escalate. Hence: the runbook starts with an ``aws:approve`` step (named approvers
must approve before anything is written), it is never wired to automatic
remediation, the member stack creates its role only on request
(``EnableIncidentResponse=true``), the role's policy denies writing to the
product's own and AWS-owned roles, and the same protections as the revoke runbook
apply in code.
"""

import json
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ecr_access.remediation.revoke_layer_download import find_principal, refusal
from ecr_access.remediation.script_inputs import RemediationRefused
from ecr_access.sources.iam_policy_text import keep_policy_text

POLICY_NAME = "ECRAccessRevokeOlderSessions"


def session_deny(issued_before: str) -> dict[str, Any]:
    # Built in steps: this module is the runbook's inline script, where SSM would read two closing
    # braces in a row as the end of a parameter reference (see test_no_script_holds_a_parameter_reference).
    older = dict(DateLessThan=dict([("aws:TokenIssueTime", issued_before)]))
    statement = dict(Sid="RevokeOlderSessions", Effect="Deny", Action="*", Resource="*", Condition=older)
    return {"Version": "2012-10-17", "Statement": [statement]}


def handler(events: dict[str, Any], context: Any) -> dict[str, Any]:
    iam, sts = keep_policy_text(boto3.client("iam")), boto3.client("sts")
    caller = sts.get_caller_identity()["Arn"]
    kind, entity = find_principal(iam, events["ResourceId"], kinds=("Role",))  # only roles have sessions
    if (reason := refusal(kind, entity, events, caller)) is not None:
        raise RemediationRefused(f"refused: {reason}; nothing changed")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = entity["RoleName"]
    try:
        iam.put_role_policy(
            RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(session_deny(now))
        )
    except ClientError as exc:
        raise RemediationRefused(
            f"writing {POLICY_NAME} on {entity['Arn']} failed ({exc.response['Error']['Code']}); "
            "nothing changed"
        ) from exc
    undo = f"aws iam delete-role-policy --role-name {name} --policy-name {POLICY_NAME}"
    return {
        "Action": "REVOKED",
        "PrincipalArn": entity["Arn"],
        "IssuedBefore": now,
        "UndoCommand": undo,
        "Message": f"sessions of {entity['Arn']} issued before {now} are denied every action. Undo: {undo}",
    }
