"""``ecr-access who-can-pull`` on real-shaped dumps: table, JSON, SCPs and exit codes."""

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ecr_access.cli.main import main

from principal_builder import ECS_TASKS_TRUST, authorization_details

PULL = {"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}


@pytest.fixture
def dump(tmp_path):
    """Three principals: a role with a grant, a user granted by a group, a role with nothing."""
    granted = authorization_details([PULL], name="deployer")
    by_group = authorization_details([], kind="user", name="dev", groups={"devs": PULL})
    nothing = authorization_details([], name="lambda-worker")
    nothing["RoleDetailList"][0]["RoleId"] = "AROANOTHING000000001"
    path = tmp_path / "details.json"
    path.write_text(json.dumps([granted, by_group, nothing]))
    return path


def test_text_table_lists_allowed_first_with_a_summary(dump, capsys):
    assert main(["who-can-pull", "--authorization-details", str(dump)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["TYPE", "NAME", "VERDICT", "REASON"]
    assert lines[1].split()[:3] == ["Role", "deployer", "ALLOWED"]
    assert lines[2].split()[:3] == ["User", "dev", "ALLOWED"]
    assert "(via group devs)" in lines[2]
    assert lines[3].split()[:3] == ["Role", "lambda-worker", "DENIED"]
    assert lines[-1] == "3 principals: 2 ALLOWED, 0 CONDITIONAL, 1 DENIED"


def test_json_rows_carry_arn_type_name_id_verdict_reason(dump, capsys):
    assert main(["who-can-pull", "--authorization-details", str(dump), "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "arn": "arn:aws:iam::111122223333:role/deployer",
        "type": "Role",
        "name": "deployer",
        "id": "AROAEXAMPLEROLE000001",
        "verdict": "ALLOWED",
        "reason": "Allowed by inline policy inline0, statement #0 (ecr:GetDownloadUrlForLayer on *)",
    }


def test_scps_that_deny_leave_nobody_and_exit_0(dump, tmp_path, capsys):
    scps = tmp_path / "scps.json"
    deny = {"Effect": "Deny", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}
    full = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    scps.write_text(
        json.dumps(
            [
                [{"Version": "2012-10-17", "Statement": [full]}],
                [{"Name": "NoLayerDownload", "Content": json.dumps({"Statement": [full, deny]})}],
            ]
        )
    )
    assert main(["who-can-pull", "--authorization-details", str(dump), "--scps", str(scps)]) == 0
    out = capsys.readouterr().out
    assert "Denied by SCP NoLayerDownload at level 1, statement #1" in out
    assert out.splitlines()[-1] == "3 principals: 0 ALLOWED, 0 CONDITIONAL, 3 DENIED"


def test_one_repository_arn(dump, capsys):
    other = "arn:aws:ecr:us-east-1:999988887777:repository/app"
    assert main(["who-can-pull", "--authorization-details", str(dump), "--repository-arn", other]) == 0
    assert "a cross-account pull also needs its repository policy" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        pytest.param("{not json", [], "is not valid JSON", id="not-json"),
        pytest.param('"text"', [], "get-account-authorization-details' output", id="not-an-object"),
        # A wrong file never reads as "0 principals, exit 0": a CI gate would pass on it.
        pytest.param("{}", [], "it has none of UserDetailList", id="empty-object"),
        pytest.param("[]", [], "is an empty list", id="empty-list"),
        pytest.param(
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}),
            [],
            "it has none of UserDetailList",
            id="a-repository-policy",
        ),
        pytest.param(
            '{"RoleDetailList": [], "IsTruncated": true, "Marker": "abc"}',
            [],
            "is truncated",
            id="truncated-page",
        ),
        pytest.param('{"RoleDetailList": [], "NextToken": "abc"}', [], "is truncated", id="cli-max-items"),
        pytest.param('{"RoleDetailList": {}}', [], "RoleDetailList must be a list", id="list-not-a-list"),
        pytest.param(
            '{"RoleDetailList": [], "RoleDetailList": []}',
            [],
            'duplicate key "RoleDetailList"',
            id="duplicate-key",
        ),
        pytest.param("[" * 100_000 + "]" * 100_000, [], "nests arrays/objects too deeply", id="nesting-bomb"),
        # One malformed entity is reported, and the run is never a pass.
        pytest.param(
            '{"RoleDetailList": [{"RoleName": "x"}]}',
            [],
            "not evaluated: x: malformed role",
            id="missing-field",
        ),
        pytest.param(
            '{"RoleDetailList": []}',
            ["--repository-arn", "arn:aws:s3:::bucket"],
            "not an ECR repository ARN",
            id="bad-arn",
        ),
    ],
)
def test_invalid_input_exits_2_with_one_line(tmp_path, capsys, content, extra, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["who-can-pull", "--authorization-details", str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_scp_file_exits_2(dump, tmp_path, capsys):
    scps = tmp_path / "scps.json"
    scps.write_text(json.dumps([{"Statement": []}]))
    assert main(["who-can-pull", "--authorization-details", str(dump), "--scps", str(scps)]) == 2
    assert "SCP level 0 must be a list" in capsys.readouterr().err


def test_on_moto_authorization_details(tmp_path, capsys):
    trust = json.dumps(ECS_TASKS_TRUST)
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_role(RoleName="task", AssumeRolePolicyDocument=trust)
        iam.put_role_policy(
            RoleName="task",
            PolicyName="pull",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [PULL]}),
        )
        iam.create_role(RoleName="other", AssumeRolePolicyDocument=trust)
        iam.create_user(UserName="bob")
        pages = list(iam.get_paginator("get_account_authorization_details").paginate())
    path = tmp_path / "moto.json"
    path.write_text(json.dumps(pages, default=str))
    assert main(["who-can-pull", "--authorization-details", str(path), "--format", "json"]) == 1
    verdicts = {row["name"]: row["verdict"] for row in json.loads(capsys.readouterr().out)}
    assert verdicts == {"task": "ALLOWED", "other": "DENIED", "bob": "DENIED"}


