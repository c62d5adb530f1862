"""The preventive controls, rendered from the rules' own allow-list: an SCP and an RCP.

**SCP** — deny ``ecr:GetDownloadUrlForLayer`` to every IAM principal of the organization's
member accounts that is not allow-listed. One Deny statement whose conditions are ANDed,
so the exemptions are OR-ed: the Deny fires only when the caller matches *none* of them —
- ``ArnNotLikeIfExists aws:PrincipalArn`` the AllowedPrincipalArns patterns (ArnLike
  matches each ARN field on its own and ``*`` spans ``/`` within the resource, so
  ``role/*`` covers ``role/service-role/x``: the same reading as the rule's allow-list);
- the allow-list tag (``StringNotEqualsIfExists aws:PrincipalTag/<key>``, or ``Null``
  when any value counts) and the optional exclusion tag;
- optional networks: ``StringNotEqualsIfExists aws:SourceVpce`` and ``NotIpAddressIfExists
  aws:SourceIp`` (each key is absent on the other path, and …IfExists is true then).
A principal that can set its own exemption tag is not exempt by policy but by choice, so a
companion Deny (AWS's data-perimeter tag-protection pattern) stops anyone but the tag
administrators from setting or removing those tag keys on roles, users and sessions
(``sts:TagSession``: session tags count as principal tags).

**RCP** — deny ``ecr:*`` on the organization's repositories to callers outside the trusted
organizations and accounts (AWS's identity-perimeter RCP), exempting AWS service
principals, and deny service principals that act for a resource outside them
(``aws:SourceOrgID``/``aws:SourceAccount``: the confused-deputy statement).

Both are minified (whitespace counts against the size limits) and measured. Refused: a
Deny with no exemption at all (it would stop every pull in the organization), and a
policy over its limit (Organizations User Guide, "Quotas": SCPs 5,120 characters on older
pages, 10,240 since 2026; RCPs 5,120).
"""

import json
from dataclasses import dataclass, field
from typing import Any

from ecr_access.ecr_action_names import GET_DOWNLOAD_URL_FOR_LAYER

SCP_LIMITS = (5_120, 10_240)  # the older documented limit, and the raised one
RCP_LIMIT = 5_120
# Who needs to pull and is forgotten most often; none of them is a service principal, so an
# SCP reaches them (Lambda pulls as lambda.amazonaws.com through the repository policy, and
# service-linked roles are not restricted by SCPs).
COMMONLY_FORGOTTEN = (
    ("ecs-tasks.amazonaws.com", "ECS task execution roles (they pull the task's images)"),
    ("ec2.amazonaws.com", "ECS container-instance and EKS node roles"),
    ("pods.eks.amazonaws.com", "EKS Pod Identity roles"),
    ("codebuild.amazonaws.com", "CodeBuild service roles"),
    ("build.apprunner.amazonaws.com", "App Runner access roles"),
    ("sagemaker.amazonaws.com", "SageMaker execution roles"),
    ("pullthroughcache.ecr.amazonaws.com", "pull-through-cache roles"),
)
_TAG_ACTIONS = [
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:TagUser",
    "iam:UntagUser",
    "sts:TagSession",
]


class PerimeterRefused(ValueError):
    """A policy that must not be attached (no exemption, too large, an unprotected tag)."""


@dataclass(frozen=True, slots=True)
class PerimeterSettings:
    allowed_arn_patterns: tuple[str, ...] = ()
    allowed_tag_key: str | None = None
    allowed_tag_value: str | None = None  # None: any value of the key
    exclusion_tag_key: str | None = None  # principals tagged <key>=true are exempt
    tag_administrator_arns: tuple[str, ...] = ()  # who may set the two tag keys
    source_vpces: tuple[str, ...] = ()
    source_ips: tuple[str, ...] = ()
    trusted_accounts: tuple[str, ...] = ()
    trusted_organizations: tuple[str, ...] = ()
    service_principals: tuple[str, ...] = ()  # AllowedServicePrincipals: not expressible in an SCP

    @property
    def tag_keys(self) -> tuple[str, ...]:
        return tuple(k for k in (self.allowed_tag_key, self.exclusion_tag_key) if k)


@dataclass(frozen=True, slots=True)
class RenderedPolicy:
    kind: str  # SCP | RCP
    document: dict[str, Any]
    text: str  # minified, as it is attached
    warnings: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        return len(self.text)


