"""AWS managed policies (the ~1,580 documents moto ships) through the real loading path.

A role holding exactly one managed policy is created in moto with
MOTO_IAM_LOAD_MANAGED_POLICIES=true, the account is read back with
get_account_authorization_details, and the engine decides each role.
"""

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.iam.aws_managed_policies import aws_managed_policies_data

from ecr_access import PermissionEvaluator, load_authorization_details

from principal_builder import ECS_TASKS_TRUST

NOW = 1_780_272_000.0
REPOSITORY = "arn:aws:ecr:us-east-1:123456789012:repository/any-name"
GOLDEN = Path(__file__).parent / "data" / "managed_policies_granting_layer_download.txt"
TRUST = json.dumps(ECS_TASKS_TRUST)

EXPECTED = {
    "AmazonEC2ContainerRegistryReadOnly": "ALLOWED",
    "AmazonEC2ContainerRegistryPullOnly": "ALLOWED",
    "service-role/AmazonECSTaskExecutionRolePolicy": "ALLOWED",
    "PowerUserAccess": "ALLOWED",
    "ReadOnlyAccess": "ALLOWED",
    "AdministratorAccess": "ALLOWED",
    "job-function/ViewOnlyAccess": "DENIED",
    "SecurityAudit": "DENIED",
    "AmazonEKSWorkerNodePolicy": "DENIED",
    "aws-service-role/ECRReplicationServiceRolePolicy": "DENIED",
    "AmazonEC2ContainerRegistryFullAccess": "ALLOWED",
}


@pytest.fixture(scope="module")
def moto_account():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        with mock_aws():
            iam = boto3.client("iam", region_name="us-east-1")
            for number, path in enumerate(EXPECTED):
                iam.create_role(RoleName=f"holder-{number}", AssumeRolePolicyDocument=TRUST)
                iam.attach_role_policy(
                    RoleName=f"holder-{number}", PolicyArn=f"arn:aws:iam::aws:policy/{path}"
                )
            pages = list(iam.get_paginator("get_account_authorization_details").paginate())
    return load_authorization_details(pages)


def test_moto_dump_carries_the_managed_documents(moto_account):
    assert moto_account.managed_policy_count >= 1_500
    assert moto_account.problems == ()


@pytest.mark.parametrize(("path", "verdict"), list(EXPECTED.items()), ids=list(EXPECTED))
def test_role_holding_one_managed_policy(moto_account, path, verdict):
    (role,) = [p for p in moto_account.principals if p.policies[0].source.arn.endswith(f"policy/{path}")]
    decision = PermissionEvaluator(repository_arn=REPOSITORY, now=NOW).evaluate(role)
    assert decision.verdict.value == verdict, decision.reason
    if verdict == "ALLOWED":
        assert decision.reason.startswith(f"Allowed by managed policy {path.rsplit('/', 1)[-1]}, statement ")


def _granting_set() -> list[str]:
    corpus = json.loads(aws_managed_policies_data)
    roles, policies = [], []
    for number, (name, data) in enumerate(sorted(corpus.items())):
        arn = f"arn:aws:iam::aws:policy{data['Path']}{name}"
        roles.append(
            {
                "RoleName": f"r{number}",
                "RoleId": f"AROAEXAMPLE{number:010d}",
                "Path": "/",
                "Arn": f"arn:aws:iam::123456789012:role/r{number}",
                "RolePolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": name, "PolicyArn": arn}],
            }
        )
        policies.append(
            {"Arn": arn, "PolicyVersionList": [{"Document": data["Document"], "IsDefaultVersion": True}]}
        )
    account = load_authorization_details({"RoleDetailList": roles, "Policies": policies})
    evaluator = PermissionEvaluator(repository_arn=REPOSITORY, now=NOW)
    lines = []
    for role in account.principals:
        decision = evaluator.evaluate(role)
        if decision.verdict.value != "DENIED":
            lines.append(f"{decision.verdict.value} {role.policies[0].source.arn.split(':policy', 1)[1]}")
    return lines


def test_the_complete_set_of_managed_policies_granting_layer_download_is_reviewed():
    """Any change in which AWS managed policies grant ecr:GetDownloadUrlForLayer on an arbitrary
    repository (a new moto corpus, an engine change) shows up here as a diff to review, and the
    golden file is updated on purpose: regenerate it with the snippet in its header."""
    recorded = [line for line in GOLDEN.read_text().splitlines() if line and not line.startswith("#")]
    assert _granting_set() == recorded
