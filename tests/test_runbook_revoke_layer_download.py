"""Runbooks ECRAccess-RevokeLayerDownload and ECRAccess-RevokeActiveSessions run by the local Automation
runner against moto. The revoke runbook only attaches the member stack's Deny policy; the sessions runbook
writes policy content, and does so only after approval."""

import json
from pathlib import Path

import boto3
import pytest

from ecr_access import PermissionEvaluator, load_authorization_details
from ecr_access.remediation.revoke_layer_download import DENY_DOCUMENT
from ecr_access.testing.automation_runner import AutomationRunner
from ecr_access.testing.config_harness import client_error

from conftest import aws_cli
from principal_builder import ECS_TASKS_TRUST

REMEDIATION = Path(__file__).resolve().parent.parent / "remediation"
DOCUMENT = REMEDIATION / "ECRAccess-RevokeLayerDownload.yaml"
SESSIONS = REMEDIATION / "ECRAccess-RevokeActiveSessions.yaml"
ACCOUNT = "123456789012"
AUTOMATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-access-revoke-layer-download"
DENY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ECRAccessDenyLayerDownload"
STEP = "RevokeLayerDownload"
PULL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}],
}


@pytest.fixture
def iam(moto):
    """IAM with the Deny policy the member stack creates."""
    client = boto3.client("iam", region_name="us-east-1")
    client.create_policy(PolicyName="ECRAccessDenyLayerDownload", PolicyDocument=json.dumps(DENY_DOCUMENT))
    return client


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
def test_granted_principals_end_denied_by_attaching_the_deny_policy_only(iam, capture, how):
    name, unique_id = grant(iam, how)
    assert effective(iam, name).verdict.value == "ALLOWED"
    start = len(capture.calls)
    execution = run(unique_id)
    assert execution.status == "Success", execution.failure
    during = {op for _, op in capture.calls[start:]}
    assert effective(iam, name).verdict.value == "DENIED"
    outputs = execution.outputs
    assert (outputs[f"{STEP}.Action"], outputs[f"{STEP}.Verdict"]) == ("ATTACHED", "DENIED")
    kind = "role" if how.startswith("role") else "user"
    assert outputs[f"{STEP}.UndoCommand"] == (
        f"aws iam detach-{kind}-policy --{kind}-name {name} --policy-arn {DENY_ARN}"
    )
    # the runbook's only write is the attachment (the grants themselves are left as they were)
    assert {op for op in during if not op.startswith(("Get", "List"))} == {f"Attach{kind.capitalize()}Policy"}


def test_running_twice_is_idempotent(iam):
    _, unique_id = grant(iam, "role-inline")
    assert run(unique_id).outputs[f"{STEP}.Action"] == "ATTACHED"
    second = run(unique_id)
    assert second.status == "Success"
    assert second.outputs[f"{STEP}.Action"] == "ALREADY_IN_PLACE"
    attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="app")["AttachedPolicies"]]
    assert attached == [DENY_ARN]
    assert iam.list_role_policies(RoleName="app")["PolicyNames"] == ["pull"]


def test_undo_restores_the_grant(moto_server):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_policy(PolicyName="ECRAccessDenyLayerDownload", PolicyDocument=json.dumps(DENY_DOCUMENT))
    name, unique_id = grant(iam, "role-managed")
    execution = run(unique_id)
    assert effective(iam, name).verdict.value == "DENIED"
    completed = aws_cli(execution.outputs[f"{STEP}.UndoCommand"])  # the printed command, as a person runs it
    assert completed.returncode == 0, completed.stderr
    assert effective(iam, name).verdict.value == "ALLOWED"


def test_a_deny_policy_that_is_not_the_stacks_own_is_refused(moto, capture):
    iam = boto3.client("iam", region_name="us-east-1")
    tampered = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.create_policy(PolicyName="ECRAccessDenyLayerDownload", PolicyDocument=json.dumps(tampered))
    _, unique_id = grant(iam, "role-inline")
    execution = run(unique_id)
    assert execution.status == "Failed"
    assert "is not the Deny the member stack creates; nothing changed" in execution.failure
    assert "AttachRolePolicy" not in {op for _, op in capture.calls}


def test_a_missing_deny_policy_is_refused(moto):
    iam = boto3.client("iam", region_name="us-east-1")
    _, unique_id = grant(iam, "role-inline")
    execution = run(unique_id)
    assert execution.status == "Failed"
    assert "deploy the member stack, which creates it" in execution.failure


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
    assert f"Undo: aws iam detach-role-policy --role-name app --policy-arn {DENY_ARN}" in message["Message"]


