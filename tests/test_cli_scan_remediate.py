"""`ecr-access scan --remediate` against moto: the plan reads only, applying runs the runbooks' handlers."""

import json

import boto3
import pytest

from ecr_access.cli.main import main
from ecr_access.remediation.revoke_layer_download import DENY_DOCUMENT
from ecr_access.testing.config_harness import refusing

from principal_builder import ECS_TASKS_TRUST

TRUSTED = "444455556666"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
PUBLIC = {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": PULL}
SHARED = {
    "Sid": "Shared",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{TRUSTED}:root"},
    "Action": PULL,
}
ARGS = ["--trusted-account", TRUSTED, "--allowed-service-principal", "ecs-tasks.amazonaws.com"]
WRITES = {
    "SetRepositoryPolicy",
    "DeleteRepositoryPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "PutParameter",
    "AttachRolePolicy",
    "AttachUserPolicy",
}


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def account(capture, monkeypatch):
    """A small account: one repository to fix, one fine; two principals to fix, one allow-listed."""
    monkeypatch.setenv("COLUMNS", "200")
    ecr, iam = boto3.client("ecr"), boto3.client("iam")
    for name, statements in (("web", (SHARED, PUBLIC)), ("shared", (SHARED,))):
        ecr.create_repository(repositoryName=name)
        ecr.set_repository_policy(repositoryName=name, policyText=_policy(*statements))
    human = _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_role(RoleName="ci", AssumeRolePolicyDocument=human)
    iam.put_role_policy(
        RoleName="ci",
        PolicyName="ecr",
        PolicyDocument=_policy({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}),
    )
    iam.create_user(UserName="dev")
    iam.put_user_policy(
        UserName="dev",
        PolicyName="get",
        PolicyDocument=_policy({"Effect": "Allow", "Action": "ecr:Get*", "Resource": "*"}),
    )
    iam.create_policy(PolicyName="ECRAccessDenyLayerDownload", PolicyDocument=json.dumps(DENY_DOCUMENT))
    iam.create_role(RoleName="ecs-exec", AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))
    iam.put_role_policy(
        RoleName="ecs-exec",
        PolicyName="pull",
        PolicyDocument=_policy({"Effect": "Allow", "Action": PULL, "Resource": "*"}),
    )
    return ecr, iam


DENY_ARN = "arn:aws:iam::123456789012:policy/ECRAccessDenyLayerDownload"


def attached(iam, kind, name):
    listed = getattr(iam, f"list_attached_{kind}_policies")(**{f"{kind.capitalize()}Name": name})
    return [p["PolicyArn"] for p in listed["AttachedPolicies"]]


def scan(capsys, *args):
    code = main(["scan", *ARGS, *args])
    out, err = capsys.readouterr()
    return code, out, err


def statements(ecr, name):
    return json.loads(ecr.get_repository_policy(repositoryName=name)["policyText"])["Statement"]


def test_dry_run_plans_every_non_compliant_resource_and_writes_nothing(account, capture, capsys):
    ecr, iam = account
    before = len(capture.calls)
    code, out, _ = scan(capsys, "--remediate", "--dry-run", "--format", "json")
    assert code == 1
    plans = {p["row"]["resource_name"]: p for p in json.loads(out)["remediation"]["plans"]}
    assert set(plans) == {"web", "arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:user/dev"}
    web = plans["web"]
    assert (web["runbook"], web["action"]) == ("ECRAccess-RestrictRepositoryPolicy", "UPDATE_POLICY")
    assert [
        line for line in web["detail"] if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ] == [f"-    {json.dumps(PUBLIC)}"]
    ci = plans["arn:aws:iam::123456789012:role/ci"]
    assert (ci["runbook"], ci["action"]) == ("ECRAccess-RevokeLayerDownload", "ATTACH_DENY")
    assert ci["detail"][0] == f"attach managed policy {DENY_ARN} to role ci"
    assert '"Action": "ecr:GetDownloadUrlForLayer"' in "\n".join(ci["detail"])
    operations = [operation for _, operation in capture.calls[before:]]
    assert not WRITES & set(operations)
    assert (operations.count("ListRoles"), operations.count("ListUsers")) == (1, 1)  # listed once for all
    assert len(statements(ecr, "web")) == 2
    assert iam.list_role_policies(RoleName="ci")["PolicyNames"] == ["ecr"]


