"""Runbook ECRAccess-RestrictRepositoryPolicy run by the local Automation runner against moto.

What must hold: the runbook only narrows (every attack of the issue "Remediation can
only narrow access" is attempted and refused with nothing changed), edits by exact
surgery (untouched statements keep their bytes), verifies before it writes, and
backs up in pieces that its RestoreCommand, run with the real AWS CLI, puts back.
"""

import json
from pathlib import Path

import boto3
import pytest
from test_exposure_table import CASES

from ecr_access import analyze_repository_policy
from ecr_access.remediation import policy_surgery
from ecr_access.testing.automation_runner import AutomationRunner, InvalidParameters
from ecr_access.testing.config_harness import client_error

from conftest import OWNER, TRUSTED_ACCOUNT, TRUSTED_ORG, aws_cli, doc

DOCUMENT = Path(__file__).resolve().parent.parent / "remediation" / "ECRAccess-RestrictRepositoryPolicy.yaml"
ROLE = "arn:aws:iam::123456789012:role/ecr-access-restrict-repository-policy"
MOTO_ACCOUNT = "123456789012"
TRUST = {"TrustedAccountIds": f"{OWNER},{TRUSTED_ACCOUNT}", "TrustedOrganizationIds": TRUSTED_ORG}
STEP = "RestrictRepositoryPolicy"
PARTNER = "444455556666"
STRANGER = "999988887777"
PUBLIC = doc(
    {"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": ["ecr:GetDownloadUrlForLayer"]},
    {"Sid": "own", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}, "Action": "ecr:*"},
)


@pytest.fixture
def ecr(capture):
    return boto3.client("ecr", region_name="us-east-1")


def rule_lists(capture, **parameters):
    """The Config rule as DescribeConfigRules lists it (moto refuses a custom rule without a Lambda)."""
    rule = {
        "ConfigRuleName": "ECR_REPO_NOT_PUBLIC-conformance-pack-a1b2c3",
        "InputParameters": json.dumps(parameters),
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:::function:x"},
    }
    capture.overrides[("config", "DescribeConfigRules")] = lambda params, through: {"ConfigRules": [rule]}


def own_organization() -> str:
    return boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")[
        "Organization"
    ]["Id"]


def run(parameters):
    return AutomationRunner(DOCUMENT).start({"AutomationAssumeRole": ROLE, **parameters})


def judge(text, organizations=(TRUSTED_ORG,)):
    return analyze_repository_policy(
        text,
        owner_account=MOTO_ACCOUNT,
        trusted_accounts=[OWNER, TRUSTED_ACCOUNT],
        trusted_org_ids=list(organizations),
    )


def policy_of(ecr, name):
    try:
        return ecr.get_repository_policy(repositoryName=name)["policyText"]
    except ecr.exceptions.RepositoryPolicyNotFoundException:
        return None


def principal_values(statement: dict) -> set[str]:
    element = statement.get("Principal", {})
    if isinstance(element, str):
        return {element}
    return {v for values in element.values() for v in ([values] if isinstance(values, str) else values)}


EXPOSED = [case for case in CASES if case[2] != "RESTRICTED"]


@pytest.mark.parametrize(("statements", "offending"), [pytest.param(c[1], c[4], id=c[0]) for c in EXPOSED])
def test_every_exposed_table_policy_ends_restricted_by_surgery(ecr, statements, offending):
    statements = [{k: v for k, v in s.items() if v is not None} for s in statements]
    text = json.dumps(doc(*statements))
    ecr.create_repository(repositoryName="table/case")
    try:
        ecr.set_repository_policy(repositoryName="table/case", policyText=text)
    except ecr.exceptions.InvalidParameterException as exc:
        pytest.skip(f"moto's ECR refuses this policy: {exc}")
    flagged = {f.statement_index: set(f.principals) for f in judge(text).findings}
    execution = run({"RepositoryName": "table/case", **TRUST})
    assert execution.status == "Success", execution.failure
    after = policy_of(ecr, "table/case")
    assert not judge(after).verdict.exposed
    if after is None:  # no Allow statement was left
        return
    for index, statement in enumerate(statements):
        if index not in flagged:  # untouched: the same bytes
            assert json.dumps(statement) in after
    new_principals = set().union(*(principal_values(s) for s in json.loads(after)["Statement"]))
    old_principals = set().union(*(principal_values(s) for s in statements))
    assert new_principals <= old_principals  # nobody was added
    assert execution.outputs[f"{STEP}.Action"] == "UPDATED"


def test_a_statement_mixing_trusted_and_untrusted_accounts_loses_only_the_untrusted(ecr):
    statement = {
        "Sid": "partners",
        "Effect": "Allow",
        "Principal": {"AWS": [PARTNER, STRANGER]},
        "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
    }
    text = json.dumps(doc(statement), indent=2)
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=text)
    execution = run({"RepositoryName": "team/app", "TrustedAccountIds": PARTNER})
    assert execution.status == "Success", execution.failure
    after = policy_of(ecr, "team/app")
    assert after == text.replace(f'"{PARTNER}",\n          "{STRANGER}"', f'"{PARTNER}"')


