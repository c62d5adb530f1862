"""`ecr-access deploy-plan --execute`, run to the end through the real AWS CLI against moto_server, twice.

What no test of the plan's text can catch — argument parsing by the CLI (file:// JSON, shorthand),
the order of steps, waiting on asynchronous operations, the second run's update path — is
exercised here. moto lacks the Config conformance-pack APIs: the CLI plugin
ecr_access.testing.aws_cli_capture answers those at the botocore level and records each request,
and the assertions read what the CLI really sent.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from principal_builder import ECS_TASKS_TRUST

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "acme-ecr"
REGIONS = ("us-east-1", "eu-west-1")
TRUSTED = "o-aaaaaaaaaa,o-bbbbbbbbbb"  # a comma inside a value: the shorthand syntax would split it


@pytest.fixture
def cli(moto_server, monkeypatch, tmp_path):
    # moto reads a CloudFormation TemplateURL on 127.0.0.1 as a bucket named "127" (it special-cases
    # "localhost" only); the same server under the name localhost.
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.replace("127.0.0.1", "localhost"))
    config = tmp_path / "aws-config"
    config.write_text("[plugins]\ncapture = ecr_access.testing.aws_cli_capture\n")
    capture = tmp_path / "calls.jsonl"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("ECR_ACCESS_CLI_CAPTURE", str(capture))
    monkeypatch.setenv("ECR_ACCESS_POLL_SECONDS", "0")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    def plan(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(Path(sys.executable).parent / "ecr-access"), "deploy-plan", "--code-bucket-prefix", PREFIX,
             *(f"--region={r}" for r in REGIONS), f"--pack-parameter=TrustedOrganizationIds={TRUSTED}",
             *arguments, "--execute"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    def calls() -> list[dict]:
        return [json.loads(line) for line in capture.read_text().splitlines()]

    return plan, calls


def _parameters(call: dict) -> dict[str, str]:
    return {p["ParameterName"]: p["ParameterValue"] for p in call["params"]["ConformancePackInputParameters"]}


RULES = ("ECR_REPO_NOT_PUBLIC", "ECR_LAYER_DOWNLOAD_RESTRICTED", "ECR_VPC_ENDPOINT_RESTRICTED")


def _assert_code_in_every_region() -> None:
    for region in REGIONS:
        keys = {
            o["Key"]
            for o in boto3.client("s3", region_name=region).list_objects_v2(Bucket=f"{PREFIX}-{region}")[
                "Contents"
            ]
        }
        for rule in RULES:
            assert f"ecr-access/{(ROOT / 'dist' / 'lambda' / f'{rule}.key').read_text()}" in keys
        assert {f"ecr-access/runbooks/{d}.zip" for d in ("ECRAccess-RestrictRepositoryPolicy",)} <= keys
        functions = boto3.client("lambda", region_name=region).list_functions()["Functions"]
        assert {f["FunctionName"] for f in functions} == set(RULES)


def _assert_packs(calls: list[dict], operation: str) -> None:
    puts = [c for c in calls if c["operation"] == operation]
    assert [c["region"] for c in puts] == list(REGIONS) * 2  # every Region, on each of the two runs
    for put in puts:
        parameters = _parameters(put)
        assert parameters["TrustedOrganizationIds"] == TRUSTED
        assert parameters["EvaluateIamHere"] == str(put["region"] == REGIONS[0]).lower()
        assert parameters["RepoRuleLambdaArn"] == (
            f"arn:aws:lambda:{put['region']}:123456789012:function:ECR_REPO_NOT_PUBLIC"
        )
        assert (
            "arn:aws:iam::{{global:ACCOUNT_ID}}:role/ecr-access-restrict-repository-policy"
            in (put["params"]["TemplateBody"])
        )
    # each put was waited for before the next step
    operations = [c["operation"] for c in calls]
    assert all(operations[i + 1].startswith("Describe") for i, o in enumerate(operations) if o == operation)


def test_single_account_plan_runs_to_the_end_and_its_second_run_updates(cli):
    plan, calls = cli
    first = plan()
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    second = plan()
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "No changes to deploy" in second.stdout  # unchanged stacks are left alone, not failed
    _assert_code_in_every_region()
    _assert_packs(calls(), "PutConformancePack")
    for region in REGIONS:
        stacks = boto3.client("cloudformation", region_name=region).describe_stacks()["Stacks"]
        assert {s["StackName"] for s in stacks} == {"ecr-access-central", "ecr-access-member"}
    roles = {r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]}
    assert {"ecr-access-rule-execution", "ecr-access-restrict-repository-policy"} <= roles


def test_organization_plan_runs_to_the_end_and_its_second_run_updates_the_stack_set(cli):
    plan, calls = cli
    organizations = boto3.client("organizations")
    organization = organizations.create_organization(FeatureSet="ALL")["Organization"]
    root = organizations.list_roots()["Roots"][0]["Id"]
    arguments = ("--organizational-unit", root, "--delivery-bucket", "awsconfigconforms-acme")
    first = plan(*arguments)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    second = plan(*arguments)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    _assert_code_in_every_region()
    cloudformation = boto3.client("cloudformation", region_name=REGIONS[0])
    operations = cloudformation.list_stack_set_operations(
        StackSetName="ecr-access-member", CallAs="DELEGATED_ADMIN"
    )
    assert [(o["Action"], o["Status"]) for o in operations["Summaries"]] == [
        ("CREATE", "SUCCEEDED"),  # run 1: create-stack-set, then its instances
        ("UPDATE", "SUCCEEDED"),  # run 2: update-stack-set instead of a failing create
        ("CREATE", "SUCCEEDED"),  # run 2: instances for the targets (existing ones stay)
    ]
    instances = cloudformation.list_stack_instances(
        StackSetName="ecr-access-member", CallAs="DELEGATED_ADMIN"
    )
    assert sorted(i["Region"] for i in instances["Summaries"]) == sorted(REGIONS)
    recorded = calls()
    _assert_packs(recorded, "PutOrganizationConformancePack")
    for put in (c for c in recorded if c["operation"] == "PutOrganizationConformancePack"):
        assert put["params"]["ExcludedAccounts"] == [organization["MasterAccountId"]]
        assert put["params"]["DeliveryS3Bucket"] == "awsconfigconforms-acme"
    for region in REGIONS:  # member accounts read the runbooks' attachments, and only within the organization
        policy = json.loads(
            boto3.client("s3", region_name=region).get_bucket_policy(Bucket=f"{PREFIX}-{region}")["Policy"]
        )
        (statement,) = policy["Statement"]
        assert statement["Action"] == "s3:GetObject"
        assert statement["Resource"] == f"arn:aws:s3:::{PREFIX}-{region}/ecr-access/runbooks/*"
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": organization["Id"]}}


def test_the_perimeter_steps_prove_then_deploy_through_the_cli(moto_server, monkeypatch, capfd):
    """deploy-plan --with-perimeter's own steps, through the real AWS CLI. (moto's
    GetAccountAuthorizationDetails fails on roles CloudFormation created with inline policies, so
    the account is seeded through the API here, not by the member stack.)"""
    from ecr_access.deployment.plan import Settings, commands, run

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.replace("127.0.0.1", "localhost"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    iam = boto3.client("iam")
    trust = ECS_TASKS_TRUST
    pull = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}],
    }
    for name, path in (("ci-build", "/"), ("app", "/ecr-pull/")):
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=name, PolicyName="pull", PolicyDocument=json.dumps(pull))
    admins = "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AdministratorAccess*"
    settings = Settings(
        PREFIX, (REGIONS[0],), REGIONS[0], perimeter_config="examples/perimeter.toml",
        perimeter_targets=("r-ab12",), tag_administrators=(admins,),
    )  # fmt: skip
    steps = [s for s in commands(settings) if "perimeter" in s or "authorization-details" in s]
    assert [s.split()[1] for s in steps] == ["iam", "perimeter", "perimeter", "cloudformation"]
    (ROOT / "dist").mkdir(exist_ok=True)
    monkeypatch.chdir(ROOT)
    for attempt in ("first", "second"):  # the second run updates (nothing to change)
        assert run(steps) == 0, attempt
    out = capfd.readouterr().out
    assert "lose pull (1)" in out and "role/ci-build" in out  # the impact is shown before the deploy
    assert "after the SCP: 0 non-allow-listed principals can pull" in out
    template = boto3.client("cloudformation").get_template(StackName="ecr-access-perimeter")["TemplateBody"]
    assert "DenyLayerDownloadOutsideTheAllowList" in str(template)
