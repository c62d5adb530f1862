"""The IAM policies of every role the templates create, in one place (the templates embed them).

Each is least privilege for what its code calls, and a test analyses them all with
the engine: none may call ecr:GetDownloadUrlForLayer, none uses a "*" action, and
the rule roles write nothing but evaluations and logs.
"""

import json
from typing import Any

from ecr_access.project_files import project_root

IAM_POLICIES = project_root() / "deploy" / "iam"
RULE_EXECUTION_ROLE_NAME = "ecr-access-rule-execution"
# Each runbook's AutomationAssumeRole, created under this fixed name in every member account, so
# the pack can name it as arn:<partition>:iam::{{global:ACCOUNT_ID}}:role/<name> everywhere.
RUNBOOK_ROLES = {
    "ECRAccess-RestrictRepositoryPolicy": "ecr-access-restrict-repository-policy",
    "ECRAccess-RevokeLayerDownload": "ecr-access-revoke-layer-download",
    "ECRAccess-RevokeActiveSessions": "ecr-access-revoke-active-sessions",
    "ECRAccess-RestrictVpcEndpointPolicy": "ecr-access-restrict-vpc-endpoint-policy",
}


def automation_policy(runbook: str) -> dict[str, Any]:
    """The runbook's AutomationAssumeRole policy (deploy/iam/<runbook>.automation-policy.json)."""
    return json.loads((IAM_POLICIES / f"{runbook}.automation-policy.json").read_text())


# What the rules read in an evaluated account, and the two Config calls they make.
RULE_EXECUTION_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadRepositoryPolicies",
            "Effect": "Allow",
            "Action": [
                "ecr:DescribeRepositories",
                "ecr:GetRepositoryPolicy",
                "ecr:ListTagsForResource",
                "tag:GetResources",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ReadRegistryPaths",
            "Effect": "Allow",
            "Action": ["ecr:DescribeRegistry", "ecr:GetRegistryPolicy", "ecr:DescribePullThroughCacheRules"],
            "Resource": "*",
        },
        {
            "Sid": "ReadVpcEndpoints",
            "Effect": "Allow",
            "Action": "ec2:DescribeVpcEndpoints",
            "Resource": "*",
        },
        {
            "Sid": "ReadIamAuthorization",
            "Effect": "Allow",
            "Action": [
                "iam:GetAccountAuthorizationDetails",
                "iam:GetPolicy",
                "iam:GetPolicyVersion",
                "iam:ListGroupPolicies",
                "iam:GetGroupPolicy",
                "iam:ListAttachedGroupPolicies",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ReportToConfig",
            "Effect": "Allow",
            "Action": [
                "config:PutEvaluations",
                "config:GetComplianceDetailsByConfigRule",
                "config:GetResourceConfigHistory",
            ],
            "Resource": "*",
        },
    ],
}

# The rule Lambdas' own role: assume the execution role in evaluated accounts, read SCPs (EvaluateScps).
RULE_FUNCTION_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AssumeExecutionRoleInEvaluatedAccounts",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ExecutionRoleName}"},
            # Only in this organization's accounts (one account: only this one), whoever's Config
            # invoked the function (IAM User Guide, global condition keys aws:ResourceOrgID and
            # aws:ResourceAccount: the organization / account that owns the role being assumed).
            "Condition": {
                "Fn::If": [
                    "IsOrganization",
                    {"StringEquals": {"aws:ResourceOrgID": {"Ref": "OrganizationId"}}},
                    {"StringEquals": {"aws:ResourceAccount": {"Ref": "AWS::AccountId"}}},
                ]
            },
        },
        {
            "Sid": "ReadServiceControlPolicies",
            "Effect": "Allow",
            "Action": [
                "organizations:DescribeOrganization",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:DescribePolicy",
            ],
            "Resource": "*",
        },
    ],
}


def service_trust(service: str, *, this_account_only: bool = False) -> dict[str, Any]:
    """A trust policy letting one AWS service assume the role (optionally only for this account:
    aws:SourceAccount, IAM User Guide, "The confused deputy problem")."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if this_account_only:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    return {"Version": "2012-10-17", "Statement": [statement]}
