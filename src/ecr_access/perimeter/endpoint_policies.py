"""ECR endpoint policies rendered from the trust lists: the two Deny statements of the perimeter.

Two explicit Denies, as AWS's data-perimeter endpoint pattern bounds both sides
(aws-samples/data-perimeter-policy-examples, ``ecr.api`` endpoint policy; the Deny form is
used so that adding them to any existing policy can only narrow it — an explicit Deny
overrides every Allow: IAM User Guide, "Policy evaluation logic"):
- principals outside the trusted organizations and accounts may not use the endpoint:
  ``StringNotEquals`` on ``aws:PrincipalOrgID`` and ``aws:PrincipalAccount`` (ANDed: a
  principal passes when either matches; ``aws:PrincipalOrgID`` is absent for an account in
  no organization, and a negated operator is then true, so only ``aws:PrincipalAccount``
  can let it pass);
- requests for registries outside them (and outside the named third-party registries) are
  denied: ``StringNotEquals`` on ``aws:ResourceOrgID`` and ``aws:ResourceAccount``.
Both exempt AWS service principals (``BoolIfExists aws:PrincipalIsAWSService false``), as
the pattern does. ``endpoint_policy_document`` is a fresh policy (Allow, then the Denies);
``with_perimeter`` adds the Denies to an existing one, replacing earlier copies.
"""

import json
from collections.abc import Iterable
from typing import Any

from ecr_access.exposure.endpoint_policies import DEFAULT_POLICY, ENDPOINT_POLICY_MAX_CHARS

PRINCIPALS_SID, REGISTRIES_SID = (
    "EcrAccessDenyPrincipalsOutsideThePerimeter",
    "EcrAccessDenyRegistriesOutsideThePerimeter",
)
_SERVICES_EXEMPT = {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}


class EndpointPolicyTooLarge(ValueError):
    """The policy with the perimeter would exceed the 20,480 characters an endpoint policy may have."""


def _deny(sid: str, keys: dict[str, list[str]]) -> dict[str, Any]:
    bounded = {key: values for key, values in keys.items() if values}
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringNotEquals": bounded, **_SERVICES_EXEMPT},
    }


def perimeter_denies(
    owner_account: str,
    trusted_accounts: Iterable[str] = (),
    trusted_org_ids: Iterable[str] = (),
    third_party_registry_accounts: Iterable[str] = (),
) -> list[dict[str, Any]]:
    accounts = sorted({owner_account, *trusted_accounts})
    organizations = sorted(set(trusted_org_ids))
    registries = sorted({*accounts, *third_party_registry_accounts})
    return [
        _deny(PRINCIPALS_SID, {"aws:PrincipalOrgID": organizations, "aws:PrincipalAccount": accounts}),
        _deny(REGISTRIES_SID, {"aws:ResourceOrgID": organizations, "aws:ResourceAccount": registries}),
    ]


def _fits(policy: dict[str, Any]) -> str:
    text = json.dumps(policy, indent=2)
    if len(text) > ENDPOINT_POLICY_MAX_CHARS:
        text = json.dumps(policy, separators=(",", ":"))
    if len(text) > ENDPOINT_POLICY_MAX_CHARS:
        raise EndpointPolicyTooLarge(
            f"{len(text):,} characters, over the {ENDPOINT_POLICY_MAX_CHARS:,} allowed"
        )
    return text


def with_perimeter(policy_text: str | None, denies: list[dict[str, Any]]) -> str:
    """The policy (None: the default full-access one) with the Denies added; its own statements are
    kept as they are, earlier copies of the Denies replaced."""
    document = json.loads(policy_text) if policy_text and policy_text.strip() else dict(DEFAULT_POLICY)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [
        s
        for s in statements
        if not (isinstance(s, dict) and s.get("Sid") in (PRINCIPALS_SID, REGISTRIES_SID))
    ]
    return _fits(
        {
            "Version": "2012-10-17",
            **{k: v for k, v in document.items() if k != "Version"},
            "Statement": [*kept, *denies],
        }
    )


def endpoint_policy_document(denies: list[dict[str, Any]]) -> dict[str, Any]:
    """A fresh ECR endpoint policy: allow what the Denies leave."""
    allow = {
        "Sid": "AllowWhatThePerimeterLeaves",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
    }
    return {"Version": "2012-10-17", "Statement": [allow, *denies]}
