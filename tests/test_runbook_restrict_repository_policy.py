"""Runbook ECRAccess-RestrictRepositoryPolicy run by the local Automation runner against moto."""

import json
from pathlib import Path

import boto3
import pytest
from test_exposure_table import CASES

from ecr_access import analyze_repository_policy
from ecr_access.testing.automation_runner import AutomationRunner, InvalidParameters
from ecr_access.testing.config_harness import client_error

from conftest import OWNER, TRUSTED_ACCOUNT, TRUSTED_ORG, doc

DOCUMENT = Path(__file__).resolve().parent.parent / "remediation" / "ECRAccess-RestrictRepositoryPolicy.yaml"
ROLE = "arn:aws:iam::123456789012:role/ecr-access-remediation"
MOTO_ACCOUNT = "123456789012"
TRUST = {"TrustedAccountIds": f"{OWNER},{TRUSTED_ACCOUNT}", "TrustedOrganizationIds": TRUSTED_ORG}
STEP = "RestrictRepositoryPolicy"
PUBLIC = doc(
    {"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": ["ecr:GetDownloadUrlForLayer"]},
    {"Sid": "own", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}, "Action": "ecr:*"},
)


@pytest.fixture
def ecr(moto):
    return boto3.client("ecr", region_name="us-east-1")


def run(parameters):
    return AutomationRunner(DOCUMENT).start({"AutomationAssumeRole": ROLE, **parameters})


def judge(text):
    return analyze_repository_policy(
        text,
        owner_account=MOTO_ACCOUNT,
        trusted_accounts=[OWNER, TRUSTED_ACCOUNT],
        trusted_org_ids=[TRUSTED_ORG],
    )


def policy_of(ecr, name):
    try:
        return ecr.get_repository_policy(repositoryName=name)["policyText"]
    except ecr.exceptions.RepositoryPolicyNotFoundException:
        return None


EXPOSED = [case for case in CASES if case[2] != "RESTRICTED"]


@pytest.mark.parametrize(("statements", "offending"), [pytest.param(c[1], c[4], id=c[0]) for c in EXPOSED])
def test_every_exposed_table_policy_ends_restricted_and_keeps_what_was_not_flagged(
    ecr, statements, offending
):
    statements = [{k: v for k, v in s.items() if v is not None} for s in statements]
    original = doc(*statements)
    ecr.create_repository(repositoryName="table/case")
    try:
        ecr.set_repository_policy(repositoryName="table/case", policyText=json.dumps(original))
    except ecr.exceptions.InvalidParameterException as exc:
        pytest.skip(f"moto's ECR refuses this policy: {exc}")
    execution = run({"RepositoryName": "table/case", **TRUST})
    assert execution.status == "Success", execution.failure
    after = policy_of(ecr, "table/case")
    assert not judge(after).verdict.exposed
    kept = [s for i, s in enumerate(statements) if i not in offending]
    if after is None:
        assert not any(s["Effect"] == "Allow" for s in kept)
    else:
        assert json.loads(after)["Statement"] == kept
    assert execution.outputs[f"{STEP}.Action"] == ("DELETED" if after is None else "UPDATED")


def test_backup_holds_the_original_before_any_write(ecr, capture):
    ecr.create_repository(repositoryName="team/app")
    original = json.dumps(PUBLIC, indent=2)
    ecr.set_repository_policy(repositoryName="team/app", policyText=original)
    start = len(capture.calls)
    execution = run({"RepositoryName": "team/app", **TRUST})
    assert execution.status == "Success"
    parameter = execution.outputs[f"{STEP}.BackupParameter"]
    assert parameter.startswith("/ecr-access/backup/team/app/")
    stored = boto3.client("ssm", region_name="us-east-1").get_parameter(Name=parameter)["Parameter"]
    assert json.loads(stored["Value"]) == json.loads(original)
    operations = [op for _, op in capture.calls[start:]]
    assert operations.index("PutParameter") < operations.index("SetRepositoryPolicy")
    assert execution.outputs[f"{STEP}.RemovedStatements"] == ['"pub" (#0)']
    restore = execution.outputs[f"{STEP}.RestoreCommand"]
    assert f"--name {parameter}" in restore and "set-repository-policy --repository-name team/app" in restore


def test_large_policy_backs_up_to_the_advanced_tier(ecr):
    filler = [
        {
            "Sid": f"Owner{n}",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OWNER}:role/r{n}"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
        for n in range(40)
    ]
    text = json.dumps(doc(*PUBLIC["Statement"], *filler), indent=2)
    assert 4_096 < len(text) <= 10_240
    ecr.create_repository(repositoryName="big")
    ecr.set_repository_policy(repositoryName="big", policyText=text)
    execution = run({"RepositoryName": "big", **TRUST})
    assert execution.status == "Success", execution.failure
    stored = boto3.client("ssm", region_name="us-east-1").get_parameter(
        Name=execution.outputs[f"{STEP}.BackupParameter"]
    )
    assert stored["Parameter"]["Value"] == text
    assert len(json.loads(policy_of(ecr, "big"))["Statement"]) == 41


