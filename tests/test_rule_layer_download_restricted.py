"""ECR_LAYER_DOWNLOAD_RESTRICTED through lambda_handler against moto IAM (real AWS managed policies)."""

import json

import boto3
import pytest
from moto import mock_aws

from ecr_access.loaders.scps import load_scp_levels
from ecr_access.permissions import PermissionEvaluator
from ecr_access.sources.organizations_scps import read_scp_levels
from ecr_access.testing.config_harness import (
    ACCOUNT,
    AuthorizationDetailsPager,
    ConfigCapture,
    LambdaContext,
    capture_config,
    change_event,
    client_error,
    configuration_item,
    load_rule,
    periodic_event,
)
from ecr_access.testing.recorded_items import role_item

from principal_builder import ECS_TASKS_TRUST

RULE = load_rule("ECR_LAYER_DOWNLOAD_RESTRICTED")
NAME = "ECR_LAYER_DOWNLOAD_RESTRICTED"
AWS_POLICY = "arn:aws:iam::aws:policy/"
ECR_STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
PULL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}],
}
NO_ECR = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}],
}
HUMAN_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}
PARAMETERS = {
    "AllowedPrincipalArns": "arn:aws:iam::*:role/ecr-admin-*",
    "AllowedPrincipalTagKey": "ecr-access",
    "AllowedPrincipalTagValue": "approved-app",
    "AllowedServicePrincipals": "ecs-tasks.amazonaws.com,codebuild.amazonaws.com",
}
SCPS_NOTE = "; SCPs not evaluated"


@pytest.fixture
def aws_managed_policies():
    """Whether moto loads its ~1,580 real AWS managed policies (slow: only where a test needs them)."""
    return False


@pytest.fixture
def iam(monkeypatch, aws_managed_policies):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", str(aws_managed_policies).lower())
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


@pytest.fixture
def config(iam):
    capture = ConfigCapture()
    capture.overrides[("iam", "GetAccountAuthorizationDetails")] = AuthorizationDetailsPager()
    with capture_config(capture):
        yield capture


with_aws_managed_policies = pytest.mark.parametrize("aws_managed_policies", [True], ids=["aws-managed"])


def role(iam, name, *, trust=HUMAN_TRUST, inline=None, managed=(), boundary=None, tags=None, path="/"):
    created = iam.create_role(
        RoleName=name,
        Path=path,
        AssumeRolePolicyDocument=json.dumps(trust),
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )["Role"]
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(inline))
    for arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    if boundary:
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
    return created["RoleId"]


def customer_policy(iam, name, document):
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


def seed_light(iam):
    """Principals with inline and customer managed policies only; returns name -> unique id."""
    no_ecr = customer_policy(iam, "no-ecr-boundary", NO_ECR)
    s3_only = customer_policy(iam, "s3-only", NO_ECR)
    ids = {
        "inline-ecr": role(iam, "inline-ecr", inline=ECR_STAR),
        "viewer": role(iam, "viewer", managed=[s3_only]),
        "bounded": role(iam, "bounded", inline=ECR_STAR, boundary=no_ecr),
        "power-user": role(iam, "power-user", managed=[customer_policy(iam, "power", ECR_STAR)]),
    }
    iam.create_group(GroupName="developers")
    iam.put_group_policy(GroupName="developers", PolicyName="pull", PolicyDocument=json.dumps(PULL))
    ids["dev-user"] = iam.create_user(UserName="dev-user")["User"]["UserId"]
    iam.add_user_to_group(GroupName="developers", UserName="dev-user")
    return ids


