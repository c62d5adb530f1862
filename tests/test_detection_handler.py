"""The detection Lambda on EventBridge-delivered CloudTrail events: registry changes and pulls, to SNS and
Security Hub (moto)."""

import json

import boto3
import pytest
from moto import mock_aws
from test_detection_pulls import REGISTRY, USER, assumed_role, record

from ecr_access.detection import handler
from ecr_access.detection.dedup import Deduplicator
from ecr_access.detection.registry_events import judge_registry_change

from principal_builder import ECS_TASKS_TRUST

OTHER = "444455556666"
PARAMETERS = {"AllowedPrincipalArns": "arn:aws:iam::*:role/service-role/*", "TrustedAccountIds": OTHER}


def change(event, parameters):
    return {**record(USER, event=event), "requestParameters": {"registryId": REGISTRY, **parameters}}


PUBLIC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}],
}


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        pytest.param(
            change("SetRepositoryPolicy", {"repositoryName": "app", "policyText": json.dumps(PUBLIC)}),
            "PUBLIC",
            id="repository-made-public",
        ),
        pytest.param(
            change(
                "SetRepositoryPolicy",
                {
                    "repositoryName": "app",
                    "policyText": json.dumps(
                        {**PUBLIC, "Statement": [{**PUBLIC["Statement"][0], "Principal": {"AWS": OTHER}}]}
                    ),
                },
            ),
            None,
            id="trusted-account-grant",
        ),
        pytest.param(
            change(
                "PutRegistryPolicy",
                {
                    "policyText": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                                    "Action": ["ecr:ReplicateImage", "ecr:CreateRepository"],
                                    "Resource": "*",
                                }
                            ],
                        }
                    )
                },
            ),
            "999988887777",
            id="registry-policy-grants-an-outsider",
        ),
        pytest.param(
            change(
                "PutReplicationConfiguration",
                {
                    "replicationConfiguration": {
                        "rules": [{"destinations": [{"region": "eu-west-1", "registryId": "999988887777"}]}]
                    }
                },
            ),
            "copies images to registry 999988887777",
            id="replication-out-of-the-zone",
        ),
        pytest.param(
            change(
                "PutReplicationConfiguration",
                {
                    "replicationConfiguration": {
                        "rules": [{"destinations": [{"region": "eu-west-1", "registryId": OTHER}]}]
                    }
                },
            ),
            None,
            id="replication-to-a-trusted-account",
        ),
        pytest.param(
            change(
                "CreatePullThroughCacheRule",
                {"ecrRepositoryPrefix": "hub", "upstreamRegistryUrl": "registry-1.docker.io"},
            ),
            "registry-1.docker.io",
            id="pull-through-cache-for-review",
        ),
        pytest.param(
            change("SetRepositoryPolicy", {"repositoryName": "app", "policyText": "{not json"}),
            "could not be judged",
            id="unreadable-policy-is-never-harmless",
        ),
    ],
)
def test_registry_changes_that_open_exfiltration_paths(event, reason):
    finding = judge_registry_change(event, trusted_accounts=frozenset({OTHER}))
    if reason is None:
        assert finding is None
    else:
        assert finding is not None and any(reason in r for r in finding.reasons), finding


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        topic = sns.create_topic(Name="ecr-access-findings")["TopicArn"]
        queue = sqs.create_queue(QueueName="q")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        monkeypatch.setenv("FINDINGS_TOPIC_ARN", topic)
        monkeypatch.setenv("SECURITY_HUB", "true")
        monkeypatch.setenv("ECR_ACCESS_PARAMETERS", json.dumps(PARAMETERS))
        monkeypatch.setattr(handler, "_DEDUP", Deduplicator())
        monkeypatch.setattr(handler, "_SINKS", [])  # a fresh Lambda instance per test
        yield sqs, queue


def _bus(detail):
    return {
        "version": "0",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ecr",
        "detail": detail,
    }


