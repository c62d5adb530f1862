"""The two SSM Automation runbooks, defined here and written to remediation/*.yaml by ``make runbooks``.

Schema 0.3, the AWSConfigRemediation-* style: typed parameters, every String
constrained by ``allowedPattern`` or ``allowedValues``, ``assumeRole`` from the
``AutomationAssumeRole`` parameter, one ``aws:executeScript`` step on the
python3.12 runtime whose code is rendered from the handler modules (render.py),
and step outputs selected from ``$.Payload``.
"""

import sys
from pathlib import Path
from typing import Any

import yaml

from ecr_access.remediation.render import render_script

ROLE_ARN = r"^arn:(?:aws|aws-us-gov|aws-cn):iam::\d{12}:role/[\w+=,.@/-]+$"
ECR_REPOSITORY_NAME = r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$"
ACCOUNT_LIST = r"^$|^\d{12}(,\d{12})*$"
ORGANIZATION_LIST = r"^$|^o-[a-z0-9]{10,32}(,o-[a-z0-9]{10,32})*$"
IAM_UNIQUE_ID = r"^[\w]{16,128}$"  # IAM API reference: RoleId/UserId, 16-128 word characters
ARN_PATTERN_LIST = r"^$|^arn:[\w*?+=,.@/:-]+(,arn:[\w*?+=,.@/:-]+)*$"
ROLE_NAME_LIST = r"^$|^[\w+=,.@-]{1,64}(,[\w+=,.@-]{1,64})*$"
SNS_TOPIC_ARN = r"^$|^arn:(?:aws|aws-us-gov|aws-cn):sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$"
REMEDIATION_DIR = Path(__file__).resolve().parents[3] / "remediation"

AUTOMATION_ROLE = {
    "type": "String",
    "description": "(Required) ARN of the role Automation assumes to run this runbook "
    "(deploy/ carries its least-privilege policy).",
    "allowedPattern": ROLE_ARN,
}


def _script_step(
    name: str,
    handler_module: str,
    payload: dict[str, str],
    outputs: dict[str, str],
    *,
    pack_engine: bool = False,
) -> dict[str, Any]:
    return {
        "name": name,
        "action": "aws:executeScript",
        "description": f"Runs {handler_module}.handler (rendered with the engine modules it needs).",
        "timeoutSeconds": 600,
        "isEnd": True,
        "inputs": {
            "Runtime": "python3.12",
            "Handler": "handler",
            "InputPayload": payload,
            "Script": render_script(handler_module, pack_engine=pack_engine),
        },
        "outputs": [
            {"Name": key, "Selector": f"$.Payload.{key}", "Type": kind} for key, kind in outputs.items()
        ],
    }


def _document(description: str, parameters: dict[str, Any], step: dict[str, Any]) -> dict[str, Any]:
    return {
        "schemaVersion": "0.3",
        "description": description,
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": parameters,
        "mainSteps": [step],
        "outputs": [f"{step['name']}.{output['Name']}" for output in step["outputs"]],
    }


def restrict_repository_policy() -> dict[str, Any]:
    step = "RestrictRepositoryPolicy"
    outputs = {
        "Action": "String",
        "Verdict": "String",
        "RemovedStatements": "StringList",
        "BackupParameter": "String",
        "RestoreCommand": "String",
        "Message": "String",
    }
    return _document(
        (
            "### ECRAccess-RestrictRepositoryPolicy\n"
            "Remediates ECR_REPO_NOT_PUBLIC: makes an ECR repository policy RESTRICTED again, judged by "
            "the rule's engine. Backs the original up (outputs and the SSM parameter "
            "/ecr-access/backup/<repository>/<timestamp>), stops if the policy changed since it was read, "
            "writes, re-reads and fails if still exposed.\n\n"
            "* RemoveStatements (default): removes the Allow statements reaching outside the trusted "
            "accounts and organizations (the policy is deleted when no Allow remains).\n"
            "* RestrictToOrganization: bounds them with aws:PrincipalOrgID instead.\n\n"
            "Undo: run the RestoreCommand output."
        ),
        {
            "RepositoryName": {
                "type": "String",
                "allowedPattern": ECR_REPOSITORY_NAME,
                "description": "(Required) The repository (Config passes RESOURCE_ID).",
            },
            "AutomationAssumeRole": AUTOMATION_ROLE,
            "TrustedAccountIds": {
                "type": "String",
                "default": "",
                "allowedPattern": ACCOUNT_LIST,
                "description": "(Optional) Comma-separated accounts that may pull besides the "
                "owner (as in the rule).",
            },
            "TrustedOrganizationIds": {
                "type": "String",
                "default": "",
                "allowedPattern": ORGANIZATION_LIST,
                "description": "(Optional) Comma-separated organization ids (o-…) whose "
                "principals may pull (as in the rule).",
            },
            "Mode": {
                "type": "String",
                "default": "RemoveStatements",
                "allowedValues": ["RemoveStatements", "RestrictToOrganization"],
                "description": "(Optional) Remove the offending statements, or bound them to the trusted "
                "organizations.",
            },
        },
        _script_step(
            step,
            "ecr_access.remediation.restrict_repository_policy",
            {
                "RepositoryName": "{{ RepositoryName }}",
                "TrustedAccountIds": "{{ TrustedAccountIds }}",
                "TrustedOrganizationIds": "{{ TrustedOrganizationIds }}",
                "Mode": "{{ Mode }}",
            },
            outputs,
        ),
    )