def seed(iam):
    """One principal per behaviour the rule must get right (AWS managed policies); name -> unique id."""
    no_ecr = customer_policy(iam, "no-ecr-boundary", NO_ECR)
    ids = {
        "ecr-readonly": role(
            iam, "ecr-readonly", managed=[AWS_POLICY + "AmazonEC2ContainerRegistryReadOnly"]
        ),
        "viewer": role(iam, "viewer", managed=[AWS_POLICY + "job-function/ViewOnlyAccess"]),
        "power-user": role(iam, "power-user", managed=[AWS_POLICY + "PowerUserAccess"]),
        "inline-ecr": role(iam, "inline-ecr", inline=ECR_STAR),
        "bounded": role(iam, "bounded", inline=ECR_STAR, boundary=no_ecr),
        "ecr-admin-platform": role(iam, "ecr-admin-platform", managed=[AWS_POLICY + "AdministratorAccess"]),
        "tagged-app": role(iam, "tagged-app", inline=PULL, tags={"ecr-access": "approved-app"}),
        "ecs-task": role(
            iam,
            "ecs-task",
            trust=ECS_TASKS_TRUST,
            managed=[AWS_POLICY + "service-role/AmazonECSTaskExecutionRolePolicy"],
        ),
    }
    iam.create_group(GroupName="developers")
    iam.put_group_policy(GroupName="developers", PolicyName="pull", PolicyDocument=json.dumps(PULL))
    ids["dev-user"] = iam.create_user(UserName="dev-user")["User"]["UserId"]
    iam.add_user_to_group(GroupName="developers", UserName="dev-user")
    ids["slr"] = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleId"]
    return ids


EXPECTED = {
    "ecr-readonly": (
        "AWS::IAM::Role",
        "NON_COMPLIANT",
        "Allowed by managed policy AmazonEC2ContainerRegistryReadOnly, "
        "statement #0 (ecr:GetDownloadUrlForLayer on *)" + SCPS_NOTE,
    ),
    "viewer": (
        "AWS::IAM::Role",
        "COMPLIANT",
        "No identity policy or repository policy allows ecr:GetDownloadUrlForLayer" + SCPS_NOTE,
    ),
    "power-user": (
        "AWS::IAM::Role",
        "NON_COMPLIANT",
        "Allowed by managed policy PowerUserAccess, statement #0 "
        "(NotAction iam:*, organizations:*, account:* on *)" + SCPS_NOTE,
    ),
    "inline-ecr": (
        "AWS::IAM::Role",
        "NON_COMPLIANT",
        "Allowed by inline policy inline, statement #0 (ecr:* on *)" + SCPS_NOTE,
    ),
    "bounded": (
        "AWS::IAM::Role",
        "COMPLIANT",
        "Permissions boundary no-ecr-boundary does not allow ecr:GetDownloadUrlForLayer" + SCPS_NOTE,
    ),
    "ecr-admin-platform": (
        "AWS::IAM::Role",
        "COMPLIANT",
        "Allow-listed by AllowedPrincipalArns pattern "
        "arn:aws:iam::*:role/ecr-admin-*: Allowed by managed policy AdministratorAccess, "
        "statement #0 (* on *)",
    ),
    "tagged-app": (
        "AWS::IAM::Role",
        "COMPLIANT",
        "Allow-listed by tag ecr-access=approved-app: Allowed by inline "
        "policy inline, statement #0 (ecr:GetDownloadUrlForLayer on *)",
    ),
    "ecs-task": (
        "AWS::IAM::Role",
        "COMPLIANT",
        "Allow-listed by AllowedServicePrincipals (assumed only by "
        "ecs-tasks.amazonaws.com): Allowed by managed policy AmazonECSTaskExecutionRolePolicy, statement #0 "
        "(ecr:GetDownloadUrlForLayer on *)",
    ),
    "dev-user": (
        "AWS::IAM::User",
        "NON_COMPLIANT",
        "Allowed by inline policy pull (via group developers), "
        "statement #0 (ecr:GetDownloadUrlForLayer on *)" + SCPS_NOTE,
    ),
    "slr": ("AWS::IAM::Role", "NOT_APPLICABLE", "service-linked role: owned by AWS"),
}


@with_aws_managed_policies
def test_periodic_run_over_a_realistic_account(iam, config):
    ids = seed(iam)
    RULE.lambda_handler(periodic_event(NAME, PARAMETERS), None)
    results = config.by_resource()
    assert set(results) == set(ids.values())  # resource ids are the unique ids, never names
    for name, (resource_type, compliance, annotation) in EXPECTED.items():
        evaluation = results[ids[name]]
        assert (evaluation["ComplianceResourceType"], evaluation["ComplianceType"]) == (
            resource_type,
            compliance,
        ), name
        assert evaluation["Annotation"] == annotation, name


