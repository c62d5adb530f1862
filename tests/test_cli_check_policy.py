"""``ecr-access check-policy`` on the shipped examples: output, JSON and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecr_access.cli.main import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ZONE = ["--account", "111122223333", "--trusted-org", "o-a1b2c3d4e5"]


@pytest.mark.parametrize(
    ("example", "code", "first_line", "detail"),
    [
        pytest.param(
            "public.json",
            1,
            "public.json: PUBLIC — image layers can be pulled from outside",
            'Statement "AllowPullFromAnywhere" (#0) lets anyone (Principal *)',
            id="public",
        ),
        pytest.param(
            "org-restricted.json",
            0,
            "org-restricted.json: RESTRICTED",
            "grants nothing outside the owner",
            id="org-restricted",
        ),
        pytest.param(
            "cross-account.json",
            1,
            "cross-account.json: CROSS_ACCOUNT_UNTRUSTED",
            'Statement "VendorPull" (#1) lets account 999988887777',
            id="cross-account",
        ),
        pytest.param(
            "deny-carve-out.json",
            0,
            "deny-carve-out.json: RESTRICTED",
            "grants nothing outside the owner",
            id="deny-carve-out",
        ),
    ],
)
def test_text_output_and_exit_code(capsys, example, code, first_line, detail):
    assert main(["check-policy", str(EXAMPLES / example), *ZONE]) == code
    out = capsys.readouterr().out
    assert first_line in out.splitlines()[0]
    assert detail in out


def test_trusting_an_account_changes_the_verdict(capsys):
    args = ["check-policy", str(EXAMPLES / "cross-account.json"), *ZONE]
    assert main([*args, "--trusted-account", "222233334444", "--trusted-account", "999988887777"]) == 0
    assert "RESTRICTED" in capsys.readouterr().out


def test_json_output_carries_the_findings(capsys):
    assert main(["check-policy", str(EXAMPLES / "cross-account.json"), *ZONE, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "CROSS_ACCOUNT_UNTRUSTED"
    assert report["pull_exposed"] is True
    assert [(f["statement_index"], f["sid"], f["verdict"]) for f in report["findings"]] == [
        (0, "ProductionPull", "CROSS_ACCOUNT_UNTRUSTED"),
        (1, "VendorPull", "CROSS_ACCOUNT_UNTRUSTED"),
    ]
    assert report["findings"][1]["principals"] == ["999988887777"]


def test_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", open(EXAMPLES / "public.json"))  # noqa: SIM115 - closed by pytest
    assert main(["check-policy", "-", *ZONE]) == 1
    assert capsys.readouterr().out.startswith("<stdin>: PUBLIC")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            [str(EXAMPLES / "malformed.json"), *ZONE], 'unknown element "Conditions"', id="malformed"
        ),
        pytest.param([str(EXAMPLES / "missing.json"), *ZONE], "cannot read", id="missing-file"),
        pytest.param([str(EXAMPLES / "public.json"), "--account", "123"], "not 12 digits", id="bad-account"),
    ],
)
def test_invalid_input_exits_2_with_one_line(capsys, args, message):
    assert main(["check-policy", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_console_script_never_prints_a_traceback():
    script = Path(sys.executable).parent / "ecr-access"
    result = subprocess.run(
        [str(script), "check-policy", str(EXAMPLES / "malformed.json"), *ZONE],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f'ecr-access: error: {EXAMPLES / "malformed.json"}: statement "TypoInCondition" (#0) '
        'has unknown element "Conditions" (element names are case-sensitive)\n'
    )
    assert "Traceback" not in result.stderr
