"""Detection findings as Security Hub ASFF and as SNS messages.

ASFF (Security Hub User Guide, "AWS Security Finding Format"; required top-level fields:
AwsAccountId, CreatedAt, Description, GeneratorId, Id, ProductArn, Resources,
SchemaVersion, Severity, Title, Types, UpdatedAt). The finding is imported in its own
account (``BatchImportFindings`` accepts findings only for the calling account, through the
account's default product ARN), with ``Action.AwsApiCallAction`` describing the call and an
``Id`` that is the pull's dedup key: importing the same pull again updates the finding.
"""

from typing import Any

from ecr_access.detection.dedup import pull_key
from ecr_access.detection.pull_events import PullFinding
from ecr_access.detection.registry_events import ChangeFinding

GENERATOR = "ecr-access/detection"


def _product_arn(region: str, account: str, partition: str = "aws") -> str:
    return f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"


def _api_call(name: str, time: str, address: str | None) -> dict[str, Any]:
    action: dict[str, Any] = {
        "Api": name,
        "ServiceName": "ecr.amazonaws.com",
        "FirstSeen": time,
        "LastSeen": time,
    }
    if address and address[0].isdigit() and "." in address:
        action["CallerType"] = "remoteip"
        action["RemoteIpDetails"] = {"IpAddressV4": address}
    else:
        action["CallerType"] = "domain"
        action["DomainDetails"] = {"Domain": address or "unknown"}
    return {"ActionType": "AWS_API_CALL", "AwsApiCallAction": action}


def pull_asff(finding: PullFinding) -> dict[str, Any]:
    pull = finding.pull
    account = pull.registry
    return {
        "SchemaVersion": "2018-10-08",
        "Id": f"ecr-access/pull/{pull_key(pull)}",
        "ProductArn": _product_arn(pull.region, account),
        "GeneratorId": f"{GENERATOR}/layer-download",
        "AwsAccountId": account,
        "Types": ["Unusual Behaviors/User", "Effects/Data Exfiltration"],
        "CreatedAt": pull.event_time,
        "UpdatedAt": pull.event_time,
        "Severity": {"Label": "HIGH"},
        "Title": f"Image layers pulled by {pull.caller.label}",
        "Description": "; ".join(finding.reasons)[:1024],
        "Resources": [{"Type": "AwsEcrRepository", "Id": pull.repository_arn, "Region": pull.region}],
        "Action": _api_call(pull.event_name, pull.event_time, pull.vpc_endpoint or pull.source_ip),
    }


def change_asff(finding: ChangeFinding) -> dict[str, Any]:
    severity = "MEDIUM" if finding.event_name == "CreatePullThroughCacheRule" else "HIGH"
    return {
        "SchemaVersion": "2018-10-08",
        "Id": f"ecr-access/change/{finding.event_name}/{finding.resource}/{finding.event_time}",
        "ProductArn": _product_arn(finding.region, finding.registry),
        "GeneratorId": f"{GENERATOR}/registry-change",
        "AwsAccountId": finding.registry,
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "CreatedAt": finding.event_time,
        "UpdatedAt": finding.event_time,
        "Severity": {"Label": severity},
        "Title": f"{finding.event_name} by {finding.actor}",
        "Description": "; ".join(finding.reasons)[:1024],
        "Resources": [{"Type": "Other", "Id": finding.resource, "Region": finding.region}],
        "Action": _api_call(finding.event_name, finding.event_time, None),
    }


def message(finding: PullFinding | ChangeFinding) -> str:
    if isinstance(finding, PullFinding):
        pull = finding.pull
        head = f"{pull.caller.label} pulled {pull.repository_arn} at {pull.event_time}"
    else:
        head = f"{finding.event_name} on {finding.resource} by {finding.actor} at {finding.event_time}"
    return head + "\n" + "\n".join(f"- {reason}" for reason in finding.reasons)
