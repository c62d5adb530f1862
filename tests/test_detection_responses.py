"""The detection Lambda across accounts and its responsive option, on moto.

- A pull by a non-approved role asks its account to revoke: the request reaches that account's
  default bus (captured by an SQS target on the rule's own pattern), the template's input
  transformer turns it into the runbook's parameters, and ECRAccess-RevokeLayerDownload, run
  by the local Automation runner, ends the role's layer download.
- Findings of a member account are imported into Security Hub *in that account*, through the
  member role; callers of that account are read there (tags approve).
- The templates: the EventBridge states CloudTrail read events need, the organization bus's
  fence, and the responsive option off by default.
"""

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from test_detection_pulls import assumed_role, record

from ecr_access import PermissionEvaluator, load_authorization_details
from ecr_access.deployment.detection_templates import detection_template, forwarder_template
from ecr_access.detection import handler, responses
from ecr_access.detection.account_clients import MEMBER_ROLE_NAME, RENEW_AFTER_SECONDS, AccountClients
from ecr_access.detection.dedup import Deduplicator
from ecr_access.remediation.revoke_layer_download import DENY_DOCUMENT
from ecr_access.testing.accounts import session_in
from ecr_access.testing.automation_runner import AutomationRunner

from principal_builder import ECS_TASKS_TRUST

ROOT = Path(__file__).resolve().parent.parent
RUNBOOK = ROOT / "remediation" / "ECRAccess-RevokeLayerDownload.yaml"
OWN = "123456789012"  # moto's default account: the detection Lambda's
MEMBER = "444455556666"
APPROVED = "arn:aws:iam::*:role/approved-*"
STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
PULL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}],
}


def _bus(detail):
    return {
        "version": "0",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ecr",
        "detail": detail,
    }


def _in(account, event):
    """The record as the registry account's trail writes it."""
    return {
        **event,
        "recipientAccountId": account,
        "requestParameters": {"registryId": account, "repositoryName": "team/app"},
    }


def _session(account):
    return (
        boto3.Session(region_name="us-east-1")
        if account == OWN
        else session_in(account, role=MEMBER_ROLE_NAME)
    )


def _revoke_requests_of(session):
    """An SQS queue behind a rule with the responsive rule's own pattern on the account's default bus."""
    sqs = session.client("sqs")
    queue = sqs.create_queue(QueueName="revoke-requests")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = session.client("events")
    events.put_rule(Name="revoke-requests", EventPattern=json.dumps(responses.PATTERN), State="ENABLED")
    events.put_targets(Rule="revoke-requests", Targets=[{"Id": "queue", "Arn": arn}])

    def received():
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    return received


@pytest.fixture
def lambda_env(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        topic = boto3.client("sns").create_topic(Name="ecr-access-findings")["TopicArn"]
        monkeypatch.setenv("FINDINGS_TOPIC_ARN", topic)
        monkeypatch.setenv(
            "ECR_ACCESS_PARAMETERS",
            json.dumps(
                {"AllowedPrincipalArns": "arn:aws:iam::*:role/approved-*", "TrustedAccountIds": MEMBER}
            ),
        )
        monkeypatch.setattr(handler, "_DEDUP", Deduplicator())
        monkeypatch.setattr(handler, "_SINKS", [])
        yield monkeypatch


def _runbook_parameters(event, template, account):
    """What EventBridge hands the runbook: the template's InputTransformer applied to the event
    (placeholders take the JSON value at their path; EventBridge API Reference, InputTransformer)."""
    (target,) = template["Resources"]["RevokeRequestRule"]["Properties"]["Targets"]
    transformer = target["InputTransformer"]
    text = transformer["InputTemplate"]["Fn::Sub"]
    for name, value in {
        "AWS::Partition": "aws",
        "AWS::AccountId": account,
        "AllowedPrincipalArns": "",
    }.items():
        text = text.replace("${" + name + "}", value)
    for key, path in transformer["InputPathsMap"].items():
        value = event
        for part in path.removeprefix("$.").split("."):
            value = value[part]
        text = text.replace(f"<{key}>", json.dumps(value))
    assert target["Arn"]["Fn::Sub"].endswith(f"automation-definition/{responses.RUNBOOK}:$DEFAULT")
    return {name: values[0] for name, values in json.loads(text).items()}


def test_a_pull_by_a_non_approved_role_ends_with_the_revoke_runbook_denying_it(lambda_env):
    lambda_env.setenv("REVOKE_ON_PULL_FINDING", "true")
    iam = boto3.client("iam")
    iam.create_policy(PolicyName="ECRAccessDenyLayerDownload", PolicyDocument=json.dumps(DENY_DOCUMENT))
    for name in ("intruder", "approved-ci"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))
        iam.put_role_policy(RoleName=name, PolicyName="pull", PolicyDocument=json.dumps(PULL))
    received = _revoke_requests_of(_session(OWN))

    def pull_by(name, time):
        role = iam.get_role(RoleName=name)["Role"]
        identity = assumed_role(role["Arn"], account=OWN)
        identity["sessionContext"]["sessionIssuer"]["principalId"] = role["RoleId"]
        return handler.lambda_handler(_bus(_in(OWN, record(identity, time=time))), None)

    assert pull_by("approved-ci", "2026-11-30T10:00:00Z") is None
    assert received() == []  # an approved pull asks for nothing
    assert pull_by("intruder", "2026-11-30T10:01:00Z") is not None
    (event,) = received()
    assert event["detail"]["principalArn"] == f"arn:aws:iam::{OWN}:role/intruder"

    parameters = _runbook_parameters(event, detection_template(), OWN)
    assert parameters["ResourceId"] == iam.get_role(RoleName="intruder")["Role"]["RoleId"]
    execution = AutomationRunner(RUNBOOK).start(parameters)
    assert execution.status == "Success", execution

    details = iam.get_account_authorization_details()
    verdicts = {
        p.name: PermissionEvaluator(repository_arn=None).evaluate(p).verdict.value
        for p in load_authorization_details(details).principals
    }
    assert verdicts == {"intruder": "DENIED", "approved-ci": "ALLOWED"}


