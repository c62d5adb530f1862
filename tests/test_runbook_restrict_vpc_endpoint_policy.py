"""Runbook ECRAccess-RestrictVpcEndpointPolicy run by the local Automation runner against moto EC2: the
perimeter Denies are added (nothing else changes, so access can only narrow), the original is backed up,
and the rule's engine judges the endpoint bounded afterwards."""

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ecr_access.exposure.endpoint_policies import judge_ecr_endpoint_policy
from ecr_access.perimeter.endpoint_policies import PRINCIPALS_SID, REGISTRIES_SID
from ecr_access.testing.automation_runner import AutomationRunner
from ecr_access.testing.config_harness import ConfigCapture, capture_config

DOCUMENT = Path(__file__).resolve().parent.parent / "remediation" / "ECRAccess-RestrictVpcEndpointPolicy.yaml"
ACCOUNT, REGION, ORG = "123456789012", "us-east-1", "o-a1b2c3d4e5"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-access-restrict-vpc-endpoint-policy"
ORG_IDENTITIES = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OrgIdentities",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        }
    ],
}


@pytest.fixture
def ec2(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        capture = ConfigCapture()
        with capture_config(capture):
            client = boto3.client("ec2")
            client.vpc = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            client.capture = capture
            yield client


def endpoint(ec2, service="ecr.dkr", kind="Interface", document=None):
    extra = {"PolicyDocument": json.dumps(document)} if document else {}
    return ec2.create_vpc_endpoint(
        VpcId=ec2.vpc, ServiceName=f"com.amazonaws.{REGION}.{service}", VpcEndpointType=kind, **extra
    )["VpcEndpoint"]["VpcEndpointId"]


def policy_of(ec2, endpoint_id):
    (item,) = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    return json.loads(item["PolicyDocument"])


def run(endpoint_id, **parameters):
    return AutomationRunner(DOCUMENT).start(
        {"VpcEndpointId": endpoint_id, "AutomationAssumeRole": ROLE, **parameters}
    )


@pytest.mark.parametrize(
    ("document", "parameters"),
    [
        pytest.param(None, {"TrustedOrganizationIds": ORG}, id="default-full-access-policy"),
        pytest.param(ORG_IDENTITIES, {"TrustedOrganizationIds": ORG}, id="principals-bounded-registries-not"),
        pytest.param(ORG_IDENTITIES, {}, id="organization-not-trusted-so-only-the-account"),
    ],
)
def test_the_perimeter_denies_are_added_and_nothing_else_changes(ec2, document, parameters):
    endpoint_id = endpoint(ec2, document=document)
    before = policy_of(ec2, endpoint_id)
    execution = run(endpoint_id, **parameters)
    assert execution.status == "Success", execution.failure
    outputs = execution.step("RestrictVpcEndpointPolicy").outputs
    after = policy_of(ec2, endpoint_id)
    # only Denies were added: every old statement is there as it was (an explicit Deny never widens)
    assert after["Statement"][: len(before["Statement"])] == before["Statement"]
    added = after["Statement"][len(before["Statement"]) :]
    assert [s["Sid"] for s in added] == [PRINCIPALS_SID, REGISTRIES_SID]
    assert all(s["Effect"] == "Deny" for s in added)
    trusted = [ORG] if parameters else []
    judged = judge_ecr_endpoint_policy(json.dumps(after), owner_account=ACCOUNT, trusted_org_ids=trusted)
    assert judged.compliant, judged.problems
    # the original is backed up, and the restore command reads it back
    ssm = boto3.client("ssm")
    backup = ssm.get_parameter(Name=f"{outputs['BackupParameter']}/part-1")["Parameter"]["Value"]
    assert json.loads(backup) == before
    assert outputs["RestoreCommand"].startswith(
        f"aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint_id}"
    )


def test_running_twice_changes_nothing_the_second_time(ec2):
    endpoint_id = endpoint(ec2)
    assert run(endpoint_id, TrustedOrganizationIds=ORG).status == "Success"
    once = policy_of(ec2, endpoint_id)
    ec2.capture.calls.clear()
    second = run(endpoint_id, TrustedOrganizationIds=ORG)
    assert second.step("RestrictVpcEndpointPolicy").outputs["Action"] == "NONE"
    assert policy_of(ec2, endpoint_id) == once
    assert ("ec2", "ModifyVpcEndpoint") not in ec2.capture.calls


def test_an_s3_gateway_endpoint_is_refused_because_fixing_it_would_need_an_allow(ec2):
    endpoint_id = endpoint(ec2, service="s3", kind="Gateway", document={"Statement": []})
    execution = run(endpoint_id)
    assert execution.status == "Failed" and "not an ECR interface endpoint" in execution.failure
    assert policy_of(ec2, endpoint_id) == {"Statement": []}
    assert ("ec2", "ModifyVpcEndpoint") not in ec2.capture.calls


def test_an_unknown_endpoint_is_refused(ec2):
    execution = run("vpce-0123456789abcdef0")
    assert execution.status == "Failed"
