"""No role we deploy can escalate: every IAM role in deploy/*.yaml, judged by the project's own engine.

Each role is built from its template as IAM would hold it (intrinsic functions resolved
for one account and partition) and asked, with PermissionEvaluator, whether it may:
download a layer; write policy content (Put*Policy, CreatePolicyVersion,
SetDefaultPolicyVersion); attach a policy other than the Deny it is meant to attach;
pass a role; create principals, policies or keys; change a trust policy or a boundary.
ALLOWED and CONDITIONAL both fail (unknown is never safe). The one declared exception is
the incident-response role's iam:PutRolePolicy, which the README states; it too is
denied on the product's own and AWS-owned roles. A positive control (an escalating role
made on purpose) proves the check can fail.
"""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecr_access import PermissionEvaluator, load_authorization_details
from ecr_access.deployment.templates import INCIDENT_RESPONSE_RUNBOOK, RUNBOOK_ROLES, TEMPLATES
from ecr_access.remediation.revoke_layer_download import POLICY_NAME

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "111122223333"
VICTIM_ROLE = f"arn:aws:iam::{ACCOUNT}:role/victim"
DENY_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/{POLICY_NAME}"
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"
REPOSITORY = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/app"
SECURITY_ACCOUNT = "999900001111"
DETECTION_BUS = f"arn:aws:events:us-east-1:{SECURITY_ACCOUNT}:event-bus/ecr-access-detection"
WRITES_POLICY_CONTENT = (
    ("iam:PutRolePolicy", VICTIM_ROLE),
    ("iam:PutUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/victim"),
    ("iam:PutGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/victims"),
    ("iam:CreatePolicyVersion", DENY_POLICY),
    ("iam:SetDefaultPolicyVersion", DENY_POLICY),
)
CREATES_OR_REWIRES = (
    ("iam:PassRole", VICTIM_ROLE),
    ("iam:CreateRole", VICTIM_ROLE),
    ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/victim"),
    ("iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/anything"),
    ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/victim"),
    ("iam:CreateLoginProfile", f"arn:aws:iam::{ACCOUNT}:user/victim"),
    ("iam:UpdateAssumeRolePolicy", VICTIM_ROLE),
    ("iam:PutRolePermissionsBoundary", VICTIM_ROLE),
    ("iam:DeleteRolePermissionsBoundary", VICTIM_ROLE),
    ("iam:AttachGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/victims"),
)
ATTACHES = ("iam:AttachRolePolicy", "iam:AttachUserPolicy")
INCIDENT_ROLE = RUNBOOK_ROLES[INCIDENT_RESPONSE_RUNBOOK]
REVOKE_ROLE = RUNBOOK_ROLES["ECRAccess-RevokeLayerDownload"]


def _resolve(value: Any, template: dict) -> Any:
    """Intrinsic functions as CloudFormation would resolve them in account ACCOUNT, partition aws."""
    defaults = {n: p.get("Default", f"<{n}>") for n, p in template.get("Parameters", {}).items()}
    known = {
        "AWS::Partition": "aws",
        "AWS::AccountId": ACCOUNT,
        "AWS::Region": "us-east-1",
        **defaults,
        "DetectionBusArn": DETECTION_BUS,  # required, no default: the security account's bus
    }
    if isinstance(value, dict):
        if "Fn::If" in value:  # the branch the template's parameter defaults choose
            condition, when_true, when_false = value["Fn::If"]
            return _resolve(when_true if _holds(condition, template) else when_false, template)
        if "Fn::Sub" in value:
            text, variables = (
                value["Fn::Sub"] if isinstance(value["Fn::Sub"], list) else (value["Fn::Sub"], {})
            )
            bound = {**known, **{k: _resolve(v, template) for k, v in variables.items()}}
            for name, resolved in bound.items():
                text = text.replace("${" + name + "}", str(resolved))
            return text
        if "Fn::Select" in value:
            index, items = value["Fn::Select"]
            return _resolve(items, template)[index]
        if "Fn::Split" in value:
            separator, text = value["Fn::Split"]
            return _resolve(text, template).split(separator)
        if "Ref" in value:
            return str(known.get(value["Ref"], f"<{value['Ref']}>"))
        if "Fn::GetAtt" in value:
            return f"arn:aws:iam::{ACCOUNT}:role/<{value['Fn::GetAtt'][0]}>"
        return {k: _resolve(v, template) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, template) for v in value]
    return value


