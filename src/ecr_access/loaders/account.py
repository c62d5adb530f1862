"""Assembling IamPrincipals from the loaders' common intermediate form.

Both loaders reduce their input to RawIdentity/RawGroup records and managed
policy documents by ARN; this module turns those into principals, parsing each
distinct managed policy once and sharing the parsed object among every principal
that attaches it. One unreadable policy marks the principals that use it; it
never stops the others from loading.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecr_access.loaders.documents import parse_document_value
from ecr_access.permissions.principal import (
    AttachedPolicy,
    IamPrincipal,
    PolicySource,
    PolicySourceKind,
    PrincipalType,
)
from ecr_access.policy.errors import PolicyError

type NamedDocument = tuple[str, Any]  # (policy name, document as given)


@dataclass(frozen=True, slots=True)
class RawIdentity:
    type: PrincipalType
    name: str
    unique_id: str
    arn: str
    path: str
    inline: tuple[NamedDocument, ...]
    managed: tuple[str, ...]  # policy ARNs
    boundary: str | None
    tags: tuple[tuple[str, str], ...] | None
    trust: Any | None
    groups: tuple[str, ...]
    missing: tuple[str, ...] = ()  # lists AWS always records that this record lacks: unknown


@dataclass(frozen=True, slots=True)
class RawGroup:
    name: str
    inline: tuple[NamedDocument, ...]
    managed: tuple[str, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountAuthorization:
    principals: tuple[IamPrincipal, ...]
    managed_policy_count: int
    problems: tuple[str, ...]  # policies that could not be read, by name
    rejected: tuple[str, ...] = ()  # entities too malformed to be judged at all: "name: reason"


def policy_name_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def account_of(arn: str) -> str:
    return arn.split(":", 5)[4]


def _unknown(fields: tuple[str, ...], group: str | None = None) -> AttachedPolicy:
    """A stand-in for policies the record does not list: may grant or deny anything."""
    listed = ", ".join(fields)
    source = PolicySource(PolicySourceKind.INLINE, f"({listed})", group=group)
    return AttachedPolicy(source, None, f"the record has no {listed}: its policies are unknown")


def _attach(source: PolicySource, document: Any) -> AttachedPolicy:
    try:
        return AttachedPolicy(source, parse_document_value(document))
    except PolicyError as exc:
        return AttachedPolicy(source, None, f"{source.describe()} could not be parsed: {exc}")


class _ManagedPolicies:
    def __init__(self, documents: Mapping[str, Any]) -> None:
        self._documents = documents
        self._parsed: dict[tuple[str, str | None], AttachedPolicy] = {}

    def get(self, arn: str, kind: PolicySourceKind, group: str | None = None) -> AttachedPolicy:
        key = (arn, group) if kind is PolicySourceKind.MANAGED else (arn, kind.value)
        found = self._parsed.get(key)
        if found is None:
            source = PolicySource(kind, policy_name_of(arn), arn, group)
            if arn in self._documents:
                found = _attach(source, self._documents[arn])
            else:
                found = AttachedPolicy(source, None, f"the document of {arn} was not available")
            self._parsed[key] = found
        return found


def assemble(
    identities: Iterable[RawIdentity],
    groups: Iterable[RawGroup],
    managed_documents: Mapping[str, Any],
    rejected: Iterable[str] = (),
) -> AccountAuthorization:
    managed = _ManagedPolicies(managed_documents)
    by_group: dict[str, tuple[AttachedPolicy, ...]] = {}
    for group in groups:
        by_group[group.name] = (
            *(
                _attach(PolicySource(PolicySourceKind.INLINE, n, group=group.name), d)
                for n, d in group.inline
            ),
            *(managed.get(arn, PolicySourceKind.MANAGED, group.name) for arn in group.managed),
            *((_unknown(group.missing, group.name),) if group.missing else ()),
        )
    principals = []
    problems: dict[str, None] = {}
    for raw in identities:
        attached = [
            *(_attach(PolicySource(PolicySourceKind.INLINE, n), d) for n, d in raw.inline),
            *(managed.get(arn, PolicySourceKind.MANAGED) for arn in raw.managed),
            *((_unknown(raw.missing),) if raw.missing else ()),
        ]
        for group_name in raw.groups:
            found = by_group.get(group_name)
            if found is None:
                source = PolicySource(PolicySourceKind.INLINE, "(all)", group=group_name)
                found = (AttachedPolicy(source, None, f"group {group_name} was not found"),)
            attached.extend(found)
        boundary = managed.get(raw.boundary, PolicySourceKind.BOUNDARY) if raw.boundary else None
        trust = None
        if raw.trust is not None:
            try:
                trust = parse_document_value(raw.trust)
            except PolicyError:
                trust = None  # only used to recognise application roles; never a reason to pass
        for item in (*attached, *((boundary,) if boundary else ())):
            if item.problem is not None:
                problems[item.problem] = None
        principals.append(
            IamPrincipal(
                raw.type,
                raw.name,
                raw.unique_id,
                raw.arn,
                raw.path,
                account_of(raw.arn),
                tuple(attached),
                boundary,
                raw.tags,
                trust,
                raw.groups,
            )
        )
    return AccountAuthorization(tuple(principals), len(managed_documents), tuple(problems), tuple(rejected))