PROTECTED = [
    pytest.param(
        "app",
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
    pytest.param("ecr-access-revoke-layer-download", {}, "runs ecr-access", id="automation-role"),
    # The product's roles are protected in code: an empty ProtectedRoleNames cannot switch that off.
    pytest.param("ecr-access-rule-execution", {"ProtectedRoleNames": ""}, "runs ecr-access", id="rule-role"),
    pytest.param("ecr-access-anything", {}, "runs ecr-access", id="any-product-role"),
    pytest.param(
        "break-glass", {"ProtectedRoleNames": "break-glass"}, "runs ecr-access", id="added-protection"
    ),
]


def _protected_role(iam, setup):
    if setup == "service-linked":
        return iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleId"]
    if setup == "identity-center":
        return iam.create_role(
            RoleName="AWSReservedSSO_ReadOnly_0123456789abcdef",
            Path="/aws-reserved/sso.amazonaws.com/",
            AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST),
        )["Role"]["RoleId"]
    return iam.create_role(RoleName=setup, AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))["Role"][
        "RoleId"
    ]


@pytest.mark.parametrize(("setup", "parameters", "message"), PROTECTED)
def test_protected_principals_are_refused_and_untouched(iam, capture, setup, parameters, message):
    unique_id = _protected_role(iam, setup)
    execution = run(unique_id, **parameters)
    assert execution.status == "Failed"
    assert message in execution.failure
    assert not {"AttachRolePolicy", "PutRolePolicy", "PutUserPolicy"} & {op for _, op in capture.calls}


def test_a_deleted_principal_fails_with_a_clear_message(iam):
    execution = run("AROAEXAMPLEDELETED001")
    assert execution.status == "Failed"
    assert "no IAM role or user has the unique id AROAEXAMPLEDELETED001 (deleted?)" in execution.failure


def test_access_denied_on_attach_changes_nothing(iam, capture):
    _, unique_id = grant(iam, "role-inline")
    capture.faults.append(
        lambda op, _: client_error("AccessDenied", op) if op == "AttachRolePolicy" else None
    )
    execution = run(unique_id)
    assert execution.status == "Failed"
    assert (
        "attaching ECRAccessDenyLayerDownload to arn:aws:iam::123456789012:role/app failed (AccessDenied)"
        in (execution.failure)
    )
    assert iam.list_attached_role_policies(RoleName="app")["AttachedPolicies"] == []


def test_the_unique_id_pattern_is_enforced():
    from ecr_access.testing.automation_runner import InvalidParameters

    with pytest.raises(InvalidParameters, match="ResourceId"):
        run("role/app")


# --- ECRAccess-RevokeActiveSessions (incident response) ----------------------------------------------
APPROVER = f"arn:aws:iam::{ACCOUNT}:role/security-oncall"


def revoke_sessions(resource_id, *, approve, **parameters):
    runner = AutomationRunner(SESSIONS, approve=lambda step, message: approve)
    return runner.start(
        {
            "ResourceId": resource_id,
            "AutomationAssumeRole": AUTOMATION_ROLE,
            "Approvers": [APPROVER],
            **parameters,
        }
    )


def test_older_sessions_are_revoked_only_after_approval(iam, capture):
    _, unique_id = grant(iam, "role-inline")
    refused = revoke_sessions(unique_id, approve=False)
    assert refused.status == "Failed" and "was not approved" in refused.failure
    assert "ECRAccessRevokeOlderSessions" not in iam.list_role_policies(RoleName="app")["PolicyNames"]
    execution = revoke_sessions(unique_id, approve=True)
    assert execution.status == "Success", execution.failure
    document = iam.get_role_policy(RoleName="app", PolicyName="ECRAccessRevokeOlderSessions")[
        "PolicyDocument"
    ]
    (revoke,) = document["Statement"]
    assert (revoke["Effect"], revoke["Action"], revoke["Resource"]) == ("Deny", "*", "*")
    assert list(revoke["Condition"]["DateLessThan"]) == ["aws:TokenIssueTime"]


@pytest.mark.parametrize(("setup", "parameters", "message"), [p for p in PROTECTED if p.id != "allow-listed"])
def test_sessions_of_protected_roles_are_never_revoked(iam, capture, setup, parameters, message):
    unique_id = _protected_role(iam, setup)
    execution = revoke_sessions(unique_id, approve=True, **parameters)
    assert execution.status == "Failed"
    assert message in execution.failure
    assert "PutRolePolicy" not in {op for _, op in capture.calls}


def test_the_sessions_runbook_starts_with_approval_and_is_never_automatic():
    import yaml

    from ecr_access.deployment.pack import conformance_pack

    document = yaml.safe_load(SESSIONS.read_text())
    assert document["mainSteps"][0]["action"] == "aws:approve"
    targets = [
        r["Properties"]["TargetId"]
        for r in conformance_pack()["Resources"].values()
        if r["Type"] == "AWS::Config::RemediationConfiguration"
    ]
    assert "ECRAccess-RevokeActiveSessions" not in targets
