"""The CloudFormation templates and the conformance pack, rendered by ``make templates``.

- deploy/member.yaml — every evaluated account (a StackSet in an organization):
  the role the rule Lambdas assume (read-only plus PutEvaluations), the runbooks'
  AutomationAssumeRoles, and the runbooks themselves (a pack cannot create SSM
  documents, and an organization pack needs them in every account).
- deploy/central.yaml — one account (the delegated administrator): the two rule
  Lambdas, their role, log groups, and the permission for Config to invoke them.
- conformance-pack.yaml — both rules and their remediation, fed by pack parameters.
The runbooks and IAM policies are embedded from their single sources; a test fails
when a committed file differs from a fresh render.
"""

import sys
from pathlib import Path
from typing import Any

import yaml

from ecr_access.deployment.detection_templates import detection_template, forwarder_template
from ecr_access.deployment.intrinsics import with_sub
from ecr_access.deployment.pack import conformance_pack, string_parameter
from ecr_access.deployment.roles import (
    RULE_EXECUTION_POLICY,
    RULE_EXECUTION_ROLE_NAME,
    RULE_FUNCTION_POLICY,
    RUNBOOK_ROLES,
    automation_policy,
    service_trust,
)
from ecr_access.file_writes import write_if_changed
from ecr_access.project_files import project_root
from ecr_access.remediation import revoke_layer_download
from ecr_access.remediation.documents import DOCUMENTS

ROOT = project_root()
BUCKET_PREFIX_PATTERN = r"^[a-z0-9][a-z0-9-]{1,40}$"  # <prefix>-<region> within S3's 63 characters
RULE_FUNCTION_ROLE_PREFIX = "ecr-access-rule-function-"
RULES = {
    "ECR_REPO_NOT_PUBLIC": "RepoRule",
    "ECR_LAYER_DOWNLOAD_RESTRICTED": "PrincipalRule",
    "ECR_VPC_ENDPOINT_RESTRICTED": "EndpointRule",
}
# The incident-response runbook writes policy content: deployed only where asked for.
INCIDENT_RESPONSE_RUNBOOK = "ECRAccess-RevokeActiveSessions"


def automation_trust() -> dict[str, Any]:
    """Only Systems Manager, only for automation executions of this account (the confused deputy:
    IAM User Guide, "The confused deputy problem"). The same conditions as AWS's own sample role
    AWS-SystemsManager-AutomationExecutionRole (Systems Manager, centralized multi-account patching):
    aws:SourceAccount = the account, ArnLike aws:SourceArn arn:…:ssm:*:<account>:automation-execution/*."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ssm.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                    "ArnLike": {
                        "aws:SourceArn": {
                            "Fn::Sub": "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:automation-execution/*"
                        }
                    },
                },
            }
        ],
    }


def _slug(runbook: str) -> str:
    return runbook.removeprefix("ECRAccess-").replace("-", "")


def _checkov_skips(*checks: tuple[str, str]) -> dict[str, Any]:
    """checkov's in-template suppressions: each finding we keep is justified where it applies."""
    return {"checkov": {"skip": [{"id": check, "comment": why} for check, why in checks]}}


