"""The SSM Automation runbooks, defined here and written to remediation/*.yaml by ``make runbooks``.

Schema 0.3, the AWSConfigRemediation-* style: typed parameters, every String
constrained by ``allowedPattern`` or ``allowedValues``, ``assumeRole`` from the
``AutomationAssumeRole`` parameter, one ``aws:executeScript`` step whose inline
script is the handler module and whose attachment (``<document>.zip``, declared
with its checksum in ``files``) holds the engine modules it imports (render.py),
and step outputs selected from ``$.Payload``. ``make package`` writes the
attachments to dist/runbooks/, from where deployment uploads them.
"""

import sys
from pathlib import Path
from typing import Any

import yaml

from ecr_access.file_writes import write_if_changed
from ecr_access.project_files import project_root
from ecr_access.remediation.render import RenderedScript, render_script

# The account may be the Automation system variable {{global:ACCOUNT_ID}}, which the pack uses so one
# literal ARN fits every account (AWS-managed runbooks' AutomationAssumeRole allowedPattern accepts
# it the same way: Automation runbook reference, AWS-UpdateLinuxAmi).
ROLE_ARN = r"^arn:(?:aws|aws-us-gov|aws-cn):iam::(?:\d{12}|\{\{global:ACCOUNT_ID\}\}):role/[\w+=,.@/-]+$"
ECR_REPOSITORY_NAME = r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$"
ACCOUNT_LIST = r"^$|^\d{12}(,\d{12})*$"
ORGANIZATION_LIST = r"^$|^o-[a-z0-9]{10,32}(,o-[a-z0-9]{10,32})*$"
IAM_UNIQUE_ID = r"^[\w]{16,128}$"  # IAM API reference: RoleId/UserId, 16-128 word characters
ARN_PATTERN_LIST = r"^$|^arn:[\w*?+=,.@/:-]+(,arn:[\w*?+=,.@/:-]+)*$"
ROLE_NAME_LIST = r"^$|^[\w+=,.@-]{1,64}(,[\w+=,.@-]{1,64})*$"
SNS_TOPIC_ARN = r"^$|^arn:(?:aws|aws-us-gov|aws-cn):sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$"
REMEDIATION_DIR = project_root() / "remediation"
RUNTIME = "python3.11"
ATTACHMENTS_DIR = project_root() / "dist" / "runbooks"

AUTOMATION_ROLE = {
    "type": "String",
    "description": "(Required) ARN of the role Automation assumes to run this runbook "
    "(deploy/ carries its least-privilege policy).",
    "allowedPattern": ROLE_ARN,
}


def _script_step(
    name: str, handler_module: str, rendered: RenderedScript, payload: dict[str, str], outputs: dict[str, str]
) -> dict[str, Any]:
    return {
        "name": name,
        "action": "aws:executeScript",
        "description": f"Runs {handler_module}.handler; the engine modules it imports are in "
        f"the attachment {rendered.attachment_name}.",
        "timeoutSeconds": 600,
        "isEnd": True,
        "inputs": {
            # Systems Manager User Guide, "aws:executeScript": runbooks on Python 3.6-3.8 can no longer be
            # created or run, and "upgrade to Python 3.11" is the advice; every module a runbook carries
            # is checked against 3.11's grammar (test_runbook_documents).
            "Runtime": RUNTIME,
            "Handler": "handler",
            "InputPayload": payload,
            "Script": rendered.script,
            "Attachment": rendered.attachment_name,
        },
        "outputs": [
            {"Name": key, "Selector": f"$.Payload.{key}", "Type": kind} for key, kind in outputs.items()
        ],
    }


def _document(
    description: str, parameters: dict[str, Any], step: dict[str, Any], rendered: RenderedScript
) -> dict[str, Any]:
    return {
        "schemaVersion": "0.3",
        "description": description,
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": parameters,
        "mainSteps": [step],
        "outputs": [f"{step['name']}.{output['Name']}" for output in step["outputs"]],
        "files": {
            rendered.attachment_name: {
                "checksums": {"sha256": rendered.sha256},
                "size": len(rendered.attachment),
            }
        },
    }


def rendered_script(document_name: str) -> RenderedScript:
    """The handler and engine attachment of one runbook (``<document>.zip``)."""
    return render_script(HANDLERS[document_name], f"{document_name}.zip")


