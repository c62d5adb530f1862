"""Principals from AWS Config configuration items.

``AWS::IAM::Role``/``User``/``Group``/``Policy`` items carry URL-encoded documents
and name managed policies only by ARN (see AWS_FACTS.md). Customer managed
documents come from ``AWS::IAM::Policy`` items; AWS managed ones, which Config
does not record, from ``managed_policy_documents`` (the caller fetches them).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ecr_access.loaders.account import AccountAuthorization, RawGroup, RawIdentity, assemble
from ecr_access.loaders.iam_entities import (
    camel_case,
    default_document,
    entity_label,
    read_group,
    read_identity,
)
from ecr_access.permissions.principal import PrincipalType

_IDENTITY_TYPES = {"AWS::IAM::Role": PrincipalType.ROLE, "AWS::IAM::User": PrincipalType.USER}


def load_config_items(
    items: Iterable[Mapping[str, Any]], managed_policy_documents: Mapping[str, Any] | None = None
) -> AccountAuthorization:
    identities: list[RawIdentity] = []
    groups: list[RawGroup] = []
    documents: dict[str, Any] = dict(managed_policy_documents or {})
    rejected: list[str] = []
    for item in items:
        kind, configuration = item["resourceType"], item.get("configuration") or {}
        try:
            if kind in _IDENTITY_TYPES:
                identities.append(read_identity(configuration, _IDENTITY_TYPES[kind], camel_case))
            elif kind == "AWS::IAM::Group":
                groups.append(read_group(configuration, camel_case))
            elif (
                kind == "AWS::IAM::Policy"
                and (document := default_document(configuration, camel_case)) is not None
            ):
                documents[configuration["arn"]] = document
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            label = entity_label(configuration, kind.rsplit(":", 1)[-1], camel_case)
            rejected.append(f"{label}: malformed {kind} configuration item ({exc!r})")
    return assemble(identities, groups, documents, rejected)
