"""IAM as the effective-permission rule reads it.

Periodic: one ``GetAccountAuthorizationDetails`` sweep (1,000 items a page, the
filters below) — every user, role, group and managed policy in
(principals + policies) / 1,000 calls, no per-principal calls. A page that fails
(past botocore's retries) or a deadline that nears ends the sweep as incomplete.

Change-triggered: the principal comes from its configuration item; what the item
only names — managed policies, group policies — is read from IAM, once per run.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.config_rules.deadline import Deadline

log = logging.getLogger("ecr_access.sources")
AUTHORIZATION_FILTER = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
PAGE_SIZE = 1_000


@dataclass(slots=True)
class AuthorizationSweep:
    pages: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = True
    failure: str | None = None


def _describe(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return f"{exc.response['Error'].get('Code')}: {exc.response['Error'].get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"


def sweep_authorization_details(iam: Any, *, deadline: Deadline) -> AuthorizationSweep:
    sweep = AuthorizationSweep()
    request: dict[str, Any] = {"Filter": AUTHORIZATION_FILTER, "MaxItems": PAGE_SIZE}
    while True:
        try:
            page = iam.get_account_authorization_details(**request)
        except (ClientError, BotoCoreError) as exc:
            sweep.complete, sweep.failure = (
                False,
                f"GetAccountAuthorizationDetails page {len(sweep.pages) + 1}: " + (_describe(exc)),
            )
            log.error("authorization-details sweep failed: %s", sweep.failure)
            return sweep
        sweep.pages.append(page)
        if not page.get("IsTruncated"):
            return sweep
        if deadline.passed():
            sweep.complete, sweep.failure = False, f"deadline reached after {len(sweep.pages)} page(s)"
            log.error("authorization-details sweep stopped: %s", sweep.failure)
            return sweep
        request["Marker"] = page["Marker"]


class IamReader:
    """Reads what a configuration item only names; each policy and group once per run."""

    def __init__(self, iam: Any) -> None:
        self._iam = iam
        self._documents: dict[str, Any] = {}
        self._groups: dict[str, dict[str, Any]] = {}

    def managed_document(self, arn: str) -> Any | None:
        """The default version's document; None when the policy no longer exists."""
        if arn not in self._documents:
            try:
                version = self._iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                document = self._iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"][
                    "Document"
                ]
            except ClientError as exc:
                if exc.response["Error"].get("Code") != "NoSuchEntity":
                    raise
                document = None
            self._documents[arn] = document
        return self._documents[arn]

    def group_item(self, name: str) -> dict[str, Any]:
        """A group as an AWS::IAM::Group configuration item would describe it, read from IAM."""
        if name not in self._groups:
            inline = []
            for page in self._iam.get_paginator("list_group_policies").paginate(GroupName=name):
                for policy_name in page["PolicyNames"]:
                    document = self._iam.get_group_policy(GroupName=name, PolicyName=policy_name)[
                        "PolicyDocument"
                    ]
                    inline.append({"policyName": policy_name, "policyDocument": document})
            attached = [
                {"policyName": p["PolicyName"], "policyArn": p["PolicyArn"]}
                for page in self._iam.get_paginator("list_attached_group_policies").paginate(GroupName=name)
                for p in page["AttachedPolicies"]
            ]
            self._groups[name] = {
                "resourceType": "AWS::IAM::Group",
                "configuration": {
                    "groupName": name,
                    "groupPolicyList": inline,
                    "attachedManagedPolicies": attached,
                },
            }
        return self._groups[name]