def _holds(condition: Any, template: dict) -> bool:
    """A template condition, evaluated with the parameters' defaults."""
    if isinstance(condition, str):
        return _holds(template["Conditions"][condition], template)
    ((function, arguments),) = condition.items()
    if function == "Condition":
        return _holds(arguments, template)
    if function == "Fn::Equals":
        left, right = (_resolve(a, template) for a in arguments)
        return left == right
    if function == "Fn::Not":
        return not _holds(arguments[0], template)
    if function == "Fn::And":
        return all(_holds(a, template) for a in arguments)
    raise ValueError(f"condition function {function} is not modelled here")


def deployed_roles() -> dict[str, tuple[Any, dict]]:
    """Role name → (IamPrincipal, resolved trust policy) for every AWS::IAM::Role the templates deploy."""
    roles: dict[str, tuple[Any, dict]] = {}
    for relative in TEMPLATES:
        template = yaml.safe_load((ROOT / relative).read_text())
        for logical, resource in template.get("Resources", {}).items():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            properties = _resolve(resource["Properties"], template)
            name = properties.get("RoleName", logical)
            entry = {
                "RoleName": name,
                "RoleId": f"AROA{len(roles):016d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "Path": "/",
                "RolePolicyList": [
                    {"PolicyName": p["PolicyName"], "PolicyDocument": p["PolicyDocument"]}
                    for p in properties.get("Policies", [])
                ],
                "AttachedManagedPolicies": [],
            }
            assert not properties.get("ManagedPolicyArns"), f"{name}: judge its managed policies too"
            (principal,) = load_authorization_details({"RoleDetailList": [entry]}).principals
            roles[name] = (principal, properties["AssumeRolePolicyDocument"])
    return roles


ROLES = deployed_roles()


def verdict(principal, action: str, resource: str, **facts: str) -> str:
    evaluator = PermissionEvaluator(
        repository_arn=None,
        action=action,
        resource_arn=resource,
        request_facts={k.replace("_", ":"): [v] for k, v in facts.items()},
    )
    return evaluator.evaluate(principal).verdict.value


def escalations(
    principal, *, may_write_role_policies: bool = False, may_attach: str | None = None
) -> list[str]:
    """Every escalation the principal holds (empty: none)."""
    found = []
    pull = PermissionEvaluator(repository_arn=REPOSITORY).evaluate(principal).verdict.value
    if pull != "DENIED":
        found.append(f"ecr:GetDownloadUrlForLayer {pull}")
    for action, resource in WRITES_POLICY_CONTENT:
        if may_write_role_policies and action == "iam:PutRolePolicy":
            continue
        if (result := verdict(principal, action, resource)) != "DENIED":
            found.append(f"{action} {result}")
    for action, resource in CREATES_OR_REWIRES:
        if (result := verdict(principal, action, resource)) != "DENIED":
            found.append(f"{action} {result}")
    for action in ATTACHES:
        target = VICTIM_ROLE if action == "iam:AttachRolePolicy" else f"arn:aws:iam::{ACCOUNT}:user/victim"
        if (result := verdict(principal, action, target, iam_policyarn=ADMINISTRATOR)) != "DENIED":
            found.append(f"{action} AdministratorAccess {result}")
        if (
            may_attach is None
            and (result := verdict(principal, action, target, iam_policyarn=DENY_POLICY)) != "DENIED"
        ):
            found.append(f"{action} {POLICY_NAME} {result}")
    return found


def test_the_templates_deploy_the_roles_this_test_knows():
    assert set(RUNBOOK_ROLES.values()) <= set(ROLES)
    assert {"ecr-access-rule-execution"} <= set(ROLES)
    # + the rule execution role, the rule function role, the detection function's, its forwarder's, the
    # member role it assumes, and the responsive option's EventBridge role (in both detection templates)
    assert {"ecr-access-detection-function", "ForwardingRole", "ecr-access-detection-member"} <= set(ROLES)
    assert "RevokeInvocationRole" in ROLES
    assert len(ROLES) == len(RUNBOOK_ROLES) + 6


@pytest.mark.parametrize("name", sorted(ROLES))
def test_no_deployed_role_can_escalate(name):
    principal, _ = ROLES[name]
    found = escalations(
        principal,
        may_write_role_policies=name == INCIDENT_ROLE,
        may_attach=DENY_POLICY if name == REVOKE_ROLE else None,
    )
    assert found == [], f"{name} can escalate: {found}"