def test_dry_run_table_shows_the_diff_and_the_deny(account, capsys):
    code, out, _ = scan(capsys, "--remediate", "--dry-run")
    assert code == 1
    assert "web (us-east-1) — ECRAccess-RestrictRepositoryPolicy: UPDATE_POLICY" in out
    assert f"    -    {json.dumps(PUBLIC)}" in out
    assert f"         {json.dumps(SHARED)}" in out  # kept: context line of the diff
    assert "arn:aws:iam::123456789012:user/dev — ECRAccess-RevokeLayerDownload: ATTACH_DENY" in out
    assert f"attach managed policy {DENY_ARN} to user dev" in out


def test_remediate_yes_applies_the_runbooks_and_the_account_scans_clean(account, capsys):
    ecr, iam = account
    code, out, _ = scan(capsys, "--remediate", "--yes")
    assert code == 0
    assert 'APPLIED  RemoveStatements on web: "Public" (#1) narrowed: untrusted principals removed' in out
    assert statements(ecr, "web") == [SHARED]
    assert attached(iam, "role", "ci") == [DENY_ARN]
    assert attached(iam, "user", "dev") == [DENY_ARN]
    assert attached(iam, "role", "ecs-exec") == []  # allow-listed: untouched
    backups = boto3.client("ssm").get_parameters_by_path(Path="/ecr-access/backup/web", Recursive=True)[
        "Parameters"
    ]
    assert len(backups) == 1 and json.loads(backups[0]["Value"])["Statement"] == [SHARED, PUBLIC]
    assert scan(capsys)[0] == 0


def test_restrict_to_organization_mode_bounds_to_the_accounts_own_organization(account, capsys):
    ecr, _ = account
    own = boto3.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    code, _, _ = scan(
        capsys, "--trusted-org", own, "--mode", "RestrictToOrganization", "--remediate", "--yes"
    )
    assert code == 0
    assert statements(ecr, "web")[1]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": [own]}}


def test_restrict_to_organization_refuses_an_organization_the_account_is_not_in(account, capsys):
    ecr, _ = account
    code, out, _ = scan(
        capsys, "--trusted-org", "o-a1b2c3d4e5", "--mode", "RestrictToOrganization", "--remediate", "--yes"
    )
    assert code != 0
    assert "the account is in no organization" in out
    assert statements(ecr, "web") == [SHARED, PUBLIC]


def test_without_yes_and_without_a_terminal_nothing_is_changed(account, capsys, monkeypatch):
    ecr, _ = account
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = scan(capsys, "--remediate")
    assert code == 2 and "confirm on a terminal, or pass --yes" in err
    assert len(statements(ecr, "web")) == 2


@pytest.mark.parametrize(
    ("answer", "code", "remaining"), [("n", 1, 2), ("y", 0, 1)], ids=["declined", "confirmed"]
)
def test_the_confirmation_question_decides(account, capsys, monkeypatch, answer, code, remaining):
    ecr, _ = account
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    assert scan(capsys, "--remediate")[0] == code
    assert asked == ["Apply 3 change(s) to account 123456789012? [y/N] "]
    assert len(statements(ecr, "web")) == remaining


def test_a_failing_runbook_is_reported_and_the_others_still_run(account, capture, capsys):
    ecr, _ = account
    capture.faults.append(refusing("PutParameter", "AccessDeniedException", "denied"))
    code, out, _ = scan(capsys, "--remediate", "--yes", "--format", "json")
    assert code == 2
    outcomes = {
        r["resource"]: (r["outcome"], r["message"]) for r in json.loads(out)["remediation"]["results"]
    }
    assert outcomes["web"] == (
        "FAILED",
        "AccessDeniedException: denied (missing permission ssm:PutParameter)",
    )
    assert outcomes["arn:aws:iam::123456789012:role/ci"][0] == "APPLIED"
    assert len(statements(ecr, "web")) == 2  # no backup, no write


def test_all_regions_reads_and_remediates_each_region(account, capsys):
    eu = boto3.client("ecr", region_name="eu-west-1")
    eu.create_repository(repositoryName="eu-web")
    eu.set_repository_policy(repositoryName="eu-web", policyText=_policy(PUBLIC))
    code, out, _ = scan(capsys, "--all-regions", "--format", "json")
    rows = {(r["region"], r["resource_name"]): r["compliance"] for r in json.loads(out)["results"]}
    assert code == 1
    assert rows[("eu-west-1", "eu-web")] == rows[("us-east-1", "web")] == "NON_COMPLIANT"
    assert ("eu-west-1", "web") not in rows
    assert scan(capsys, "--all-regions", "--remediate", "--yes")[0] == 0
    assert eu.describe_repositories()["repositories"][0]["repositoryName"] == "eu-web"
    with pytest.raises(eu.exceptions.RepositoryPolicyNotFoundException):
        eu.get_repository_policy(repositoryName="eu-web")  # its only statement was removed
