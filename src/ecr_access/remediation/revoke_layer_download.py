"""Runbook ECRAccess-RevokeLayerDownload: take ecr:GetDownloadUrlForLayer away from one principal.

Config passes the principal's unique id (``AROA…``/``AIDA…``); it is resolved to a
role or user through paged ListRoles/ListUsers. The runbook *attaches* the customer
managed policy ``ECRAccessDenyLayerDownload`` that the member stack creates — an
explicit Deny of the action on every resource, which overrides any Allow (IAM User
Guide, "Policy evaluation logic") — and nothing else: its role may attach that one
policy (``iam:AttachRolePolicy``/``AttachUserPolicy`` conditioned on
``iam:PolicyARN``, the condition key that "filters access by the ARN of an IAM policy":
Service Authorization Reference, IAM) and write no policy content, so whoever can start it gains
nothing. Before attaching it checks that the policy's default version is exactly
that Deny; after, that it is attached.

It never touches a service-linked role, an IAM Identity Center role (its permission
set owns it), the product's own roles (``ecr-access-*``: protected here, in code),
the automation role, the roles named in ``ProtectedRoleNames`` (which can add, never
remove, protection) or an allow-listed principal. Revoking a role's *older
sessions* writes policy content, so it is a separate incident-response runbook
(ECRAccess-RevokeActiveSessions) behind an approval step.
Undo: detach the policy (the UndoCommand output).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ecr_access.ecr_action_names import GET_DOWNLOAD_URL_FOR_LAYER
from ecr_access.loaders.documents import document_text
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.json_text import load_policy_json
from ecr_access.policy.wildcard import wildcard_match
from ecr_access.remediation.script_inputs import RemediationRefused, comma_separated
from ecr_access.sources.iam_policy_text import keep_policy_text

POLICY_NAME = "ECRAccessDenyLayerDownload"
PRODUCT_ROLE_PREFIX = "ecr-access-"  # the rule execution, automation and function roles
DENY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "DenyLayerDownload", "Effect": "Deny", "Action": GET_DOWNLOAD_URL_FOR_LAYER, "Resource": "*"}
    ],
}


def listed_principals(
    iam: Any, kinds: tuple[str, ...] = ("Role", "User")
) -> Iterator[tuple[str, dict[str, Any]]]:
    """("Role" | "User", the listed entity) for every role and user, page by page."""
    for kind in kinds:
        for page in iam.get_paginator(f"list_{kind.lower()}s").paginate():
            for entity in page[f"{kind}s"]:
                yield kind, entity


def find_principal(
    iam: Any,
    unique_id: str,
    listed: Mapping[str, tuple[str, dict[str, Any]]] | None = None,
    kinds: tuple[str, ...] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The principal with this unique id: from ``listed`` (unique id → listing) when the caller
    already listed them all, else paged until found — ids are not an IAM lookup key."""
    if listed is not None:
        found = listed.get(unique_id)
    else:
        kinds = kinds or (("Role", "User") if unique_id.startswith("AROA") else ("User", "Role"))
        found = next(((k, e) for k, e in listed_principals(iam, kinds) if e[f"{k}Id"] == unique_id), None)
    if found is None:
        raise RemediationRefused(
            f"no IAM role or user has the unique id {unique_id} (deleted?); nothing changed"
        )
    return found


def role_name_of(arn: str) -> str:
    # arn:aws:iam::123456789012:role/path/name or arn:aws:sts::123456789012:assumed-role/name/session
    resource = arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return resource.split("/")[1]
    return resource.rsplit("/", 1)[-1]


def refusal(kind: str, entity: dict[str, Any], events: Mapping[str, Any], caller_arn: str) -> str | None:
    """Why this principal must not be touched, or None. Protection can be added, never removed."""
    arn = entity["Arn"]
    path = entity.get("Path", "/")
    if kind == "Role" and path.startswith("/aws-service-role/"):
        return f"{arn} is a service-linked role: AWS owns it"
    if kind == "Role" and path.startswith("/aws-reserved/sso.amazonaws.com/"):
        # IAM answers UnmodifiableEntity for roles IAM Identity Center provisions (IAM Identity
        # Center User Guide, "Permission sets"): the deny belongs in the permission set.
        return f"{arn} is provisioned by IAM Identity Center: add the deny to its permission set instead"
    if kind == "Role":
        name = entity["RoleName"]
        protected = {role_name_of(caller_arn), role_name_of(events.get("AutomationAssumeRole") or ":role/")}
        protected.update(comma_separated(events, "ProtectedRoleNames"))
        if name.startswith(PRODUCT_ROLE_PREFIX) or name in protected:
            return f"{arn} runs ecr-access (or this automation); it is never modified"
    for pattern in comma_separated(events, "AllowedPrincipalArns"):
        if wildcard_match(pattern, arn, case_sensitive=True):
            return f"{arn} is allow-listed by {pattern}"
    return None


