"""`ecr-access scan` against the demo account in moto: rows, formats, parameters, exit codes, errors."""

import contextlib
import csv
import io
import json
import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ecr_access.cli.main import main
from ecr_access.cli.scan_settings import from_toml
from ecr_access.demo.organization_slice import (
    PRINCIPAL_RULE_PARAMETERS,
    REPOSITORY_RULE_PARAMETERS,
)
from ecr_access.demo.seed import seed_account
from ecr_access.testing.config_harness import ConfigCapture, capture_config, refusing

REPOSITORY_RULE, PRINCIPAL_RULE = "ECR_REPO_NOT_PUBLIC", "ECR_LAYER_DOWNLOAD_RESTRICTED"
EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "examples" / "scan-config.toml"


@pytest.fixture(scope="module")
def demo_account():
    """The demo's account, seeded once (AWS managed policies make it slow): tests here only read it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        with mock_aws():
            seed_account(boto3.client("iam"), boto3.client("ecr"))
            yield


@pytest.fixture
def scan(demo_account, capsys, monkeypatch):
    """Run `ecr-access scan --config <the demo's parameters> ARGS`: (exit code, stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "220")

    def run(*args: str, config: bool = True):
        code = main(["scan", *(["--config", str(EXAMPLE_CONFIG)] if config else []), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def results(out: str) -> dict[str, dict]:
    return {r["resource_name"]: r for r in json.loads(out)["results"]}


@pytest.fixture(scope="module")
def json_scan(demo_account):
    """One `scan --format json` of the demo account with its parameters: (exit code, stdout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["scan", "--config", str(EXAMPLE_CONFIG), "--format", "json"])
    return code, out.getvalue()


def test_the_example_config_file_holds_the_demos_parameters():
    assert from_toml(EXAMPLE_CONFIG) == {
        REPOSITORY_RULE: REPOSITORY_RULE_PARAMETERS,
        PRINCIPAL_RULE: PRINCIPAL_RULE_PARAMETERS,
    }


@pytest.mark.parametrize(
    ("resource", "rule", "compliance", "reason"),
    [
        pytest.param(
            "storefront/web", REPOSITORY_RULE, "NON_COMPLIANT", "lets anyone (Principal *)", id="public"
        ),
        pytest.param(
            "vendor/scanner-plugin",
            REPOSITORY_RULE,
            "NON_COMPLIANT",
            "account 999988887777 is not trusted",
            id="vendor",
        ),
        pytest.param(
            "shared/base-images", REPOSITORY_RULE, "COMPLIANT", "grants nothing outside", id="trusted"
        ),
        pytest.param("ml/models", REPOSITORY_RULE, "COMPLIANT", "grants nothing outside", id="carve-out"),
        pytest.param("mobile/backend", REPOSITORY_RULE, "NOT_APPLICABLE", "exempt: tag", id="exempt"),
        pytest.param("payments/worker", REPOSITORY_RULE, "COMPLIANT", "no repository policy", id="none"),
        pytest.param(
            "arn:aws:iam::123456789012:role/github-actions-build",
            PRINCIPAL_RULE,
            "NON_COMPLIANT",
            "Allowed by inline policy inline, statement #0 (ecr:* on *)",
            id="ci-ecr-star",
        ),
        pytest.param(
            "arn:aws:iam::123456789012:user/dev-bo",
            PRINCIPAL_RULE,
            "NON_COMPLIANT",
            "ReadOnlyAccess (via group developers)",
            id="developers-group",
        ),
        pytest.param(
            "arn:aws:iam::123456789012:role/ecs-exec-payments-api",
            PRINCIPAL_RULE,
            "COMPLIANT",
            "Allow-listed by AllowedServicePrincipals",
            id="ecs-execution-role",
        ),
        pytest.param(
            "arn:aws:iam::123456789012:role/contractor-sandbox",
            PRINCIPAL_RULE,
            "COMPLIANT",
            "Permissions boundary sandbox-boundary does not allow",
            id="boundary",
        ),
    ],
)
def test_json_rows_are_the_rules_verdicts(json_scan, resource, rule, compliance, reason):
    code, out = json_scan
    assert code == 1
    row = results(out)[resource]
    assert (row["rule"], row["compliance"]) == (rule, compliance)
    assert reason in row["reason"]


def test_json_report_names_the_account_and_counts_per_rule(json_scan):
    code, out = json_scan
    report = json.loads(out)
    assert (code, report["account"], report["regions"]) == (1, "123456789012", ["us-east-1"])
    assert report["summary"] == {
        REPOSITORY_RULE: {"NON_COMPLIANT": 7, "COMPLIANT": 12, "NOT_APPLICABLE": 1},
        PRINCIPAL_RULE: {"NON_COMPLIANT": 8, "COMPLIANT": 20, "NOT_APPLICABLE": 2},
    }
    principal = results(out)["arn:aws:iam::123456789012:user/legacy-deployer"]
    assert principal["resource_id"] != principal["resource_name"]  # Config's id (the unique id) is kept


def test_table_lists_resources_per_rule_and_the_summary(scan):
    code, out, _ = scan()
    assert code == 1
    assert "Account 123456789012 · ECR_REPO_NOT_PUBLIC · us-east-1" in out
    assert "Account 123456789012 · ECR_LAYER_DOWNLOAD_RESTRICTED · global" in out
    assert re.search(
        r"^\s+storefront/web\s+ECR::Repository\s+NON_COMPLIANT\s+Statement \"PublicPull\"", out, re.M
    )
    assert re.search(
        r"^\s+role/github-actions-build\s+IAM::Role\s+NON_COMPLIANT\s+Allowed by inline", out, re.M
    )
    assert re.search(rf"^\s+{REPOSITORY_RULE}\s+7\s+0\s+12\s+1\s*$", out, re.M)
    assert re.search(rf"^\s+{PRINCIPAL_RULE}\s+8\s+0\s+20\s+2\s*$", out, re.M)


def test_csv_has_one_row_per_resource(scan):
    code, out, _ = scan("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1
    assert len(rows) == 50
    assert set(rows[0]) == {
        "rule",
        "region",
        "resource_type",
        "resource_id",
        "resource_name",
        "compliance",
        "reason",
    }
    assert {r["resource_name"] for r in rows if r["compliance"] == "NON_COMPLIANT"} >= {
        "storefront/web",
        "data/etl",
    }


def test_flags_override_the_file(scan):
    code, out, _ = scan("--format", "json", "--trusted-account", "555566667777")
    assert code == 1
    assert (
        results(out)["shared/base-images"]["compliance"] == "NON_COMPLIANT"
    )  # the file's account is replaced
    legacy = results(out)["legacy/batch"]
    assert (legacy["compliance"], legacy["reason"].rsplit("; ", 1)[1]) == (
        "NON_COMPLIANT",
        "account 444455556666 is not trusted",
    )


def test_without_parameters_nothing_is_allow_listed(scan):
    _, out, _ = scan("--format", "json", config=False)
    assert results(out)["arn:aws:iam::123456789012:role/eks-node-main"]["compliance"] == "NON_COMPLIANT"
    assert results(out)["payments/api"]["compliance"] == "NON_COMPLIANT"  # its organization is not trusted


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--trusted-account", "123"],
            "ECR_REPO_NOT_PUBLIC: TrustedAccountIds: '123' is not a 12-digit AWS account id",
            id="rule-validation",
        ),
        pytest.param(["--allowed-tag", "novalue"], "--allowed-tag needs KEY=VALUE", id="tag-form"),
        pytest.param(["--dry-run"], "--dry-run and --yes go with --remediate", id="dry-run-alone"),
        pytest.param(["--remediate", "--format", "csv"], "not csv", id="remediate-csv"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(scan, args, message):
    code, out, err = scan(*args, config=False)
    assert code == 2
    assert err.startswith("ecr-access: error: ") and message in err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            "[ECR_REPO_NOT_PUBLIC]\nTrustedAccounts = ['1']\n", "has no parameter TrustedAccounts", id="key"
        ),
        pytest.param("[SOME_RULE]\n", "unknown section [SOME_RULE]", id="section"),
        pytest.param("[ECR_REPO_NOT_PUBLIC\n", "not valid TOML", id="syntax"),
        pytest.param("[ECR_LAYER_DOWNLOAD_RESTRICTED]\nEvaluateScps = 3\n", "expected a string", id="type"),
    ],
)
def test_bad_config_files_exit_2(scan, tmp_path, content, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(content)
    code, _, err = scan("--config", str(bad), config=False)
    assert code == 2 and message in err


def scan_with(fault, scan, *args):
    """Run the scan with one AWS call failing as ``fault`` says."""
    capture = ConfigCapture(faults=[fault])
    with capture_config(capture):
        return scan(*args)


def test_an_unreadable_repository_is_reported_and_exits_2(scan):
    fault = refusing(
        "GetRepositoryPolicy", "AccessDeniedException", "not authorized", repositoryName="payments/api"
    )
    code, out, _ = scan_with(fault, scan, "--format", "json")
    assert code == 2
    failed = [r for r in json.loads(out)["results"] if r["compliance"] == "NOT_EVALUATED"]
    assert [r["reason"] for r in failed] == [
        "payments/api: AccessDeniedException: not authorized (missing permission ecr:GetRepositoryPolicy)"
    ]
    assert results(out)["storefront/web"]["compliance"] == "NON_COMPLIANT"  # the others are still judged


def test_a_denied_iam_sweep_names_the_permission(scan):
    code, out, _ = scan_with(refusing("GetAccountAuthorizationDetails", "AccessDenied", "no"), scan)
    assert code == 2
    assert "missing permission iam:GetAccountAuthorizationDetails" in out
    assert re.search(r"^\s+storefront/web\s.*NON_COMPLIANT", out, re.M)


def test_a_denied_identity_call_is_one_line(scan):
    code, out, err = scan_with(refusing("GetCallerIdentity", "AccessDenied", "explicit deny"), scan)
    assert (code, out) == (2, "")
    assert (
        err == "ecr-access: error: AccessDenied: explicit deny (missing permission sts:GetCallerIdentity)\n"
    )


def test_no_credentials_at_all(monkeypatch, tmp_path, capsys):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert main(["scan"]) == 2
    assert "no AWS credentials found" in capsys.readouterr().err


def test_an_unknown_profile(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert main(["scan", "--profile", "nope"]) == 2
    assert "The config profile (nope) could not be found" in capsys.readouterr().err


def test_no_region_anywhere(monkeypatch, tmp_path, capsys):
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert main(["scan"]) == 2
    assert "no AWS Region: pass --region" in capsys.readouterr().err
