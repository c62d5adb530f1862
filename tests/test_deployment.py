"""The conformance pack and the CloudFormation templates: rendered, linted, consistent, least privilege."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ecr_access import PermissionEvaluator, load_authorization_details
from ecr_access.deployment.pack import conformance_pack, organization_pack
from ecr_access.deployment.templates import TEMPLATES, dump
from ecr_access.policy import Effect, parse_document
from ecr_access.remediation.documents import DOCUMENTS

ROOT = Path(__file__).resolve().parent.parent
PACK_RESOURCE_TYPES = {"AWS::Config::ConfigRule", "AWS::Config::RemediationConfiguration"}
ORGANIZATION_PACK = organization_pack(
    "arn:aws:iam::111122223333:role/repo", "arn:aws:iam::111122223333:role/iam"
)


@pytest.mark.parametrize("relative", list(TEMPLATES))
def test_committed_template_is_a_fresh_render(relative):
    assert (ROOT / relative).read_text() == dump(TEMPLATES[relative]()), (
        f"{relative} drifted: run `make templates`"
    )


def test_cfn_lint_is_clean():
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    files = [str(ROOT / relative) for relative in TEMPLATES]
    result = subprocess.run([str(cfn_lint), *files], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("pack", [conformance_pack(), ORGANIZATION_PACK], ids=["account", "organization"])
def test_pack_stays_within_what_conformance_packs_accept(pack):
    assert set(pack) == {"Parameters", "Conditions", "Resources"}
    assert {r["Type"] for r in pack["Resources"].values()} == PACK_RESOURCE_TYPES
    assert len(dump(pack).encode()) <= 51_200
    assert len(pack["Parameters"]) <= 60


def test_organization_pack_names_the_automation_roles_literally():
    roles = [
        r["Properties"]["Parameters"]["AutomationAssumeRole"]
        for r in ORGANIZATION_PACK["Resources"].values()
        if r["Type"] == "AWS::Config::RemediationConfiguration"
    ]
    assert roles == [
        {"StaticValue": {"Values": ["arn:aws:iam::111122223333:role/repo"]}},
        {"StaticValue": {"Values": ["arn:aws:iam::111122223333:role/iam"]}},
    ]


def test_pack_names_the_rules_and_runbooks_of_this_repository():
    pack = conformance_pack()
    rules = {
        r["Properties"]["ConfigRuleName"]: r
        for r in pack["Resources"].values()
        if r["Type"] == "AWS::Config::ConfigRule"
    }
    assert set(rules) == {p.name for p in (ROOT / "rules").iterdir() if (p / "parameters.json").exists()}
    for name, rule in rules.items():
        declared = json.loads((ROOT / "rules" / name / "parameters.json").read_text())["Parameters"]
        known = set(json.loads(declared["OptionalParameters"])) | {"ExecutionRoleName"}
        assert set(rule["Properties"]["InputParameters"]) <= known, name
        assert set(rule["Properties"]["Scope"]["ComplianceResourceTypes"]) == set(
            declared["SourceEvents"].split(",")
        )
        messages = {d["MessageType"] for d in rule["Properties"]["Source"]["SourceDetails"]}
        assert messages == {
            "ConfigurationItemChangeNotification",
            "OversizedConfigurationItemChangeNotification",
            "ScheduledNotification",
        }
    resource_parameter = {
        "ECRAccess-RestrictRepositoryPolicy": "RepositoryName",
        "ECRAccess-RevokeLayerDownload": "ResourceId",
    }
    for remediation in (
        r for r in pack["Resources"].values() if r["Type"] == "AWS::Config::RemediationConfiguration"
    ):
        properties = remediation["Properties"]
        runbook = DOCUMENTS[properties["TargetId"]]()
        assert properties["TargetType"] == "SSM_DOCUMENT"
        assert set(properties["Parameters"]) <= set(runbook["parameters"])
        dynamic = [
            k for k, v in properties["Parameters"].items() if isinstance(v, dict) and "ResourceValue" in v
        ]
        assert dynamic == [resource_parameter[properties["TargetId"]]]
        assert properties["Parameters"][dynamic[0]] == {"ResourceValue": {"Value": "RESOURCE_ID"}}


def test_member_template_carries_the_committed_runbooks():
    member = yaml.safe_load((ROOT / "deploy" / "member.yaml").read_text())
    documents = {
        r["Properties"]["Name"]: r["Properties"]["Content"]
        for r in member["Resources"].values()
        if r["Type"] == "AWS::SSM::Document"
    }
    assert set(documents) == set(DOCUMENTS)
    for name, content in documents.items():
        assert content == yaml.safe_load((ROOT / "remediation" / f"{name}.yaml").read_text())


def _concrete(value):
    """Template values with intrinsics replaced by wildcards, so the engine can read the policies."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            return (
                "arn:aws:iam::*:role/ecr-access-rule-execution"
                if "ExecutionRoleName" in value["Fn::Sub"]
                else "*"
            )
        if set(value) & {"Ref", "Fn::GetAtt"}:
            return "*"
        return {k: _concrete(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_concrete(v) for v in value]
    return value


def _roles():
    for relative in ("deploy/member.yaml", "deploy/central.yaml"):
        template = yaml.safe_load((ROOT / relative).read_text())
        for name, resource in template["Resources"].items():
            if resource["Type"] == "AWS::IAM::Role":
                yield (
                    f"{relative}:{name}",
                    [_concrete(p["PolicyDocument"]) for p in resource["Properties"]["Policies"]],
                )


ROLES = dict(_roles())
READ_PREFIXES = ("Get", "List", "Describe")
# sqs:SendMessage: failed asynchronous invocations go to the stack's own queue (its ARN is the resource).
RULE_WRITES = {
    "config:PutEvaluations",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "sts:AssumeRole",
    "sqs:SendMessage",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_no_role_the_templates_create_can_pull_layers(role):
    page = {
        "RoleDetailList": [
            {
                "RoleName": "r",
                "RoleId": "AROAEXAMPLEROLE000001",
                "Path": "/",
                "Arn": "arn:aws:iam::111122223333:role/r",
                "AttachedManagedPolicies": [],
                "RolePolicyList": [
                    {"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(ROLES[role])
                ],
            }
        ]
    }
    (principal,) = load_authorization_details(page).principals
    decision = PermissionEvaluator(repository_arn=None).evaluate(principal)
    assert decision.verdict.value == "DENIED", decision.reason


@pytest.mark.parametrize("role", list(ROLES))
def test_no_statement_uses_a_wildcard_action(role):
    for document in ROLES[role]:
        for statement in parse_document(document).statements:
            assert not statement.actions.negated
            assert all("*" not in action for action in statement.actions.patterns), (role, statement.label)


@pytest.mark.parametrize("role", [r for r in ROLES if "RuleExecutionRole" in r or "RuleFunctionRole" in r])
def test_rule_roles_write_nothing_but_evaluations_and_logs(role):
    for document in ROLES[role]:
        for statement in parse_document(document).statements:
            if statement.effect is Effect.ALLOW:
                for action in statement.actions.patterns:
                    assert action.split(":")[1].startswith(READ_PREFIXES) or action in RULE_WRITES, action


# --- the deployment commands ---------------------------------------------------------------------------
def _plan(capsys, *arguments):
    from ecr_access.cli.main import main

    code = main(["deploy-plan", "--code-bucket", "code-bucket", *arguments])
    captured = capsys.readouterr()
    steps = [line for line in captured.out.splitlines()[2:] if not line.startswith("#")]
    return code, steps, captured.err + captured.out


def test_single_account_plan_in_order(capsys):
    code, steps, _ = _plan(capsys, "--region", "us-east-1", "--region", "eu-west-1")
    assert code == 0
    kinds = [" ".join(step.split()[:3]) for step in steps]
    assert kinds == [
        "make package templates",
        "aws s3 cp",
        "aws s3 cp",  # each rule's zip under its content-hashed name
        "aws s3 cp",  # the member template
        "aws s3 cp",  # the runbooks' attachments
        "aws cloudformation deploy",
        "aws cloudformation deploy",  # central, both Regions
        "aws cloudformation deploy",
        "aws cloudformation deploy",  # member, both Regions
        "aws configservice put-conformance-pack",
        "aws configservice put-conformance-pack",
    ]
    assert steps[1] == (
        "aws s3 cp dist/lambda/ECR_REPO_NOT_PUBLIC.zip "
        "s3://code-bucket/ecr-access/$(cat dist/lambda/ECR_REPO_NOT_PUBLIC.key)"
    )
    assert "RepoRuleCodeKey=$(cat dist/lambda/ECR_REPO_NOT_PUBLIC.key)" in steps[5]
    assert "HomeRegion=us-east-1" in steps[7] and "--region eu-west-1" in steps[8]
    assert "CodeBucket=code-bucket" in steps[7]
    assert "EvaluateIamHere,ParameterValue=true" in steps[9]  # IAM in one Region only
    assert "EvaluateIamHere,ParameterValue=false" in steps[10]
    assert "RepoRemediationRoleArn" in steps[9]


def test_each_zip_is_uploaded_under_a_name_that_carries_its_content_hash(tmp_path):
    """CloudFormation does not notice a changed object under an unchanged S3Key: the key names the content."""
    import hashlib

    subprocess.run(
        [sys.executable, "-m", "ecr_access.packaging.lambda_zip", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for rule in ("ECR_REPO_NOT_PUBLIC", "ECR_LAYER_DOWNLOAD_RESTRICTED"):
        digest = hashlib.sha256((tmp_path / f"{rule}.zip").read_bytes()).hexdigest()
        assert (tmp_path / f"{rule}.key").read_text() == f"{rule}-{digest[:16]}.zip"


def test_organization_plan_uses_a_stack_set_and_an_organization_pack(capsys):
    code, steps, printed = _plan(
        capsys,
        "--region",
        "us-east-1",
        "--organizational-unit",
        "ou-ab12-34cd56ef",
        "--delivery-bucket",
        "awsconfigconforms-ecr-access",
        "--automation-account",
        "111122223333",
    )
    assert code == 0
    joined = "\n".join(steps)
    assert "create-stack-set" in joined and "--permission-model SERVICE_MANAGED" in joined
    assert "--deployment-targets OrganizationalUnitIds=ou-ab12-34cd56ef" in joined
    assert "render-pack --organization --automation-account 111122223333" in joined
    assert "put-organization-conformance-pack" in joined and "awsconfigconforms-ecr-access" in joined
    assert joined.index("create-stack-instances") < joined.index("put-organization-conformance-pack")
    # from the delegated administrator: every StackSet call says so, and the registration is printed
    stack_set_calls = [s for s in steps if "stack-set" in s or "stack-instances" in s]
    assert stack_set_calls and all("--call-as DELEGATED_ADMIN" in s for s in stack_set_calls)
    assert "member.org.stacksets.cloudformation.amazonaws.com" in printed
    # the management account gets no member stack from a service-managed StackSet: the pack skips it
    (pack,) = [s for s in steps if "put-organization-conformance-pack" in s]
    assert "--excluded-accounts $(aws organizations describe-organization" in pack


def test_organization_plan_refuses_a_delivery_bucket_config_would_refuse(capsys):
    code, _, err = _plan(
        capsys, "--region", "us-east-1", "--organizational-unit", "r-ab12", "--delivery-bucket", "my-bucket"
    )
    assert code == 2
    assert "awsconfigconforms" in err


def test_render_pack_for_an_organization_writes_literal_role_arns(capsys):
    from ecr_access.cli.main import main

    assert main(["render-pack", "--organization", "--automation-account", "111122223333"]) == 0
    pack = yaml.safe_load(capsys.readouterr().out)
    roles = {
        r["Properties"]["Parameters"]["AutomationAssumeRole"]["StaticValue"]["Values"][0]
        for r in pack["Resources"].values()
        if r["Type"] == "AWS::Config::RemediationConfiguration"
    }
    assert roles == {
        "arn:aws:iam::111122223333:role/ecr-access-restrict-repository-policy",
        "arn:aws:iam::111122223333:role/ecr-access-revoke-layer-download",
    }


def test_execute_runs_the_steps_in_order_and_stops_at_the_first_failure(capsys, tmp_path):
    from ecr_access.deployment.plan import run

    marker = tmp_path / "ran"
    assert run([f"echo one >> {marker}", "exit 3", f"echo never >> {marker}"]) == 3
    assert marker.read_text() == "one\n"
    assert "step 2 failed (exit 3); stopped" in capsys.readouterr().out


def test_rule_lambdas_are_not_retried_and_have_bounded_concurrency():
    """Lambda retries a failed asynchronous invocation twice by default; a failing sweep must not run 3x."""
    from ecr_access.deployment.templates import central_template

    resources = central_template()["Resources"]
    configs = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert len(configs) == 2 and all(c["MaximumRetryAttempts"] == 0 for c in configs)
    assert all("OnFailure" in c["DestinationConfig"] for c in configs)
    functions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    assert all(f["ReservedConcurrentExecutions"] == {"Ref": "ReservedConcurrency"} for f in functions)


def test_automatic_remediation_stops_after_two_failures_within_an_hour():
    from ecr_access.deployment.pack import conformance_pack

    remediations = [
        r["Properties"]
        for r in conformance_pack()["Resources"].values()
        if r["Type"] == "AWS::Config::RemediationConfiguration"
    ]
    assert {(r["MaximumAutomaticAttempts"], r["RetryAttemptSeconds"]) for r in remediations} == {(2, 3600)}
