"""conformance-pack.yaml: the three rules as CUSTOM_LAMBDA rules, and their remediation.

Only AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration resources,
Parameters and Conditions, as conformance packs allow; optional rule parameters go
through the ``Fn::If``/``AWS::NoValue`` pattern of AWS's own sample packs. The
principal rule is created only where ``EvaluateIamHere`` is true: IAM is recorded in
one Region. Remediation is manual by default for both rules: on the first day the
allow-lists and trusted accounts are rarely complete, and a wrong automatic
remediation breaks a pipeline; switch the repository rule to automatic once its
findings are reviewed (its runbook backs up first and refuses concurrent edits).

The automation role is a literal string, not an intrinsic function (Config does not
resolve intrinsics in a remediation's AutomationAssumeRole), and the same pack serves one
account and an organization: the ARN names the account as ``{{global:ACCOUNT_ID}}``, the
Automation system variable SSM resolves in the account that runs the remediation (Systems
Manager User Guide, "Update a Linux AMI (AWS CLI)" passes
``AutomationAssumeRole='arn:aws:iam::{{global:ACCOUNT_ID}}:role/…'``; AWS-managed runbooks such
as AWS-UpdateLinuxAmi accept it in their AutomationAssumeRole ``allowedPattern``). The member
stack creates the roles under fixed names in every account, so the ARN is right everywhere.
"""

from typing import Any

from ecr_access.deployment.roles import RULE_EXECUTION_ROLE_NAME, RUNBOOK_ROLES

# Resolved by Systems Manager in the account where the automation runs (see the module docstring).
THIS_ACCOUNT = "{{global:ACCOUNT_ID}}"

REMEDIATION_ATTEMPTS, REMEDIATION_WINDOW_SECONDS = 2, 3_600
FREQUENCIES = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"]
REPO_RULE, PRINCIPAL_RULE = "ECR_REPO_NOT_PUBLIC", "ECR_LAYER_DOWNLOAD_RESTRICTED"
REPO_RUNBOOK, PRINCIPAL_RUNBOOK = "ECRAccess-RestrictRepositoryPolicy", "ECRAccess-RevokeLayerDownload"
ENDPOINT_RULE, ENDPOINT_RUNBOOK = "ECR_VPC_ENDPOINT_RESTRICTED", "ECRAccess-RestrictVpcEndpointPolicy"

# Optional pack parameters passed to a rule as the rule parameter of the same name.
REPO_RULE_OPTIONS = ["TrustedAccountIds", "TrustedOrganizationIds", "ExemptionTagKey"]
ENDPOINT_RULE_OPTIONS = ["TrustedAccountIds", "TrustedOrganizationIds", "AllowedThirdPartyRegistryAccounts"]
PRINCIPAL_RULE_OPTIONS = [
    "AllowedPrincipalArns",
    "AllowedPrincipalTagKey",
    "AllowedPrincipalTagValue",
    "AllowedServicePrincipals",
    "RegistryAccountIds",
    "RegistryRegions",
]
FLAGS = {
    "ReportOnlyChanges": "false",
    "ConditionalAccessIsCompliant": "false",
    "EvaluateScps": "false",
    "EvaluateRcps": "false",
}


def string_parameter(description: str, default: str | None = None, **more: Any) -> dict[str, Any]:
    """A CloudFormation String parameter."""
    parameter: dict[str, Any] = {"Type": "String", "Description": description, **more}
    if default is not None:
        parameter["Default"] = default
    return parameter


def _optional(name: str) -> Any:
    return {"Fn::If": [f"Has{name}", {"Ref": name}, {"Ref": "AWS::NoValue"}]}


def _optional_static(name: str) -> Any:
    return {"Fn::If": [f"Has{name}", {"StaticValue": {"Values": [{"Ref": name}]}}, {"Ref": "AWS::NoValue"}]}


def _static(value: Any) -> dict[str, Any]:
    return {"StaticValue": {"Values": [value]}}