def test_a_pull_from_an_unexpected_network_by_an_approved_role_is_reported_but_never_revoked(lambda_env):
    lambda_env.setenv("REVOKE_ON_PULL_FINDING", "true")
    lambda_env.setenv(
        "ECR_ACCESS_PARAMETERS",
        json.dumps({"AllowedPrincipalArns": APPROVED, "ExpectedCidrs": "10.0.0.0/8"}),
    )
    received = _revoke_requests_of(_session(OWN))
    identity = assumed_role(f"arn:aws:iam::{OWN}:role/approved-ci", account=OWN)
    finding = handler.lambda_handler(_bus(_in(OWN, record(identity, ip="203.0.113.9"))), None)
    assert finding is not None and "outside the expected networks" in finding["Description"]
    assert received() == []


def test_member_accounts_findings_callers_and_revoke_requests_are_handled_in_that_account(lambda_env):
    lambda_env.setenv("MEMBER_ROLE_NAME", MEMBER_ROLE_NAME)
    lambda_env.setenv("SECURITY_HUB", "true")
    lambda_env.setenv("REVOKE_ON_PULL_FINDING", "true")
    lambda_env.setenv(
        "ECR_ACCESS_PARAMETERS",
        json.dumps({"AllowedPrincipalTagKey": "ecr-access", "AllowedPrincipalTagValue": "approved-app"}),
    )
    member = _session(MEMBER)
    member_iam = member.client("iam")
    roles = {}
    for name, tags in (("tagged", [{"Key": "ecr-access", "Value": "approved-app"}]), ("untagged", [])):
        roles[name] = member_iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST), Tags=tags
        )["Role"]
    received = _revoke_requests_of(member)

    def pull_by(name, time):
        identity = assumed_role(roles[name]["Arn"], account=MEMBER)
        identity["sessionContext"]["sessionIssuer"]["principalId"] = roles[name]["RoleId"]
        return handler.lambda_handler(_bus(_in(MEMBER, record(identity, time=time))), None)

    assert pull_by("tagged", "2026-11-30T10:00:00Z") is None  # its tags were read in its own account
    finding = pull_by("untagged", "2026-11-30T10:01:00Z")
    assert finding is not None and "were not read" not in finding["Description"]

    imported = member.client("securityhub").get_findings()["Findings"]
    assert [f["Id"] for f in imported] == [finding["Id"]] and imported[0]["AwsAccountId"] == MEMBER
    assert boto3.client("securityhub").get_findings()["Findings"] == []  # not in the security account
    (event,) = received()
    assert event["detail"] == {
        **event["detail"],
        "principalId": roles["untagged"]["RoleId"],
        "account": MEMBER,
    }


class _FakeSts:
    def __init__(self, fail=False):
        self.calls, self.fail = 0, fail

    def assume_role(self, RoleArn, RoleSessionName):
        from botocore.exceptions import ClientError

        self.calls += 1
        if self.fail:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "AssumeRole")
        credentials = {"AccessKeyId": f"ASIA{self.calls}", "SecretAccessKey": "s", "SessionToken": "t"}
        return {"Credentials": credentials}


@pytest.mark.parametrize(
    ("member_role", "fails", "expected"),
    [
        pytest.param(MEMBER_ROLE_NAME, False, ["ASIA1", "ASIA1", "ASIA2"], id="renewed-before-an-hour"),
        pytest.param(MEMBER_ROLE_NAME, True, [None, None, None], id="cannot-assume-is-logged-and-none"),
        pytest.param(None, False, [None, None, None], id="no-member-role-configured"),
    ],
)
def test_member_account_clients(member_role, fails, expected):
    sts, now, logged = _FakeSts(fails), [0.0], []

    def make_client(service, **kwargs):
        return sts if service == "sts" else kwargs.get("aws_access_key_id")

    clients = AccountClients(
        OWN, member_role, partition="aws", make_client=make_client, log=logged.append, clock=lambda: now[0]
    )
    seen = []
    for elapsed in (0.0, 60.0, RENEW_AFTER_SECONDS + 61.0):
        now[0] = elapsed
        seen.append(clients.client("securityhub", MEMBER, "us-east-1"))
    assert seen == expected
    assert bool(logged) == fails
    assert clients.client("securityhub", "not-an-account") is None


def test_templates_deliver_read_only_events_fence_the_bus_and_keep_revoke_off_by_default():
    detection, forwarder = detection_template(), forwarder_template()
    for template, rule in ((detection, "DefaultBusRule"), (forwarder, "ForwardingRule")):
        # with ENABLED, read-only management events such as GetDownloadUrlForLayer are not delivered
        assert (
            template["Resources"][rule]["Properties"]["State"]
            == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
        )
        assert template["Parameters"]["RevokeOnPullFinding"]["Default"] == "false"
        assert template["Resources"]["RevokeRequestRule"]["Condition"] == "IsRevoke"
        assert template["Resources"]["RevokeInvocationRole"]["Condition"] == "IsRevoke"
    policy = detection["Resources"]["OrganizationBusPolicy"]["Properties"]["Statement"]
    assert policy["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}}
    member = forwarder["Resources"]["MemberRole"]
    assert member["Condition"] == "IsHomeRegion"  # IAM names are global: one Region creates it
    (trust,) = member["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"]["AWS"]["Fn::Sub"][0].endswith(":role/ecr-access-detection-function")
