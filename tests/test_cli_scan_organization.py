"""``ecr-access scan --org`` / ``--accounts`` on moto with several accounts: the organization is listed
(suspended accounts skipped), the role assumed in each, every row carries its account and Region, and one
account that cannot be entered is one NOT_EVALUATED row while the others are reported."""

import json

import boto3
import pytest
from moto import mock_aws

from ecr_access.cli.main import main
from ecr_access.testing.accounts import session_in
from ecr_access.testing.config_harness import ConfigCapture, capture_config

PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}],
    }
)


@pytest.fixture
def organization(monkeypatch):
    """A management account (moto's default) and three members: two with a repository, one suspended."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws(), capture_config(ConfigCapture()):
        organizations = boto3.client("organizations")
        organizations.create_organization(FeatureSet="ALL")
        members = []
        for name in ("payments", "analytics", "retired"):
            status = organizations.create_account(AccountName=name, Email=f"{name}@example.com")
            members.append(status["CreateAccountStatus"]["AccountId"])
        for account, repository, policy in ((members[0], "pay/api", PUBLIC), (members[1], "data/etl", None)):
            ecr = session_in(account).client("ecr")
            ecr.create_repository(repositoryName=repository)
            if policy:
                ecr.set_repository_policy(repositoryName=repository, policyText=policy)
        organizations.close_account(AccountId=members[2])  # SUSPENDED: not scanned
        yield members


def test_the_organization_is_scanned_account_by_account_with_account_and_region_on_every_row(
    organization, capsys
):
    payments, analytics, retired = organization
    code = main(["scan", "--org", "--region", "us-east-1", "--format", "json", "--max-concurrency", "2"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert retired not in report["accounts"] and {payments, analytics} <= set(report["accounts"])
    rows = [r for r in report["results"] if r["resource_type"] == "AWS::ECR::Repository"]
    assert {(r["account"], r["resource_name"], r["compliance"]) for r in rows} == {
        (payments, "pay/api", "NON_COMPLIANT"),
        (analytics, "data/etl", "COMPLIANT"),
    }
    assert all(r["account"] and r["region"] for r in report["results"])


def test_an_account_that_cannot_be_entered_is_reported_and_never_stops_the_others(
    organization, capsys, monkeypatch
):
    payments, analytics, _ = organization
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def deny_one(client, operation, params):
        if operation == "AssumeRole" and f":{analytics}:" in params.get("RoleArn", ""):
            from ecr_access.testing.config_harness import client_error

            raise client_error("AccessDenied", operation, "not authorized to perform sts:AssumeRole")
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", deny_one)
    code = main(["scan", "--accounts", payments, analytics, "--region", "us-east-1", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2  # incomplete: an error, whatever else it found
    failed = [r for r in report["results"] if r["compliance"] == "NOT_EVALUATED"]
    assert [(r["account"], r["resource_type"]) for r in failed] == [(analytics, "AWS::::Account")]
    assert "AccessDenied" in failed[0]["reason"]
    assert any(r["account"] == payments and r["resource_name"] == "pay/api" for r in report["results"])


def test_the_table_has_one_section_per_account(organization, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    payments, analytics, _ = organization
    main(["scan", "--accounts", payments, analytics, "--region", "us-east-1"])
    out = capsys.readouterr().out
    assert (
        f"Account {payments} · ECR_REPO_NOT_PUBLIC" in out
        and f"Account {analytics} · ECR_REPO_NOT_PUBLIC" in out
    )


def test_a_bug_in_one_accounts_scan_is_that_accounts_row_only(organization, capsys, monkeypatch):
    payments, analytics, _ = organization
    from ecr_access.cli import scan

    real = scan.evaluate

    def broken_for_analytics(session, target, parameters):
        if target.account == analytics:
            raise KeyError("unexpected shape")
        return real(session, target, parameters)

    monkeypatch.setattr(scan, "evaluate", broken_for_analytics)
    code = main(["scan", "--accounts", payments, analytics, "--region", "us-east-1", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    (failed,) = [r for r in report["results"] if r["compliance"] == "NOT_EVALUATED"]
    assert code == 2 and failed["account"] == analytics and "internal error: KeyError" in failed["reason"]
    assert any(r["account"] == payments and r["resource_name"] == "pay/api" for r in report["results"])
