"""deploy/detection.yaml and deploy/detection-forwarder.yaml: real-time detection of pulls and changes.

- detection.yaml (the security account, or one account): the SNS topic ``ecr-access-findings``,
  the detection Lambda and its role (publish to the topic, import into Security Hub), and the
  EventBridge rules that feed it. A rule on the default bus is created with state
  ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``: with ``ENABLED`` EventBridge matches
  everything "except for AWS management events delivered through CloudTrail" — and
  ``GetDownloadUrlForLayer`` is one (EventBridge API Reference, PutRule: State). A trail must
  record management read events. With ``OrganizationId``, a bus ``ecr-access-detection``
  accepts ``events:PutEvents`` only from principals of that organization.
- detection-forwarder.yaml (every member account, a StackSet): a default-bus rule, same state
  and pattern, forwarding to that bus through a role that may only put events there.
  It also creates (home Region only: IAM names are global) the role
  ``ecr-access-detection-member`` that the detection Lambda assumes there to import that
  account's findings into Security Hub, read its callers' IAM records and ask for a revoke.
- The responsive option (``RevokeOnPullFinding=true``, off by default), in either template:
  an EventBridge rule on the account's default bus matching the Lambda's revoke requests
  (responses.py) targets the runbook ECRAccess-RevokeLayerDownload through a role that may
  start only that runbook and pass only its AutomationAssumeRole, to SSM only.
Cost: one CloudTrail event per layer per pull, and EventBridge bills matched events; the
pattern matches only ECR's pull and registry-change events.
"""

from typing import Any

from ecr_access.deployment.pack import string_parameter
from ecr_access.deployment.roles import RUNBOOK_ROLES, service_trust
from ecr_access.detection import responses
from ecr_access.detection.account_clients import MEMBER_ROLE_NAME
from ecr_access.detection.pull_events import PULL_EVENTS
from ecr_access.detection.registry_events import REGISTRY_EVENTS

FUNCTION = "ecr-access-detection"
FUNCTION_ROLE = "ecr-access-detection-function"  # named: member accounts' roles trust it by ARN
BUS = "ecr-access-detection"
STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
PATTERN = {
    "source": ["aws.ecr"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventSource": ["ecr.amazonaws.com"], "eventName": sorted(PULL_EVENTS | REGISTRY_EVENTS)},
}
SETTINGS = [
    "AllowedPrincipalArns",
    "AllowedPrincipalTagKey",
    "AllowedPrincipalTagValue",
    "AllowedServicePrincipals",
    "TrustedAccountIds",
    "TrustedOrganizationIds",
    "ExpectedVpcEndpointIds",
    "ExpectedCidrs",
]


OWN_PRODUCT = "arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default"
OWN_DEFAULT_BUS = "arn:${AWS::Partition}:events:*:${AWS::AccountId}:event-bus/default"
IMPORT_OWN_FINDINGS = {
    "Sid": "ImportOwnFindingsIntoSecurityHub",
    "Effect": "Allow",
    "Action": "securityhub:BatchImportFindings",
    "Resource": {"Fn::Sub": OWN_PRODUCT},
}
READ_CALLERS = {
    "Sid": "ReadCallersForTheAllowList",
    "Effect": "Allow",
    "Action": ["iam:GetRole", "iam:GetUser", "iam:ListUserTags"],
    "Resource": "*",
}
REQUEST_REVOKE = {
    "Sid": "RequestRevokeOnOwnDefaultBus",
    "Effect": "Allow",
    "Action": "events:PutEvents",
    "Resource": {"Fn::Sub": OWN_DEFAULT_BUS},
}
REVOKE_PARAMETERS = {
    "RevokeOnPullFinding": string_parameter(
        "A pull by a non-approved principal starts ECRAccess-RevokeLayerDownload on it "
        "(the member stack's runbook and role must be in this account)",
        "false",
        AllowedValues=["true", "false"],
    ),
}


def revoke_resources() -> dict[str, Any]:
    """EventBridge → SSM Automation: the revoke runbook on each revoke request (condition IsRevoke).

    The target is the runbook's automation definition with a role EventBridge assumes (Systems
    Manager User Guide, "Run automations based on EventBridge events"); the input transformer
    passes the principal's unique id, as Config's remediation does. The role may start only this
    runbook and pass only its AutomationAssumeRole, only to SSM (iam:PassedToService)."""
    runbook = responses.RUNBOOK
    automation_role = f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{RUNBOOK_ROLES[runbook]}"
    definition = (
        f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:automation-definition/{runbook}"
    )
    template = (
        '{"ResourceId":[<principalId>],"AutomationAssumeRole":["' + automation_role + '"],'
        '"AllowedPrincipalArns":["${AllowedPrincipalArns}"]}'
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "StartTheRevokeRunbookOnly",
                "Effect": "Allow",
                "Action": "ssm:StartAutomationExecution",
                "Resource": [{"Fn::Sub": definition}, {"Fn::Sub": definition + ":*"}],
            },
            {
                "Sid": "PassItsAutomationRoleToSsmOnly",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": {"Fn::Sub": automation_role},
                "Condition": {"StringEquals": {"iam:PassedToService": "ssm.amazonaws.com"}},
            },
        ],
    }
    return {
        "RevokeInvocationRole": {
            "Type": "AWS::IAM::Role",
            "Condition": "IsRevoke",
            "Properties": {
                "AssumeRolePolicyDocument": service_trust("events.amazonaws.com", this_account_only=True),
                "Policies": [{"PolicyName": "start-the-revoke-runbook", "PolicyDocument": policy}],
            },
        },
        "RevokeRequestRule": {
            "Type": "AWS::Events::Rule",
            "Condition": "IsRevoke",
            "Properties": {
                "Description": f"ecr-access: a pull by a non-approved principal → {runbook}",
                "State": "ENABLED",
                "EventPattern": responses.PATTERN,
                "Targets": [
                    {
                        "Id": "revoke-layer-download",
                        "Arn": {"Fn::Sub": definition + ":$DEFAULT"},
                        "RoleArn": {"Fn::GetAtt": ["RevokeInvocationRole", "Arn"]},
                        "InputTransformer": {
                            "InputPathsMap": {"principalId": "$.detail.principalId"},
                            "InputTemplate": {"Fn::Sub": template},
                        },
                    }
                ],
            },
        },
    }


