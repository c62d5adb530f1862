"""`make demo`, the README's second command: the real rules and runbooks on the embedded account.

Runs the whole demo (about 10 s: no reduced mode, so what is asserted is what a newcomer sees)
and checks what it says at each step.
"""

import re
import subprocess
from pathlib import Path

import pytest

from ecr_access.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo():
    result = subprocess.run(
        ["make", "-s", "demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": "/nonexistent"},  # no AWS credentials at all
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_change_notifications_go_through_each_rules_lambda_handler(demo):
    assert (
        "→ ECR_REPO_NOT_PUBLIC puts NON_COMPLIANT for AWS::ECR::Repository storefront/web: "
        'Statement "PublicPull" (#0) lets anyone (Principal *)'
    ) in demo
    assert (
        "→ ECR_LAYER_DOWNLOAD_RESTRICTED puts NON_COMPLIANT for AWS::IAM::Role github-actions-build: "
        "Allowed by inline policy inline, statement #0 (ecr:* on *)"
    ) in demo


@pytest.mark.parametrize(
    ("resource", "compliance"),
    [
        pytest.param("storefront/web", "NON_COMPLIANT", id="public"),
        pytest.param("vendor/scanner-plugin", "NON_COMPLIANT", id="untrusted-account"),
        pytest.param("shared/base-images", "COMPLIANT", id="trusted-account"),
        pytest.param("ml/models", "COMPLIANT", id="deny-carve-out"),
        pytest.param("payments/api", "COMPLIANT", id="org-restricted"),
        pytest.param("mobile/backend", "NOT_APPLICABLE", id="exempt-by-tag"),
        pytest.param("role/contractor-sandbox", "COMPLIANT", id="boundary-limited"),
        pytest.param("role/eks-node-main", "COMPLIANT", id="allow-listed-by-tag"),
        pytest.param("user/dev-ana", "NON_COMPLIANT", id="developer-readonly-group"),
        pytest.param(
            "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "NOT_APPLICABLE",
            id="service-linked-role",
        ),
    ],
)
def test_the_dashboard_lists_each_resource_with_its_verdict(demo, resource, compliance):
    dashboard = demo.split("2. Periodic evaluation")[1].split("3. Remediation")[0]
    assert re.search(rf"^\s+{re.escape(resource)}\s.*\s{compliance}\s", dashboard, re.MULTILINE), dashboard


def test_runbooks_remediate_and_the_second_run_shows_what_changed(demo):
    remediation = demo.split("3. Remediation")[1].split("4. Periodic")[0]
    assert remediation.count("Success ECRAccess-RestrictRepositoryPolicy") == 7
    assert remediation.count("Success ECRAccess-RevokeLayerDownload") == 7
    assert (
        'legacy/batch: RemoveStatements on legacy/batch: "FormerSubsidiaryPull" (#1) narrowed: '
        "untrusted principals removed" in remediation
    )
    assert (
        "Failed  ECRAccess-RevokeLayerDownload role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly"
        in (remediation)
    )
    after = demo.split("4. Periodic evaluation again")[1]
    assert re.search(r"^\s+storefront/web\s.*COMPLIANT\s+NON_COMPLIANT\s", after, re.MULTILINE)
    assert re.search(
        r"^\s+user/legacy-deployer\s.*COMPLIANT\s+NON_COMPLIANT\s+"
        r"Denied by managed policy ECRAccessDenyLayerDownload",
        after,
        re.M,
    )
    assert "14 unchanged not shown" in after  # 13 repositories and the registry
    assert "After:  ECR_REPO_NOT_PUBLIC: 20 COMPLIANT, 1 NOT_APPLICABLE; " in after
    assert "ECR_LAYER_DOWNLOAD_RESTRICTED: 1 NON_COMPLIANT, 27 COMPLIANT, 2 NOT_APPLICABLE" in after
    sso_read_only = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly"
    assert f"Still NON_COMPLIANT: {sso_read_only}" in after
    assert "add the deny to its permission set instead" in after


def test_without_moto_the_demo_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "moto", None)
    monkeypatch.delitem(__import__("sys").modules, "ecr_access.demo.walkthrough", raising=False)
    assert main(["demo"]) == 2
    assert "the demo needs moto: pip install 'ecr-access[demo]'" in capsys.readouterr().err


def test_the_preventive_control_is_proved_on_the_demo_account(demo):
    """Step 5: the SCP/RCP from the same allow-list, and the engine's impact analysis."""
    assert "5. Preventive control" in demo
    assert re.search(
        r"lose pull \(\d+\): .*role/ecs-exec-payments-api", demo
    )  # service-approved: not in an SCP
    assert "after the SCP: 0 non-allow-listed principals can pull" in demo


def test_a_non_approved_pull_is_one_finding_in_the_demo(demo):
    """Step 6: one pull of forty layers, through the detection handler: one finding."""
    assert "40 GetDownloadUrlForLayer events (one per layer) → 1 finding to SNS" in demo
    assert "role/github-actions-build is not allow-listed" in demo