def test_the_readme_example(capsys):
    """The dump and SCPs in examples/ give the table the README shows."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    assert (
        main(["who-can-pull", "--authorization-details", str(examples / "authorization-details.json")]) == 1
    )
    rows = [line.split(None, 3) for line in capsys.readouterr().out.splitlines()[1:6]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("Role", "ci-deployer", "ALLOWED"),
        ("User", "dana", "ALLOWED"),
        ("Role", "batch-worker", "CONDITIONAL"),
        ("Role", "legacy-app", "DENIED"),
        ("Role", "reporting", "DENIED"),
    ]
    assert rows[3][3] == "Permissions boundary boundary does not allow ecr:GetDownloadUrlForLayer"
    scps = ["--scps", str(examples / "scps.json")]
    assert (
        main(["who-can-pull", "--authorization-details", str(examples / "authorization-details.json"), *scps])
        == 1
    )
    assert capsys.readouterr().out.splitlines()[-1] == "5 principals: 1 ALLOWED, 0 CONDITIONAL, 4 DENIED"


# --- Engine III: other accounts' registries, RCPs, the management account ------------------------
REGISTRY = "999988887777"
ORG = "o-a1b2c3d4e5"


def _two_accounts(tmp_path):
    """A workload account's dump and the registry account's `aws ecr get-repository-policy` output."""
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_role(RoleName="workload", AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))
        central = {"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer"}
        central["Resource"] = f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*"
        iam.put_role_policy(
            RoleName="workload",
            PolicyName="central-pull",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [central]}),
        )
        details = iam.get_account_authorization_details()
        credentials = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{REGISTRY}:role/reader", RoleSessionName="setup"
        )["Credentials"]
        ecr = boto3.client(
            "ecr",
            region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        ecr.create_repository(repositoryName="base/python")
        grant = {"Effect": "Allow", "Principal": "*", "Action": "ecr:GetDownloadUrlForLayer"}
        grant["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
        ecr.set_repository_policy(
            repositoryName="base/python",
            policyText=json.dumps({"Version": "2012-10-17", "Statement": [grant]}),
        )
        policy = ecr.get_repository_policy(repositoryName="base/python")
    policy.pop("ResponseMetadata")
    details.pop("ResponseMetadata")
    (tmp_path / "details.json").write_text(json.dumps(details, default=str))
    (tmp_path / "policies.json").write_text(json.dumps([policy]))
    return str(tmp_path / "details.json"), str(tmp_path / "policies.json")


@pytest.mark.parametrize(
    ("extra", "verdict", "reason"),
    [
        pytest.param([], "CONDITIONAL", f"Depends on the repository policies of account {REGISTRY}", id="not-read"),  # noqa: E501
        pytest.param(
            ["--repository-policies", "POLICIES", "--registry-region", "us-east-1", "--organization-id", ORG],
            "ALLOWED",
            f"and by the repository policy of arn:aws:ecr:us-east-1:{REGISTRY}:repository/base/python",
            id="read-grants-the-organization",
        ),
        pytest.param(
            ["--repository-policies", "POLICIES", "--registry-region", "us-east-1", "--organization-id", "o-zzzzzzzzzz"],  # noqa: E501
            "DENIED",
            f"The repository policy (account {REGISTRY}) does not grant",
            id="read-grants-another-organization",
        ),
        pytest.param(
            ["--repository-policies", "POLICIES", "--registry-region", "us-east-1"],
            "CONDITIONAL",
            "aws:PrincipalOrgID",
            id="read-but-organization-unknown",
        ),
    ],
)  # fmt: skip
def test_cross_account_pulls_from_the_central_registry(tmp_path, capsys, extra, verdict, reason):
    details, policies = _two_accounts(tmp_path)
    arguments = [policies if a == "POLICIES" else a for a in extra]
    main(["who-can-pull", "--authorization-details", details, "--format", "json", *arguments])
    (row,) = json.loads(capsys.readouterr().out)
    assert row["verdict"] == verdict, row["reason"]
    assert reason in row["reason"]
    if verdict != "DENIED":
        assert row["registry_account"] == REGISTRY


def test_rcps_and_the_management_account(tmp_path, capsys):
    own = {"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer"}
    own["Resource"] = "arn:aws:ecr:*:111122223333:repository/*"  # its own account's repositories only
    dump = tmp_path / "details.json"
    dump.write_text(json.dumps(authorization_details([own], name="deployer")))
    rcps = tmp_path / "rcps.json"
    deny = {"Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Resource": "*"}
    rcps.write_text(
        json.dumps([[{"Name": "deny-ecr", "Content": {"Version": "2012-10-17", "Statement": [deny]}}]])
    )
    assert main(["who-can-pull", "--authorization-details", str(dump), "--rcps", str(rcps)]) == 0
    assert "Denied by RCP deny-ecr" in capsys.readouterr().out
    # "RCPs don't affect resources in the management account"
    flags = ["--rcps", str(rcps), "--management-account"]
    assert main(["who-can-pull", "--authorization-details", str(dump), *flags]) == 1
    assert "Allowed by inline policy" in capsys.readouterr().out


def test_an_rcp_limits_only_its_own_accounts_repositories(dump, tmp_path, capsys):
    """An RCP applies to requests for resources in its accounts: a Resource "*" grant may still pull elsewhere."""  # noqa: E501
    rcps = tmp_path / "rcps.json"
    deny = {"Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Resource": "*"}
    rcps.write_text(
        json.dumps([[{"Name": "deny-ecr", "Content": {"Version": "2012-10-17", "Statement": [deny]}}]])
    )
    assert (
        main(["who-can-pull", "--authorization-details", str(dump), "--rcps", str(rcps), "--format", "json"])
        == 1
    )
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["deployer"]["verdict"] == "CONDITIONAL"
    assert "of other accounts (those matching '*')" in rows["deployer"]["reason"]


def test_repository_policies_that_are_not_get_repository_policy_output_are_refused(dump, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"registryId": REGISTRY, "policyText": "{}"}]))
    arguments = ["--repository-policies", str(bad), "--registry-region", "us-east-1"]
    assert main(["who-can-pull", "--authorization-details", str(dump), *arguments]) == 2
    assert "no repositoryName" in capsys.readouterr().err


def test_at_80_columns_principals_are_blocks_wrapped_at_word_boundaries(dump, capsys, monkeypatch):
    """The same layout as scan's below 100 columns: no padding, no ARN or word split across lines."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["who-can-pull", "--authorization-details", str(dump)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Role  deployer  ALLOWED"
    assert lines[1].startswith("    Allowed by inline policy inline0")
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)
    assert lines[-1] == "3 principals: 2 ALLOWED, 0 CONDITIONAL, 1 DENIED"