@with_aws_managed_policies
def test_periodic_sweep_is_paged_and_makes_no_per_principal_calls(iam, config):
    seed(iam)
    before = len(config.calls)
    RULE.lambda_handler(periodic_event(NAME, PARAMETERS), None)
    iam_calls = [op for service, op in config.calls[before:] if service == "iam"]
    pages = len(iam_calls)
    assert set(iam_calls) == {"GetAccountAuthorizationDetails"}
    assert pages >= 2  # ~1,600 items (moto's AWS managed policies included) at 1,000 a page


def test_conditional_access_is_non_compliant_unless_the_parameter_says_otherwise(iam, config):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "ecr:GetDownloadUrlForLayer",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}},
            }
        ],
    }
    unique_id = role(iam, "vpce-only", inline=document)
    RULE.lambda_handler(periodic_event(NAME), None)
    assert config.by_resource()[unique_id]["ComplianceType"] == "NON_COMPLIANT"
    assert "(aws:SourceVpce)" in config.by_resource()[unique_id]["Annotation"]
    RULE.lambda_handler(periodic_event(NAME, {"ConditionalAccessIsCompliant": "true"}), None)
    assert config.evaluations[-1]["ComplianceType"] == "COMPLIANT"


def test_unparsable_inline_policy_is_non_compliant_with_the_reason(iam, config):
    unique_id = role(iam, "broken")
    page = {
        "RoleDetailList": [
            {
                "RoleName": "broken",
                "RoleId": unique_id,
                "Path": "/",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/broken",
                "AttachedManagedPolicies": [],
                "RolePolicyList": [
                    {
                        "PolicyName": "dup",
                        "PolicyDocument": '{"Version": "2012-10-17", "Statement": [], "Statement": []}',
                    }
                ],
            }
        ],
        "IsTruncated": False,
    }
    config.overrides[("iam", "GetAccountAuthorizationDetails")] = lambda params, call_through: page
    RULE.lambda_handler(periodic_event(NAME, {"ConditionalAccessIsCompliant": "true"}), None)
    evaluation = config.by_resource()[unique_id]
    assert evaluation["ComplianceType"] == "NON_COMPLIANT"
    assert "inline policy dup could not be parsed: duplicate key" in evaluation["Annotation"]


def test_a_sweep_that_fails_midway_reports_only_complete_principals_and_raises(iam, config):
    ids = seed_light(iam)
    config.add_prior("AWS::IAM::Role", ids["viewer"], "COMPLIANT", "old")
    pager = AuthorizationDetailsPager(page_size=5)

    def second_page_denied(params, call_through):
        if params.get("Marker"):
            raise client_error("AccessDenied", "GetAccountAuthorizationDetails")
        return pager(params, call_through)

    config.overrides[("iam", "GetAccountAuthorizationDetails")] = second_page_denied
    with pytest.raises(RuntimeError, match="GetAccountAuthorizationDetails page 2: AccessDenied"):
        RULE.lambda_handler(periodic_event(NAME, PARAMETERS), None)
    reported = config.by_resource()
    # Page 1 held dev-user, its group (inline policy only) and the roles inline-ecr (inline only),
    # viewer and bounded (whose managed policy and boundary were on pages never read).
    expected = {ids["dev-user"]: "NON_COMPLIANT", ids["inline-ecr"]: "NON_COMPLIANT"}
    assert {k: v["ComplianceType"] for k, v in reported.items()} == expected
    assert ids["viewer"] not in reported  # neither COMPLIANT nor retired: its last result stands


def test_the_deadline_ends_the_sweep_as_incomplete(iam, config):
    seed_light(iam)
    pages = []
    pager = AuthorizationDetailsPager(page_size=3)

    def counting(params, call_through):
        pages.append(params.get("Marker"))
        return pager(params, call_through)

    config.overrides[("iam", "GetAccountAuthorizationDetails")] = counting
    context = LambdaContext(lambda: 600_000 if len(pages) < 2 else 1_000)
    with pytest.raises(RuntimeError, match=r"deadline reached after 2 page\(s\)"):
        RULE.lambda_handler(periodic_event(NAME), context)
    assert len(pages) == 2