RESTRICT, REVOKE, SESSIONS, ENDPOINT = (
    "ECRAccess-RestrictRepositoryPolicy",
    "ECRAccess-RevokeLayerDownload",
    "ECRAccess-RevokeActiveSessions",
    "ECRAccess-RestrictVpcEndpointPolicy",
)
HANDLERS = {
    RESTRICT: "ecr_access.remediation.restrict_repository_policy",
    REVOKE: "ecr_access.remediation.revoke_layer_download",
    SESSIONS: "ecr_access.remediation.revoke_active_sessions",
    ENDPOINT: "ecr_access.remediation.restrict_vpc_endpoint_policy",
}
VPC_ENDPOINT_ID = r"^vpce-[0-9a-f]{8,17}$"
PROTECTED_ROLE_NAMES = {
    "type": "String",
    "default": "",
    "allowedPattern": ROLE_NAME_LIST,
    "description": "(Optional) Comma-separated role names never touched, besides those always protected "
    "(ecr-access-*, the automation role, service-linked and IAM Identity Center roles).",
}


def _trust_parameters(subject: str) -> dict[str, Any]:
    """TrustedAccountIds and TrustedOrganizationIds, joined by the runbook with the rule's own lists."""
    return {
        "TrustedAccountIds": {
            "type": "String",
            "default": "",
            "allowedPattern": ACCOUNT_LIST,
            "description": f"(Optional) Comma-separated accounts that {subject} besides the owner "
            "(joined with the rule's own).",
        },
        "TrustedOrganizationIds": {
            "type": "String",
            "default": "",
            "allowedPattern": ORGANIZATION_LIST,
            "description": f"(Optional) Comma-separated organization ids (o-…) whose principals {subject} "
            "(joined with the rule's own).",
        },
    }


def _payload(*names: str) -> dict[str, str]:
    return {name: "{{ " + name + " }}" for name in names}


def restrict_repository_policy() -> dict[str, Any]:
    step, rendered = "RestrictRepositoryPolicy", rendered_script(RESTRICT)
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
            "Remediates ECR_REPO_NOT_PUBLIC: makes an ECR repository policy RESTRICTED again, only ever "
            "narrowing it. Trust is the union of these parameters and the Config rule's own lists; the new "
            "policy is planned by surgery on the text (untouched statements keep their bytes) and analysed "
            "before anything is written; the original is backed up under "
            "/ecr-access/backup/<repository>/<timestamp>/part-N.\n\n"
            "* RemoveStatements (default): removes the untrusted principals (a statement with none left "
            "is removed; the policy is deleted when no Allow remains).\n"
            "* RestrictToOrganization: bounds them with aws:PrincipalOrgID (aws:SourceOrgID for services), "
            "only to this account's own organization or one the statement already names.\n\n"
            "Undo: run the RestoreCommand output."
        ),
        {
            "RepositoryName": {
                "type": "String",
                "allowedPattern": ECR_REPOSITORY_NAME,
                "description": "(Required) The repository (Config passes RESOURCE_ID).",
            },
            "AutomationAssumeRole": AUTOMATION_ROLE,
            **_trust_parameters("may pull"),
            "Mode": {
                "type": "String",
                "default": "RemoveStatements",
                "allowedValues": ["RemoveStatements", "RestrictToOrganization"],
                "description": "(Optional) Remove the untrusted principals, or bound them to the "
                "organization.",
            },
        },
        _script_step(
            step,
            HANDLERS[RESTRICT],
            rendered,
            _payload("RepositoryName", "TrustedAccountIds", "TrustedOrganizationIds", "Mode"),
            outputs,
        ),
        rendered,
    )


def revoke_layer_download() -> dict[str, Any]:
    step, rendered = "RevokeLayerDownload", rendered_script(REVOKE)
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
            "role or user by attaching the managed policy ECRAccessDenyLayerDownload (an explicit Deny, "
            "created by the member stack, checked before use). Attaching a Deny cannot grant: the "
            "automation role may attach only that policy and writes no policy content.\n\n"
            "Never touches service-linked or IAM Identity Center roles, ecr-access-* roles, the "
            "automation role, ProtectedRoleNames or allow-listed principals. Undo: detach the policy "
            "(the UndoCommand output)."
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
            "ProtectedRoleNames": PROTECTED_ROLE_NAMES,
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
            HANDLERS[REVOKE],
            rendered,
            _payload(
                "ResourceId",
                "AutomationAssumeRole",
                "AllowedPrincipalArns",
                "ProtectedRoleNames",
                "NotificationTopicArn",
            ),
            outputs,
        ),
        rendered,
    )