def _rule(
    name: str, lambda_parameter: str, resource_types: list[str], inputs: dict[str, Any]
) -> dict[str, Any]:
    return {
        "Type": "AWS::Config::ConfigRule",
        "Properties": {
            "ConfigRuleName": name,
            "Description": {
                REPO_RULE: "No ECR repository policy lets the public or an untrusted account pull layers.",
                PRINCIPAL_RULE: "Only allow-listed principals may call ecr:GetDownloadUrlForLayer.",
                ENDPOINT_RULE: "ECR and S3 VPC endpoint policies keep principals and registries inside.",
            }[name],
            "Scope": {"ComplianceResourceTypes": resource_types},
            "Source": {
                "Owner": "CUSTOM_LAMBDA",
                "SourceIdentifier": {"Ref": lambda_parameter},
                "SourceDetails": [
                    {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"},
                    {
                        "EventSource": "aws.config",
                        "MessageType": "OversizedConfigurationItemChangeNotification",
                    },
                    {
                        "EventSource": "aws.config",
                        "MessageType": "ScheduledNotification",
                        "MaximumExecutionFrequency": {"Ref": "EvaluationFrequency"},
                    },
                ],
            },
            "InputParameters": inputs,
        },
    }


def _remediation(
    rule_resource: str,
    runbook: str,
    resource_parameter: str,
    role_arn: str,
    automatic_parameter: str,
    statics: dict[str, Any],
) -> dict[str, Any]:
    return {
        "Type": "AWS::Config::RemediationConfiguration",
        "Properties": {
            "ConfigRuleName": {"Ref": rule_resource},
            "TargetType": "SSM_DOCUMENT",
            "TargetId": runbook,
            "Parameters": {
                resource_parameter: {"ResourceValue": {"Value": "RESOURCE_ID"}},
                "AutomationAssumeRole": _static(role_arn),
                **statics,
            },
            "Automatic": {"Ref": automatic_parameter},
            # A circuit breaker, not a spacing: after MaximumAutomaticAttempts failed attempts within
            # RetryAttemptSeconds, Config puts a remediation exception on the resource and stops
            # (Config API Reference, RemediationConfiguration). Our runbooks fail mostly by refusing
            # (a protected principal, a plan that would not narrow): retrying cannot help, so two
            # failures within an hour stop the automation for that resource until someone looks.
            "MaximumAutomaticAttempts": REMEDIATION_ATTEMPTS,
            "RetryAttemptSeconds": REMEDIATION_WINDOW_SECONDS,
            "ExecutionControls": {
                "SsmControls": {"ConcurrentExecutionRatePercentage": 10, "ErrorPercentage": 10}
            },
        },
    }


def automation_role_arn(runbook: str, partition: str = "aws", account: str = THIS_ACCOUNT) -> str:
    """The literal AutomationAssumeRole of a runbook: the member stack's role of that fixed name."""
    return f"arn:{partition}:iam::{account}:role/{RUNBOOK_ROLES[runbook]}"


def conformance_pack(partition: str = "aws", account: str = THIS_ACCOUNT) -> dict[str, Any]:
    """The pack; ``account`` is {{global:ACCOUNT_ID}} (any account) unless a literal id is wanted."""
    options = sorted(
        {*REPO_RULE_OPTIONS, *PRINCIPAL_RULE_OPTIONS, *ENDPOINT_RULE_OPTIONS, "NotificationTopicArn"}
    )
    parameters = {
        "RepoRuleLambdaArn": string_parameter(
            f"ARN of the {REPO_RULE} Lambda (central stack output RepoRuleFunctionArn)"
        ),
        "PrincipalRuleLambdaArn": string_parameter(
            f"ARN of the {PRINCIPAL_RULE} Lambda (PrincipalRuleFunctionArn)"
        ),
        "EndpointRuleLambdaArn": string_parameter(
            f"ARN of the {ENDPOINT_RULE} Lambda (EndpointRuleFunctionArn)"
        ),
        "ExecutionRoleName": string_parameter(
            "Role the Lambdas assume in this account", RULE_EXECUTION_ROLE_NAME
        ),
        "EvaluationFrequency": string_parameter(
            "How often the periodic evaluation runs", "TwentyFour_Hours", AllowedValues=FREQUENCIES
        ),
        "EvaluateIamHere": string_parameter(
            f"true in the one Region that records IAM: creates {PRINCIPAL_RULE}",
            "true",
            AllowedValues=["true", "false"],
        ),
        "TrustedAccountIds": string_parameter("Comma-separated accounts that may pull besides the owner", ""),
        "TrustedOrganizationIds": string_parameter(
            "Comma-separated organization ids (o-…) whose principals may pull", ""
        ),
        "ExemptionTagKey": string_parameter("A repository tagged <key>=true is NOT_APPLICABLE", ""),
        "AllowedPrincipalArns": string_parameter(
            "Comma-separated ARN patterns (with *) allowed to pull layers", ""
        ),
        "AllowedPrincipalTagKey": string_parameter("Tag key that marks an approved application", ""),
        "AllowedPrincipalTagValue": string_parameter(
            "Value of AllowedPrincipalTagKey (empty: any value)", ""
        ),
        "AllowedServicePrincipals": string_parameter(
            "Comma-separated services whose roles are applications", ""
        ),
        "RegistryAccountIds": string_parameter(
            "Comma-separated registry accounts whose repository policies decide cross-account pulls", ""
        ),
        "AllowedThirdPartyRegistryAccounts": string_parameter(
            "Comma-separated registry accounts outside the organizations that endpoints may reach", ""
        ),
        "RequireS3LayerBucketOnly": string_parameter(
            "true: an S3 gateway endpoint allowing any bucket but ECR's layer bucket is NON_COMPLIANT",
            "false",
            AllowedValues=["true", "false"],
        ),
        "EndpointRemediationAutomatic": string_parameter(
            f"Run {ENDPOINT_RUNBOOK} automatically", "false", AllowedValues=["true", "false"]
        ),
        "RegistryRegions": string_parameter(
            "Comma-separated Regions of those registries (empty: the rule's Region)", ""
        ),
        **{
            flag: string_parameter(f"Rule parameter {flag}", default, AllowedValues=["true", "false"])
            for flag, default in FLAGS.items()
        },
        "RepoRemediationAutomatic": string_parameter(
            f"Run {REPO_RUNBOOK} automatically", "false", AllowedValues=["true", "false"]
        ),
        "PrincipalRemediationAutomatic": string_parameter(
            f"Run {PRINCIPAL_RUNBOOK} automatically", "false", AllowedValues=["true", "false"]
        ),
        "RepoRemediationMode": string_parameter(
            "RemoveStatements or RestrictToOrganization",
            "RemoveStatements",
            AllowedValues=["RemoveStatements", "RestrictToOrganization"],
        ),
        "NotificationTopicArn": string_parameter(
            "SNS topic told about each revocation (ecr-access-* topics)", ""
        ),
    }
    conditions = {f"Has{name}": {"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]} for name in options}
    conditions["CreatePrincipalRule"] = {"Fn::Equals": [{"Ref": "EvaluateIamHere"}, "true"]}
    repo_inputs = {
        **{o: _optional(o) for o in REPO_RULE_OPTIONS},
        "ExecutionRoleName": {"Ref": "ExecutionRoleName"},
        "ReportOnlyChanges": {"Ref": "ReportOnlyChanges"},
    }
    principal_inputs = {
        **{o: _optional(o) for o in PRINCIPAL_RULE_OPTIONS},
        "ExecutionRoleName": {"Ref": "ExecutionRoleName"},
        **{flag: {"Ref": flag} for flag in FLAGS},
    }
    endpoint_inputs = {
        **{o: _optional(o) for o in ENDPOINT_RULE_OPTIONS},
        "ExecutionRoleName": {"Ref": "ExecutionRoleName"},
        "RequireS3LayerBucketOnly": {"Ref": "RequireS3LayerBucketOnly"},
        "ReportOnlyChanges": {"Ref": "ReportOnlyChanges"},
    }
    principal_rule = _rule(
        PRINCIPAL_RULE,
        "PrincipalRuleLambdaArn",
        ["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy"],
        principal_inputs,
    )
    principal_remediation = _remediation(
        "EcrLayerDownloadRestrictedRule",
        PRINCIPAL_RUNBOOK,
        "ResourceId",
        automation_role_arn(PRINCIPAL_RUNBOOK, partition, account),
        "PrincipalRemediationAutomatic",
        {
            "AllowedPrincipalArns": _optional_static("AllowedPrincipalArns"),
            "ProtectedRoleNames": _static({"Ref": "ExecutionRoleName"}),
            "NotificationTopicArn": _optional_static("NotificationTopicArn"),
        },
    )
    return {
        "Parameters": parameters,
        "Conditions": conditions,
        "Resources": {
            "EcrRepoNotPublicRule": _rule(
                REPO_RULE,
                "RepoRuleLambdaArn",
                ["AWS::ECR::Repository", "AWS::ECR::RegistryPolicy"],
                repo_inputs,
            ),
            "EcrRepoNotPublicRemediation": _remediation(
                "EcrRepoNotPublicRule",
                REPO_RUNBOOK,
                "RepositoryName",
                automation_role_arn(REPO_RUNBOOK, partition, account),
                "RepoRemediationAutomatic",
                {
                    "TrustedAccountIds": _optional_static("TrustedAccountIds"),
                    "TrustedOrganizationIds": _optional_static("TrustedOrganizationIds"),
                    "Mode": _static({"Ref": "RepoRemediationMode"}),
                },
            ),
            "EcrVpcEndpointRestrictedRule": _rule(
                ENDPOINT_RULE, "EndpointRuleLambdaArn", ["AWS::EC2::VPCEndpoint"], endpoint_inputs
            ),
            "EcrVpcEndpointRestrictedRemediation": _remediation(
                "EcrVpcEndpointRestrictedRule",
                ENDPOINT_RUNBOOK,
                "VpcEndpointId",
                automation_role_arn(ENDPOINT_RUNBOOK, partition, account),
                "EndpointRemediationAutomatic",
                {o: _optional_static(o) for o in ENDPOINT_RULE_OPTIONS},
            ),
            "EcrLayerDownloadRestrictedRule": {**principal_rule, "Condition": "CreatePrincipalRule"},
            "EcrLayerDownloadRestrictedRemediation": {
                **principal_remediation,
                "Condition": "CreatePrincipalRule",
            },
        },
    }
