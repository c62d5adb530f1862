"""Driving Config rules as Config does, and capturing what they tell Config.

moto does not record PutEvaluations outside TestMode, and lacks
GetComplianceDetailsByConfigRule, ECR's configuration history and ECR's pull-through
cache rules, so those calls are answered here at the botocore level (BaseClient._make_api_call) and recorded;
every other call goes on to moto. Faults can be scripted per operation.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from botocore.client import BaseClient
from botocore.exceptions import ClientError

# Re-exported: the rule tests import it with the rest of the harness.
from ecr_access.config_rules.rule_modules import load_rule as load_rule

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
NOTIFICATION_TIME = "2026-11-20T10:00:00.000Z"
CONFIG_SERVICE_ROLE = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
)


def event(
    invoking: dict, *, rule_name: str, parameters: dict | None = None, token: str = "result-token"
) -> dict:
    return {
        "version": "1.0",
        "invokingEvent": json.dumps(invoking),
        "ruleParameters": json.dumps({"AssumeRoleMode": "false", **(parameters or {})}),
        "resultToken": token,
        "eventLeftScope": False,
        "executionRoleArn": CONFIG_SERVICE_ROLE,
        "configRuleArn": f"arn:aws:config:{REGION}:{ACCOUNT}:config-rule/config-rule-abc123",
        "configRuleName": rule_name,
        "configRuleId": "config-rule-abc123",
        "accountId": ACCOUNT,
        "evaluationMode": "DETECTIVE",
    }


def configuration_item(
    resource_type: str,
    resource_id: str,
    name: str,
    arn: str,
    configuration: dict,
    *,
    status: str = "OK",
    region: str = "global",
    tags: dict | None = None,
) -> dict:
    """A configuration item as Config delivers it in a change notification."""
    return {
        "relatedEvents": [],
        "relationships": [],
        "configuration": configuration,
        "supplementaryConfiguration": {},
        "tags": tags or {},
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": "2026-11-20T09:58:12.345Z",
        "configurationStateId": 1763632692345,
        "awsAccountId": ACCOUNT,
        "configurationItemStatus": status,
        "resourceType": resource_type,
        "resourceId": resource_id,
        "resourceName": name,
        "ARN": arn,
        "awsRegion": region,
        "availabilityZone": "Regional" if region != "global" else "Not Applicable",
        "configurationStateMd5Hash": "",
        "resourceCreationTime": "2026-01-05T12:00:00.000Z",
    }


def periodic_event(rule_name: str, parameters: dict | None = None, **kwargs: Any) -> dict:
    invoking = {
        "awsAccountId": ACCOUNT,
        "notificationCreationTime": NOTIFICATION_TIME,
        "messageType": "ScheduledNotification",
        "recordVersion": "1.0",
    }
    return event(invoking, rule_name=rule_name, parameters=parameters, **kwargs)


def change_event(item: dict, rule_name: str, parameters: dict | None = None, **kwargs: Any) -> dict:
    invoking = {
        "configurationItemDiff": None,
        "configurationItem": item,
        "notificationCreationTime": NOTIFICATION_TIME,
        "messageType": "ConfigurationItemChangeNotification",
        "recordVersion": "1.3",
    }
    return event(invoking, rule_name=rule_name, parameters=parameters, **kwargs)


def oversized_event(item: dict, rule_name: str, parameters: dict | None = None) -> dict:
    invoking = {
        "configurationItemSummary": {
            "changeType": "UPDATE",
            "configurationItemVersion": "1.3",
            "configurationItemCaptureTime": item["configurationItemCaptureTime"],
            "configurationStateId": 1,
            "awsAccountId": ACCOUNT,
            "configurationItemStatus": item["configurationItemStatus"],
            "resourceType": item["resourceType"],
            "resourceId": item["resourceId"],
            "resourceName": item["resourceName"],
            "ARN": item["ARN"],
            "awsRegion": item["awsRegion"],
            "availabilityZone": item["availabilityZone"],
            "configurationStateMd5Hash": "",
            "resourceCreationTime": "2026-01-01T00:00:00.000Z",
        },
        "s3DeliverySummary": {"s3BucketLocation": "config-bucket/oversized.json.gz", "errorCode": None},
        "notificationCreationTime": NOTIFICATION_TIME,
        "messageType": "OversizedConfigurationItemChangeNotification",
        "recordVersion": "1.0",
    }
    return event(invoking, rule_name=rule_name, parameters=parameters)


def as_history_item(item: dict) -> dict:
    """A configuration item as GetResourceConfigHistory returns it (configuration as JSON text)."""
    return {
        "version": "1.3",
        "accountId": item["awsAccountId"],
        "configurationItemCaptureTime": item["configurationItemCaptureTime"],
        "configurationItemStatus": item["configurationItemStatus"],
        "configurationStateId": "1",
        "configurationItemMD5Hash": "",
        "arn": item["ARN"],
        "resourceType": item["resourceType"],
        "resourceId": item["resourceId"],
        "resourceName": item["resourceName"],
        "awsRegion": item["awsRegion"],
        "availabilityZone": item["availabilityZone"],
        "tags": item.get("tags", {}),
        "relatedEvents": [],
        "relationships": [],
        "configuration": json.dumps(item["configuration"]),
        "supplementaryConfiguration": {},
    }


def client_error(code: str, operation: str, message: str = "injected") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def refusing(operation: str, code: str, message: str = "injected", **params: Any) -> Callable:
    """A fault for ``ConfigCapture.faults``: ``operation`` (with these parameters, if given) fails."""

    def fault(called: str, given: dict) -> ClientError | None:
        if called == operation and all(given.get(k) == v for k, v in params.items()):
            return client_error(code, operation, message)
        return None

    return fault


@dataclass
class ConfigCapture:
    """Recorded Config traffic and scripted answers."""

    put_calls: list[dict] = field(default_factory=list)
    prior_results: list[dict] = field(default_factory=list)  # EvaluationResults GetComplianceDetails returns
    history: dict[str, dict] = field(default_factory=dict)  # resourceId -> configuration item
    failed_evaluations: list[list[dict]] = field(
        default_factory=list
    )  # FailedEvaluations per put call, in order
    faults: list[Callable[[str, dict], Exception | None]] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (service, operation) of every call
    cache_rules: list[dict] = field(default_factory=list)  # ECR DescribePullThroughCacheRules (not in moto)
    bulk_tag_reads: int = 0
    internal: bool = False  # the harness's own reads (answering what moto lacks) are not recorded
    # (service, operation) -> answer(params, call_through): replaces or reshapes what moto answers
    overrides: dict[tuple[str, str], Callable[[dict, Callable[[dict], dict]], dict]] = field(
        default_factory=dict
    )

    @property
    def evaluations(self) -> list[dict]:
        return [e for call in self.put_calls for e in call["Evaluations"]]

    def by_resource(self, resource_type: str | None = None) -> dict[str, dict]:
        """Resource id → its last evaluation (of ``resource_type`` only, when given)."""
        return {e["ComplianceResourceId"]: e for e in self.evaluations_of(resource_type)}

    def evaluations_of(self, resource_type: str | None) -> list[dict]:
        return [e for e in self.evaluations if resource_type in (None, e["ComplianceResourceType"])]

    def add_prior(self, resource_type: str, resource_id: str, compliance: str, annotation: str = "") -> None:
        self.prior_results.append(
            {
                "EvaluationResultIdentifier": {
                    "EvaluationResultQualifier": {
                        "ConfigRuleName": "rule",
                        "ResourceType": resource_type,
                        "ResourceId": resource_id,
                    }
                },
                "ComplianceType": compliance,
                "Annotation": annotation,
            }
        )

    def ecr_tag_mappings(self, params: dict, client: BaseClient) -> dict:
        """GetResources for ECR repositories as the Tagging API answers it (moto returns none): the tagged
        repositories of the calling client's account and Region, filtered on the tag keys asked for."""
        import boto3

        credentials = client._request_signer._credentials  # the caller's account (scan --org: a member)
        ecr = boto3.client(
            "ecr",
            region_name=client.meta.region_name,
            aws_access_key_id=credentials.access_key,
            aws_secret_access_key=credentials.secret_key,
            aws_session_token=credentials.token,
        )
        keys = [f["Key"] for f in params.get("TagFilters", ())]
        mappings = []
        self.internal = True
        try:
            for page in ecr.get_paginator("describe_repositories").paginate():
                for repository in page["repositories"]:
                    tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"]).get("tags", [])
                    if tags and all(any(t["Key"] == k for t in tags) for k in keys):
                        mappings.append({"ResourceARN": repository["repositoryArn"], "Tags": tags})
        finally:
            self.internal = False
        self.bulk_tag_reads += 1
        return {"ResourceTagMappingList": mappings}

    def answer(self, service: str, operation: str, params: dict) -> dict | None:
        if service == "config" and operation == "PutEvaluations":
            self.put_calls.append(params)
            failed = self.failed_evaluations.pop(0) if self.failed_evaluations else []
            return {"FailedEvaluations": failed}
        if service == "config" and operation == "GetComplianceDetailsByConfigRule":
            start = int(params.get("NextToken") or 0)
            page = self.prior_results[start : start + params.get("Limit", 100)]
            following = start + len(page)
            return {
                "EvaluationResults": page,
                **({"NextToken": str(following)} if following < len(self.prior_results) else {}),
            }
        if service == "ecr" and operation == "DescribePullThroughCacheRules":
            return {"pullThroughCacheRules": list(self.cache_rules)}
        if (
            service == "tagging"
            and operation == "GetResources"
            and params.get("ResourceTypeFilters") == ["ecr:repository"]
        ):
            return self._ecr_tag_mappings(params)
        if service == "config" and operation == "GetResourceConfigHistory":
            return {"configurationItems": [as_history_item(self.history[params["resourceId"]])]}
        return None