def member_template() -> dict[str, Any]:
    trust_rule_functions = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:root"}},
                "Action": "sts:AssumeRole",
                # the rule Lambdas' roles, one per Region, in the central account
                "Condition": {
                    "ArnLike": {
                        "aws:PrincipalArn": {
                            "Fn::Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:role/"
                            + RULE_FUNCTION_ROLE_PREFIX
                            + "*"
                        }
                    }
                },
            }
        ],
    }
    resources: dict[str, Any] = {
        "RuleExecutionRole": {
            "Type": "AWS::IAM::Role",
            "Condition": "IsHomeRegion",  # IAM is global: roles once, runbooks in every Region
            "Properties": {
                "RoleName": {"Ref": "ExecutionRoleName"},
                "Description": "Assumed by the ecr-access rule Lambdas: read ECR and IAM, put evaluations",
                "AssumeRolePolicyDocument": trust_rule_functions,
                "Policies": [
                    {"PolicyName": "ecr-access-rule-execution", "PolicyDocument": RULE_EXECUTION_POLICY}
                ],
            },
        }
    }
    resources["DenyLayerDownloadPolicy"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Condition": "IsHomeRegion",
        "Properties": {
            "ManagedPolicyName": revoke_layer_download.POLICY_NAME,
            "Description": "Attached by ECRAccess-RevokeLayerDownload: an explicit Deny of "
            "ecr:GetDownloadUrlForLayer (attaching a Deny cannot grant anything)",
            "PolicyDocument": revoke_layer_download.DENY_DOCUMENT,
        },
    }
    for runbook, role_name in RUNBOOK_ROLES.items():
        incident = runbook == INCIDENT_RESPONSE_RUNBOOK
        resources[f"{_slug(runbook)}AutomationRole"] = {
            "Type": "AWS::IAM::Role",
            "Condition": "CreateIncidentResponseRole" if incident else "IsHomeRegion",
            "Properties": {
                "RoleName": role_name,
                "Description": f"AutomationAssumeRole of the {runbook} runbook",
                "AssumeRolePolicyDocument": automation_trust(),
                "Policies": [
                    {"PolicyName": role_name, "PolicyDocument": with_sub(automation_policy(runbook))}
                ],
            },
        }
        attachment = f"{runbook}.zip"
        resources[f"{_slug(runbook)}Runbook"] = {
            "Type": "AWS::SSM::Document",
            **({"Condition": "WithIncidentResponse"} if incident else {}),
            "Properties": {
                "Name": runbook,
                "DocumentType": "Automation",
                "DocumentFormat": "YAML",
                "UpdateMethod": "NewVersion",
                "Content": DOCUMENTS[runbook](),
                # The engine modules the inline script imports (Systems Manager User Guide,
                # "aws:executeScript": Attachment; CreateDocument: Attachments, Key S3FileUrl).
                "Attachments": [
                    {
                        "Key": "S3FileUrl",
                        "Name": attachment,
                        "Values": [
                            {
                                "Fn::Sub": "https://${CodeBucketPrefix}-${AWS::Region}.s3.${AWS::URLSuffix}/"
                                "${CodePrefix}runbooks/" + attachment
                            }
                        ],
                    }
                ],
            },
        }
    outputs = {
        "RuleExecutionRoleArn": {
            "Condition": "IsHomeRegion",
            "Value": {"Fn::GetAtt": ["RuleExecutionRole", "Arn"]},
        }
    }
    for runbook in RUNBOOK_ROLES:
        outputs[f"{_slug(runbook)}AutomationRoleArn"] = {
            "Condition": "CreateIncidentResponseRole"
            if runbook == INCIDENT_RESPONSE_RUNBOOK
            else "IsHomeRegion",
            "Value": {"Fn::GetAtt": [f"{_slug(runbook)}AutomationRole", "Arn"]},
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access, every evaluated account: rule execution role, runbook roles and runbooks",
        "Parameters": {
            "CentralAccountId": string_parameter(
                "Account of the central stack (the rule Lambdas)", AllowedPattern=r"^\d{12}$"
            ),
            "HomeRegion": string_parameter(
                "Region that creates the IAM roles (IAM is global; runbooks go to every Region)"
            ),
            "ExecutionRoleName": string_parameter(
                "Role the rule Lambdas assume (rule parameter ExecutionRoleName)",
                RULE_EXECUTION_ROLE_NAME,
                AllowedPattern=r"^[\w+=,.@-]{1,64}$",
            ),
            "CodeBucketPrefix": string_parameter(
                "Code buckets are <prefix>-<region>: the runbooks' attachments (runbooks/<document>.zip, "
                "from `make package`) are read from this Region's",
                AllowedPattern=BUCKET_PREFIX_PATTERN,
            ),
            "CodePrefix": string_parameter("Key prefix in the code bucket", "ecr-access/"),
            "EnableIncidentResponse": string_parameter(
                f"true: also deploy {INCIDENT_RESPONSE_RUNBOOK} and its role, which can write inline "
                "policies on roles (behind an approval step; never automatic)",
                "false",
                AllowedValues=["true", "false"],
            ),
        },
        "Conditions": {
            "IsHomeRegion": {"Fn::Equals": [{"Ref": "AWS::Region"}, {"Ref": "HomeRegion"}]},
            "WithIncidentResponse": {"Fn::Equals": [{"Ref": "EnableIncidentResponse"}, "true"]},
            "CreateIncidentResponseRole": {
                "Fn::And": [{"Condition": "IsHomeRegion"}, {"Condition": "WithIncidentResponse"}]
            },
        },
        "Resources": resources,
        "Outputs": outputs,
    }