def deny_policy_arn(caller_arn: str) -> str:
    """The member stack's policy in the caller's own partition and account."""
    partition, account = caller_arn.split(":")[1], caller_arn.split(":")[4]
    return f"arn:{partition}:iam::{account}:policy/{POLICY_NAME}"


def _check_deny_policy(iam: Any, arn: str) -> None:
    try:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        stored = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        same = load_policy_json(document_text(stored)) == DENY_DOCUMENT
    except ClientError as exc:
        raise RemediationRefused(
            f"the policy {arn} cannot be read ({exc.response['Error']['Code']}): deploy the member stack, "
            "which creates it; nothing changed"
        ) from exc
    except PolicyError:
        same = False
    if not same:
        raise RemediationRefused(f"{arn} is not the Deny the member stack creates; nothing changed")


@dataclass(frozen=True, slots=True)
class Revocation:
    """What the runbook would attach; ``ecr-access scan --remediate --dry-run`` shows it."""

    kind: str  # "Role" | "User"
    name: str
    arn: str
    policy_arn: str


def propose(
    iam: Any,
    caller_arn: str,
    events: Mapping[str, Any],
    listed: Mapping[str, tuple[str, dict[str, Any]]] | None = None,
) -> Revocation:
    """Resolve the principal and check it may be touched; raises RemediationRefused; writes nothing."""
    kind, entity = find_principal(iam, events["ResourceId"], listed)
    if (reason := refusal(kind, entity, events, caller_arn)) is not None:
        raise RemediationRefused(f"refused: {reason}; nothing changed")
    return Revocation(kind, entity[f"{kind}Name"], entity["Arn"], deny_policy_arn(caller_arn))


def _attached(iam: Any, kind: str, name: str) -> set[str]:
    paginator = iam.get_paginator(f"list_attached_{kind.lower()}_policies")
    return {
        p["PolicyArn"]
        for page in paginator.paginate(**{f"{kind}Name": name})
        for p in page["AttachedPolicies"]
    }


def handler(events: dict[str, Any], context: Any) -> dict[str, Any]:
    iam, sts = keep_policy_text(boto3.client("iam")), boto3.client("sts")
    revocation = propose(iam, sts.get_caller_identity()["Arn"], events)
    kind, name, arn, policy = revocation.kind, revocation.name, revocation.arn, revocation.policy_arn
    _check_deny_policy(iam, policy)
    in_place = policy in _attached(iam, kind, name)
    if not in_place:
        try:
            getattr(iam, f"attach_{kind.lower()}_policy")(**{f"{kind}Name": name, "PolicyArn": policy})
        except ClientError as exc:
            raise RemediationRefused(
                f"attaching {POLICY_NAME} to {arn} failed ({exc.response['Error']['Code']}); nothing changed"
            ) from exc
    if policy not in _attached(iam, kind, name):
        raise RemediationRefused(f"{POLICY_NAME} is not attached to {arn} after attaching it")
    undo = f"aws iam detach-{kind.lower()}-policy --{kind.lower()}-name {name} --policy-arn {policy}"
    action = "ALREADY_IN_PLACE" if in_place else "ATTACHED"
    message = f"{action}: {POLICY_NAME} on {arn} denies {GET_DOWNLOAD_URL_FOR_LAYER}. Undo: {undo}"
    if topic := (events.get("NotificationTopicArn") or "").strip():
        boto3.client("sns").publish(TopicArn=topic, Subject="ecr-access remediation", Message=message)
    return {
        "Action": action,
        "PrincipalArn": arn,
        "PolicyName": POLICY_NAME,
        "Verdict": "DENIED",
        "Reason": f"explicit Deny of {GET_DOWNLOAD_URL_FOR_LAYER} on * in managed policy {policy}",
        "UndoCommand": undo,
        "Message": message,
    }