def capture_config(capture: ConfigCapture):
    """Patch botocore so that Config calls are answered by ``capture`` and faults are raised."""
    original = BaseClient._make_api_call

    def _make_api_call(client: BaseClient, operation: str, params: dict) -> Any:
        service = client.meta.service_model.service_name
        if capture.internal:
            return original(client, operation, params)
        capture.calls.append((service, operation))
        for fault in capture.faults:
            error = fault(operation, params)
            if error is not None:
                raise error
        if (service, operation) == ("resourcegroupstaggingapi", "GetResources") and params.get(
            "ResourceTypeFilters"
        ) == ["ecr:repository"]:
            return capture.ecr_tag_mappings(params, client)
        override = capture.overrides.get((service, operation))
        if override is not None:
            return override(params, lambda p: original(client, operation, p))
        answered = capture.answer(service, operation, params)
        return answered if answered is not None else original(client, operation, params)

    return mock.patch.object(BaseClient, "_make_api_call", _make_api_call)


_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


class AuthorizationDetailsPager:
    """GetAccountAuthorizationDetails in MaxItems pages with Markers, as IAM serves it.

    moto answers with everything at once whatever MaxItems says; this pages its
    answer. The first page of a sweep asks moto; later pages come from that answer.
    """

    def __init__(self, page_size: int | None = None) -> None:
        self.page_size = page_size  # None: honour the caller's MaxItems
        self._snapshot: list[tuple[str, dict]] = []

    def __call__(self, params: dict, call_through: Callable[[dict], dict]) -> dict:
        if not params.get("Marker"):
            everything = call_through({k: v for k, v in params.items() if k not in ("MaxItems", "Marker")})
            self._snapshot = [(name, item) for name in _DETAIL_LISTS for item in everything.get(name, ())]
        start = int(params.get("Marker") or 0)
        size = self.page_size or params.get("MaxItems", 100)
        page: dict[str, Any] = {name: [] for name in _DETAIL_LISTS}
        for name, item in self._snapshot[start : start + size]:
            page[name].append(item)
        following = start + size
        if following < len(self._snapshot):
            page.update(IsTruncated=True, Marker=str(following))
        else:
            page["IsTruncated"] = False
        return page


class LambdaContext:
    """Just enough of the Lambda context: a clock that runs out."""

    def __init__(self, remaining_ms: Callable[[], int]) -> None:
        self.get_remaining_time_in_millis = remaining_ms
