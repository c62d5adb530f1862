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
EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "examples" / "demo-scan-config.toml"


@pytest.fixture(scope="module")
def demo_account():
    """The demo's account, seeded once (AWS managed policies make it slow): tests here only read it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        # the harness answers what moto lacks (ECR pull-through cache rules) at the botocore level
        with mock_aws(), capture_config(ConfigCapture()):
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
        "ECR_VPC_ENDPOINT_RESTRICTED": {},  # it trusts what the repository rule trusts (rule_parameters)
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
        REPOSITORY_RULE: {"NON_COMPLIANT": 7, "COMPLIANT": 13, "NOT_APPLICABLE": 1},  # + the registry
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
    assert re.search(rf"^\s+{REPOSITORY_RULE}\s+7\s+0\s+13\s+1\s*$", out, re.M)
    assert re.search(rf"^\s+{PRINCIPAL_RULE}\s+8\s+0\s+20\s+2\s*$", out, re.M)


def test_csv_has_one_row_per_resource(scan):
    code, out, _ = scan("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1
    assert len(rows) == 51  # 20 repositories, the registry, 30 principals
    assert set(rows[0]) == {
        "account",
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
    assert [(r["resource_name"], r["reason"]) for r in failed] == [
        ("payments/api", "AccessDeniedException: not authorized (missing permission ecr:GetRepositoryPolicy)")
    ]


def test_a_not_evaluated_row_names_the_resource_and_gives_one_line_not_an_error_body(scan):
    body = "<?xml version='1.0'?>\n<Error><Code>InternalFailure</Code>\n<Message>boom</Message></Error>"
    fault = refusing("GetRepositoryPolicy", "InternalFailure", body, repositoryName="payments/api")
    _, out, _ = scan_with(fault, scan, "--format", "json")
    (failed,) = [r for r in json.loads(out)["results"] if r["compliance"] == "NOT_EVALUATED"]
    assert failed["resource_name"] == "payments/api" and "\n" not in failed["reason"]
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


def test_one_run_writes_evidence_json_asff_and_ocsf_files(scan, tmp_path):
    """Several formats in one run; the JSON is evidence (time, version, parameters, severity per finding);
    ASFF passes botocore's own validation of BatchImportFindings and is accepted by Security Hub (moto)."""
    files = {kind: tmp_path / f"report.{kind}.json" for kind in ("json", "asff", "ocsf")}
    arguments = [a for kind, path in files.items() for a in ("--format", kind, "--output-file", str(path))]
    code, out, _ = scan(*arguments)
    assert code == 1 and out == ""  # everything went to the files
    evidence = json.loads(files["json"].read_text())
    assert evidence["tool"]["name"] == "ecr-access" and evidence["generated_at"].endswith("+00:00")
    assert evidence["parameters"][REPOSITORY_RULE]["TrustedOrganizationIds"] == "o-a1b2c3d4e5"
    by_name = {r["resource_name"]: r for r in evidence["results"]}
    assert by_name["storefront/web"]["severity"] == "CRITICAL"  # public
    assert by_name["arn:aws:iam::123456789012:user/legacy-deployer"]["severity"] == "HIGH"
    assert "NIST.800-53.r5 AC-3" in by_name["storefront/web"]["controls"]

    findings = json.loads(files["asff"].read_text())
    assert {f["Compliance"]["Status"] for f in findings} == {"PASSED", "FAILED", "NOT_AVAILABLE"}
    securityhub = boto3.client("securityhub")
    response = securityhub.batch_import_findings(Findings=findings[:100])  # botocore validates every field
    assert response["FailedCount"] == 0
    (web,) = [f for f in findings if f["Title"].endswith("storefront/web")]
    assert web["Severity"]["Label"] == "CRITICAL" and web["Resources"][0]["Type"] == "AwsEcrRepository"

    events = json.loads(files["ocsf"].read_text())
    required = {
        "activity_id",
        "category_uid",
        "class_uid",
        "compliance",
        "finding_info",
        "metadata",
        "severity_id",
        "time",
        "type_uid",
    }
    assert all(required <= set(e) and e["class_uid"] == 2003 for e in events)
    assert all(e["type_uid"] == e["class_uid"] * 100 + e["activity_id"] for e in events)
    assert {e["compliance"]["status"] for e in events} >= {"Pass", "Fail"}


def test_several_formats_need_as_many_files(scan):
    code, _, err = scan("--format", "json", "--format", "csv")
    assert code == 2 and "as many --output-file" in err


def test_the_shipped_template_parses_and_trusts_nothing():
    template = from_toml(EXAMPLE_CONFIG.parent / "scan-config.toml")
    assert set(template) == {REPOSITORY_RULE, PRINCIPAL_RULE, "ECR_VPC_ENDPOINT_RESTRICTED"}
    assert all(value == "" for values in template.values() for value in values.values())
    for rule, values in template.items():  # each rule accepts the template's (empty) values
        module = __import__("ecr_access.config_rules.rule_modules", fromlist=["load_rule"]).load_rule(rule)
        getattr(module, rule)().evaluate_parameters(values)


def test_at_80_columns_the_report_is_a_list_that_never_splits_an_arn(scan, monkeypatch):
    """Below 100 columns a table's Reason column is unreadable: one block per resource, wrapped at
    word boundaries, no line padded, no token (an ARN) split across lines."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = scan()
    lines = out.splitlines()
    assert code == 1 and lines and all(len(line) <= 80 or " " not in line.strip() for line in lines)
    assert all(line == line.rstrip() for line in lines)  # no padding
    assert "  storefront/web [us-east-1]: NON_COMPLIANT" in lines
    tokens = {token for line in lines for token in line.split()}
    # every ARN printed is whole: each appears as one token, never as a piece of one
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in tokens or any(t.startswith("arn:") for t in tokens)
    assert not any(t.startswith(("aws:policy/", "iam::")) for t in tokens)
    assert "Summary" in lines and any(
        line.startswith("  ECR_REPO_NOT_PUBLIC: 7 NON_COMPLIANT") for line in lines
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["scan", "--region", "us-esat-1"], "'us-esat-1' is not an AWS Region", id="region-typo"),
        pytest.param(
            ["scan", "--bogus"], "ecr-access scan: error: unrecognized arguments: --bogus", id="unknown-flag"
        ),
    ],
)
def test_errors_say_what_is_wrong_in_one_place(capsys, arguments, message):
    with pytest.raises(SystemExit) if "--bogus" in arguments else contextlib.nullcontext():
        code = main(arguments)
        assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if "--bogus" in arguments:
        assert "usage: ecr-access scan" in err  # the subcommand's usage, not the top one's
