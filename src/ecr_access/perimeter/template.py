"""deploy/perimeter.yaml: the rendered SCP and RCP as ``AWS::Organizations::Policy`` resources.

Deployed in the management account or the Organizations delegated administrator for
policy management, with the targets (root, OU or account ids) as parameters: attach to a
test OU first, then the root. The policies are rendered into the template, not passed
as parameters: a CloudFormation parameter value holds at most 4,096 characters, less than a
policy may need (CloudFormation User Guide, "AWS CloudFormation quotas").
"""

from typing import Any

from ecr_access.perimeter.policies import RenderedPolicy

SCP_NAME, RCP_NAME = "ecr-access-layer-download-perimeter", "ecr-access-identity-perimeter"


def perimeter_template(scp: RenderedPolicy, rcp: RenderedPolicy | None) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "ScpTargetIds": {
            "Type": "CommaDelimitedList",
            "Description": "Root, OU or account ids the SCP is attached to (a test OU first, then the root)",
        }
    }
    resources: dict[str, Any] = {
        "LayerDownloadScp": {
            "Type": "AWS::Organizations::Policy",
            "Properties": {
                "Name": SCP_NAME,
                "Description": "ecr-access: only allow-listed principals may call ecr:GetDownloadUrlForLayer",
                "Type": "SERVICE_CONTROL_POLICY",
                "Content": scp.document,
                "TargetIds": {"Ref": "ScpTargetIds"},
            },
        }
    }
    if rcp is not None:
        parameters["RcpTargetIds"] = {
            "Type": "CommaDelimitedList",
            "Description": "Root, OU or account ids the RCP is attached to",
        }
        resources["IdentityPerimeterRcp"] = {
            "Type": "AWS::Organizations::Policy",
            "Properties": {
                "Name": RCP_NAME,
                "Description": "ecr-access: repositories reachable only from the trusted organizations",
                "Type": "RESOURCE_CONTROL_POLICY",
                "Content": rcp.document,
                "TargetIds": {"Ref": "RcpTargetIds"},
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecr-access preventive controls: the layer-download SCP, the identity-perimeter RCP",
        "Parameters": parameters,
        "Resources": resources,
    }