def test_remove_statements_without_the_trusted_lists_keeps_the_rules_partner_grants(ecr, capture):
    rule_lists(capture, TrustedAccountIds=PARTNER)  # the rule trusts the partner; the caller says nothing
    text = json.dumps(doc({"Sid": "p", "Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "ecr:*"}))
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=text)
    execution = run({"RepositoryName": "team/app"})
    assert execution.status == "Success", execution.failure
    assert execution.outputs[f"{STEP}.Action"] == "NONE"
    assert policy_of(ecr, "team/app") == text


def test_restrict_to_organization_may_not_name_another_organization(ecr, capture):
    own = own_organization()
    text = json.dumps(
        doc(
            {
                "Sid": "org",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": own}},
            }
        )
    )
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=text)
    start = len(capture.calls)
    execution = run(
        {
            "RepositoryName": "team/app",
            "Mode": "RestrictToOrganization",
            "TrustedOrganizationIds": "o-attacker0001",
        }
    )
    assert execution.status == "Failed"  # bounded to its own organization, it stays untrusted to the caller
    assert "nothing was written" in execution.failure
    assert policy_of(ecr, "team/app") == text
    assert not {"PutParameter", "SetRepositoryPolicy"} & {op for _, op in capture.calls[start:]}


def test_restrict_to_organization_bounds_to_the_accounts_own_organization(ecr):
    own = own_organization()
    text = json.dumps(PUBLIC, indent=2)
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=text)
    trust = {**TRUST, "TrustedOrganizationIds": own}
    execution = run({"RepositoryName": "team/app", **trust, "Mode": "RestrictToOrganization"})
    assert execution.status == "Success", execution.failure
    statements = json.loads(policy_of(ecr, "team/app"))["Statement"]
    assert statements[0]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": [own]}}
    assert json.dumps(PUBLIC["Statement"][1], indent=2).replace("\n", "\n    ") in policy_of(ecr, "team/app")
    assert execution.outputs[f"{STEP}.Verdict"] == "RESTRICTED"


def test_restrict_to_organization_outside_any_organization_is_refused(ecr):
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    execution = run({"RepositoryName": "team/app", "Mode": "RestrictToOrganization"})
    assert execution.status == "Failed"
    assert "the account is in no organization and the statement names no trusted one" in execution.failure
    assert json.loads(policy_of(ecr, "team/app")) == PUBLIC


def test_service_principals_are_bounded_by_source_org_and_mixed_statements_split(ecr):
    own = own_organization()
    statement = {
        "Sid": "build",
        "Effect": "Allow",
        "Principal": {"AWS": STRANGER, "Service": "codebuild.amazonaws.com"},
        "Action": "ecr:GetDownloadUrlForLayer",
    }
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(doc(statement)))
    execution = run(
        {"RepositoryName": "team/app", "Mode": "RestrictToOrganization", "TrustedOrganizationIds": own}
    )
    assert execution.status == "Success", execution.failure
    people, services = json.loads(policy_of(ecr, "team/app"))["Statement"]
    assert people["Principal"] == {"AWS": STRANGER}
    assert people["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": [own]}}
    assert services["Sid"] == "buildServices" and services["Principal"] == {
        "Service": "codebuild.amazonaws.com"
    }
    assert services["Condition"] == {"StringEquals": {"aws:SourceOrgID": [own]}}


def test_a_plan_that_would_stay_exposed_writes_nothing(ecr, capture, monkeypatch):
    own_organization()
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    # A broken surgery that changes nothing: the verification must catch it before any write.
    monkeypatch.setattr(policy_surgery, "bounded", lambda text, key, organizations: text)
    from ecr_access.remediation import restrict_repository_policy

    start = len(capture.calls)
    with pytest.raises(Exception, match="would leave team/app PUBLIC"):
        restrict_repository_policy.handler(
            {"RepositoryName": "team/app", "Mode": "RestrictToOrganization", "TrustedOrganizationIds": ""},
            None,
        )
    assert json.loads(policy_of(ecr, "team/app")) == PUBLIC
    assert not {"PutParameter", "SetRepositoryPolicy"} & {op for _, op in capture.calls[start:]}