def _minified(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


def _exemptions(settings: PerimeterSettings) -> dict[str, dict[str, Any]]:
    condition: dict[str, dict[str, Any]] = {}
    if settings.allowed_arn_patterns:
        condition["ArnNotLikeIfExists"] = {"aws:PrincipalArn": list(settings.allowed_arn_patterns)}
    not_equals: dict[str, Any] = {}
    null: dict[str, str] = {}
    if settings.allowed_tag_key:
        key = f"aws:PrincipalTag/{settings.allowed_tag_key}"
        if settings.allowed_tag_value is None:
            null[key] = "true"  # fires only when the tag is missing: any value exempts
        else:
            not_equals[key] = settings.allowed_tag_value
    if settings.exclusion_tag_key:
        not_equals[f"aws:PrincipalTag/{settings.exclusion_tag_key}"] = "true"
    if settings.source_vpces:
        not_equals["aws:SourceVpce"] = list(settings.source_vpces)
    if not_equals:
        condition["StringNotEqualsIfExists"] = not_equals
    if null:
        condition["Null"] = null
    if settings.source_ips:
        condition["NotIpAddressIfExists"] = {"aws:SourceIp": list(settings.source_ips)}
    return condition


def render_scp(settings: PerimeterSettings) -> RenderedPolicy:
    condition = _exemptions(settings)
    if not condition:
        raise PerimeterRefused(
            "no allow-listed principal, tag or network: the SCP would deny every layer download in "
            "the organization (give AllowedPrincipalArns, an allow-list tag or --source-vpce/--source-ip)"
        )
    if settings.tag_keys and not settings.tag_administrator_arns:
        raise PerimeterRefused(
            "a tag exempts principals from the SCP, so only tag administrators may set it: "
            "give --tag-administrator-arn (the data-perimeter tag-protection pattern)"
        )
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyLayerDownloadOutsideTheAllowList",
            "Effect": "Deny",
            "Action": GET_DOWNLOAD_URL_FOR_LAYER,
            "Resource": "*",
            "Condition": condition,
        }
    ]
    if settings.tag_keys:
        statements.append(
            {
                "Sid": "ProtectTheExemptionTags",
                "Effect": "Deny",
                "Action": _TAG_ACTIONS,
                "Resource": "*",
                "Condition": {
                    "ForAnyValue:StringEquals": {"aws:TagKeys": list(settings.tag_keys)},
                    "ArnNotLikeIfExists": {"aws:PrincipalArn": list(settings.tag_administrator_arns)},
                },
            }
        )
    document = {"Version": "2012-10-17", "Statement": statements}
    text = _minified(document)
    if len(text) > SCP_LIMITS[1]:
        raise PerimeterRefused(f"the SCP is {len(text):,} characters, over the {SCP_LIMITS[1]:,} limit")
    warnings = [
        f"{what} need pull: allow-list them by ARN or tag ({service})" for service, what in COMMONLY_FORGOTTEN
    ]
    if settings.service_principals:
        warnings.insert(
            0,
            "AllowedServicePrincipals cannot be expressed in an SCP (no condition key reads a role's "
            f"trust policy): roles approved by {', '.join(settings.service_principals)} lose pull unless "
            "they are also listed by ARN or tag",
        )
    if len(text) > SCP_LIMITS[0]:
        warnings.insert(0, f"{len(text):,} characters: over the older {SCP_LIMITS[0]:,}-character SCP limit")
    return RenderedPolicy("SCP", document, text, tuple(warnings))


def render_rcp(settings: PerimeterSettings) -> RenderedPolicy:
    organizations, accounts = list(settings.trusted_organizations), list(settings.trusted_accounts)
    if not organizations and not accounts:
        raise PerimeterRefused(
            "no trusted organization or account: the RCP would deny every caller of every repository"
        )

    def outside(keys: tuple[str, str]) -> dict[str, Any]:
        bounds: dict[str, Any] = {}
        if organizations:
            bounds[keys[0]] = organizations
        if accounts:
            bounds[keys[1]] = accounts
        return bounds

    statements = [
        {
            "Sid": "EnforceIdentityPerimeterOnRepositories",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "ecr:*",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": outside(("aws:PrincipalOrgID", "aws:PrincipalAccount")),
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        },
        {
            "Sid": "EnforceConfusedDeputyProtection",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "ecr:*",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": outside(("aws:SourceOrgID", "aws:SourceAccount")),
                "Null": {"aws:SourceAccount": "false"},
                "Bool": {"aws:PrincipalIsAWSService": "true"},
            },
        },
    ]
    document = {"Version": "2012-10-17", "Statement": statements}
    text = _minified(document)
    if len(text) > RCP_LIMIT:
        raise PerimeterRefused(f"the RCP is {len(text):,} characters, over the {RCP_LIMIT:,} limit")
    return RenderedPolicy("RCP", document, text)
