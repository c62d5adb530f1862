"""Builds authorization-details pages for tests: one principal with the policies a case names."""

from typing import Any

OWNER = "111122223333"
REPO = f"arn:aws:ecr:us-east-1:{OWNER}:repository/team/app"
ECS_TASKS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def as_document(policy: Any) -> dict:
    """A statement, a list of statements, or a whole document → a document."""
    if isinstance(policy, dict) and "Statement" in policy:
        return policy
    statements = policy if isinstance(policy, list) else [policy]
    return {"Version": "2012-10-17", "Statement": statements}


def authorization_details(
    policies=(),
    *,
    kind: str = "role",
    name: str = "app",
    account: str = OWNER,
    path: str = "/",
    boundary: Any = None,
    managed: dict[str, Any] | None = None,
    groups: dict[str, Any] | None = None,
    missing_groups: tuple[str, ...] = (),
    tags: dict[str, str] | None = None,
) -> dict:
    """One page holding one user or role (plus its groups and managed policies)."""
    inline = [{"PolicyName": f"inline{i}", "PolicyDocument": as_document(p)} for i, p in enumerate(policies)]
    documents = {f"arn:aws:iam::{account}:policy/{n}": as_document(p) for n, p in (managed or {}).items()}
    attached = [{"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn} for arn in documents]
    entity: dict[str, Any] = {
        "Path": path,
        "Arn": f"arn:aws:iam::{account}:{kind}{path}{name}",
        "AttachedManagedPolicies": attached,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }
    if boundary is not None:
        arn = f"arn:aws:iam::{account}:policy/boundary"
        documents[arn] = as_document(boundary)
        entity["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    page: dict[str, Any] = {"UserDetailList": [], "RoleDetailList": [], "GroupDetailList": []}
    if kind == "role":
        entity.update(RoleName=name, RoleId="AROAEXAMPLEROLE000001", RolePolicyList=inline)
        page["RoleDetailList"].append(entity)
    else:
        group_names = [*(groups or {}), *missing_groups]
        entity.update(
            UserName=name, UserId="AIDAEXAMPLEUSER000001", UserPolicyList=inline, GroupList=group_names
        )
        page["UserDetailList"].append(entity)
        for group_name, policy in (groups or {}).items():
            page["GroupDetailList"].append(
                {
                    "GroupName": group_name,
                    "GroupId": f"AGPA{group_name.upper():0<17}",
                    "GroupPolicyList": [{"PolicyName": "grant", "PolicyDocument": as_document(policy)}],
                    "AttachedManagedPolicies": [],
                }
            )
    page["Policies"] = [
        {
            "Arn": arn,
            "DefaultVersionId": "v1",
            "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": True}],
        }
        for arn, doc in documents.items()
    ]
    return page
