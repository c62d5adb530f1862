"""What each entry point loads (issue "Performance"): a rule's cold start and a command's ``--help``
pay only for their own modules. Each case runs in a fresh interpreter, so nothing another test
imported can hide a regression; each also names a module it must load, so no case passes by
loading nothing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parent.parent / "rules"

# Never part of a rule Lambda's cold start: other doors onto the engine, and the CLI's libraries.
NOT_IN_ANY_RULE = (
    "ecr_access.cli",
    "ecr_access.detection",
    "ecr_access.perimeter",
    "ecr_access.remediation",
    "ecr_access.deployment",
    "ecr_access.demo",
    "ecr_access.testing",
    "rich",
    "yaml",
    "moto",
)


def _loaded(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _under(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(f"{package}."))


@pytest.mark.parametrize(
    ("rule", "needs", "not_loaded"),
    [
        pytest.param(
            "ECR_REPO_NOT_PUBLIC",
            "ecr_access.exposure.analyze",
            ("ecr_access.permissions", "ecr_access.loaders"),
            id="repository-rule-loads-no-principal-engine-or-iam-loaders",
        ),
        pytest.param(
            "ECR_LAYER_DOWNLOAD_RESTRICTED",
            "ecr_access.permissions.evaluate",
            ("ecr_access.exposure",),
            id="principal-rule-loads-no-repository-exposure-engine",
        ),
        pytest.param(
            "ECR_VPC_ENDPOINT_RESTRICTED",
            "ecr_access.exposure.endpoint_policies",
            (
                "ecr_access.permissions",
                "ecr_access.loaders.authorization_details",
                "ecr_access.loaders.config_items",
                "ecr_access.loaders.iam_entities",
            ),
            id="endpoint-rule-loads-no-principal-engine-or-iam-loaders",
        ),
    ],
)
def test_a_rule_cold_start_loads_only_its_own_engine(rule, needs, not_loaded):
    loaded = _loaded(f"import sys\nsys.path.insert(0, {str(RULES / rule)!r})\nimport {rule}")
    assert needs in loaded
    assert {package: _under(loaded, package) for package in (*not_loaded, *NOT_IN_ANY_RULE)} == {
        package: [] for package in (*not_loaded, *NOT_IN_ANY_RULE)
    }


AWS_AND_UI = ("boto3", "botocore", "rdklib", "rich")


@pytest.mark.parametrize(
    ("command", "module", "not_loaded"),
    [
        pytest.param("who-can-pull", "ecr_access.cli.who_can_pull", (*AWS_AND_UI, "yaml"), id="who-can-pull"),
        pytest.param("check-policy", "ecr_access.cli.check_policy", AWS_AND_UI, id="check-policy"),
    ],
)
def test_an_offline_command_help_loads_no_aws_sdk_or_terminal_ui(command, module, not_loaded):
    loaded = _loaded(
        "import contextlib, io\n"
        "from ecr_access.cli.main import main\n"
        "out = io.StringIO()\n"
        "try:\n"
        f"    with contextlib.redirect_stdout(out): main([{command!r}, '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"assert out.getvalue().startswith('usage: ecr-access {command}'), out.getvalue()[:200]"
    )
    assert module in loaded
    assert {package: _under(loaded, package) for package in not_loaded} == {
        package: [] for package in not_loaded
    }