def central_template() -> dict[str, Any]:
    resources: dict[str, Any] = {
        "RuleFunctionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": {"Fn::Sub": RULE_FUNCTION_ROLE_PREFIX + "${AWS::Region}"},
                "Description": "ecr-access rule Lambdas: assume the execution role, read SCPs, write logs",
                "AssumeRolePolicyDocument": service_trust("lambda.amazonaws.com"),
                "Policies": [
                    {"PolicyName": "ecr-access-rule-function", "PolicyDocument": RULE_FUNCTION_POLICY}
                ],
            },
        }
    }
    log_write = {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [],
    }
    for rule, stem in RULES.items():
        resources[f"{stem}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": f"/aws/lambda/{rule}",
                "RetentionInDays": {"Ref": "LogRetentionDays"},
                "KmsKeyId": {"Fn::If": ["HasLogsKmsKey", {"Ref": "LogsKmsKeyArn"}, {"Ref": "AWS::NoValue"}]},
            },
        }
        log_write["Resource"].append({"Fn::Sub": f"${{{stem}LogGroup.Arn}}"})
        resources[f"{stem}Function"] = {
            "Type": "AWS::Lambda::Function",
            "Metadata": _checkov_skips(
                (
                    "CKV_AWS_116",
                    "Failed asynchronous invocations go to the FailedInvocations queue through "
                    "EventInvokeConfig's on-failure destination, which carries more than a DLQ would",
                ),
                (
                    "CKV_AWS_117",
                    "The function only calls AWS APIs (Config, STS, IAM, ECR, Organizations); in a VPC it "
                    "would need an interface endpoint or NAT for each, and gains no isolation",
                ),
            ),
            "Properties": {
                "FunctionName": rule,
                "Description": f"AWS Config rule {rule} (ecr-access)",
                "Runtime": "python3.12",
                "Handler": f"{rule}.lambda_handler",
                "Code": {
                    # Lambda reads its code from a bucket in the function's own Region
                    # (CloudFormation, AWS::Lambda::Function Code: S3Bucket), hence one bucket per Region.
                    "S3Bucket": {"Fn::Sub": "${CodeBucketPrefix}-${AWS::Region}"},
                    # A new build is a new key (its content hash), so CloudFormation updates the code.
                    "S3Key": {"Fn::Sub": f"${{CodePrefix}}${{{stem}CodeKey}}"},
                },
                "Role": {"Fn::GetAtt": ["RuleFunctionRole", "Arn"]},
                "Timeout": 900,
                "MemorySize": 512,
                "LoggingConfig": {"LogGroup": {"Ref": f"{stem}LogGroup"}},
            },
        }
        # Single account: only this account's Config may invoke. Organization: every member account's
        # Config invokes it, and AWS::Lambda::Permission cannot condition a service principal on the
        # caller's organization (it offers SourceAccount, SourceArn, and PrincipalOrgID, which is for
        # IAM principals). The fence is on what the function can do instead: its role may assume
        # ExecutionRoleName only in accounts of OrganizationId (aws:ResourceOrgID, roles.py), so an
        # event from any other account's Config gets nothing read and nothing reported; reserved
        # concurrency bounds what such events can cost.
        resources[f"{stem}ConfigPermission"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Ref": f"{stem}Function"},
                "Action": "lambda:InvokeFunction",
                "Principal": "config.amazonaws.com",
                "SourceAccount": {
                    "Fn::If": ["IsOrganization", {"Ref": "AWS::NoValue"}, {"Ref": "AWS::AccountId"}]
                },
            },
        }
    # Config invokes the rules asynchronously, and Lambda retries a failed asynchronous invocation
    # twice by default (Lambda Developer Guide, "Asynchronous invocation"): a failing 15-minute
    # sweep would run three times. No retries; the event goes to a queue a person can read; and a
    # reserved concurrency bounds what a burst of change events can cost.
    resources["FailedInvocations"] = {
        "Type": "AWS::SQS::Queue",
        "Metadata": _checkov_skips(
            (
                "CKV_AWS_27",
                "Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); the check asks for KMS only",
            )
        ),
        "Properties": {
            "QueueName": "ecr-access-failed-rule-invocations",
            "MessageRetentionPeriod": 1_209_600,
            "SqsManagedSseEnabled": True,
        },
    }
    for stem in RULES.values():
        resources[f"{stem}InvokeConfig"] = {
            "Type": "AWS::Lambda::EventInvokeConfig",
            "Properties": {
                "FunctionName": {"Ref": f"{stem}Function"},
                "Qualifier": "$LATEST",
                "MaximumRetryAttempts": 0,
                "DestinationConfig": {
                    "OnFailure": {"Destination": {"Fn::GetAtt": ["FailedInvocations", "Arn"]}}
                },
            },
        }
        resources[f"{stem}Function"]["Properties"]["ReservedConcurrentExecutions"] = {
            "Ref": "ReservedConcurrency"
        }
    resources["RuleFunctionRole"]["Properties"]["Policies"].append(
        {
            "PolicyName": "ecr-access-failed-invocations",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ReportFailedInvocations",
                        "Effect": "Allow",
                        "Action": "sqs:SendMessage",
                        "Resource": {"Fn::GetAtt": ["FailedInvocations", "Arn"]},
                    }
                ],
            },
        }
    )
    resources["RuleFunctionRole"]["Properties"]["Policies"].append(
        {
            "PolicyName": "ecr-access-rule-logs",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [log_write]},
        }
    )
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access, central account: the Config rule Lambdas",
        "Parameters": {
            "CodeBucketPrefix": string_parameter(
                "Code buckets are <prefix>-<region>; this Region's holds the zips from `make package`",
                AllowedPattern=BUCKET_PREFIX_PATTERN,
            ),
            "CodePrefix": string_parameter("Key prefix of the zips in the code bucket", "ecr-access/"),
            **{
                f"{stem}CodeKey": string_parameter(
                    f"Object name of {rule}'s zip under CodePrefix (dist/lambda/{rule}.key)",
                    AllowedPattern=r"^[\w.-]{1,200}\.zip$",
                )
                for rule, stem in RULES.items()
            },
            "ExecutionRoleName": string_parameter(
                "Role the Lambdas assume in evaluated accounts",
                RULE_EXECUTION_ROLE_NAME,
                AllowedPattern=r"^[\w+=,.@-]{1,64}$",
            ),
            "Organization": string_parameter(
                "true when member accounts' Config invokes these Lambdas",
                "false",
                AllowedValues=["true", "false"],
            ),
            "OrganizationId": string_parameter(
                "Organization whose accounts the Lambdas may act in (Organization=true)",
                "",
                AllowedPattern=r"^$|^o-[a-z0-9]{10,32}$",
            ),
            "LogsKmsKeyArn": string_parameter(
                "KMS key that encrypts the rule log groups (empty: CloudWatch Logs' own encryption); its "
                "key policy must let logs.<region>.amazonaws.com use it",
                "",
                AllowedPattern=r"^$|^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key/[\w-]+$",
            ),
            "ReservedConcurrency": {
                "Type": "Number",
                "Default": 10,
                "MinValue": 1,
                "Description": "Concurrent executions reserved for each rule Lambda (bounds a burst of "
                "change events across the organization)",
            },
            "LogRetentionDays": {
                "Type": "Number",
                "Default": 365,
                "Description": "CloudWatch Logs retention",
                "AllowedValues": [30, 90, 180, 365, 731, 1827, 3653],
            },
        },
        "Conditions": {
            "IsOrganization": {"Fn::Equals": [{"Ref": "Organization"}, "true"]},
            "HasLogsKmsKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "LogsKmsKeyArn"}, ""]}]},
        },
        # Organization=true needs OrganizationId: without it the fence on sts:AssumeRole would be empty.
        "Rules": {
            "OrganizationNeedsItsId": {
                "RuleCondition": {"Fn::Equals": [{"Ref": "Organization"}, "true"]},
                "Assertions": [
                    {
                        "Assert": {"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]},
                        "AssertDescription": "Organization=true needs OrganizationId (o-…)",
                    }
                ],
            }
        },
        "Resources": resources,
        "Outputs": {
            "RuleFunctionRoleArn": {"Value": {"Fn::GetAtt": ["RuleFunctionRole", "Arn"]}},
            "FailedInvocationsQueueUrl": {"Value": {"Ref": "FailedInvocations"}},
            **{
                f"{stem}FunctionArn": {"Value": {"Fn::GetAtt": [f"{stem}Function", "Arn"]}}
                for stem in RULES.values()
            },
        },
    }


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # CloudFormation rejects YAML anchors and aliases


_Dumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)


def dump(template: dict[str, Any]) -> str:
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True)


# deploy/perimeter.yaml is rendered from examples/perimeter.toml (render your own with
# `ecr-access perimeter render --config … --cloudformation FILE`); tag administrators: SSO admins.
EXAMPLE_PERIMETER_SETTINGS = ROOT / "examples" / "perimeter.toml"
EXAMPLE_TAG_ADMINISTRATORS = ("arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AdministratorAccess*",)


def example_perimeter_template() -> dict[str, Any]:
    from dataclasses import replace

    from ecr_access.cli.scan_settings import from_toml
    from ecr_access.perimeter.policies import render_rcp, render_scp
    from ecr_access.perimeter.settings import settings_from_rules
    from ecr_access.perimeter.template import perimeter_template

    settings = settings_from_rules(from_toml(EXAMPLE_PERIMETER_SETTINGS))
    settings = replace(settings, tag_administrator_arns=EXAMPLE_TAG_ADMINISTRATORS)
    return perimeter_template(render_scp(settings), render_rcp(settings))


def example_endpoint_policies_template() -> dict[str, Any]:
    from ecr_access.cli.scan_settings import from_toml
    from ecr_access.perimeter.endpoint_template import endpoint_policies_template
    from ecr_access.perimeter.settings import settings_from_rules

    settings = settings_from_rules(from_toml(EXAMPLE_PERIMETER_SETTINGS))
    return endpoint_policies_template(settings.trusted_accounts, settings.trusted_organizations, ())


TEMPLATES = {
    "conformance-pack.yaml": conformance_pack,
    "deploy/member.yaml": member_template,
    "deploy/central.yaml": central_template,
    "deploy/perimeter.yaml": example_perimeter_template,
    "deploy/endpoint-policies.yaml": example_endpoint_policies_template,
    "deploy/detection.yaml": detection_template,
    "deploy/detection-forwarder.yaml": forwarder_template,
}


def write_templates(root: Path = ROOT) -> list[Path]:
    written = []
    for relative, build in TEMPLATES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_if_changed(path, dump(build()))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
