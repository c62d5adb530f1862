"""An IAM user or role with every policy that shapes its permissions."""

from dataclasses import dataclass

from ecr_access.policy.identity_enum import IdentityEnum
from ecr_access.policy.model import Policy


class PrincipalType(IdentityEnum):
    USER = "User"
    ROLE = "Role"

    @property
    def config_resource_type(self) -> str:
        return f"AWS::IAM::{self.value}"


class PolicySourceKind(IdentityEnum):
    INLINE = "inline policy"
    MANAGED = "managed policy"
    BOUNDARY = "permissions boundary"
    SCP = "SCP"
    RCP = "RCP"
    REPOSITORY = "repository policy"


@dataclass(frozen=True, slots=True)
class PolicySource:
    """Where a policy comes from, as a person would name it in a finding."""

    kind: PolicySourceKind
    name: str
    arn: str | None = None  # managed policies, boundaries, SCPs
    group: str | None = None  # set when inherited through a group
    level: int | None = None  # SCP level, 0 = root

    def describe(self) -> str:
        text = f"{self.kind.value} {self.name}"
        if self.group is not None:
            text += f" (via group {self.group})"
        if self.level is not None:
            text += f" at level {self.level}"
        return text


@dataclass(frozen=True, slots=True)
class AttachedPolicy:
    """A policy as attached to a principal; ``policy`` is None when it could not be read."""

    source: PolicySource
    policy: Policy | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class IamPrincipal:
    type: PrincipalType
    name: str
    unique_id: str  # AROA…/AIDA…: what Config reports evaluations against
    arn: str
    path: str
    account: str
    policies: tuple[AttachedPolicy, ...]  # inline, managed and group-inherited identity policies
    boundary: AttachedPolicy | None = None
    tags: tuple[tuple[str, str], ...] | None = None  # None: the input did not carry tags
    trust_policy: Policy | None = None  # roles: who may assume it
    groups: tuple[str, ...] = ()

    @property
    def is_service_linked(self) -> bool:
        # Service-linked roles live under /aws-service-role/ and are owned by AWS
        # (IAM User Guide, "Using service-linked roles"); SCPs do not restrict them.
        return self.type is PrincipalType.ROLE and self.path.startswith("/aws-service-role/")