def test_failed_evaluations_are_retried(iam, config):
    ids = seed_light(iam)
    config.failed_evaluations.append(
        [{"ComplianceResourceId": ids["viewer"], "ComplianceResourceType": "AWS::IAM::Role"}]
    )
    RULE.handle(
        RULE.ECR_LAYER_DOWNLOAD_RESTRICTED(),
        periodic_event(NAME, PARAMETERS),
        None,
        resource_types=RULE.APPLICABLE_RESOURCES,
        sleep=lambda _: None,
    )
    assert [len(c["Evaluations"]) for c in config.put_calls] == [len(ids), 1]


def test_report_only_changes(iam, config):
    ids = seed_light(iam)
    parameters = {**PARAMETERS, "ReportOnlyChanges": "true"}
    RULE.lambda_handler(periodic_event(NAME, parameters), None)
    for e in config.evaluations:
        config.add_prior(
            e["ComplianceResourceType"], e["ComplianceResourceId"], e["ComplianceType"], e["Annotation"]
        )
    before = len(config.evaluations)
    iam.detach_role_policy(RoleName="power-user", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/power")
    RULE.lambda_handler(periodic_event(NAME, parameters), None)
    changed = config.evaluations[before:]
    assert [(e["ComplianceResourceId"], e["ComplianceType"]) for e in changed] == [
        (ids["power-user"], "COMPLIANT")
    ]


# --- change-triggered: real-shaped, URL-encoded configuration items -----------------------------
def _item(resource_type, resource_id, name, arn, configuration, status="OK"):
    return configuration_item(resource_type, resource_id, name, arn, configuration, status=status)


@with_aws_managed_policies
@pytest.mark.parametrize(
    ("name", "compliance", "annotation"),
    [
        pytest.param("inline-ecr", "NON_COMPLIANT", EXPECTED["inline-ecr"][2], id="inline"),
        pytest.param("ecr-readonly", "NON_COMPLIANT", EXPECTED["ecr-readonly"][2], id="aws-managed-resolved"),
        pytest.param("bounded", "COMPLIANT", EXPECTED["bounded"][2], id="customer-boundary-resolved"),
        pytest.param("ecs-task", "COMPLIANT", EXPECTED["ecs-task"][2], id="service-allow-list"),
        pytest.param(
            "ecr-admin-platform", "COMPLIANT", EXPECTED["ecr-admin-platform"][2], id="arn-allow-list"
        ),
    ],
)
def test_change_triggered_role(iam, config, name, compliance, annotation):
    ids = seed(iam)
    RULE.lambda_handler(change_event(role_item(iam, name), NAME, PARAMETERS), None)
    (evaluation,) = config.evaluations
    assert evaluation["ComplianceResourceId"] == ids[name]
    assert evaluation["ComplianceResourceType"] == "AWS::IAM::Role"
    assert (evaluation["ComplianceType"], evaluation["Annotation"]) == (compliance, annotation)
    assert evaluation["OrderingTimestamp"] == "2026-11-20T09:58:12.345Z"


@with_aws_managed_policies
def test_change_triggered_user_inherits_its_groups(iam, config):
    ids = seed(iam)
    user = iam.get_user(UserName="dev-user")["User"]
    configuration = {
        "path": "/",
        "userName": "dev-user",
        "userId": user["UserId"],
        "arn": user["Arn"],
        "userPolicyList": [],
        "groupList": ["developers"],
        "attachedManagedPolicies": [],
        "permissionsBoundary": None,
        "tags": [],
    }
    item = _item("AWS::IAM::User", user["UserId"], "dev-user", user["Arn"], configuration)
    RULE.lambda_handler(change_event(item, NAME, PARAMETERS), None)
    (evaluation,) = config.evaluations
    assert (evaluation["ComplianceResourceId"], evaluation["ComplianceType"]) == (
        ids["dev-user"],
        "NON_COMPLIANT",
    )
    assert evaluation["Annotation"] == EXPECTED["dev-user"][2]


@with_aws_managed_policies
def test_change_of_a_group_re_evaluates_its_members(iam, config):
    ids = seed(iam)
    item = _item(
        "AWS::IAM::Group",
        "AGPAEXAMPLEGROUP0001",
        "developers",
        f"arn:aws:iam::{ACCOUNT}:group/developers",
        {
            "groupName": "developers",
            "groupId": "AGPAEXAMPLEGROUP0001",
            "groupPolicyList": [],
            "attachedManagedPolicies": [],
        },
    )
    RULE.lambda_handler(change_event(item, NAME, PARAMETERS), None)
    assert [(e["ComplianceResourceId"], e["ComplianceType"]) for e in config.evaluations] == [
        (ids["dev-user"], "NON_COMPLIANT")
    ]


@with_aws_managed_policies
def test_change_of_a_managed_policy_re_evaluates_its_holders(iam, config):
    ids = seed(iam)
    arn = f"arn:aws:iam::{ACCOUNT}:policy/no-ecr-boundary"
    item = _item(
        "AWS::IAM::Policy",
        "ANPAEXAMPLEPOLICY001",
        "no-ecr-boundary",
        arn,
        {"policyName": "no-ecr-boundary", "arn": arn, "policyVersionList": []},
    )
    RULE.lambda_handler(change_event(item, NAME, PARAMETERS), None)
    assert [(e["ComplianceResourceId"], e["ComplianceType"]) for e in config.evaluations] == [
        (ids["bounded"], "COMPLIANT")
    ]


def test_deleted_role_is_not_applicable(iam, config):
    seed_light(iam)
    item = role_item(iam, "viewer", status="ResourceDeleted")
    RULE.lambda_handler(change_event(item, NAME), None)
    (evaluation,) = config.evaluations
    assert evaluation["ComplianceType"] == "NOT_APPLICABLE"


@with_aws_managed_policies
def test_service_linked_role_change_is_not_applicable(iam, config):
    ids = seed(iam)
    slr = next(r["RoleName"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"])
    RULE.lambda_handler(change_event(role_item(iam, slr), NAME), None)
    assert config.evaluations[0]["ComplianceResourceId"] == ids["slr"]
    assert config.evaluations[0]["ComplianceType"] == "NOT_APPLICABLE"


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        pytest.param(
            {"ConditionalAccessIsCompliant": "maybe"},
            "ConditionalAccessIsCompliant must be true or false",
            id="bad-bool",
        ),
        pytest.param({"EvaluateScps": "1"}, "EvaluateScps must be true or false", id="bad-scps-flag"),
        pytest.param({"AllowedPrincipalTagKey": "bad\\nkey"}, "AllowedPrincipalTagKey", id="bad-tag-key"),
    ],
)
def test_bad_parameters(config, parameters, message):
    response = RULE.lambda_handler(periodic_event(NAME, parameters), None)
    assert response["customerErrorCode"] == "InvalidParameterValueException"
    assert message in response["customerErrorMessage"]


# --- SCPs -------------------------------------------------------------------------------------------
def test_scps_do_not_apply_to_the_management_account(iam, config):
    ids = seed_light(iam)
    boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
    RULE.lambda_handler(periodic_event(NAME, {"EvaluateScps": "true"}), None)
    annotation = config.by_resource()[ids["inline-ecr"]]["Annotation"]
    assert annotation.endswith("; SCPs do not apply to the management account")


def test_scps_that_cannot_be_read_are_said_so(iam, config):
    ids = seed_light(iam)  # no organization exists
    RULE.lambda_handler(periodic_event(NAME, {"EvaluateScps": "true"}), None)
    annotation = config.by_resource()[ids["inline-ecr"]]["Annotation"]
    assert annotation.endswith("; SCPs not evaluated (Organizations: AWSOrganizationsNotInUseException)")


def test_scp_levels_of_a_member_account_are_read_and_applied(iam):
    organizations = boto3.client("organizations", region_name="us-east-1")
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]
    unit = organizations.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"][
        "Id"
    ]
    member = organizations.create_account(Email="member@example.com", AccountName="m")["CreateAccountStatus"][
        "AccountId"
    ]
    organizations.move_account(AccountId=member, SourceParentId=root, DestinationParentId=unit)
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}],
    }
    scp = organizations.create_policy(
        Content=json.dumps(deny), Description="", Name="NoLayerDownload", Type="SERVICE_CONTROL_POLICY"
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(PolicyId=scp, TargetId=unit)
    reading = read_scp_levels(organizations, member)
    assert reading.note == "SCPs evaluated (3 levels)"
    assert [[p.source.name for p in level] for level in reading.levels] == [
        ["FullAWSAccess"],
        ["FullAWSAccess", "NoLayerDownload"],
        ["FullAWSAccess"],
    ]
    role(iam, "inline-ecr", inline=ECR_STAR)
    from ecr_access import load_authorization_details

    (principal,) = load_authorization_details(iam.get_account_authorization_details()).principals
    decision = PermissionEvaluator(repository_arn=None, scps=reading.levels).evaluate(principal)
    assert decision.reason == (
        "Denied by SCP NoLayerDownload at level 1, statement #0 (ecr:GetDownloadUrlForLayer on *)"
    )
    assert load_scp_levels  # the reading is the loader's form


# --- Pulls from other accounts' registries (Engine III) ------------------------------------------
REGISTRY = "999988887777"
EXECUTION_ROLE = "ecr-access-rule-execution"
CENTRAL_PULL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Resource": f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*",
        }
    ],
}


