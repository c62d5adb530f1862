"""An AWS CLI plugin that answers the Config calls moto does not implement, and records them.

moto implements neither PutConformancePack nor PutOrganizationConformancePack (nor their
status calls), so a deploy plan run through the real AWS CLI against moto_server would stop
there. Loaded through the CLI's own plugin mechanism (``[plugins]`` in the file named by
AWS_CONFIG_FILE), this registers ``before-call`` handlers: botocore sends nothing for those
operations and takes the handler's answer instead. Everything else the CLI does — argument
parsing (``file://`` JSON, shorthand), validation against the service model, pagination,
``--query`` — is the real CLI's. Each call is appended as one JSON line to the file named by
ECR_ACCESS_CLI_CAPTURE; a status call reports a pack complete only in a Region where a pack
was put first, so a plan that waits before it puts fails here as it would in AWS.

One moto divergence is corrected the other way round: for an update change set that changes
nothing, moto fails CreateChangeSet itself ("No updates are to be performed") or, for a
template given by URL, "updates" every resource (and fails on those a condition left out), where
CloudFormation creates the change set and reports it FAILED with "The submitted information
didn't contain changes" (which ``aws cloudformation deploy --no-fail-on-empty-changeset``
accepts). Here such a change set is answered as CloudFormation answers it.
"""

import json
import os
from pathlib import Path
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse

_PUTS = {
    "PutConformancePack": ("ConformancePackName", "ConformancePackArn", "conformance-pack"),
    "PutOrganizationConformancePack": (
        "OrganizationConformancePackName",
        "OrganizationConformancePackArn",
        "organization-conformance-pack",
    ),
}


def _log() -> Path:
    return Path(os.environ["ECR_ACCESS_CLI_CAPTURE"])


def _recorded() -> list[dict[str, Any]]:
    path = _log()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _put_in(region: str, operation: str) -> set[str]:
    return {
        c["params"][_PUTS[operation][0]]
        for c in _recorded()
        if c["operation"] == operation and c["region"] == region
    }


def _answer(operation: str, params: dict[str, Any], region: str) -> dict[str, Any]:
    if operation in _PUTS:
        name_key, arn_key, kind = _PUTS[operation]
        return {arn_key: f"arn:aws:config:{region}:123456789012:{kind}/{params[name_key]}"}
    if operation == "DescribeConformancePackStatus":
        names = _put_in(region, "PutConformancePack") & set(params.get("ConformancePackNames", ()))
        return {
            "ConformancePackStatusDetails": [
                {"ConformancePackName": n, "ConformancePackState": "CREATE_COMPLETE"} for n in sorted(names)
            ]
        }
    names = _put_in(region, "PutOrganizationConformancePack") & set(
        params.get("OrganizationConformancePackNames", ())
    )
    return {
        "OrganizationConformancePackStatuses": [
            {"OrganizationConformancePackName": n, "Status": "CREATE_SUCCESSFUL"} for n in sorted(names)
        ]
    }


_EMPTY_CHANGE_SETS: dict[str, dict[str, Any]] = {}
_NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)


def _template_body(params: dict[str, Any], region: str) -> str:
    if "TemplateBody" in params:
        return params["TemplateBody"]
    # aws cloudformation deploy --s3-bucket uploads the template and sends its path-style URL
    bucket, key = params["TemplateURL"].split("://", 1)[1].split("/", 1)[1].split("/", 1)
    s3 = botocore.session.get_session().create_client("s3", region_name=region)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def _changes_nothing(params: dict[str, Any], region: str) -> bool:
    if params.get("ChangeSetType") != "UPDATE":
        return False
    moto = botocore.session.get_session().create_client("cloudformation", region_name=region)
    stack = moto.describe_stacks(StackName=params["StackName"])["Stacks"][0]
    before = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", ())}
    template = moto.get_template(StackName=params["StackName"])["TemplateBody"]
    return template == _template_body(params, region) and all(
        p.get("UsePreviousValue") or before.get(p["ParameterKey"]) == p.get("ParameterValue")
        for p in params.get("Parameters", ())
    )


def _keep_parameters(params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
    """before-call sees the serialised request; the call's own parameters are kept from here."""
    context["api_params"] = dict(params)


def _change_set(model: Any, request_signer: Any, context: dict[str, Any], **kwargs: Any) -> Any:
    params, region = context["api_params"], request_signer.region_name
    if model.name == "CreateChangeSet" and _changes_nothing(params, region):
        change_set = f"arn:aws:cloudformation:{region}:123456789012:changeSet/{params['ChangeSetName']}/empty"
        _EMPTY_CHANGE_SETS[change_set] = {
            "ChangeSetId": change_set,
            "ChangeSetName": params["ChangeSetName"],
            "StackName": params["StackName"],
            "Status": "FAILED",
            "ExecutionStatus": "UNAVAILABLE",
            "StatusReason": _NO_CHANGES,
            "Changes": [],
        }
        return AWSResponse("", 200, {}, None), {"Id": change_set, "StackId": params["StackName"]}
    if model.name == "DescribeChangeSet" and params.get("ChangeSetName") in _EMPTY_CHANGE_SETS:
        return AWSResponse("", 200, {}, None), _EMPTY_CHANGE_SETS[params["ChangeSetName"]]
    return None


def _before_call(model: Any, request_signer: Any, context: dict[str, Any], **kwargs: Any) -> Any:
    if model.name not in (
        *_PUTS,
        "DescribeConformancePackStatus",
        "DescribeOrganizationConformancePackStatuses",
    ):
        return None  # moto answers everything else
    params, region = context["api_params"], request_signer.region_name
    answer = _answer(model.name, params, region)
    with _log().open("a") as log:
        log.write(json.dumps({"operation": model.name, "region": region, "params": params}) + "\n")
    return AWSResponse("", 200, {}, None), answer


def awscli_initialize(cli: Any) -> None:
    """The AWS CLI v1 plugin entry point (awscli.plugin.load_plugins)."""
    for service in ("config-service", "cloudformation"):
        cli.register(f"before-parameter-build.{service}", _keep_parameters)
    cli.register("before-call.config-service", _before_call)
    cli.register("before-call.cloudformation.CreateChangeSet", _change_set)
    cli.register("before-call.cloudformation.DescribeChangeSet", _change_set)