def test_the_revoke_role_may_attach_the_deny_and_nothing_else():
    principal, _ = ROLES[REVOKE_ROLE]
    assert verdict(principal, "iam:AttachRolePolicy", VICTIM_ROLE, iam_policyarn=DENY_POLICY) == "ALLOWED"
    assert verdict(principal, "iam:AttachRolePolicy", VICTIM_ROLE, iam_policyarn=ADMINISTRATOR) == "DENIED"
    product_role = f"arn:aws:iam::{ACCOUNT}:role/ecr-access-rule-execution"
    assert verdict(principal, "iam:AttachRolePolicy", product_role, iam_policyarn=DENY_POLICY) == "DENIED"


def test_the_incident_role_writes_role_policies_but_never_on_protected_roles():
    principal, _ = ROLES[INCIDENT_ROLE]
    assert verdict(principal, "iam:PutRolePolicy", VICTIM_ROLE) == "ALLOWED"  # the declared exception
    for protected in (
        "ecr-access-rule-execution",
        "aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123",
    ):
        assert verdict(principal, "iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/{protected}") == "DENIED"


@pytest.mark.parametrize("name", sorted(RUNBOOK_ROLES.values()))
def test_automation_roles_trust_only_this_accounts_automation_executions(name):
    _, trust = ROLES[name]
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "ssm.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"] == (
        f"arn:aws:ssm:*:{ACCOUNT}:automation-execution/*"
    )


def test_a_role_that_can_escalate_is_caught():
    """Positive control: the check above fails on a role built to escalate."""
    escalating = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:PutRolePolicy", "iam:AttachRolePolicy"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            },
        ],
    }
    entry = {
        "RoleName": "bad",
        "RoleId": "AROA0000000000000BAD",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/bad",
        "Path": "/",
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": escalating}],
        "AttachedManagedPolicies": [],
    }
    (principal,) = load_authorization_details({"RoleDetailList": [entry]}).principals
    found = escalations(principal)
    assert "iam:PutRolePolicy ALLOWED" in found
    assert "iam:AttachRolePolicy AdministratorAccess ALLOWED" in found
    assert "iam:PassRole CONDITIONAL" in found  # depends on a request fact: unknown is never safe


def test_every_arn_in_the_templates_and_policies_names_its_partition():
    for path in [*(ROOT / "deploy").glob("*.yaml"), *(ROOT / "deploy" / "iam").glob("*.json")]:
        text = path.read_text()
        # the runbooks' inline scripts (in member.yaml) may quote ARNs in comments; the policies may not.
        # The perimeter's SCP/RCP carry the allow-list's own ARN patterns, as the user wrote them for
        # their partition (perimeter render), not ARNs of resources the templates create.
        documents = (
            json.dumps(
                {
                    k: v
                    for k, v in yaml.safe_load(text).get("Resources", {}).items()
                    if v["Type"] not in ("AWS::SSM::Document", "AWS::Organizations::Policy")
                }
            )
            if path.suffix == ".yaml"
            else text
        )
        assert "arn:aws:" not in documents, path.name


def test_the_responsive_option_may_start_only_the_revoke_runbook_and_pass_only_its_role_to_ssm():
    principal, _ = ROLES["RevokeInvocationRole"]
    definition = f"arn:aws:ssm:us-east-1:{ACCOUNT}:automation-definition"
    assert (
        verdict(
            principal, "ssm:StartAutomationExecution", f"{definition}/ECRAccess-RevokeLayerDownload:$DEFAULT"
        )
        == "ALLOWED"
    )
    assert (
        verdict(principal, "ssm:StartAutomationExecution", f"{definition}/AWS-RunShellScript:$DEFAULT")
        == "DENIED"
    )
    revoke_role = f"arn:aws:iam::{ACCOUNT}:role/{REVOKE_ROLE}"
    to_ssm, to_lambda = "ssm.amazonaws.com", "lambda.amazonaws.com"
    assert verdict(principal, "iam:PassRole", revoke_role, iam_PassedToService=to_ssm) == "ALLOWED"
    assert verdict(principal, "iam:PassRole", revoke_role, iam_PassedToService=to_lambda) == "DENIED"
    assert verdict(principal, "iam:PassRole", revoke_role) == "CONDITIONAL"  # only with the SSM condition


def test_the_member_role_is_trusted_only_by_the_detection_function():
    _, trust = ROLES["ecr-access-detection-member"]
    (statement,) = trust["Statement"]
    function_role = f"arn:aws:iam::{SECURITY_ACCOUNT}:role/ecr-access-detection-function"
    assert statement["Principal"] == {"AWS": function_role}
