"""Runbook ECRAccess-RevokeLayerDownload: take ecr:GetDownloadUrlForLayer away from one principal.

Config passes the principal's unique id (``AROA…``/``AIDA…``); it is resolved to a
role or user through paged ListRoles/ListUsers. The runbook attaches one inline
policy, ``ECRAccessDenyLayerDownload``, that explicitly denies the action on every
resource (an explicit deny overrides any allow: IAM User Guide, "Policy evaluation
logic"), optionally also denying every action to role sessions issued before now
(the IAM console's "revoke active sessions" pattern, on ``aws:TokenIssueTime``). It
never detaches or deletes the principal's own policies, and never touches a
service-linked role, an IAM Identity Center role (its permission set owns it), the
automation role, the Config rule's execution role or an
allow-listed principal. It then re-reads the principal and re-evaluates its
effective permission with the engine: the execution fails unless it is DENIED.
Undo: delete that one inline policy.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ecr_access.ecr_action_names import GET_DOWNLOAD_URL_FOR_LAYER
from ecr_access.loaders.config_items import load_config_items
from ecr_access.loaders.documents import document_text
from ecr_access.permissions.decision import AccessVerdict
from ecr_access.permissions.evaluate import PermissionEvaluator
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.json_text import load_policy_json
from ecr_access.policy.wildcard import wildcard_match
from ecr_access.remediation.script_inputs import RemediationRefused, comma_separated, flag
from ecr_access.sources.iam_policy_text import keep_policy_text
from ecr_access.sources.iam_reader import IamReader

POLICY_NAME = "ECRAccessDenyLayerDownload"


def listed_principals(
    iam: Any, kinds: tuple[str, ...] = ("Role", "User")
) -> Iterator[tuple[str, dict[str, Any]]]:
    """("Role" | "User", the listed entity) for every role and user, page by page."""
    for kind in kinds:
        for page in iam.get_paginator(f"list_{kind.lower()}s").paginate():
            for entity in page[f"{kind}s"]:
                yield kind, entity


def _find(
    iam: Any, unique_id: str, listed: Mapping[str, tuple[str, dict[str, Any]]] | None = None
) -> tuple[str, dict[str, Any]]:
    """The principal with this unique id: from ``listed`` (unique id → listing) when the caller
    already listed them all, else paged until found — ids are not an IAM lookup key."""
    if listed is not None:
        found = listed.get(unique_id)
    else:
        kinds = ("Role", "User") if unique_id.startswith("AROA") else ("User", "Role")
        found = next(((k, e) for k, e in listed_principals(iam, kinds) if e[f"{k}Id"] == unique_id), None)
    if found is None:
        raise RemediationRefused(
            f"no IAM role or user has the unique id {unique_id} (deleted?); nothing changed"
        )
    return found


def _role_name(arn: str) -> str:
    # arn:aws:iam::123456789012:role/path/name or arn:aws:sts::123456789012:assumed-role/name/session
    resource = arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return resource.split("/")[1]
    return resource.rsplit("/", 1)[-1]


def _refusal(kind: str, entity: dict[str, Any], events: dict[str, Any], caller_arn: str) -> str | None:
    arn = entity["Arn"]
    if kind == "Role" and entity.get("Path", "/").startswith("/aws-service-role/"):
        return f"{arn} is a service-linked role: AWS owns it"
    if kind == "Role" and entity.get("Path", "/").startswith("/aws-reserved/sso.amazonaws.com/"):
        # IAM answers UnmodifiableEntity for roles IAM Identity Center provisions (IAM Identity
        # Center User Guide, "Permission sets"): the deny belongs in the permission set.
        return f"{arn} is provisioned by IAM Identity Center: add the deny to its permission set instead"
    protected = {_role_name(caller_arn), _role_name(events.get("AutomationAssumeRole") or ":role/")}
    protected.update(comma_separated(events, "ProtectedRoleNames"))
    if kind == "Role" and entity["RoleName"] in protected:
        return f"{arn} runs this automation or the Config rule; it is never modified"
    for pattern in comma_separated(events, "AllowedPrincipalArns"):
        if wildcard_match(pattern, arn, case_sensitive=True):
            return f"{arn} is allow-listed by {pattern}"
    return None


def deny_document(*, revoke_sessions_before: str | None) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [
        {"Sid": "DenyLayerDownload", "Effect": "Deny", "Action": GET_DOWNLOAD_URL_FOR_LAYER, "Resource": "*"}
    ]
    if revoke_sessions_before is not None:
        statements.append(
            {
                "Sid": "RevokeOlderSessions",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": revoke_sessions_before}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


@dataclass(frozen=True, slots=True)
class Revocation:
    """What the runbook would attach; ``ecr-access scan --remediate --dry-run`` shows it."""

    kind: str  # "Role" | "User"
    name: str
    arn: str
    document: dict[str, Any]  # the inline policy POLICY_NAME
    revokes_sessions: bool


def propose(
    iam: Any,
    caller_arn: str,
    events: dict[str, Any],
    now: str,
    listed: Mapping[str, tuple[str, dict[str, Any]]] | None = None,
) -> Revocation:
    """Resolve the principal and plan the inline deny; raises RemediationRefused; writes nothing."""
    kind, entity = _find(iam, events["ResourceId"], listed)
    if (reason := _refusal(kind, entity, events, caller_arn)) is not None:
        raise RemediationRefused(f"refused: {reason}; nothing changed")
    revoke = flag(events, "RevokeActiveSessions") and kind == "Role"
    document = deny_document(revoke_sessions_before=now if revoke else None)
    return Revocation(kind, entity[f"{kind}Name"], entity["Arn"], document, revoke)


def handler(events: dict[str, Any], context: Any) -> dict[str, Any]:
    iam, sts = keep_policy_text(boto3.client("iam")), boto3.client("sts")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    revocation = propose(iam, sts.get_caller_identity()["Arn"], events, now)
    kind, name, arn, document = revocation.kind, revocation.name, revocation.arn, revocation.document
    revoke = revocation.revokes_sessions
    put = getattr(iam, f"put_{kind.lower()}_policy")
    try:
        current = getattr(iam, f"get_{kind.lower()}_policy")(
            **{f"{kind}Name": name, "PolicyName": POLICY_NAME}
        )
        in_place = not revoke and load_policy_json(document_text(current["PolicyDocument"])) == document
    except PolicyError:
        in_place = False  # someone rewrote it into something unreadable: put ours again
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise
        in_place = False
    if not in_place:
        try:
            put(**{f"{kind}Name": name, "PolicyName": POLICY_NAME, "PolicyDocument": json.dumps(document)})
        except ClientError as exc:
            raise RemediationRefused(
                f"attaching {POLICY_NAME} to {arn} failed ({exc.response['Error']['Code']}); nothing changed"
            ) from exc

    reader = IamReader(iam)
    items = reader.principal_items(kind, name)
    (principal,) = load_config_items(
        items, managed_policy_documents=reader.managed_documents(items)
    ).principals
    decision = PermissionEvaluator(repository_arn=None).evaluate(principal)
    undo = f"aws iam delete-{kind.lower()}-policy --{kind.lower()}-name {name} --policy-name {POLICY_NAME}"
    if decision.verdict is not AccessVerdict.DENIED:
        raise RemediationRefused(
            f"{arn} is still {decision.verdict.value} after {POLICY_NAME}: {decision.reason}"
        )
    action = "ALREADY_IN_PLACE" if in_place else "ATTACHED"
    message = (
        f"{action}: {POLICY_NAME} on {arn} denies {GET_DOWNLOAD_URL_FOR_LAYER}"
        f"{'; role sessions issued before ' + now + ' revoked' if revoke else ''}. Undo: {undo}"
    )
    if topic := (events.get("NotificationTopicArn") or "").strip():
        boto3.client("sns").publish(TopicArn=topic, Subject="ecr-access remediation", Message=message)
    return {
        "Action": action,
        "PrincipalArn": arn,
        "PolicyName": POLICY_NAME,
        "Verdict": decision.verdict.value,
        "Reason": decision.reason,
        "UndoCommand": undo,
        "Message": message,
    }
