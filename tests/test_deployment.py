"""The conformance pack and the CloudFormation templates: rendered, linted, consistent, least privilege."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ecr_access import PermissionEvaluator, load_authorization_details
from ecr_access.deployment.pack import automation_role_arn, conformance_pack
from ecr_access.deployment.templates import TEMPLATES, dump
from ecr_access.policy import Effect, parse_document
from ecr_access.remediation.documents import DOCUMENTS

ROOT = Path(__file__).resolve().parent.parent
PACK_RESOURCE_TYPES = {"AWS::Config::ConfigRule", "AWS::Config::RemediationConfiguration"}
LITERAL_PACK = conformance_pack("aws-us-gov", "111122223333")


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


def test_checkov_is_clean_and_each_suppression_is_justified():
    """checkov runs from its own venv (`make setup`: it pins a boto3 the rest cannot use)."""
    checkov = Path(sys.executable).parent.parent / "checkov" / "bin" / "checkov"
    assert checkov.exists(), "checkov is missing: run `make setup`"
    result = subprocess.run(
        [
            str(checkov),
            *("--directory", str(ROOT / "deploy"), "--framework", "cloudformation"),
            *("--skip-download", "--output", "json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(result.stdout)
    assert report["summary"]["parsing_errors"] == 0 and report["summary"]["passed"] > 50
    assert report["results"]["failed_checks"] == [], result.stdout[:3000]
    skipped = report["results"]["skipped_checks"]
    assert skipped and all(len(check["check_result"].get("suppress_comment", "")) > 40 for check in skipped)


@pytest.mark.parametrize("pack", [conformance_pack(), LITERAL_PACK], ids=["any-account", "literal-account"])
def test_pack_stays_within_what_conformance_packs_accept(pack):
    assert set(pack) == {"Parameters", "Conditions", "Resources"}
    assert {r["Type"] for r in pack["Resources"].values()} == PACK_RESOURCE_TYPES
    assert len(dump(pack).encode()) <= 51_200
    assert len(pack["Parameters"]) <= 60


def _pack_roles(pack):
    return [
        r["Properties"]["Parameters"]["AutomationAssumeRole"]
        for r in pack["Resources"].values()
        if r["Type"] == "AWS::Config::RemediationConfiguration"
    ]


def test_pack_names_the_automation_roles_literally_for_any_account():
    """Config does not resolve intrinsics in AutomationAssumeRole, and an organization pack has no one
    account to name: the literal ARN names {{global:ACCOUNT_ID}}, which Automation resolves."""
    assert _pack_roles(conformance_pack()) == [
        {"StaticValue": {"Values": ["arn:aws:iam::{{global:ACCOUNT_ID}}:role/ecr-access-restrict-repository-policy"]}},  # noqa: E501
        {"StaticValue": {"Values": ["arn:aws:iam::{{global:ACCOUNT_ID}}:role/ecr-access-restrict-vpc-endpoint-policy"]}},  # noqa: E501
        {"StaticValue": {"Values": ["arn:aws:iam::{{global:ACCOUNT_ID}}:role/ecr-access-revoke-layer-download"]}},  # noqa: E501
    ]  # fmt: skip
    assert _pack_roles(LITERAL_PACK)[0] == {
        "StaticValue": {
            "Values": ["arn:aws-us-gov:iam::111122223333:role/ecr-access-restrict-repository-policy"]
        }
    }
    assert "RepoRemediationRoleArn" not in conformance_pack()["Parameters"]


@pytest.mark.parametrize(
    "runbook",
    [
        "ECRAccess-RestrictRepositoryPolicy",
        "ECRAccess-RevokeLayerDownload",
        "ECRAccess-RestrictVpcEndpointPolicy",
    ],
)
@pytest.mark.parametrize("pack", [conformance_pack(), LITERAL_PACK], ids=["any-account", "literal-account"])
def test_the_packs_automation_role_passes_the_runbooks_allowed_pattern(pack, runbook):
    import re

    (role,) = [
        r["Properties"]["Parameters"]["AutomationAssumeRole"]["StaticValue"]["Values"][0]
        for r in pack["Resources"].values()
        if r["Type"] == "AWS::Config::RemediationConfiguration" and r["Properties"]["TargetId"] == runbook
    ]
    assert re.search(DOCUMENTS[runbook]()["parameters"]["AutomationAssumeRole"]["allowedPattern"], role)


@pytest.mark.parametrize("account", ["111111111111", "222222222222"])
def test_the_packs_literal_role_is_each_accounts_own_role_when_the_runbook_runs(monkeypatch, account):
    """The local runner resolves {{global:ACCOUNT_ID}} as Automation does, in the account that runs it."""
    import boto3
    from moto import mock_aws

    from ecr_access.testing.automation_runner import AutomationRunner

    monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    public = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}],
    }
    document = ROOT / "remediation" / "ECRAccess-RestrictRepositoryPolicy.yaml"
    with mock_aws():
        ecr = boto3.client("ecr")
        ecr.create_repository(repositoryName="app")
        ecr.set_repository_policy(repositoryName="app", policyText=json.dumps(public))
        role = automation_role_arn("ECRAccess-RestrictRepositoryPolicy")
        execution = AutomationRunner(document).start({"RepositoryName": "app", "AutomationAssumeRole": role})
        other = AutomationRunner(document).start(
            {"RepositoryName": "app", "AutomationAssumeRole": "arn:aws:iam::999999999999:role/x"}
        )
    assert execution.assumed_role == f"arn:aws:iam::{account}:role/ecr-access-restrict-repository-policy"
    assert execution.status == "Success", execution.failure
    assert other.status == "Failed" and "not a role of account" in other.failure


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
        "ECRAccess-RestrictVpcEndpointPolicy": "VpcEndpointId",
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
        if set(value) == {"Fn::If"}:  # either branch only narrows a condition: read the organization one
            return _concrete(value["Fn::If"][1])
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

    code = main(["deploy-plan", "--code-bucket-prefix", "acme-code", *arguments])
    captured = capsys.readouterr()
    steps = captured.out.split("\n}\n")[-1].splitlines() if code == 0 else []  # after the preamble
    return code, steps, captured.err + captured.out


def test_single_account_plan_in_order(capsys):
    code, steps, _ = _plan(capsys, "--region", "us-east-1", "--region", "eu-west-1")
    assert code == 0
    kinds = [" ".join(step.split()[:3]) for step in steps]
    per_region_upload = [
        "aws s3api head-bucket",  # the Region's code bucket, created when missing
        "aws s3api put-public-access-block",
        "aws s3 cp",
        "aws s3 cp",
        "aws s3 cp",  # each rule's zip under its content-hashed name
        "aws s3 cp",  # the runbooks' attachments
    ]
    assert kinds == [
        "make package templates",
        "ecr-access render-pack --partition",
        *per_region_upload,
        "aws s3 cp",  # the member template, to the home Region's bucket
        *per_region_upload,
        "aws cloudformation deploy",
        "aws cloudformation deploy",  # central, both Regions
        "aws cloudformation deploy",
        "aws cloudformation deploy",  # member, both Regions
        "ecr-access pack-parameters --region",
        "aws configservice put-conformance-pack",
        "ecr-access pack-parameters --region",
        "aws configservice put-conformance-pack",
    ]
    assert steps[4] == (
        "aws s3 cp --region us-east-1 dist/lambda/ECR_REPO_NOT_PUBLIC.zip "
        "s3://acme-code-us-east-1/ecr-access/$(cat dist/lambda/ECR_REPO_NOT_PUBLIC.key)"
    )
    assert "s3://acme-code-eu-west-1/ecr-access/$(cat dist/lambda/ECR_REPO_NOT_PUBLIC.key)" in steps[11]
    central = [s for s in steps if "stack-name ecr-access-central" in s]
    assert all("--no-fail-on-empty-changeset" in s and "CodeBucketPrefix=acme-code" in s for s in central)
    assert "RepoRuleCodeKey=$(cat dist/lambda/ECR_REPO_NOT_PUBLIC.key)" in central[0]
    member = [s for s in steps if "stack-name ecr-access-member" in s]
    assert all("HomeRegion=us-east-1" in s for s in member) and "--s3-bucket acme-code-eu-west-1" in member[1]
    packs = [s for s in steps if "put-conformance-pack" in s]
    assert packs[0].endswith("file://dist/pack-parameters.us-east-1.json && wait_conformance_pack us-east-1")


def test_pack_parameters_are_a_json_file_so_commas_survive(capsys):
    """The CLI's shorthand splits ParameterValue=o-a,o-b at the comma: the plan writes JSON instead."""
    from ecr_access.cli.main import main

    arguments = ["pack-parameters", "--region", "eu-west-1", "--iam-region", "us-east-1"]
    assert (
        main(
            [
                *arguments,
                "--central-account",
                "111122223333",
                "--pack-parameter",
                "TrustedOrganizationIds=o-a,o-b",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [
        {"ParameterName": "RepoRuleLambdaArn", "ParameterValue": "arn:aws:lambda:eu-west-1:111122223333:function:ECR_REPO_NOT_PUBLIC"},  # noqa: E501
        {"ParameterName": "PrincipalRuleLambdaArn", "ParameterValue": "arn:aws:lambda:eu-west-1:111122223333:function:ECR_LAYER_DOWNLOAD_RESTRICTED"},  # noqa: E501
        {"ParameterName": "EndpointRuleLambdaArn", "ParameterValue": "arn:aws:lambda:eu-west-1:111122223333:function:ECR_VPC_ENDPOINT_RESTRICTED"},  # noqa: E501
        {"ParameterName": "EvaluateIamHere", "ParameterValue": "false"},
        {"ParameterName": "TrustedOrganizationIds", "ParameterValue": "o-a,o-b"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    "arguments, complaint",
    [
        pytest.param(["--region", "us-east-1", "--code-bucket-prefix", "Bad_Prefix"], "code-bucket-prefix", id="bucket-prefix"),  # noqa: E501
        pytest.param(["--region", "us-east-1", "--code-bucket-prefix", "x" * 42], "code-bucket-prefix", id="prefix-too-long"),  # noqa: E501
        pytest.param(["--region", "us-east-1;rm", "--code-bucket-prefix", "ok"], "not a Region", id="region-injection"),  # noqa: E501
        pytest.param(["--region", "us-east-1", "--iam-region", "eu-west-1", "--code-bucket-prefix", "ok"], "iam-region", id="iam-region-not-deployed"),  # noqa: E501
        pytest.param(["--region", "us-east-1", "--code-bucket-prefix", "ok", "--pack-parameter", "=x"], "NAME=VALUE", id="nameless-parameter"),  # noqa: E501
    ],
)  # fmt: skip
def test_plan_refuses_settings_that_would_break_or_inject(capsys, arguments, complaint):
    from ecr_access.cli.main import main

    assert main(["deploy-plan", *arguments]) == 2
    assert complaint in capsys.readouterr().err


def test_pack_parameter_values_are_quoted_for_the_shell(capsys):
    code, steps, _ = _plan(
        capsys, "--region", "us-east-1", "--pack-parameter", "AllowedPrincipalArns=arn:aws:iam::1:role/$(id)"
    )
    assert code == 0
    (write,) = [s for s in steps if s.startswith("ecr-access pack-parameters")]
    assert "'AllowedPrincipalArns=arn:aws:iam::1:role/$(id)'" in write


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
        "--region",
        "eu-west-1",
        "--organizational-unit",
        "ou-ab12-34cd56ef",
        "--delivery-bucket",
        "awsconfigconforms-ecr-access",
    )
    assert code == 0
    joined = "\n".join(steps)
    (stack_set,) = [s for s in steps if "create-stack-set" in s]
    # created on the first run, updated (and waited for) on the next
    assert stack_set.startswith("if aws cloudformation describe-stack-set")
    assert "update-stack-set" in stack_set and "wait_stack_set_operation" in stack_set
    assert "--permission-model SERVICE_MANAGED" in stack_set
    url = "--template-url https://acme-code-us-east-1.s3.us-east-1.amazonaws.com/ecr-access/member.yaml"
    assert url in stack_set
    (instances,) = [s for s in steps if "create-stack-instances" in s]
    targets = "--deployment-targets OrganizationalUnitIds=ou-ab12-34cd56ef --regions us-east-1 eu-west-1"
    assert targets in instances
    assert instances.endswith('wait_stack_set_operation us-east-1 ecr-access-member "$operation"')
    assert "put-organization-conformance-pack" in joined and "awsconfigconforms-ecr-access" in joined
    assert joined.index("create-stack-instances") < joined.index("put-organization-conformance-pack")
    # from the delegated administrator: every StackSet call says so, and the registrations are printed
    calls = [s for s in steps if "stack-set" in s or "stack-instances" in s]
    assert calls and all(s.count("--call-as DELEGATED_ADMIN") == s.count("aws cloudformation") for s in calls)
    assert "member.org.stacksets.cloudformation.amazonaws.com" in printed
    assert "config-multiaccountsetup.amazonaws.com" in printed
    # the management account gets no member stack from a service-managed StackSet: the pack skips it
    packs = [s for s in steps if "put-organization-conformance-pack" in s]
    assert len(packs) == 2 and all('--excluded-accounts "$(management_account)"' in s for s in packs)
    # member accounts read the runbooks' attachments from each Region's bucket
    policies = [s for s in steps if "put-bucket-policy" in s]
    assert len(policies) == 2 and all('"$(organization_id)"' in s for s in policies)


def test_organization_plan_refuses_a_delivery_bucket_config_would_refuse(capsys):
    code, _, err = _plan(
        capsys, "--region", "us-east-1", "--organizational-unit", "r-ab12", "--delivery-bucket", "my-bucket"
    )
    assert code == 2
    assert "awsconfigconforms" in err


def test_render_pack_can_write_one_accounts_literal_role_arns(capsys):
    from ecr_access.cli.main import main

    assert main(["render-pack", "--automation-account", "111122223333"]) == 0
    pack = yaml.safe_load(capsys.readouterr().out)
    assert {r["StaticValue"]["Values"][0] for r in _pack_roles(pack)} == {
        "arn:aws:iam::111122223333:role/ecr-access-restrict-repository-policy",
        "arn:aws:iam::111122223333:role/ecr-access-revoke-layer-download",
        "arn:aws:iam::111122223333:role/ecr-access-restrict-vpc-endpoint-policy",
    }
    assert main(["render-pack", "--automation-account", "1111;x"]) == 2


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
    assert len(configs) == 3 and all(c["MaximumRetryAttempts"] == 0 for c in configs)  # one per rule
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


def test_the_perimeter_is_off_by_default_and_proved_before_it_is_deployed(capsys):
    code, steps, _ = _plan(capsys, "--region", "us-east-1")
    assert code == 0 and not any("perimeter" in s for s in steps)
    code, steps, _ = _plan(
        capsys,
        "--region",
        "us-east-1",
        "--with-perimeter",
        "rules.toml",
        "--perimeter-target",
        "ou-ab12-34cd56ef",
    )
    assert code == 0
    tail = steps[-4:]
    assert tail[0].startswith("aws iam get-account-authorization-details")
    assert tail[1].startswith("ecr-access perimeter check --config rules.toml")
    assert tail[2].startswith("ecr-access perimeter render --config rules.toml")
    assert "ScpTargetIds=ou-ab12-34cd56ef" in tail[3] and "--stack-name ecr-access-perimeter" in tail[3]
    code, _, printed = _plan(capsys, "--region", "us-east-1", "--with-perimeter", "rules.toml")
    assert code == 2 and "--perimeter-target" in printed


def test_detection_is_off_by_default_and_deploys_its_own_zip(capsys):
    code, steps, _ = _plan(capsys, "--region", "us-east-1")
    assert code == 0 and not any("detection" in s for s in steps)
    code, steps, _ = _plan(capsys, "--region", "us-east-1", "--with-detection")
    assert code == 0
    assert any("dist/lambda/ecr-access-detection.zip" in s for s in steps)
    (deploy,) = [s for s in steps if "--stack-name ecr-access-detection" in s]
    assert "DetectionCodeKey=$(cat dist/lambda/ecr-access-detection.key)" in deploy
    assert "OrganizationId" not in deploy


def test_an_organizations_detection_forwards_every_member_account_to_the_security_accounts_bus(capsys):
    code, steps, _ = _plan(
        capsys,
        "--region",
        "us-east-1",
        "--organizational-unit",
        "r-ab12",
        "--delivery-bucket",
        "awsconfigconforms-acme",
        "--with-detection",
    )
    assert code == 0
    (deploy,) = [s for s in steps if "--stack-name ecr-access-detection " in s]
    assert 'OrganizationId="$(organization_id)"' in deploy and "CAPABILITY_NAMED_IAM" in deploy  # named roles
    assert any("deploy/detection-forwarder.yaml s3://" in s for s in steps)  # the StackSet's template URL
    forwarder = [s for s in steps if "--stack-set-name ecr-access-detection-forwarder" in s]
    assert len(forwarder) == 2 and "detection-forwarder.yaml" in forwarder[0]
    bus = "arn:aws:events:us-east-1:$(aws sts get-caller-identity --query Account --output text):event-bus/ecr-access-detection"  # noqa: E501
    assert f"ParameterKey=DetectionBusArn,ParameterValue={bus}" in forwarder[0]
    assert "ParameterKey=HomeRegion,ParameterValue=us-east-1" in forwarder[0]
    assert "OrganizationalUnitIds=r-ab12" in forwarder[1]
    assert steps.index(deploy) < steps.index(forwarder[0])  # the bus exists before anyone forwards to it
