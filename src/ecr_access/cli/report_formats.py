"""Scan reports in the formats security tooling reads: evidence JSON, Security Hub ASFF, OCSF.

Every finding carries a severity:

- CRITICAL: a repository or registry policy that is PUBLIC;
- HIGH: one that is CROSS_ACCOUNT_UNTRUSTED, a principal that may pull and is not
  approved, an endpoint or registry path outside the perimeter;
- MEDIUM: access that depends on request facts (CONDITIONAL), or a resource that could
  not be evaluated (never safe);
- INFORMATIONAL: compliant or not applicable.

Each finding also names the compliance controls docs/compliance.md maps the rule to.

- ASFF (Security Hub User Guide, "AWS Security Finding Format": the required top-level
  fields) is a JSON list, importable with `aws securityhub batch-import-findings
  --findings file://…` in the scanned account. `Id` is stable per rule, Region and
  resource, so a later scan updates the finding.
- OCSF is the Compliance Finding class: uid 3 in category 2 "Findings", so class_uid 2003
  and type_uid 2003 × 100 + activity_id (ocsf/ocsf-schema, events/findings/
  compliance_finding.json, which extends finding.json: ``compliance`` and ``finding_info``
  required, ``activity_id`` 1 = Create, ``status_id`` 1 = New). Written as plain dicts with
  the class's required attributes; no OCSF library fits without pulling in a code generator.
"""

from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from ecr_access.cli import json_output
from ecr_access.cli.compliance_report import NOT_EVALUATED, ComplianceRow, sorted_rows, summary
from ecr_access.config_rules.rule_modules import ENDPOINT_RULE, PRINCIPAL_RULE, REPOSITORY_RULE
from ecr_access.exposure.analyze import PUBLIC_REASONS

CONTROLS = {
    REPOSITORY_RULE: ("NIST.800-53.r5 AC-3", "NIST.800-53.r5 AC-4", "PCI DSS v4.0 7.2.1"),
    PRINCIPAL_RULE: ("NIST.800-53.r5 AC-6", "NIST.800-53.r5 AC-2", "PCI DSS v4.0 7.2.2"),
    ENDPOINT_RULE: ("NIST.800-53.r5 AC-4", "NIST.800-53.r5 SC-7"),
}
_RESOURCE_TYPES = {
    "AWS::ECR::Repository": "AwsEcrRepository",
    "AWS::IAM::Role": "AwsIamRole",
    "AWS::IAM::User": "AwsIamUser",
}
_OCSF_SEVERITY = {"INFORMATIONAL": 1, "LOW": 2, "MEDIUM": 3, "HIGH": 4, "CRITICAL": 5}


def tool_version() -> str:
    try:
        return metadata.version("ecr-access")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def severity(row: ComplianceRow) -> str:
    if row.compliance == NOT_EVALUATED:
        return "MEDIUM"
    if row.compliance != "NON_COMPLIANT":
        return "INFORMATIONAL"
    if row.rule == REPOSITORY_RULE and any(reason in row.reason for reason in PUBLIC_REASONS):
        return "CRITICAL"
    if row.rule == PRINCIPAL_RULE and row.reason.startswith(("Undecided", "Depends on request facts")):
        return "MEDIUM"
    return "HIGH"


def evidence(
    rows: list[ComplianceRow], context: dict[str, Any], parameters: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The JSON report an auditor keeps: when, by what, with which parameters, and every row."""
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "tool": {"name": "ecr-access", "version": tool_version()},
        "parameters": parameters,
        **context,
        "results": [
            {
                **{f: getattr(r, f) for f in ComplianceRow.__dataclass_fields__},
                "severity": severity(r),
                "controls": list(CONTROLS.get(r.rule, ())),
            }
            for r in sorted_rows(rows)
        ],
        "summary": summary(rows),
    }


def _resource_id(row: ComplianceRow, account: str, partition: str) -> str:
    if row.resource_name.startswith("arn:"):
        return row.resource_name
    if row.resource_type == "AWS::ECR::Repository":
        return f"arn:{partition}:ecr:{row.region}:{account}:repository/{row.resource_id}"
    if row.resource_type == "AWS::EC2::VPCEndpoint":
        return f"arn:{partition}:ec2:{row.region}:{account}:vpc-endpoint/{row.resource_id}"
    return row.resource_id


def asff(
    rows: list[ComplianceRow], default_account: str, home_region: str, now: datetime, partition: str = "aws"
) -> list[dict[str, Any]]:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    findings = []
    for row in sorted_rows(rows):
        account = row.account or default_account
        region = home_region if row.region in ("global", "—") else row.region
        status = {"COMPLIANT": "PASSED", "NON_COMPLIANT": "FAILED"}.get(row.compliance, "NOT_AVAILABLE")
        findings.append(
            {
                "SchemaVersion": "2018-10-08",
                "Id": f"ecr-access/scan/{row.rule}/{region}/{row.resource_type}/{row.resource_id}"[:512],
                "ProductArn": f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default",
                "GeneratorId": f"ecr-access/{row.rule}",
                "AwsAccountId": account,
                "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
                "CreatedAt": stamp,
                "UpdatedAt": stamp,
                "Severity": {"Label": severity(row)},
                "Title": f"{row.rule}: {row.resource_name}"[:256],
                "Description": (row.reason or row.compliance)[:1024],
                "Resources": [
                    {
                        "Type": _RESOURCE_TYPES.get(row.resource_type, "Other"),
                        "Id": _resource_id(row, account, partition),
                        "Partition": partition,
                        "Region": region,
                    }
                ],
                "Compliance": {"Status": status, "RelatedRequirements": list(CONTROLS.get(row.rule, ()))},
                "RecordState": "ACTIVE",
            }
        )
    return findings


def ocsf(rows: list[ComplianceRow], account: str, now: datetime) -> list[dict[str, Any]]:
    millis = int(now.timestamp() * 1000)
    events = []
    for row in sorted_rows(rows):
        label = severity(row)
        status = {"COMPLIANT": "Pass", "NON_COMPLIANT": "Fail"}.get(row.compliance, "Unknown")
        events.append(
            {
                "class_uid": 2003,
                "class_name": "Compliance Finding",
                "category_uid": 2,
                "category_name": "Findings",
                "activity_id": 1,  # Create
                "type_uid": 200301,
                "time": millis,
                "severity_id": _OCSF_SEVERITY[label],
                "severity": label.title(),
                "status_id": 1,  # New
                "metadata": {
                    "version": "1.1.0",
                    "product": {"name": "ecr-access", "vendor_name": "ecr-access", "version": tool_version()},
                },
                "finding_info": {
                    "uid": f"ecr-access/scan/{row.rule}/{row.region}/{row.resource_type}/{row.resource_id}",
                    "title": f"{row.rule}: {row.resource_name}",
                    "desc": row.reason,
                },
                "compliance": {
                    "status": status,
                    "requirements": list(CONTROLS.get(row.rule, ())),
                    "control": row.rule,
                },
                "resources": [{"uid": row.resource_name, "type": row.resource_type, "region": row.region}],
                "cloud": {"provider": "AWS", "account": {"uid": row.account or account}},
            }
        )
    return events


def render(kind: str, rows: list[ComplianceRow], context: dict[str, Any], parameters: dict[str, Any]) -> str:
    now = datetime.now(UTC)
    if kind == "asff":
        home = context["regions"][0] if context.get("regions") else "us-east-1"
        return json_output.dumps(asff(rows, context["account"], home, now))
    if kind == "ocsf":
        return json_output.dumps(ocsf(rows, context["account"], now))
    return json_output.dumps(evidence(rows, context, parameters, now))
