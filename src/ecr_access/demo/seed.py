"""Creating the demo account's repositories and principals through the AWS APIs."""

import json
from typing import Any

from ecr_access.demo.organization_slice import (
    BOUNDARIES,
    GROUPS,
    PRINCIPALS,
    REPOSITORIES,
    SERVICE_LINKED,
    DemoPrincipal,
)
from ecr_access.remediation.revoke_layer_download import DENY_DOCUMENT
from ecr_access.remediation.revoke_layer_download import POLICY_NAME as DENY_POLICY_NAME


def _aws_managed(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"


def _trust(principal: dict[str, Any]) -> str:
    action = "sts:AssumeRoleWithSAML" if "Federated" in principal else "sts:AssumeRole"
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _create_principal(iam: Any, principal: DemoPrincipal, boundaries: dict[str, str]) -> None:
    kind, name = principal.kind, principal.name
    request: dict[str, Any] = {f"{kind}Name": name, "Path": principal.path}
    if principal.tags:
        request["Tags"] = [{"Key": k, "Value": v} for k, v in principal.tags.items()]
    if principal.boundary:
        request["PermissionsBoundary"] = boundaries[principal.boundary]
    if kind == "Role":
        iam.create_role(AssumeRolePolicyDocument=_trust(principal.trust or {}), **request)
    else:
        iam.create_user(**request)
    lower = kind.lower()
    for managed in principal.managed:
        getattr(iam, f"attach_{lower}_policy")(**{f"{kind}Name": name, "PolicyArn": _aws_managed(managed)})
    if principal.inline is not None:
        getattr(iam, f"put_{lower}_policy")(
            **{f"{kind}Name": name, "PolicyName": "inline", "PolicyDocument": json.dumps(principal.inline)}
        )
    for group in principal.groups:
        iam.add_user_to_group(GroupName=group, UserName=name)


def seed_account(iam: Any, ecr: Any) -> None:
    """Create everything in ``organization_slice`` (AWS managed policies must exist already)."""
    for name, managed in GROUPS.items():
        iam.create_group(GroupName=name)
        for policy in managed:
            iam.attach_group_policy(GroupName=name, PolicyArn=_aws_managed(policy))
    boundaries = {
        name: iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
        for name, document in BOUNDARIES.items()
    }
    for principal in PRINCIPALS:
        _create_principal(iam, principal, boundaries)
    for service in SERVICE_LINKED:
        iam.create_service_linked_role(AWSServiceName=service)
    # What the member stack deploys in every account: the Deny the revoke runbook attaches.
    iam.create_policy(PolicyName=DENY_POLICY_NAME, PolicyDocument=json.dumps(DENY_DOCUMENT))
    for repository in REPOSITORIES:
        tags = [{"Key": k, "Value": v} for k, v in repository.tags.items()]
        ecr.create_repository(repositoryName=repository.name, **({"tags": tags} if tags else {}))
        if repository.policy is not None:
            ecr.set_repository_policy(
                repositoryName=repository.name, policyText=json.dumps(repository.policy, indent=2)
            )
