"""Principals from ``GetAccountAuthorizationDetails`` output.

Accepts what ``aws iam get-account-authorization-details`` prints and what boto3
returns (documents decoded), raw API pages (documents URL-encoded), one page or
a list of pages (merged). A malformed entry is rejected on its own.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ecr_access.loaders.account import AccountAuthorization, RawGroup, RawIdentity, assemble
from ecr_access.loaders.iam_entities import (
    default_document,
    pascal_case,
    read_each,
    read_group,
    read_identity,
)
from ecr_access.permissions.principal import PrincipalType


def load_authorization_details(
    pages: Mapping[str, Any] | Iterable[Mapping[str, Any]],
) -> AccountAuthorization:
    if isinstance(pages, Mapping):
        pages = [pages]
    identities: list[RawIdentity] = []
    groups: list[RawGroup] = []
    documents: dict[str, Any] = {}
    rejected: list[str] = []
    for page in pages:
        for kind in (PrincipalType.USER, PrincipalType.ROLE):
            identities += read_each(
                page.get(f"{kind.value}DetailList") or (),
                lambda entity, kind=kind: read_identity(entity, kind, pascal_case),
                kind.value,
                pascal_case,
                rejected,
            )
        groups += read_each(
            page.get("GroupDetailList") or (),
            lambda g: read_group(g, pascal_case),
            "Group",
            pascal_case,
            rejected,
        )
        for policy in page.get("Policies") or ():
            if isinstance(policy, Mapping) and isinstance(policy.get("Arn"), str):
                # A policy without a readable default version leaves its document unavailable:
                # every principal attaching it is then judged unreadable.
                try:
                    document = default_document(policy, pascal_case)
                except (KeyError, TypeError, AttributeError, IndexError):
                    document = None
                if document is not None:
                    documents[policy["Arn"]] = document
    return assemble(identities, groups, documents, rejected)
