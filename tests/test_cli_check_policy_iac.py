"""``ecr-access check-policy`` on infrastructure as code: CloudFormation/SAM YAML with short-form intrinsics,
a CDK-synthesised JSON template, a Terraform plan; many files and globs; SARIF validated against OASIS's
published SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, from oasis-tcs/sarif-spec); --fail-on;
the pre-commit hook."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ecr_access.cli.main import main

DATA = Path(__file__).resolve().parent / "data"
IAC = DATA / "iac"
ACCOUNT = ["--account", "111122223333"]


def run(capsys, *args):
    code = main(["check-policy", *args, *ACCOUNT])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_sam_template_is_judged_per_resource_with_its_line(capsys):
    code, out, _ = run(capsys, str(IAC / "service.yaml"), "--format", "json")
    found = {r["resource"]: r for r in json.loads(out)}
    assert code == 2  # one policy depends on a parameter: not judged, never counted as safe
    assert found["InternalRepository"]["verdict"] == "RESTRICTED"  # !Sub ${AWS::AccountId} is the owner
    assert (found["PublicByMistake"]["verdict"], found["PublicByMistake"]["line"]) == ("PUBLIC", 24)
    assert found["PartnerRepository"]["verdict"] == "UNJUDGED"
    assert "Ref PartnerAccount" in found["PartnerRepository"]["reasons"][0]
    assert (found["Registry"]["kind"], found["Registry"]["verdict"]) == (
        "registry policy",
        "CROSS_ACCOUNT_UNTRUSTED",
    )
    assert "Function" not in found  # not a policy


@pytest.mark.parametrize(
    ("file", "resource", "verdict", "line"),
    [
        pytest.param(
            "AppStack.template.json", "AppRepo8F5A4B2C", "CROSS_ACCOUNT_UNTRUSTED", 6, id="cdk-synth-json"
        ),
        pytest.param(
            "plan.json",
            "module.shared.aws_ecr_repository_policy.open",
            "PUBLIC",
            22,
            id="terraform-child-module",
        ),
        pytest.param(
            "plan.json",
            "module.shared.aws_ecr_registry_policy.this",
            "CROSS_ACCOUNT_UNTRUSTED",
            32,
            id="terraform-registry-policy",
        ),
        pytest.param(
            "plan.json",
            "module.shared.aws_ecr_repository_policy.later",
            "UNJUDGED",
            41,
            id="terraform-known-after-apply",
        ),
    ],
)
def test_templates_and_plans(capsys, file, resource, verdict, line):
    _, out, _ = run(capsys, str(IAC / file), "--format", "json")
    (found,) = [r for r in json.loads(out) if r["resource"] == resource]
    assert (found["verdict"], found["line"]) == (verdict, line)
    source_line = (IAC / file).read_text().splitlines()[line - 1]
    assert resource.rsplit(".", 1)[-1] in source_line or "RepositoryPolicyText" in source_line


def test_globs_directories_and_the_summary(capsys, tmp_path):
    code, out, _ = run(capsys, str(IAC / "*.json"), str(DATA / "iac"), "--fail-on", "PUBLIC")
    assert "AppStack.template.json:6 AppRepo8F5A4B2C (repository policy): CROSS_ACCOUNT_UNTRUSTED" in out
    assert out.rstrip().endswith("in 5 files")  # 2 from the glob, 3 from the directory
    assert code == 2  # the plan's known-after-apply policy


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [
        pytest.param("CROSS_ACCOUNT_UNTRUSTED", 1, id="any-exposure"),
        pytest.param("PUBLIC", 0, id="public-only"),
    ],
)
def test_fail_on_thresholds(capsys, fail_on, code):
    assert run(capsys, str(IAC / "AppStack.template.json"), "--fail-on", fail_on)[0] == code


def test_sarif_is_valid_against_the_published_schema_and_points_at_the_line(capsys):
    code, out, _ = run(capsys, str(IAC / "service.yaml"), str(IAC / "plan.json"), "--format", "sarif")
    log = json.loads(out)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    public = [r for r in results if r["ruleId"] == "ECRA001"]
    locations = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in public
    }  # fmt: skip
    assert locations == {("service.yaml", 24), ("plan.json", 22)}
    assert {r["level"] for r in results} == {"error", "warning"}  # exposures and the unjudged
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert float(rules["ECRA001"]["properties"]["security-severity"]) >= 9.0  # critical
    assert code == 2


def test_a_broken_schema_check_would_fail():
    """The validation above can fail: a result without its required message is rejected."""
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "x"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("a: &x [1]\nb: *x\n", "aliases are refused", id="yaml-alias"),
        pytest.param("Resources: [unclosed\n", "neither JSON nor YAML", id="broken-yaml"),
        pytest.param(
            "just: a mapping\n", "not a policy, a CloudFormation template or a Terraform plan", id="unrelated"
        ),
    ],
)
def test_hostile_or_unrelated_files_are_named_and_exit_2(capsys, tmp_path, text, message):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    code, _, err = run(capsys, str(path), str(IAC / "AppStack.template.json"))
    assert code == 2 and message in err and str(path) in err


def test_the_pre_commit_hook_runs_check_policy_on_templates():
    (hook,) = yaml.safe_load((DATA.parent.parent / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "ecr-access-check-policy" and hook["entry"] == "ecr-access check-policy"
    import re

    for name, matched in (("stack.yaml", True), ("cdk.out/App.template.json", True), ("main.tf", False)):
        assert bool(re.search(hook["files"], name)) is matched


@pytest.mark.parametrize(
    ("depth", "outcome"),
    [
        pytest.param(100, "unjudged", id="deeper-than-the-engine-accepts"),
        pytest.param(5_000, "refused", id="nesting-bomb-refused-by-the-loader"),
    ],
)
def test_deep_nesting_in_one_template_never_stops_the_other_files(capsys, tmp_path, depth, outcome):
    """A template whose policy nests deeper than the engine accepts (32 levels) has that policy
    UNJUDGED; a nesting bomb makes the file unreadable, named; either way exit 2, never safe, and the
    next file is judged as usual."""
    deep = "[" * depth + "]" * depth
    bomb = tmp_path / "bomb.template.json"
    bomb.write_text(
        '{"Resources": {"R": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryPolicyText": '
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Condition": '
        + deep
        + "}]}}}}}"
    )
    code, out, err = run(capsys, str(bomb), str(IAC / "AppStack.template.json"), "--format", "json")
    found = {r["resource"]: r["verdict"] for r in json.loads(out)}
    assert code == 2 and found["AppRepo8F5A4B2C"] == "CROSS_ACCOUNT_UNTRUSTED"
    if outcome == "unjudged":
        assert found["R"] == "UNJUDGED"
    else:
        assert "R" not in found and str(bomb) in err and "Traceback" not in err
