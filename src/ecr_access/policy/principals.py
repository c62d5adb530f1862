"""Parsing the ``Principal`` / ``NotPrincipal`` element.

Forms (IAM User Guide, "AWS JSON policy elements: Principal"):
``"*"``; ``{"AWS": "*" | account id | ARN | [..]}``; ``{"Service": ...}``;
``{"Federated": SAML provider ARN | OIDC provider ARN | web identity provider}``;
``{"CanonicalUser": ...}``. A bare account id means ``arn:aws:iam::ID:root``.
When a named role or user is deleted, AWS rewrites it in stored policies as its
unique id (``AROA…``, ``AIDA…``), which no new principal can ever match.
"""

import re
from functools import lru_cache
from typing import Any

from ecr_access.aws_identifiers import ACCOUNT_ID, IAM_UNIQUE_ID
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.model import Principal, PrincipalKind
from ecr_access.policy.wildcard import has_wildcard

_IAM_ARN = re.compile(r"^arn:[^:]+:(iam|sts)::([^:]*):(.+)$")
_IDENTITY_RESOURCE_PREFIXES = ("user/", "role/", "federated-user/", "assumed-role/")


@lru_cache(maxsize=8192)
def _account_principal(value: str) -> Principal:
    if value == "*":
        return Principal(PrincipalKind.ANYONE, value)
    if ACCOUNT_ID.match(value):
        return Principal(PrincipalKind.ACCOUNT, value, value)
    if IAM_UNIQUE_ID.match(value):
        return Principal(PrincipalKind.UNIQUE_ID, value)
    arn = _IAM_ARN.match(value)
    if arn is None:
        raise PolicyError(
            f'unrecognised AWS principal "{value}": use "*", a 12-digit account id, '
            "or an IAM user, role or assumed-role ARN"
        )
    account, resource = arn.group(2), arn.group(3)
    if has_wildcard(account) or account == "":
        return Principal(PrincipalKind.ANY_ACCOUNT, value)
    if not ACCOUNT_ID.match(account):
        raise PolicyError(f'principal "{value}" names account "{account}", which is not a 12-digit id')
    if resource == "root":
        return Principal(PrincipalKind.ACCOUNT, value, account)
    if resource.startswith(_IDENTITY_RESOURCE_PREFIXES):
        return Principal(PrincipalKind.IAM_PRINCIPAL, value, account)
    if resource.startswith("saml-provider/"):
        return Principal(PrincipalKind.SAML_PROVIDER, value, account)
    raise PolicyError(f'principal "{value}" is not a user, role, assumed-role or account ARN')


@lru_cache(maxsize=8192)
def _federated_principal(value: str) -> Principal:
    if value == "*":
        return Principal(PrincipalKind.ANYONE, value)
    arn = _IAM_ARN.match(value)
    if arn and arn.group(3).startswith("saml-provider/") and ACCOUNT_ID.match(arn.group(2)):
        # Only users that the account's own SAML IdP signs in reach this.
        return Principal(PrincipalKind.SAML_PROVIDER, value, arn.group(2))
    # Cognito, Google, Facebook, Login with Amazon and OIDC providers: anyone who
    # can obtain a token from the provider, whatever account they belong to.
    return Principal(PrincipalKind.WEB_IDENTITY, value)


def _service_principal(value: str) -> Principal:
    return Principal(PrincipalKind.ANYONE if value == "*" else PrincipalKind.SERVICE, value)


def _canonical_user(value: str) -> Principal:
    return Principal(PrincipalKind.ANYONE if value == "*" else PrincipalKind.CANONICAL_USER, value)


_PARSERS = {
    "AWS": _account_principal,
    "Service": _service_principal,
    "Federated": _federated_principal,
    "CanonicalUser": _canonical_user,
}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item for item in items):
        raise PolicyError(f"{where} must be a non-empty string or a list of them")
    return tuple(items)


def parse_principals(element: Any, where: str) -> tuple[Principal, ...]:
    """Parse a Principal or NotPrincipal element; ``where`` names it in errors."""
    if element == "*":
        return (Principal(PrincipalKind.ANYONE, "*"),)
    if not isinstance(element, dict) or not element:
        raise PolicyError(f'{where} must be "*" or an object such as {{"AWS": [...]}}')
    principals: list[Principal] = []
    for key, value in element.items():
        parser = _PARSERS.get(key)
        if parser is None:
            raise PolicyError(
                f'{where} has unknown key "{key}" (expected AWS, Service, Federated or CanonicalUser)'
            )
        principals.extend(parser(item) for item in _strings(value, f"{where}.{key}"))
    return tuple(principals)
