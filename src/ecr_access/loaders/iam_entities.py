"""Reading IAM users, roles, groups and managed policies from either input shape.

GetAccountAuthorizationDetails names fields in PascalCase (``RolePolicyList``,
``PolicyArn``); AWS Config items carry the same fields in camelCase
(``rolePolicyList``, ``policyArn``). One reader serves both through a key style.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ecr_access.loaders.account import RawGroup, RawIdentity
from ecr_access.permissions.principal import PrincipalType

type KeyStyle = Callable[[str], str]


def pascal_case(name: str) -> str:
    return name


def camel_case(name: str) -> str:
    return name[0].lower() + name[1:]


def _inline(entity: Mapping[str, Any], list_key: str, key: KeyStyle) -> tuple[tuple[str, Any], ...]:
    return tuple((p[key("PolicyName")], p[key("PolicyDocument")]) for p in entity.get(key(list_key)) or ())


def _managed(entity: Mapping[str, Any], key: KeyStyle) -> tuple[str, ...]:
    return tuple(p[key("PolicyArn")] for p in entity.get(key("AttachedManagedPolicies")) or ())


def read_identity(entity: Mapping[str, Any], kind: PrincipalType, key: KeyStyle) -> RawIdentity:
    prefix = kind.value  # "User" / "Role": UserName, RoleId, RolePolicyList, …
    boundary = entity.get(key("PermissionsBoundary")) or {}
    tags = tuple((t[key("Key")], t[key("Value")]) for t in entity.get(key("Tags")) or ())
    return RawIdentity(
        type=kind,
        name=entity[key(f"{prefix}Name")],
        unique_id=entity[key(f"{prefix}Id")],
        arn=entity[key("Arn")],
        path=entity.get(key("Path"), "/"),
        inline=_inline(entity, f"{prefix}PolicyList", key),
        managed=_managed(entity, key),
        boundary=boundary.get(key("PermissionsBoundaryArn")),
        tags=tags,
        trust=entity.get(key("AssumeRolePolicyDocument")) if kind is PrincipalType.ROLE else None,
        groups=tuple(entity.get(key("GroupList")) or ()),
    )


def read_group(entity: Mapping[str, Any], key: KeyStyle) -> RawGroup:
    return RawGroup(entity[key("GroupName")], _inline(entity, "GroupPolicyList", key), _managed(entity, key))


def default_document(policy: Mapping[str, Any], key: KeyStyle) -> Any:
    """The document of the default version (the first version when none is marked)."""
    versions = policy.get(key("PolicyVersionList")) or ()
    for version in versions:
        if version.get(key("IsDefaultVersion")):
            return version[key("Document")]
    return versions[0][key("Document")] if versions else None
