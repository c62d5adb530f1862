"""Configuration items as AWS Config would record them, read from the (moto) account's APIs.

For change-triggered rule runs in the demo and the tests: the same keys and forms
as real items, including URL-encoded IAM policy documents and a repository's
``RepositoryPolicyText`` as the JSON text ECR stores (``{}`` without a policy).
"""

import json
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from ecr_access.testing.config_harness import REGION, configuration_item


def _encoded(document: Any) -> str:
    return quote(json.dumps(document), safe="")


def repository_item(ecr: Any, name: str, *, status: str = "OK") -> dict:
    """The AWS::ECR::Repository item for a repository that exists."""
    repository = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    try:
        policy: Any = ecr.get_repository_policy(repositoryName=name)["policyText"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "RepositoryPolicyNotFoundException":
            raise
        policy = {}
    tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"]).get("tags", [])
    configuration = {
        "RepositoryName": name,
        "Arn": repository["repositoryArn"],
        "RepositoryUri": repository["repositoryUri"],
        "ImageTagMutability": repository.get("imageTagMutability", "MUTABLE"),
        "ImageScanningConfiguration": {
            "ScanOnPush": repository.get("imageScanningConfiguration", {}).get("scanOnPush", False)
        },
        "EncryptionConfiguration": {"EncryptionType": "AES256"},
        "RepositoryPolicyText": policy,
        "Tags": tags,
    }
    return configuration_item(
        "AWS::ECR::Repository",
        name,
        name,
        repository["repositoryArn"],
        configuration,
        status=status,
        region=REGION,
        tags={t["Key"]: t["Value"] for t in tags},
    )


def role_item(iam: Any, name: str, *, status: str = "OK") -> dict:
    """The AWS::IAM::Role item for a role that exists."""
    data = iam.get_role(RoleName=name)["Role"]
    inline = [
        {
            "policyName": n,
            "policyDocument": _encoded(iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"]),
        }
        for n in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    attached = [
        {"policyName": p["PolicyName"], "policyArn": p["PolicyArn"]}
        for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    ]
    boundary = data.get("PermissionsBoundary")
    configuration = {
        "path": data["Path"],
        "roleName": name,
        "roleId": data["RoleId"],
        "arn": data["Arn"],
        "createDate": "2026-01-05T12:00:00.000Z",
        "assumeRolePolicyDocument": _encoded(data["AssumeRolePolicyDocument"]),
        "instanceProfileList": [],
        "rolePolicyList": inline,
        "attachedManagedPolicies": attached,
        "permissionsBoundary": {
            "permissionsBoundaryType": "PermissionsBoundaryPolicy",
            "permissionsBoundaryArn": boundary["PermissionsBoundaryArn"],
        }
        if boundary
        else None,
        "tags": [{"key": t["Key"], "value": t["Value"]} for t in data.get("Tags", [])],
        "roleLastUsed": None,
    }
    return configuration_item(
        "AWS::IAM::Role", data["RoleId"], name, data["Arn"], configuration, status=status
    )