def test_numbers_and_unicode_of_untouched_statements_keep_their_bytes(ecr, capture):
    kept = '{"Sid": "mfa", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 1e400}}, "Resource": "caf\\u00e9"}'  # noqa: E501
    text = (
        '{"Version": "2012-10-17", "Statement": ['
        + kept
        + ', {"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": "ecr:*"}]}'
    )
    ecr.create_repository(repositoryName="team/app")  # moto refuses to store 1e400: answer as ECR would
    written = []
    capture.overrides[("ecr", "GetRepositoryPolicy")] = lambda params, through: (
        {
            "registryId": MOTO_ACCOUNT,
            "repositoryName": "team/app",
            "policyText": written[-1] if written else text,
        }
    )
    capture.overrides[("ecr", "SetRepositoryPolicy")] = lambda params, through: (
        written.append(params["policyText"])
        or {"registryId": MOTO_ACCOUNT, "repositoryName": "team/app", "policyText": params["policyText"]}
    )
    execution = run({"RepositoryName": "team/app", **TRUST})
    assert execution.status == "Success", execution.failure
    (after,) = written
    assert after == '{"Version": "2012-10-17", "Statement": [' + kept + "]}"
    assert "Infinity" not in after


def test_backup_pieces_hold_the_original_before_any_write(ecr, capture):
    ecr.create_repository(repositoryName="team/app")
    original = json.dumps(PUBLIC, indent=2)
    ecr.set_repository_policy(repositoryName="team/app", policyText=original)
    start = len(capture.calls)
    execution = run({"RepositoryName": "team/app", **TRUST})
    assert execution.status == "Success"
    backup = execution.outputs[f"{STEP}.BackupParameter"]
    assert backup.startswith("/ecr-access/backup/team/app/")
    stored = boto3.client("ssm", region_name="us-east-1").get_parameter(Name=f"{backup}/part-1")["Parameter"]
    assert stored["Value"] == original
    operations = [op for _, op in capture.calls[start:]]
    assert operations.index("PutParameter") < operations.index("SetRepositoryPolicy")
    assert execution.outputs[f"{STEP}.RemovedStatements"] == ['"pub" (#0)']


def test_a_10000_character_policy_is_restored_byte_for_byte_by_its_restore_command(moto_server):
    filler = [
        {
            "Sid": f"Owner{n}",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OWNER}:role/r{n}"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
        for n in range(41)
    ]
    text = json.dumps(doc(*PUBLIC["Statement"], *filler), indent=2)
    assert 9_500 < len(text) <= 10_240
    ecr = boto3.client("ecr", region_name="us-east-1")
    ecr.create_repository(repositoryName="big")
    ecr.set_repository_policy(repositoryName="big", policyText=text)
    execution = run({"RepositoryName": "big", **TRUST})
    assert execution.status == "Success", execution.failure
    assert policy_of(ecr, "big") != text
    restore = execution.outputs[f"{STEP}.RestoreCommand"]
    assert restore.count("get-parameter") == 3  # three pieces of at most 4 KB
    completed = aws_cli(restore)
    assert completed.returncode == 0, completed.stderr
    assert policy_of(ecr, "big") == text


def test_backup_pieces_never_end_in_whitespace_and_join_to_the_original():
    from ecr_access.remediation.backups import PARAMETER_BYTES, backup_pieces

    text = ("x" * 4_095 + "\n  ") * 2 + "é" * 3_000
    pieces = backup_pieces(text)
    assert "".join(pieces) == text
    assert all(len(p.encode()) <= PARAMETER_BYTES for p in pieces)
    assert all(not p[-1].isspace() for p in pieces[:-1])


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
        Path="/ecr-access/backup/team/app", Recursive=True
    )
    assert len(backups["Parameters"]) == 1


def test_an_unreadable_rule_refuses_rather_than_guessing_the_trust(ecr, capture):
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    capture.faults.append(
        lambda op, _: client_error("AccessDeniedException", op) if op == "DescribeConfigRules" else None
    )
    execution = run({"RepositoryName": "team/app", **TRUST})
    assert execution.status == "Failed"
    assert "cannot read the trusted lists of Config rule ECR_REPO_NOT_PUBLIC" in execution.failure
    assert json.loads(policy_of(ecr, "team/app")) == PUBLIC


@pytest.mark.parametrize(
    "input_parameters", ["[1, 2]", "{not json", '"text"'], ids=["list", "not-json", "string"]
)
def test_a_rule_whose_input_parameters_are_not_an_object_refuses_and_changes_nothing(
    ecr, capture, input_parameters
):
    rule = {"ConfigRuleName": "ECR_REPO_NOT_PUBLIC", "InputParameters": input_parameters}
    capture.overrides[("config", "DescribeConfigRules")] = lambda params, through: {"ConfigRules": [rule]}
    ecr.create_repository(repositoryName="team/app")
    ecr.set_repository_policy(repositoryName="team/app", policyText=json.dumps(PUBLIC))
    execution = run({"RepositoryName": "team/app", **TRUST})
    assert execution.status == "Failed"
    assert "cannot read the trusted lists of Config rule ECR_REPO_NOT_PUBLIC" in execution.failure
    assert json.loads(policy_of(ecr, "team/app")) == PUBLIC


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
def test_parameters_are_validated_like_ssm_does(parameters, message):
    with pytest.raises(InvalidParameters, match=message):
        AutomationRunner(DOCUMENT).start({"AutomationAssumeRole": ROLE, **parameters})