def detection_template() -> dict[str, Any]:
    role_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublishFindings",
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": {"Ref": "FindingsTopic"},
            },
            IMPORT_OWN_FINDINGS,
            READ_CALLERS,
            REQUEST_REVOKE,
            {
                "Sid": "ActInMemberAccountsThroughTheirDetectionRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::*:role/{MEMBER_ROLE_NAME}"},
                # only in this organization's accounts (one account: none but this one), as the rule
                # function's AssumeRole is fenced (IAM User Guide, aws:ResourceOrgID/aws:ResourceAccount)
                "Condition": {
                    "Fn::If": [
                        "IsOrganization",
                        {"StringEquals": {"aws:ResourceOrgID": {"Ref": "OrganizationId"}}},
                        {"StringEquals": {"aws:ResourceAccount": {"Ref": "AWS::AccountId"}}},
                    ]
                },
            },
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": {"Fn::GetAtt": ["DetectionLogGroup", "Arn"]},
            },
        ],
    }
    environment = {
        "ECR_ACCESS_PARAMETERS": {
            "Fn::Sub": [
                "{" + ",".join(f'"{name}":"${{{name}}}"' for name in SETTINGS) + "}",
                {name: {"Ref": name} for name in SETTINGS},
            ]
        },
        "FINDINGS_TOPIC_ARN": {"Ref": "FindingsTopic"},
        "SECURITY_HUB": {"Ref": "EnableSecurityHub"},
        "REVOKE_ON_PULL_FINDING": {"Ref": "RevokeOnPullFinding"},
        "MEMBER_ROLE_NAME": {"Fn::If": ["IsOrganization", MEMBER_ROLE_NAME, ""]},
    }
    target = {"Arn": {"Fn::GetAtt": ["DetectionFunction", "Arn"]}, "Id": "detection"}
    resources: dict[str, Any] = {
        "FindingsTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": "ecr-access-findings", "KmsMasterKeyId": "alias/aws/sns"},
        },
        "DetectionLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": f"/aws/lambda/{FUNCTION}",
                "RetentionInDays": 365,
                "KmsKeyId": {"Fn::If": ["HasLogsKmsKey", {"Ref": "LogsKmsKeyArn"}, {"Ref": "AWS::NoValue"}]},
            },
        },
        "DetectionFunctionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": FUNCTION_ROLE,
                "AssumeRolePolicyDocument": service_trust("lambda.amazonaws.com"),
                "Policies": [{"PolicyName": "ecr-access-detection", "PolicyDocument": role_policy}],
            },
        },
        "DetectionFunction": {
            "Type": "AWS::Lambda::Function",
            "Metadata": {
                "checkov": {
                    "skip": [
                        {
                            "id": "CKV_AWS_116",
                            "comment": "EventBridge retries delivery; a failed event stays in the logs",
                        },
                        {
                            "id": "CKV_AWS_117",
                            "comment": "The function only calls AWS APIs (SNS, Security Hub): no VPC needed",
                        },
                        {
                            "id": "CKV_AWS_173",
                            "comment": "The environment holds the allow-list settings, no secrets",
                        },
                    ]
                }
            },
            "Properties": {
                "FunctionName": FUNCTION,
                "Description": "ecr-access: CloudTrail pulls and registry changes judged as they happen",
                "Runtime": "python3.12",
                "Handler": "ecr_access.detection.handler.lambda_handler",
                "Code": {
                    "S3Bucket": {"Fn::Sub": "${CodeBucketPrefix}-${AWS::Region}"},
                    "S3Key": {"Fn::Sub": "${CodePrefix}${DetectionCodeKey}"},
                },
                "Role": {"Fn::GetAtt": ["DetectionFunctionRole", "Arn"]},
                "Timeout": 30,
                "MemorySize": 256,
                "ReservedConcurrentExecutions": 10,
                "LoggingConfig": {"LogGroup": {"Ref": "DetectionLogGroup"}},
                "Environment": {"Variables": environment},
            },
        },
        "DefaultBusRule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Description": "ECR pulls and registry changes of this account, to the detection Lambda",
                "State": STATE,
                "EventPattern": PATTERN,
                "Targets": [target],
            },
        },
        "DefaultBusPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Ref": "DetectionFunction"},
                "Action": "lambda:InvokeFunction",
                "Principal": "events.amazonaws.com",
                "SourceArn": {"Fn::GetAtt": ["DefaultBusRule", "Arn"]},
            },
        },
        "OrganizationBus": {
            "Type": "AWS::Events::EventBus",
            "Condition": "IsOrganization",
            "Properties": {"Name": BUS},
        },
        "OrganizationBusPolicy": {
            "Type": "AWS::Events::EventBusPolicy",
            "Condition": "IsOrganization",
            "Properties": {
                "EventBusName": {"Ref": "OrganizationBus"},
                "StatementId": "OrganizationAccountsPutEvents",
                "Statement": {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "events:PutEvents",
                    "Resource": {"Fn::GetAtt": ["OrganizationBus", "Arn"]},
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}},
                },
            },
        },
        "OrganizationBusRule": {
            "Type": "AWS::Events::Rule",
            "Condition": "IsOrganization",
            "Properties": {
                "Description": "ECR pulls and registry changes forwarded by member accounts",
                "EventBusName": {"Ref": "OrganizationBus"},
                "State": "ENABLED",
                "EventPattern": PATTERN,
                "Targets": [target],
            },
        },
        "OrganizationBusPermission": {
            "Type": "AWS::Lambda::Permission",
            "Condition": "IsOrganization",
            "Properties": {
                "FunctionName": {"Ref": "DetectionFunction"},
                "Action": "lambda:InvokeFunction",
                "Principal": "events.amazonaws.com",
                "SourceArn": {"Fn::GetAtt": ["OrganizationBusRule", "Arn"]},
            },
        },
        **revoke_resources(),
    }
    parameters = {
        "CodeBucketPrefix": string_parameter(
            "Code buckets are <prefix>-<region> (deploy-plan)", AllowedPattern=r"^[a-z0-9][a-z0-9-]{1,40}$"
        ),
        "CodePrefix": string_parameter("Key prefix in the code bucket", "ecr-access/"),
        "DetectionCodeKey": string_parameter(
            "dist/lambda/ecr-access-detection.key", AllowedPattern=r"^[\w.-]{1,200}\.zip$"
        ),
        "EnableSecurityHub": string_parameter(
            "Import findings into Security Hub", "false", AllowedValues=["true", "false"]
        ),
        "OrganizationId": string_parameter(
            "Accept events forwarded by this organization's accounts (empty: this account only)",
            "",
            AllowedPattern=r"^$|^o-[a-z0-9]{10,32}$",
        ),
        "LogsKmsKeyArn": string_parameter(
            "KMS key for the log group (empty: CloudWatch Logs' own encryption)",
            "",
            AllowedPattern=r"^$|^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key/[\w-]+$",
        ),
        **{
            name: string_parameter(f"As the rules' parameter {name} (comma-separated)", "")
            for name in SETTINGS
        },
        **REVOKE_PARAMETERS,
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access detective controls on use: ECR pulls and registry changes, as they happen",
        "Parameters": parameters,
        "Conditions": {
            "IsOrganization": {"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]},
            "HasLogsKmsKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "LogsKmsKeyArn"}, ""]}]},
            "IsRevoke": {"Fn::Equals": [{"Ref": "RevokeOnPullFinding"}, "true"]},
        },
        "Resources": resources,
        "Outputs": {
            "FindingsTopicArn": {"Value": {"Ref": "FindingsTopic"}},
            "OrganizationBusArn": {
                "Condition": "IsOrganization",
                "Value": {"Fn::GetAtt": ["OrganizationBus", "Arn"]},
            },
        },
    }


def forwarder_template() -> dict[str, Any]:
    detection_account = {"Fn::Select": [4, {"Fn::Split": [":", {"Ref": "DetectionBusArn"}]}]}
    member_policy = {
        "Version": "2012-10-17",
        "Statement": [IMPORT_OWN_FINDINGS, READ_CALLERS, REQUEST_REVOKE],
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access, every member account: forward ECR pulls and registry changes to the security account",  # noqa: E501
        "Parameters": {
            "DetectionBusArn": string_parameter(
                "The ecr-access-detection bus (detection.yaml output OrganizationBusArn)",
                AllowedPattern=r"^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus/[\w.-]+$",
            ),
            "HomeRegion": string_parameter(
                "The one Region where this stack creates the member role (IAM names are global)",
                AllowedPattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
            ),
            "AllowedPrincipalArns": string_parameter(
                "As the rules' parameter (the revoke runbook never touches these)", ""
            ),
            **REVOKE_PARAMETERS,
        },
        "Conditions": {
            "IsHomeRegion": {"Fn::Equals": [{"Ref": "AWS::Region"}, {"Ref": "HomeRegion"}]},
            "IsRevoke": {"Fn::Equals": [{"Ref": "RevokeOnPullFinding"}, "true"]},
        },
        "Resources": {
            "MemberRole": {
                "Type": "AWS::IAM::Role",
                "Condition": "IsHomeRegion",
                "Properties": {
                    "RoleName": MEMBER_ROLE_NAME,
                    "Description": "Assumed by the ecr-access detection Lambda: this account's findings "
                    "into Security Hub, its callers' IAM records, revoke requests on its default bus",
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {
                                    "AWS": {
                                        "Fn::Sub": [
                                            f"arn:${{AWS::Partition}}:iam::${{Account}}:role/{FUNCTION_ROLE}",
                                            {"Account": detection_account},
                                        ]
                                    }
                                },
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "Policies": [{"PolicyName": MEMBER_ROLE_NAME, "PolicyDocument": member_policy}],
                },
            },
            "ForwardingRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": service_trust("events.amazonaws.com", this_account_only=True),
                    "Policies": [
                        {
                            "PolicyName": "put-events-to-the-detection-bus",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "events:PutEvents",
                                        "Resource": {"Ref": "DetectionBusArn"},
                                    }
                                ],
                            },
                        }
                    ],
                },
            },
            "ForwardingRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Description": "ECR pulls and registry changes, to the ecr-access detection bus",
                    "State": STATE,
                    "EventPattern": PATTERN,
                    "Targets": [
                        {
                            "Arn": {"Ref": "DetectionBusArn"},
                            "Id": "detection-bus",
                            "RoleArn": {"Fn::GetAtt": ["ForwardingRole", "Arn"]},
                        }
                    ],
                },
            },
            **revoke_resources(),
        },
    }
