"""Runbook ECRAccess-RevokeLayerDownload run by the local Automation runner against moto."""

import json
from pathlib import Path

import boto3
import pytest

from ecr_access import PermissionEvaluator, load_authorization_details
from ecr_access.testing.automation_runner import AutomationRunner
from ecr_access.testing.config_harness import client_error

from principal_builder import ECS_TASKS_TRUST

DOCUMENT = Path(__file__).resolve().parent.parent / "remediation" / "ECRAccess-RevokeLayerDownload.yaml"
ACCOUNT = "123456789012"
AUTOMATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-access-remediation"
STEP = "RevokeLayerDownload"
PULL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}],
}


@pytest.fixture
def iam(moto):
    return boto3.client("iam", region_name="us-east-1")


def run(resource_id, **parameters):
    return AutomationRunner(DOCUMENT).start(
        {"ResourceId": resource_id, "AutomationAssumeRole": AUTOMATION_ROLE, **parameters}
    )


def effective(iam, name):
    details = iam.get_account_authorization_details()
    principal = next(p for p in load_authorization_details(details).principals if p.name == name)
    return PermissionEvaluator(repository_arn=None).evaluate(principal)


def grant(iam, how):
    """A principal granted ecr:GetDownloadUrlForLayer in the named way; returns (name, unique id)."""
    if how == "user-group":
        iam.create_group(GroupName="pullers")
        iam.put_group_policy(GroupName="pullers", PolicyName="pull", PolicyDocument=json.dumps(PULL))
        user = iam.create_user(UserName="dev")["User"]
        iam.add_user_to_group(GroupName="pullers", UserName="dev")
        return "dev", user["UserId"]
    if how == "user-inline":
        user = iam.create_user(UserName="dev")["User"]
        iam.put_user_policy(UserName="dev", PolicyName="pull", PolicyDocument=json.dumps(PULL))
        return "dev", user["UserId"]
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))["Role"]
    if how == "role-inline":
        iam.put_role_policy(RoleName="app", PolicyName="pull", PolicyDocument=json.dumps(PULL))
    else:
        arn = iam.create_policy(PolicyName="ecr-pull", PolicyDocument=json.dumps(PULL))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    return "app", role["RoleId"]


@pytest.mark.parametrize("how", ["role-inline", "role-managed", "user-inline", "user-group"])
def test_granted_principals_end_denied_and_keep_their_own_policies(iam, capture, how):
    name, unique_id = grant(iam, how)
    assert effective(iam, name).verdict.value == "ALLOWED"
    execution = run(unique_id)
    assert execution.status == "Success", execution.failure
    assert effective(iam, name).verdict.value == "DENIED"
    outputs = execution.outputs
    assert (outputs[f"{STEP}.Action"], outputs[f"{STEP}.Verdict"]) == ("ATTACHED", "DENIED")
    kind = "role" if how.startswith("role") else "user"
    assert outputs[f"{STEP}.UndoCommand"] == (
        f"aws iam delete-{kind}-policy --{kind}-name {name} --policy-name ECRAccessDenyLayerDownload"
    )
    removals = {
        "DetachRolePolicy",
        "DeleteRolePolicy",
        "DetachUserPolicy",
        "DeleteUserPolicy",
        "RemoveUserFromGroup",
    }
    assert not removals & {op for _, op in capture.calls}


def test_running_twice_is_idempotent(iam):
    _, unique_id = grant(iam, "role-inline")
    assert run(unique_id).outputs[f"{STEP}.Action"] == "ATTACHED"
    second = run(unique_id)
    assert second.status == "Success"
    assert second.outputs[f"{STEP}.Action"] == "ALREADY_IN_PLACE"
    assert sorted(iam.list_role_policies(RoleName="app")["PolicyNames"]) == [
        "ECRAccessDenyLayerDownload",
        "pull",
    ]


def test_undo_restores_the_grant(iam):
    name, unique_id = grant(iam, "role-managed")
    run(unique_id)
    iam.delete_role_policy(RoleName=name, PolicyName="ECRAccessDenyLayerDownload")
    assert effective(iam, name).verdict.value == "ALLOWED"


