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
Cost: one CloudTrail event per layer per pull, and EventBridge bills matched events; the
pattern matches only ECR's pull and registry-change events.
"""

from typing import Any

from ecr_access.deployment.pack import string_parameter
from ecr_access.deployment.roles import service_trust
from ecr_access.detection.pull_events import PULL_EVENTS
from ecr_access.detection.registry_events import REGISTRY_EVENTS

FUNCTION = "ecr-access-detection"
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
            {
                "Sid": "ImportFindingsIntoSecurityHub",
                "Effect": "Allow",
                "Action": "securityhub:BatchImportFindings",
                "Resource": {
                    "Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"  # noqa: E501
                },
            },
            {
                "Sid": "ReadCallersForTheAllowList",
                "Effect": "Allow",
                "Action": ["iam:GetRole", "iam:GetUser", "iam:ListUserTags"],
                "Resource": "*",
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
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access detective controls on use: ECR pulls and registry changes, as they happen",
        "Parameters": parameters,
        "Conditions": {
            "IsOrganization": {"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]},
            "HasLogsKmsKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "LogsKmsKeyArn"}, ""]}]},
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
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access, every member account: forward ECR pulls and registry changes to the security account",  # noqa: E501
        "Parameters": {
            "DetectionBusArn": string_parameter(
                "The ecr-access-detection bus (detection.yaml output OrganizationBusArn)",
                AllowedPattern=r"^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus/[\w.-]+$",
            )
        },
        "Resources": {
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
        },
    }