def test_a_restricted_repository_is_left_untouched(ecr, capture):
    ecr.create_repository(repositoryName="fine")
    ecr.set_repository_policy(repositoryName="fine", policyText=json.dumps(doc(PUBLIC["Statement"][1])))
    before = policy_of(ecr, "fine")
    start = len(capture.calls)
    execution = run({"RepositoryName": "fine", **TRUST})
    assert execution.status == "Success"
    assert execution.outputs[f"{STEP}.Action"] == "NONE"
    assert policy_of(ecr, "fine") == before
    writes = {"PutParameter", "SetRepositoryPolicy", "DeleteRepositoryPolicy"}
    assert not writes & {op for _, op in capture.calls[start:]}


def test_running_twice_changes_nothing_the_second_time(ecr):
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    assert run({"RepositoryName": "team/app", **TRUST}).outputs[f"{STEP}.Action"] == "UPDATED"
    after_first = policy_of(ecr, "team/app")
    assert run({"RepositoryName": "team/app", **TRUST}).outputs[f"{STEP}.Action"] == "NONE"
    assert policy_of(ecr, "team/app") == after_first


def test_restrict_to_organization_keeps_the_statement_with_an_org_condition(ecr):
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    execution = run({"RepositoryName": "team/app", **TRUST, "Mode": "RestrictToOrganization"})
    assert execution.status == "Success", execution.failure
    statements = json.loads(policy_of(ecr, "team/app"))["Statement"]
    assert statements[0]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": [TRUSTED_ORG]}}
    assert statements[1] == PUBLIC["Statement"][1]
    assert execution.outputs[f"{STEP}.Verdict"] == "RESTRICTED"


def test_restrict_to_organization_without_an_organization_is_refused(ecr):
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    execution = run({"RepositoryName": "team/app", "Mode": "RestrictToOrganization"})
    assert execution.status == "Failed"
    assert "needs at least one TrustedOrganizationIds value" in execution.failure
    assert json.loads(policy_of(ecr, "team/app")) == PUBLIC


def test_a_deleted_repository_fails_with_a_clear_message(ecr):
    execution = run({"RepositoryName": "gone/repo"})
    assert execution.status == "Failed"
    assert "repository gone/repo does not exist" in execution.failure


def test_a_policy_changed_between_analysis_and_write_is_not_overwritten(ecr, capture):
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    reads = []

    def changed_on_second_read(params, call_through):
        reads.append(params)
        answer = call_through(params)
        if len(reads) == 2:  # someone edits the policy while the runbook works
            answer = {**answer, "policyText": answer["policyText"].replace('"pub"', '"edited"')}
        return answer

    capture.overrides[("ecr", "GetRepositoryPolicy")] = changed_on_second_read
    execution = run({"RepositoryName": "team/app", **TRUST})
    assert execution.status == "Failed"
    assert "changed since it was analysed; nothing was written" in execution.failure
    assert json.loads(policy_of(ecr, "team/app")) == PUBLIC
    assert "PutParameter" in [op for _, op in capture.calls]  # the backup exists before any write


def test_access_denied_on_write_changes_nothing_and_keeps_the_backup(ecr, capture):
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    capture.faults.append(
        lambda op, _: client_error("AccessDeniedException", op) if op == "SetRepositoryPolicy" else None
    )
    execution = run({"RepositoryName": "team/app", **TRUST})
    assert execution.status == "Failed"
    assert (
        "writing the policy of team/app failed (AccessDeniedException); it is unchanged" in execution.failure
    )
    assert json.loads(policy_of(ecr, "team/app")) == PUBLIC
    backups = boto3.client("ssm", region_name="us-east-1").get_parameters_by_path(
        Path="/ecr-access/backup/team/app"
    )
    assert len(backups["Parameters"]) == 1


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        pytest.param({"RepositoryName": "Team/App"}, "RepositoryName", id="uppercase-name"),
        pytest.param({"RepositoryName": "a", "Mode": "Nuke"}, "Mode", id="unknown-mode"),
        pytest.param(
            {"RepositoryName": "a", "TrustedAccountIds": "123"}, "TrustedAccountIds", id="short-account"
        ),
        pytest.param(
            {"RepositoryName": "a", "AutomationAssumeRole": "role/x"}, "AutomationAssumeRole", id="bad-role"
        ),
    ],
)
def test_parameters_are_validated_like_ssm_does(ecr, parameters, message):
    with pytest.raises(InvalidParameters, match=message):
        AutomationRunner(DOCUMENT).start({"AutomationAssumeRole": ROLE, **parameters})