def test_revoke_active_sessions_denies_older_role_sessions(iam):
    _, unique_id = grant(iam, "role-inline")
    execution = run(unique_id, RevokeActiveSessions="true")
    assert execution.status == "Success", execution.failure
    document = iam.get_role_policy(RoleName="app", PolicyName="ECRAccessDenyLayerDownload")["PolicyDocument"]
    revoke = document["Statement"][1]
    assert (revoke["Sid"], revoke["Action"], revoke["Resource"]) == ("RevokeOlderSessions", "*", "*")
    assert list(revoke["Condition"]["DateLessThan"]) == ["aws:TokenIssueTime"]
    assert "sessions issued before" in execution.outputs[f"{STEP}.Message"]


def test_notification_says_what_was_done_and_how_to_undo(iam, capture):
    sns = boto3.client("sns", region_name="us-east-1")
    topic = sns.create_topic(Name="ecr-access-remediation")["TopicArn"]
    _, unique_id = grant(iam, "role-inline")
    published = []
    capture.faults.append(lambda op, params: published.append(params) if op == "Publish" else None)
    execution = run(unique_id, NotificationTopicArn=topic)
    assert execution.status == "Success", execution.failure
    (message,) = published
    assert message["TopicArn"] == topic
    assert "ECRAccessDenyLayerDownload on arn:aws:iam::123456789012:role/app" in message["Message"]
    assert "Undo: aws iam delete-role-policy --role-name app" in message["Message"]


@pytest.mark.parametrize(
    ("setup", "parameters", "message"),
    [
        pytest.param(
            "allow-listed",
            {"AllowedPrincipalArns": "arn:aws:iam::*:role/app"},
            "refused: arn:aws:iam::123456789012:role/app is allow-listed by arn:aws:iam::*:role/app",
            id="allow-listed",
        ),
        pytest.param("service-linked", {}, "is a service-linked role: AWS owns it", id="service-linked"),
        pytest.param(
            "identity-center",
            {},
            "is provisioned by IAM Identity Center: add the deny to its permission set instead",
            id="identity-center-role",
        ),
        pytest.param("automation-role", {}, "runs this automation or the Config rule", id="automation-role"),
        pytest.param("rule-role", {}, "runs this automation or the Config rule", id="rule-execution-role"),
    ],
)
def test_protected_principals_are_refused_and_untouched(iam, capture, setup, parameters, message):
    if setup == "service-linked":
        unique_id = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleId"]
    elif setup == "identity-center":
        unique_id = iam.create_role(
            RoleName="AWSReservedSSO_ReadOnly_0123456789abcdef",
            Path="/aws-reserved/sso.amazonaws.com/",
            AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST),
        )["Role"]["RoleId"]
    else:
        name = {
            "allow-listed": "app",
            "automation-role": "ecr-access-remediation",
            "rule-role": "ecr-access-rule-execution",
        }[setup]
        unique_id = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))[
            "Role"
        ]["RoleId"]
    execution = run(unique_id, **parameters)
    assert execution.status == "Failed"
    assert message in execution.failure
    assert not {"PutRolePolicy", "PutUserPolicy"} & {op for _, op in capture.calls}


def test_a_deleted_principal_fails_with_a_clear_message(iam):
    execution = run("AROAEXAMPLEDELETED001")
    assert execution.status == "Failed"
    assert "no IAM role or user has the unique id AROAEXAMPLEDELETED001 (deleted?)" in execution.failure


def test_access_denied_on_write_changes_nothing(iam, capture):
    _, unique_id = grant(iam, "role-inline")
    capture.faults.append(lambda op, _: client_error("AccessDenied", op) if op == "PutRolePolicy" else None)
    execution = run(unique_id)
    assert execution.status == "Failed"
    assert (
        "attaching ECRAccessDenyLayerDownload to arn:aws:iam::123456789012:role/app failed (AccessDenied)"
        in (execution.failure)
    )
    assert iam.list_role_policies(RoleName="app")["PolicyNames"] == ["pull"]


def test_the_unique_id_pattern_is_enforced():
    from ecr_access.testing.automation_runner import InvalidParameters

    with pytest.raises(InvalidParameters, match="ResourceId"):
        run("role/app")
