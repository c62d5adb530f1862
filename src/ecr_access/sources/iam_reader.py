"""Reading one principal, group or managed policy from IAM, each once per run.

For the change-triggered rule (a configuration item names managed and group
policies it does not carry) and for the remediation runbook that re-reads the
principal it changed. Everything comes back shaped as AWS Config items
(camelCase), which ``load_config_items`` turns into principals.
"""

from typing import Any

from botocore.exceptions import ClientError


class IamReader:
    """Reads what a configuration item only names; each policy and group once per run."""

    def __init__(self, iam: Any) -> None:
        self._iam = iam
        self._documents: dict[str, Any] = {}
        self._groups: dict[str, dict[str, Any]] = {}

    def managed_document(self, arn: str) -> Any | None:
        """The default version's document; None when the policy no longer exists."""
        if arn not in self._documents:
            try:
                version = self._iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                document = self._iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"][
                    "Document"
                ]
            except ClientError as exc:
                if exc.response["Error"].get("Code") != "NoSuchEntity":
                    raise
                document = None
            self._documents[arn] = document
        return self._documents[arn]

    def group_item(self, name: str) -> dict[str, Any]:
        """A group as an AWS::IAM::Group configuration item would describe it, read from IAM."""
        if name not in self._groups:
            inline = []
            for page in self._iam.get_paginator("list_group_policies").paginate(GroupName=name):
                for policy_name in page["PolicyNames"]:
                    document = self._iam.get_group_policy(GroupName=name, PolicyName=policy_name)[
                        "PolicyDocument"
                    ]
                    inline.append({"policyName": policy_name, "policyDocument": document})
            attached = [
                {"policyName": p["PolicyName"], "policyArn": p["PolicyArn"]}
                for page in self._iam.get_paginator("list_attached_group_policies").paginate(GroupName=name)
                for p in page["AttachedPolicies"]
            ]
            self._groups[name] = {
                "resourceType": "AWS::IAM::Group",
                "configuration": {
                    "groupName": name,
                    "groupPolicyList": inline,
                    "attachedManagedPolicies": attached,
                },
            }
        return self._groups[name]

    def principal_items(self, kind: str, name: str) -> list[dict[str, Any]]:
        """A role or user (kind "Role" or "User") shaped as its configuration item, and its groups."""
        lower = kind.lower()
        entity = getattr(self._iam, f"get_{lower}")(**{f"{kind}Name": name})[kind]
        inline = []
        for page in self._iam.get_paginator(f"list_{lower}_policies").paginate(**{f"{kind}Name": name}):
            for policy_name in page["PolicyNames"]:
                reply = getattr(self._iam, f"get_{lower}_policy")(
                    **{f"{kind}Name": name, "PolicyName": policy_name}
                )
                inline.append({"policyName": policy_name, "policyDocument": reply["PolicyDocument"]})
        attached = [
            {"policyName": p["PolicyName"], "policyArn": p["PolicyArn"]}
            for page in self._iam.get_paginator(f"list_attached_{lower}_policies").paginate(
                **{f"{kind}Name": name}
            )
            for p in page["AttachedPolicies"]
        ]
        boundary = entity.get("PermissionsBoundary")
        configuration = {
            f"{lower}Name": name,
            f"{lower}Id": entity[f"{kind}Id"],
            "arn": entity["Arn"],
            "path": entity.get("Path", "/"),
            f"{lower}PolicyList": inline,
            "attachedManagedPolicies": attached,
            "permissionsBoundary": {"permissionsBoundaryArn": boundary["PermissionsBoundaryArn"]}
            if boundary
            else None,
            "tags": [{"key": t["Key"], "value": t["Value"]} for t in entity.get("Tags", ())],
        }
        groups: list[dict[str, Any]] = []
        if kind == "Role":
            configuration["assumeRolePolicyDocument"] = entity.get("AssumeRolePolicyDocument")
        else:
            names = [
                g["GroupName"]
                for page in self._iam.get_paginator("list_groups_for_user").paginate(UserName=name)
                for g in page["Groups"]
            ]
            configuration["groupList"] = names
            groups = [self.group_item(group) for group in names]
        return [{"resourceType": f"AWS::IAM::{kind}", "configuration": configuration}, *groups]

    def managed_documents(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """The documents of every managed policy and boundary the items name, by ARN."""
        arns = set()
        for item in items:
            configuration = item.get("configuration") or {}
            arns.update(p["policyArn"] for p in configuration.get("attachedManagedPolicies") or ())
            if boundary := (configuration.get("permissionsBoundary") or {}).get("permissionsBoundaryArn"):
                arns.add(boundary)
        return {arn: document for arn in arns if (document := self.managed_document(arn)) is not None}