def revoke_active_sessions() -> dict[str, Any]:
    step, rendered = "RevokeActiveSessions", rendered_script(SESSIONS)
    outputs = {
        "Action": "String",
        "PrincipalArn": "String",
        "IssuedBefore": "String",
        "UndoCommand": "String",
        "Message": "String",
    }
    document = _document(
        (
            "### ECRAccess-RevokeActiveSessions (incident response)\n"
            "Denies every action to the sessions a role issued before now (an inline policy on "
            "aws:TokenIssueTime, IAM's own revoke-sessions pattern). It writes policy content, so its role "
            "can escalate: an approver named in Approvers must approve first, it is never run by Config, "
            "and its role exists only where the member stack was deployed with EnableIncidentResponse=true."
            "\n\nNever touches service-linked or IAM Identity Center roles, ecr-access-* roles, the "
            "automation role or ProtectedRoleNames. Undo: delete the inline policy (the UndoCommand output)."
        ),
        {
            "ResourceId": {
                "type": "String",
                "allowedPattern": IAM_UNIQUE_ID,
                "description": "(Required) Unique id of the role (AROA…).",
            },
            "AutomationAssumeRole": AUTOMATION_ROLE,
            "Approvers": {
                "type": "StringList",
                "description": "(Required) IAM users or roles (ARNs) that must approve before anything is "
                "written.",
                "allowedPattern": r"^arn:(?:aws|aws-us-gov|aws-cn):(?:iam|sts)::\d{12}:[\w+=,.@/-]+$",
            },
            "ProtectedRoleNames": PROTECTED_ROLE_NAMES,
        },
        _script_step(
            step,
            HANDLERS[SESSIONS],
            rendered,
            _payload("ResourceId", "AutomationAssumeRole", "ProtectedRoleNames"),
            outputs,
        ),
        rendered,
    )
    approve = {
        "name": "Approve",
        "action": "aws:approve",
        "description": "Nothing is written until an approver approves.",
        "timeoutSeconds": 3600,
        "onFailure": "Abort",
        "inputs": {
            "Approvers": "{{ Approvers }}",
            "MinRequiredApprovals": 1,
            "Message": "Revoke every session of role {{ ResourceId }} issued before now? "
            "Every running workload of the role loses its credentials.",
        },
    }
    document["mainSteps"].insert(0, approve)
    return document


def restrict_vpc_endpoint_policy() -> dict[str, Any]:
    step, rendered = "RestrictVpcEndpointPolicy", rendered_script(ENDPOINT)
    outputs = {
        "Action": "String",
        "BackupParameter": "String",
        "RestoreCommand": "String",
        "Message": "String",
    }
    return _document(
        (
            "### ECRAccess-RestrictVpcEndpointPolicy\n"
            "Remediates ECR_VPC_ENDPOINT_RESTRICTED for ECR interface endpoints: adds two explicit "
            "Denies to the endpoint policy (principals, and registries, outside the trusted organizations, "
            "accounts and third-party registries; AWS service principals exempt). Every existing statement "
            "is kept and a Deny overrides any Allow, so the endpoint can only allow less. The plan is judged "
            "by the rule's engine before anything is written; the original is backed up under "
            "/ecr-access/backup/vpc-endpoint/<id>/<timestamp>/part-N. S3 gateway endpoints are refused (they "
            "would need an Allow).\n\nUndo: run the RestoreCommand output."
        ),
        {
            "VpcEndpointId": {
                "type": "String",
                "allowedPattern": VPC_ENDPOINT_ID,
                "description": "(Required) The endpoint (Config passes RESOURCE_ID).",
            },
            "AutomationAssumeRole": AUTOMATION_ROLE,
            **_trust_parameters("stay reachable through the endpoint"),
            "AllowedThirdPartyRegistryAccounts": {
                "type": "String",
                "default": "",
                "allowedPattern": ACCOUNT_LIST,
                "description": "(Optional) Comma-separated registry accounts outside the organizations that "
                "stay reachable (e.g. AWS's EKS add-on registries).",
            },
        },
        _script_step(
            step,
            HANDLERS[ENDPOINT],
            rendered,
            _payload(
                "VpcEndpointId",
                "TrustedAccountIds",
                "TrustedOrganizationIds",
                "AllowedThirdPartyRegistryAccounts",
            ),
            outputs,
        ),
        rendered,
    )


DOCUMENTS = {
    RESTRICT: restrict_repository_policy,
    REVOKE: revoke_layer_download,
    SESSIONS: revoke_active_sessions,
    ENDPOINT: restrict_vpc_endpoint_policy,
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
        write_if_changed(path, render_document(name))
        written.append(path)
    return written


def write_attachments(directory: Path = ATTACHMENTS_DIR) -> list[Path]:
    """Each runbook's engine attachment, as deployment uploads it."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DOCUMENTS:
        rendered = rendered_script(name)
        path = directory / rendered.attachment_name
        write_if_changed(path, rendered.attachment)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in [
        *write_documents(Path(sys.argv[1]) if len(sys.argv) > 1 else REMEDIATION_DIR),
        *write_attachments(),
    ]:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
