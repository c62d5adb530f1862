"""The rule Lambdas' zips are complete and reproducible: run from the zip alone, with only boto3."""

import hashlib
import json
import subprocess
import sys
import sysconfig
import zipfile
from urllib.parse import quote

import pytest

from ecr_access.packaging.lambda_zip import LAMBDA_PYTHON, build, rule_names

PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": "ecr:GetDownloadUrlForLayer"}
        ],
    }
)
ECR_STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}

ITEMS = {
    "ECR_REPO_NOT_PUBLIC": {
        "resourceType": "AWS::ECR::Repository",
        "resourceId": "team/app",
        "resourceName": "team/app",
        "ARN": "arn:aws:ecr:us-east-1:123456789012:repository/team/app",
        "configuration": {"RepositoryName": "team/app", "RepositoryPolicyText": PUBLIC},
    },
    "ECR_LAYER_DOWNLOAD_RESTRICTED": {
        "resourceType": "AWS::IAM::Role",
        "resourceId": "AROAEXAMPLEROLE000001",
        "resourceName": "ci",
        "ARN": "arn:aws:iam::123456789012:role/ci",
        "configuration": {
            "roleName": "ci",
            "roleId": "AROAEXAMPLEROLE000001",
            "path": "/",
            "arn": "arn:aws:iam::123456789012:role/ci",
            "attachedManagedPolicies": [],
            "rolePolicyList": [{"policyName": "ecr", "policyDocument": quote(json.dumps(ECR_STAR))}],
            "permissionsBoundary": None,
            "tags": [],
        },
    },
    "ECR_VPC_ENDPOINT_RESTRICTED": {
        "resourceType": "AWS::EC2::VPCEndpoint",
        "resourceId": "vpce-0a1b2c3d4e5f60718",
        "resourceName": "vpce-0a1b2c3d4e5f60718",
        "ARN": "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0a1b2c3d4e5f60718",
        "configuration": {
            "vpcEndpointId": "vpce-0a1b2c3d4e5f60718",
            "vpcEndpointType": "Interface",
            "serviceName": "com.amazonaws.us-east-1.ecr.dkr",
            "state": {"value": "available"},
            "policyDocument": json.dumps(
                {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
            ),
        },
    },
}


def test_packages_are_reproducible(tmp_path):
    digests = []
    for folder in (tmp_path / "one", tmp_path / "two"):
        digests.append({r: hashlib.sha256(build(r, folder).read_bytes()).hexdigest() for r in rule_names()})
    assert digests[0] == digests[1]


@pytest.mark.parametrize("rule", rule_names())
def test_every_module_ships_its_bytecode_for_the_lambda_runtime(tmp_path, rule):
    if sys.version_info[:2] != LAMBDA_PYTHON:
        pytest.skip("bytecode is built only by the Lambda runtime's Python version")
    with zipfile.ZipFile(build(rule, tmp_path)) as archive:
        names = set(archive.namelist())
    sources = {n for n in names if n.endswith(".py")}
    tag = sys.implementation.cache_tag
    for source in sources:
        folder, _, file = source.rpartition("/")
        cached = f"__pycache__/{file[:-3]}.{tag}.pyc"
        assert (f"{folder}/{cached}" if folder else cached) in names, source


@pytest.mark.parametrize("rule", rule_names())
@pytest.mark.parametrize("sources", ["as-shipped", "unreadable"])
def test_handler_runs_from_the_zip_alone(tmp_path, rule, sources):
    """With every .py replaced by code that fails, the shipped bytecode alone must run the rule:
    a cold start on the read-only /var/task then compiles nothing."""
    unpacked = tmp_path / "code"
    with zipfile.ZipFile(build(rule, tmp_path)) as archive:
        archive.extractall(unpacked)
    if sources == "unreadable":
        if sys.version_info[:2] != LAMBDA_PYTHON:
            pytest.skip("bytecode is built only by the Lambda runtime's Python version")
        for path in unpacked.rglob("*.py"):
            path.write_text("raise ImportError('the source was read: the .pyc was not used')\n")
    item = {
        **ITEMS[rule],
        "awsAccountId": "123456789012",
        "awsRegion": "us-east-1",
        "configurationItemStatus": "OK",
        "configurationItemCaptureTime": "2026-11-20T09:58:12.345Z",
        "tags": {},
        "relationships": [],
    }
    event = {
        "invokingEvent": json.dumps(
            {
                "configurationItem": item,
                "notificationCreationTime": "2026-11-20T10:00:00Z",
                "messageType": "ConfigurationItemChangeNotification",
            }
        ),
        "ruleParameters": json.dumps({"AssumeRoleMode": "false"}),
        "resultToken": "TESTMODE",
        "eventLeftScope": False,
        "executionRoleArn": "arn:aws:iam::123456789012:role/config",
        "configRuleName": rule,
        "accountId": "123456789012",
    }
    probe = f"""
import json, os, sys
sys.path[:0] = [{str(unpacked)!r}]
sys.path.append({sysconfig.get_paths()["purelib"]!r})  # boto3 and moto, as the runtime and the test double
os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
from botocore.client import BaseClient
from moto import mock_aws
put = []
call = BaseClient._make_api_call
def recording(client, operation, params):
    if operation == "PutEvaluations":
        put.extend(params["Evaluations"])
    return call(client, operation, params)
BaseClient._make_api_call = recording
with mock_aws():
    import {rule} as rule_module
    import ecr_access, rdklib
    assert ecr_access.__file__.startswith({str(unpacked)!r}), ecr_access.__file__
    assert rdklib.__file__.startswith({str(unpacked)!r}), rdklib.__file__
    rule_module.lambda_handler({event!r}, None)
print(json.dumps(put))
"""
    result = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    (evaluation,) = json.loads(result.stdout.strip().splitlines()[-1])
    assert evaluation["ComplianceType"] == "NON_COMPLIANT"
    assert evaluation["ComplianceResourceId"] == ITEMS[rule]["resourceId"]


@pytest.mark.parametrize("rule", rule_names())
def test_a_vendored_rule_folder_runs_as_rdk_deploy_would_ship_it(tmp_path, rule):
    import shutil

    from ecr_access.packaging.lambda_zip import RULES, vendor

    shutil.copytree(RULES / rule, tmp_path / rule)
    vendor(rule, tmp_path)
    probe = (
        "import sys\n"
        f"sys.path[:0] = [{str(tmp_path / rule)!r}]\n"
        f"sys.path.append({sysconfig.get_paths()['purelib']!r})  # boto3 and rdklib (the rdklib layer)\n"
        f"import {rule}, ecr_access\n"
        f"assert ecr_access.__file__.startswith({str(tmp_path)!r}), ecr_access.__file__\n"
        f"print(callable({rule}.lambda_handler))\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
