"""The runbooks as documents: rendered from the repository, within SSM's limits, complete, least privilege."""

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from ecr_access.cli.main import main
from ecr_access.policy import Effect, parse_document
from ecr_access.remediation.documents import DOCUMENTS, render_document
from ecr_access.remediation.render import module_sources
from ecr_access.testing.automation_runner import AutomationRunner
from ecr_access.testing.config_harness import ConfigCapture, capture_config

from principal_builder import ECS_TASKS_TRUST

ROOT = Path(__file__).resolve().parent.parent
SIZE_LIMIT = 64 * 1024  # SSM CreateDocument: content, runtime parameters included, at most 64 KB
PARAMETER_ROOM = 2 * 1024  # kept free for the values passed at run time


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_committed_document_is_a_fresh_render(name):
    committed = (ROOT / "remediation" / f"{name}.yaml").read_text()
    assert committed == render_document(name), f"remediation/{name}.yaml drifted: run `make runbooks`"


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_document_fits_ssm_limits_and_conventions(name):
    text = (ROOT / "remediation" / f"{name}.yaml").read_text()
    assert len(text.encode()) <= SIZE_LIMIT - PARAMETER_ROOM
    document = yaml.safe_load(text)
    assert document["schemaVersion"] == "0.3"
    assert document["assumeRole"] == "{{ AutomationAssumeRole }}"
    for parameter, spec in document["parameters"].items():
        assert spec["type"] == "String"
        assert "allowedPattern" in spec or "allowedValues" in spec, parameter
    (step,) = document["mainSteps"]
    assert (step["action"], step["inputs"]["Runtime"], step["inputs"]["Handler"]) == (
        "aws:executeScript",
        "python3.12",
        "handler",
    )
    assert all(o["Selector"].startswith("$.Payload.") for o in step["outputs"])
    assert document["outputs"] == [f"{step['name']}.{o['Name']}" for o in step["outputs"]]


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_script_runs_in_a_clean_interpreter_with_only_boto3(tmp_path, name):
    """The embedded modules are complete: no ecr_access installed, only the standard library and boto3."""
    script = yaml.safe_load((ROOT / "remediation" / f"{name}.yaml").read_text())["mainSteps"][0]["inputs"][
        "Script"
    ]
    (tmp_path / "runbook.py").write_text(script)
    handler_module = next(line.split(" from ", 1)[1].split(" and ")[0] for line in script.splitlines()[:1])
    probe = (
        "import sys, importlib.util\n"
        f"sys.path.append({sysconfig.get_paths()['purelib']!r})\n"
        "import boto3\n"
        "assert importlib.util.find_spec('ecr_access') is None, 'the installed package must not be visible'\n"
        f"namespace = {{}}\nexec(open({str(tmp_path / 'runbook.py')!r}).read(), namespace)\n"
        f"import {handler_module} as handler_module\n"
        "assert callable(namespace['handler']) and callable(handler_module.handler)\n"
        "print('ok', len([m for m in sys.modules if m.startswith('ecr_access')]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok ")


def test_runbook_source_prints_the_packed_modules(capsys):
    assert main(["runbook-source", str(ROOT / "remediation" / "ECRAccess-RevokeLayerDownload.yaml")]) == 0
    printed = capsys.readouterr().out
    packed = {n for n in module_sources("ecr_access.remediation.revoke_layer_download")} - {
        "ecr_access.remediation.revoke_layer_download"
    }
    assert {line[7:-5] for line in printed.splitlines() if line.startswith("# ==== ")} == packed
    assert "class PermissionEvaluator" in printed


# --- least privilege for AutomationAssumeRole ---------------------------------------------------------
def _called_apis(name: str) -> set[str]:
    """Every API the runbook calls across its paths, as IAM actions (sts:GetCallerIdentity needs none)."""
    capture = ConfigCapture()
    runner = AutomationRunner(ROOT / "remediation" / f"{name}.yaml")
    with mock_aws(), capture_config(capture):
        role = "arn:aws:iam::123456789012:role/ecr-access-remediation"
        if name == "ECRAccess-RestrictRepositoryPolicy":
            ecr = boto3.client("ecr", region_name="us-east-1")
            public = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}],
            }
            for repository in ("updated", "deleted"):
                ecr.create_repository(repositoryName=repository)
            keep = {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "ecr:*",
            }
            ecr.set_repository_policy(
                repositoryName="updated",
                policyText=json.dumps({**public, "Statement": [*public["Statement"], keep]}),
            )
            ecr.set_repository_policy(repositoryName="deleted", policyText=json.dumps(public))
            start = len(capture.calls)
            for repository in ("updated", "deleted"):
                assert (
                    runner.start({"RepositoryName": repository, "AutomationAssumeRole": role}).status
                    == "Success"
                )
        else:
            iam = boto3.client("iam", region_name="us-east-1")
            pull = json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}],
                }
            )
            arn = iam.create_policy(PolicyName="p", PolicyDocument=pull)["Policy"]["Arn"]
            role_id = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(ECS_TASKS_TRUST))[
                "Role"
            ]
            iam.attach_role_policy(RoleName="app", PolicyArn=arn)
            iam.create_group(GroupName="g")
            iam.put_group_policy(GroupName="g", PolicyName="pull", PolicyDocument=pull)
            iam.attach_group_policy(GroupName="g", PolicyArn=arn)
            user_id = iam.create_user(UserName="u")["User"]["UserId"]
            iam.add_user_to_group(GroupName="g", UserName="u")
            topic = boto3.client("sns", region_name="us-east-1").create_topic(Name="ecr-access-x")["TopicArn"]
            start = len(capture.calls)
            for unique_id in (role_id["RoleId"], user_id):
                execution = runner.start(
                    {
                        "ResourceId": unique_id,
                        "AutomationAssumeRole": role,
                        "RevokeActiveSessions": "true",
                        "NotificationTopicArn": topic,
                    }
                )
                assert execution.status == "Success", execution.failure
    return {f"{s}:{o}" for s, o in capture.calls[start:]} - {"sts:GetCallerIdentity"}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_automation_role_policy_allows_exactly_the_apis_the_runbook_calls(monkeypatch, name):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    policy = parse_document(
        json.loads((ROOT / "deploy" / "iam" / f"{name}.automation-policy.json").read_text())
    )
    allowed = {p for s in policy.statements if s.effect is Effect.ALLOW for p in s.actions.patterns}
    assert all("*" not in action for action in allowed)
    assert allowed == _called_apis(name)
    for statement in policy.statements:
        writes = [
            a for a in statement.actions.patterns if a.split(":")[1].startswith(("Put", "Set", "Delete"))
        ]
        if statement.effect is Effect.ALLOW and writes:
            assert all(p.text != "*" for p in statement.resources.patterns), statement.label