def test_a_burst_of_layer_events_is_one_message_and_one_security_hub_finding(aws):
    sqs, queue = aws
    account = boto3.client("sts").get_caller_identity()["Account"]  # the Lambda's: its own findings import

    def here(event):
        return {**event, "requestParameters": {"registryId": account, "repositoryName": "team/app"}}

    burst = [here(record(USER, time=f"2026-11-30T10:00:{s:02}Z")) for s in range(40)]
    results = [handler.lambda_handler(_bus(e), None) for e in burst]
    assert sum(r is not None for r in results) == 1
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert (
        len(messages) == 1 and "user/dana is not allow-listed" in json.loads(messages[0]["Body"])["Message"]
    )
    findings = boto3.client("securityhub").get_findings()["Findings"]
    assert len(findings) == 1
    (finding,) = findings
    assert (
        finding["AwsAccountId"] == account
        and finding["Action"]["AwsApiCallAction"]["Api"] == "GetDownloadUrlForLayer"
    )
    # the same pull seen again (another instance, a retry) updates the finding: same id
    handler._DEDUP = Deduplicator()
    handler.lambda_handler(_bus(burst[5]), None)
    assert len(boto3.client("securityhub").get_findings()["Findings"]) == 1
    # another account's registry: Security Hub accepts only the caller's own findings, so SNS only
    assert handler.lambda_handler(_bus(record(USER, time="2026-11-30T12:00:00Z")), None) is not None
    assert len(boto3.client("securityhub").get_findings()["Findings"]) == 1


def test_an_allow_listed_pull_says_nothing(aws):
    sqs, queue = aws
    assert handler.lambda_handler(_bus(record(assumed_role())), None) is None
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)


def test_a_registry_change_is_reported(aws):
    sqs, queue = aws
    event = change("SetRepositoryPolicy", {"repositoryName": "app", "policyText": json.dumps(PUBLIC)})
    asff = handler.lambda_handler(_bus(event), None)
    assert asff["Severity"]["Label"] == "HIGH" and "SetRepositoryPolicy" in asff["Title"]
    assert len(sqs.receive_message(QueueUrl=queue)["Messages"]) == 1


def test_bad_settings_fail_loudly():
    with pytest.raises(Exception, match="ExpectedCidrs"):
        handler.settings_from({"ExpectedCidrs": "10.0.0.0/33"})


def test_tag_and_service_entries_approve_a_pull_once_the_callers_iam_record_is_read(aws, monkeypatch):
    """The allow-list's tag entry needs the role's tags: the handler reads them (iam:GetRole) for callers
    of its own account, once per instance."""
    monkeypatch.setenv(
        "ECR_ACCESS_PARAMETERS",
        json.dumps({"AllowedPrincipalTagKey": "ecr-access", "AllowedPrincipalTagValue": "approved-app"}),
    )
    iam = boto3.client("iam")
    trust = ECS_TASKS_TRUST
    for name, tags in (("tagged", [{"Key": "ecr-access", "Value": "approved-app"}]), ("untagged", [])):
        iam.create_role(
            RoleName=name, Path="/service-role/", AssumeRolePolicyDocument=json.dumps(trust), Tags=tags
        )
    account = boto3.client("sts").get_caller_identity()["Account"]
    tagged = assumed_role(f"arn:aws:iam::{account}:role/service-role/tagged", account=account)
    untagged = assumed_role(f"arn:aws:iam::{account}:role/service-role/untagged", account=account)

    def own_registry(event):
        return {
            **event,
            "recipientAccountId": account,
            "requestParameters": {"registryId": account, "repositoryName": "app"},
        }

    reads = []
    real_read = handler._read_principal
    monkeypatch.setattr(handler, "_read_principal", lambda *a: reads.append(a[2]) or real_read(*a))
    assert handler.lambda_handler(_bus(own_registry(record(tagged))), None) is None
    later = record(tagged, time="2026-11-30T12:00:00Z")  # another pull of the same role, later
    assert handler.lambda_handler(_bus(own_registry(later)), None) is None
    assert reads == ["tagged"]  # its IAM record was read once for this Lambda instance
    finding = handler.lambda_handler(_bus(own_registry(record(untagged, time="2026-11-30T11:00:00Z"))), None)
    assert finding is not None and "role/service-role/untagged is not allow-listed" in finding["Description"]
    assert "were not read" not in finding["Description"]  # the record was read: the tag is simply missing
