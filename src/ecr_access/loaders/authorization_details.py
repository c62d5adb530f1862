"""Principals from ``GetAccountAuthorizationDetails`` output.

Accepts what ``aws iam get-account-authorization-details`` prints and what boto3
returns (documents decoded), raw API pages (documents URL-encoded), one page or
a list of pages (merged).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ecr_access.loaders.account import AccountAuthorization, RawGroup, RawIdentity, assemble
from ecr_access.loaders.iam_entities import default_document, pascal_case, read_group, read_identity
from ecr_access.permissions.principal import PrincipalType


def load_authorization_details(
    pages: Mapping[str, Any] | Iterable[Mapping[str, Any]],
) -> AccountAuthorization:
    if isinstance(pages, Mapping):
        pages = [pages]
    identities: list[RawIdentity] = []
    groups: list[RawGroup] = []
    documents: dict[str, Any] = {}
    for page in pages:
        identities.extend(
            read_identity(u, PrincipalType.USER, pascal_case) for u in page.get("UserDetailList") or ()
        )
        identities.extend(
            read_identity(r, PrincipalType.ROLE, pascal_case) for r in page.get("RoleDetailList") or ()
        )
        groups.extend(read_group(g, pascal_case) for g in page.get("GroupDetailList") or ())
        for policy in page.get("Policies") or ():
            if (document := default_document(policy, pascal_case)) is not None:
                documents[policy["Arn"]] = document
    return assemble(identities, groups, documents)