def _registry_account_ecr():
    """An ECR client acting in the registry account (moto keys credentials to the assumed role's account)."""
    credentials = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{REGISTRY}:role/{EXECUTION_ROLE}", RoleSessionName="setup"
    )["Credentials"]
    return boto3.client(
        "ecr",
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _central_registry(grantee):
    ecr = _registry_account_ecr()
    ecr.create_repository(repositoryName="base/python")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": grantee}, "Action": "ecr:BatchGetImage"}],
    }
    policy["Statement"][0]["Action"] = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    ecr.set_repository_policy(repositoryName="base/python", policyText=json.dumps(policy))
    ecr.create_repository(repositoryName="no-policy")


CROSS_ACCOUNT = {"ExecutionRoleName": EXECUTION_ROLE}


@pytest.mark.parametrize(
    ("grantee", "parameters", "compliance", "annotation"),
    [
        # IAM User Guide, "Cross-account policy evaluation logic": both sides must allow.
        pytest.param(
            None,
            {},
            "NON_COMPLIANT",
            f"Depends on the repository policies of account {REGISTRY} (not read",
            id="registry-not-read-depends-on-it",
        ),
        pytest.param(
            ACCOUNT,
            {"RegistryAccountIds": REGISTRY},
            "NON_COMPLIANT",
            f"and by the repository policy of arn:aws:ecr:us-east-1:{REGISTRY}:repository/base/python",
            id="registry-read-grants-the-workload-account",
        ),
        pytest.param(
            "111111111111",
            {"RegistryAccountIds": REGISTRY},
            "COMPLIANT",
            f"The repository policy (account {REGISTRY}) does not grant this principal",
            id="registry-read-grants-another-account",
        ),
        pytest.param(
            None,
            {"ConditionalAccessIsCompliant": "true"},
            "COMPLIANT",
            f"Depends on the repository policies of account {REGISTRY}",
            id="unread-registry-compliant-only-when-conditional-is",
        ),
    ],
)
def test_periodic_run_asks_about_the_central_registry(
    iam, config, grantee, parameters, compliance, annotation
):
    workload = role(iam, "workload", trust=ECS_TASKS_TRUST, inline=CENTRAL_PULL)
    if grantee is not None:
        _central_registry(grantee)
    RULE.lambda_handler(periodic_event(NAME, {**CROSS_ACCOUNT, **parameters}), None)
    evaluation = config.by_resource()[workload]
    assert evaluation["ComplianceType"] == compliance, evaluation["Annotation"]
    assert annotation in evaluation["Annotation"]


def test_a_registry_that_cannot_be_entered_stays_undecided(iam, config):
    workload = role(iam, "workload", trust=ECS_TASKS_TRUST, inline=CENTRAL_PULL)
    config.overrides[("sts", "AssumeRole")] = lambda params, call: (_ for _ in ()).throw(
        client_error("AccessDenied", "sts:AssumeRole denied")
    )
    RULE.lambda_handler(periodic_event(NAME, {**CROSS_ACCOUNT, "RegistryAccountIds": REGISTRY}), None)
    evaluation = config.by_resource()[workload]
    assert evaluation["ComplianceType"] == "NON_COMPLIANT"
    assert "could not be read" in evaluation["Annotation"]