def revoke_layer_download() -> dict[str, Any]:
    step = "RevokeLayerDownload"
    outputs = {
        "Action": "String",
        "PrincipalArn": "String",
        "PolicyName": "String",
        "Verdict": "String",
        "UndoCommand": "String",
        "Message": "String",
    }
    return _document(
        (
            "### ECRAccess-RevokeLayerDownload\n"
            "Remediates ECR_LAYER_DOWNLOAD_RESTRICTED: takes ecr:GetDownloadUrlForLayer away from one IAM "
            "role or "
            "user.\n\n"
            "Resolves the unique id Config passes (AROA…/AIDA…) to the principal, attaches the inline policy "
            "ECRAccessDenyLayerDownload (an explicit Deny of ecr:GetDownloadUrlForLayer on every resource; "
            "with "
            "RevokeActiveSessions, also a Deny of every action to role sessions issued before now), then "
            "re-reads "
            "the principal and re-evaluates its effective permission: the execution fails unless it is "
            "DENIED.\n\n"
            "Never detaches or deletes the principal's own policies; never touches service-linked roles, the "
            "automation role, the roles named in ProtectedRoleNames (the Config rule's execution role) or an "
            "allow-listed principal. Undo: delete the one inline policy (the UndoCommand output)."
        ),
        {
            "ResourceId": {
                "type": "String",
                "allowedPattern": IAM_UNIQUE_ID,
                "description": "(Required) Unique id of the role or user (Config passes RESOURCE_ID).",
            },
            "AutomationAssumeRole": AUTOMATION_ROLE,
            "AllowedPrincipalArns": {
                "type": "String",
                "default": "",
                "allowedPattern": ARN_PATTERN_LIST,
                "description": "(Optional) Comma-separated ARN patterns (with *) of principals "
                "that are never touched (as in the rule).",
            },
            "ProtectedRoleNames": {
                "type": "String",
                "default": "ecr-access-rule-execution",
                "allowedPattern": ROLE_NAME_LIST,
                "description": "(Optional) Comma-separated role names never touched: the Config "
                "rule's execution role.",
            },
            "RevokeActiveSessions": {
                "type": "String",
                "default": "false",
                "allowedValues": ["true", "false"],
                "description": "(Optional) Roles: also deny every action to sessions issued before now.",
            },
            "NotificationTopicArn": {
                "type": "String",
                "default": "",
                "allowedPattern": SNS_TOPIC_ARN,
                "description": "(Optional) SNS topic told what was done, to whom, and how to "
                "undo it (the automation role may publish to ecr-access-* topics).",
            },
        },
        _script_step(
            step,
            "ecr_access.remediation.revoke_layer_download",
            {
                "ResourceId": "{{ ResourceId }}",
                "AutomationAssumeRole": "{{ AutomationAssumeRole }}",
                "AllowedPrincipalArns": "{{ AllowedPrincipalArns }}",
                "ProtectedRoleNames": "{{ ProtectedRoleNames }}",
                "RevokeActiveSessions": "{{ RevokeActiveSessions }}",
                "NotificationTopicArn": "{{ NotificationTopicArn }}",
            },
            outputs,
            pack_engine=True,  # the effective-permission engine does not fit 64 KB as plain text
        ),
    )


DOCUMENTS = {
    "ECRAccess-RestrictRepositoryPolicy": restrict_repository_policy,
    "ECRAccess-RevokeLayerDownload": revoke_layer_download,
}


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def render_document(name: str) -> str:
    return yaml.dump(DOCUMENTS[name](), Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True)


def write_documents(directory: Path = REMEDIATION_DIR) -> list[Path]:
    directory.mkdir(exist_ok=True)
    written = []
    for name in DOCUMENTS:
        path = directory / f"{name}.yaml"
        path.write_text(render_document(name))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_documents(Path(sys.argv[1]) if len(sys.argv) > 1 else REMEDIATION_DIR):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
