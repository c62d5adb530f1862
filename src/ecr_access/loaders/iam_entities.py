"""Reading IAM users, roles, groups and managed policies from either input shape.

GetAccountAuthorizationDetails names fields in PascalCase (``RolePolicyList``,
``PolicyArn``); AWS Config items carry the same fields in camelCase
(``rolePolicyList``, ``policyArn``). One reader serves both through a key style.

A list that AWS always records (a role's inline and attached policies, a user's
groups) but that is absent or null is *unknown*, not empty: it is kept in
``missing`` and the principal is judged unreadable, never "no policies"
(AWS Config resource schema for AWS::IAM::Role/User/Group; GetAccountAuthorizationDetails).
"""

from collections.abc import Callable, Iterable, Mapping
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


def _missing(entity: Mapping[str, Any], names: tuple[str, ...], key: KeyStyle) -> tuple[str, ...]:
    return tuple(key(name) for name in names if not isinstance(entity.get(key(name)), list))


_ALWAYS_RECORDED = {
    PrincipalType.ROLE: ("RolePolicyList", "AttachedManagedPolicies"),
    PrincipalType.USER: ("UserPolicyList", "AttachedManagedPolicies", "GroupList"),
}


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
        missing=_missing(entity, _ALWAYS_RECORDED[kind], key),
    )


def read_group(entity: Mapping[str, Any], key: KeyStyle) -> RawGroup:
    return RawGroup(
        entity[key("GroupName")],
        _inline(entity, "GroupPolicyList", key),
        _managed(entity, key),
        _missing(entity, ("GroupPolicyList", "AttachedManagedPolicies"), key),
    )


def entity_label(entity: Any, kind: str, key: KeyStyle) -> str:
    """How to name an entity that could not be read, from whatever it does carry."""
    if isinstance(entity, Mapping):
        for field in ("Arn", f"{kind}Id", f"{kind}Name"):
            if isinstance(value := entity.get(key(field)), str):
                return value
    return f"a {kind.lower()} entry"


def default_document(policy: Mapping[str, Any], key: KeyStyle) -> Any:
    """The document of the default version (the first version when none is marked)."""
    versions = policy.get(key("PolicyVersionList")) or ()
    for version in versions:
        if version.get(key("IsDefaultVersion")):
            return version[key("Document")]
    return versions[0][key("Document")] if versions else None


def read_each[T](
    entities: Iterable[Any], read: Callable[[Any], T], kind: str, key: KeyStyle, rejected: list[str]
) -> list[T]:
    """``read`` each entity; one that is malformed is named in ``rejected`` and the others go on."""
    result = []
    for entity in entities:
        try:
            result.append(read(entity))
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            rejected.append(f"{entity_label(entity, kind, key)}: malformed {kind.lower()} record ({exc!r})")
    return result
