"""VPC endpoint policies for ECR and S3: who may use the endpoint, and what it reaches.

An endpoint policy is a resource-based policy on the endpoint that "controls which AWS
principals can use the endpoint to access an AWS service"; it must contain a Principal,
is at most 20,480 characters, and an endpoint without one gets the default full-access
policy (VPC User Guide, "Control access to VPC endpoints using endpoint policies").

ECR interface endpoints (``ecr.api``, ``ecr.dkr``) follow AWS's data-perimeter pattern,
which bounds both sides (aws-samples/data-perimeter-policy-examples, ``ecr.api`` endpoint
policy):
- *principals*: judged by the same exposure engine as repository policies (a grant not
  bounded to the trusted accounts/organizations reaches outsiders), with AWS service
  principals exempt (the pattern's ``aws:PrincipalIsAWSService`` statement);
- *registries*: every Allow that reaches IAM principals must be bounded to registries of
  the owner, the trusted accounts and organizations, or the named third-party registries
  — by its Resource ARNs' account field, by ``StringEquals`` on ``aws:ResourceOrgID`` /
  ``aws:ResourceAccount``, or by a Deny of the recognised shape ``StringNotEquals`` on
  those keys (services exempt). An unbounded registry side lets a workload push images
  to, or pull from, anyone's registry through your network.
Anything not recognised as a bound is no bound (unknown is never compliant): e.g. a
tag-based exception, ``...IfExists`` (the key is absent for accounts outside an
organization), set operators, policy variables.

S3 gateway endpoints: layers download from ``prod-<region>-starport-layer-bucket`` with
a URL ECR signs, so the request's principal is not yours; the policy must allow
``s3:GetObject`` there to Principal ``*`` without conditions, and no Deny may touch it
(else pulls break). With ``layer_bucket_only`` every other bucket it allows is reported.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ecr_access.ecr_actions import REPOSITORY_ACTIONS, repository_actions_granted
from ecr_access.exposure.analyze import analyze_parsed_policy
from ecr_access.exposure.caller_classes import CallerClass, clause_for_class
from ecr_access.policy.json_text import decoded_text
from ecr_access.policy.model import (
    Comparison,
    ConditionClause,
    Effect,
    OperatorFamily,
    Policy,
    PrincipalKind,
    SetOperator,
    Statement,
)
from ecr_access.policy.parse import parse_policy_text
from ecr_access.policy.wildcard import has_wildcard, wildcard_match

ENDPOINT_POLICY_MAX_CHARS = 20_480
DEFAULT_POLICY = {"Statement": [{"Action": "*", "Effect": "Allow", "Principal": "*", "Resource": "*"}]}
_RESOURCE_KEYS = ("aws:resourceorgid", "aws:resourceaccount")


class EndpointKind(Enum):
    ECR_API = "ecr.api"
    ECR_DKR = "ecr.dkr"
    S3_GATEWAY = "s3 gateway"
    OTHER = "other"


def endpoint_kind(service_name: Any, endpoint_type: Any) -> EndpointKind:
    """``com.amazonaws.<region>.ecr.api`` (or ``cn.com.amazonaws…``) and the like."""
    if not isinstance(service_name, str):
        return EndpointKind.OTHER
    parts = service_name.split(".")
    kind = str(endpoint_type or "").lower()
    if parts[-2:] in (["ecr", "api"], ["ecr", "dkr"]) and kind == "interface":
        return EndpointKind.ECR_API if parts[-1] == "api" else EndpointKind.ECR_DKR
    if parts[-1] == "s3" and kind == "gateway":
        return EndpointKind.S3_GATEWAY
    return EndpointKind.OTHER


@dataclass(frozen=True, slots=True)
class EndpointJudgement:
    problems: tuple[str, ...]  # empty: compliant

    @property
    def compliant(self) -> bool:
        return not self.problems


def _parse(policy: str | Mapping[str, Any] | None) -> tuple[Policy, bool]:
    """The policy and whether it is the default one (none attached means the default)."""
    if policy is None or (isinstance(policy, str) and not policy.strip()):
        return parse_policy_text(json.dumps(DEFAULT_POLICY)), True
    if isinstance(policy, Mapping):
        policy = decoded_text(policy)
    parsed = parse_policy_text(policy, max_chars=ENDPOINT_POLICY_MAX_CHARS)
    # the default's one statement, whatever the Version says (AWS writes 2008-10-17)
    return parsed, parsed.statements == parse_policy_text(json.dumps(DEFAULT_POLICY)).statements


def _is_exact_match(clause: ConditionClause) -> bool:
    operator = clause.operator
    return (
        operator.family is OperatorFamily.STRING
        and operator.comparison in (Comparison.EQUALS, Comparison.LIKE)
        and not operator.if_exists
        and operator.set_operator is SetOperator.NONE
        and all(not v.has_variables and not has_wildcard(v.text) for v in clause.values)
    )


def _inside(clause: ConditionClause, accounts: frozenset[str], organizations: frozenset[str]) -> bool:
    allowed = organizations if clause.key == "aws:resourceorgid" else accounts
    return bool(clause.values) and all(v.text in allowed for v in clause.values)


def _resources_bounded(statement: Statement, accounts: frozenset[str]) -> bool:
    """Every Resource ARN names a fixed account among ``accounts`` (ARN field 5)."""
    resources = statement.resources
    if resources is None or resources.negated or not resources.patterns:
        return False
    for pattern in resources.patterns:
        fields = pattern.text.split(":", 5)
        if pattern.has_variables or len(fields) < 6 or fields[4] not in accounts:
            return False
    return True


def _only_services(statement: Statement) -> bool:
    """It reaches no IAM principal: only service principals, or a clause that fails for all IAM ones."""
    if statement.principals and all(p.kind is PrincipalKind.SERVICE for p in statement.principals):
        return True
    return any(clause_for_class(c, CallerClass.IAM_PRINCIPAL) is False for c in statement.conditions)


def _bounding_deny(statement: Statement, accounts: frozenset[str], organizations: frozenset[str]) -> bool:
    """A Deny of every ECR action to anyone on anything unless the resource is inside: the Deny form
    of the bound (its negated clauses on resource keys; besides them, only a services exemption)."""
    if statement.effect is not Effect.DENY or statement.not_principals is not None:
        return False
    principals = statement.principals
    if principals is not None and not any(p.kind is PrincipalKind.ANYONE for p in principals):
        return False
    if not all(statement.actions.matches(a) for a in REPOSITORY_ACTIONS):
        return False
    if statement.resources is not None and (
        statement.resources.negated or [p.text for p in statement.resources.patterns] != ["*"]
    ):
        return False
    bounds = 0
    for clause in statement.conditions:
        operator = clause.operator
        if clause.key in _RESOURCE_KEYS and operator.negated and operator.family is OperatorFamily.STRING:
            plain = operator.set_operator is SetOperator.NONE and operator.comparison is Comparison.EQUALS
            if not plain or not _inside(clause, accounts, organizations):
                return False
            bounds += 1
        elif clause_for_class(clause, CallerClass.IAM_PRINCIPAL) is not True:
            return False  # an exception other than "services are not denied"
    return bounds > 0


def _registry_problem(
    statement: Statement, accounts: frozenset[str], organizations: frozenset[str]
) -> str | None:
    if statement.effect is not Effect.ALLOW or not repository_actions_granted(statement.actions):
        return None
    if _only_services(statement) or _resources_bounded(statement, accounts):
        return None
    if any(
        c.key in _RESOURCE_KEYS and _is_exact_match(c) and _inside(c, accounts, organizations)
        for c in statement.conditions
    ):
        return None
    return (
        f"Statement {statement.label} lets the endpoint reach registries outside the trusted "
        "organizations, accounts and third-party registries (neither aws:ResourceOrgID/aws:ResourceAccount "
        "nor its Resource bounds it to them)"
    )


def judge_ecr_endpoint_policy(
    policy: str | Mapping[str, Any] | None,
    *,
    owner_account: str,
    trusted_accounts: Iterable[str] = (),
    trusted_org_ids: Iterable[str] = (),
    third_party_registry_accounts: Iterable[str] = (),
) -> EndpointJudgement:
    """Raises PolicyError for a document that cannot be judged."""
    parsed, is_default = _parse(policy)
    trusted_accounts, trusted_org_ids = tuple(trusted_accounts), tuple(trusted_org_ids)
    if is_default:
        default = (
            "the default full-access endpoint policy (Principal *, Action *, Resource *): any principal "
            "may use the endpoint to reach any registry"
        )
        return EndpointJudgement((default,))
    problems: list[str] = []
    text = json.dumps(policy) if isinstance(policy, Mapping) else str(policy)
    if "${aws:resource" in text.lower():
        # In a repository policy ${aws:ResourceAccount} is the owner; through an endpoint it is whichever
        # registry is called, so a principal bound by it is bound to nothing fixed.
        problems.append(
            "a condition uses ${aws:ResourceAccount}/${aws:ResourceOrgID}, which an endpoint cannot "
            "bound to fixed accounts"
        )
    exposure = analyze_parsed_policy(
        parsed,
        owner_account=owner_account,
        trusted_accounts=trusted_accounts,
        trusted_org_ids=trusted_org_ids,
        services_exempt=True,
    )
    problems.extend(f"Statement {f.statement_label} {f.reason}" for f in exposure.findings)
    accounts = frozenset({owner_account, *trusted_accounts, *third_party_registry_accounts})
    organizations = frozenset(trusted_org_ids)
    if not any(_bounding_deny(s, accounts, organizations) for s in parsed.statements):
        problems.extend(p for s in parsed.statements if (p := _registry_problem(s, accounts, organizations)))
    return EndpointJudgement(tuple(problems))


def layer_bucket(region: str, partition: str = "aws") -> str:
    """The bucket ECR serves layers from (ECR User Guide, "Amazon ECR interface VPC endpoints":
    the S3 gateway endpoint policy must allow ``prod-<region>-starport-layer-bucket``)."""
    return f"arn:{partition}:s3:::prod-{region}-starport-layer-bucket"


def _covers(statement: Statement, action: str, arn: str) -> bool:
    if not statement.actions.matches(action):
        return False
    resources = statement.resources
    if resources is None:
        return True
    hit = any(wildcard_match(p.text, arn, case_sensitive=True) or p.has_variables for p in resources.patterns)
    return hit != resources.negated


def _to_anyone(statement: Statement) -> bool:
    return statement.not_principals is None and (
        statement.principals is None
        or any(p.kind in (PrincipalKind.ANYONE, PrincipalKind.ANY_ACCOUNT) for p in statement.principals)
    )


def judge_s3_gateway_policy(
    policy: str | Mapping[str, Any] | None,
    *,
    region: str,
    layer_bucket_only: bool = False,
    partition: str = "aws",
) -> EndpointJudgement:
    parsed, _ = _parse(policy)
    bucket = layer_bucket(region, partition)
    layer = f"{bucket}/sha256/0123456789abcdef"
    problems: list[str] = []
    allows = [
        s
        for s in parsed.statements
        if s.effect is Effect.ALLOW
        and not s.conditions
        and _to_anyone(s)
        and _covers(s, "s3:GetObject", layer)
    ]
    if not allows:
        problems.append(
            f"no statement allows s3:GetObject on {bucket}/* to Principal * without conditions: image pulls "
            "through this VPC fail (ECR signs the layer URL, so the request's principal is not yours)"
        )
    for deny in (
        s for s in parsed.statements if s.effect is Effect.DENY and _covers(s, "s3:GetObject", layer)
    ):
        problems.append(f"Statement {deny.label} denies (or may deny) s3:GetObject on {bucket}/*: pulls fail")
    if layer_bucket_only:
        for statement in parsed.statements:
            if statement.effect is not Effect.ALLOW:
                continue
            resources = statement.resources
            others = (
                ["any bucket"]
                if resources is None or resources.negated
                # only this Region's bucket itself: a wildcard could name a bucket anyone may create
                else [
                    p.text
                    for p in resources.patterns
                    if p.text != bucket and not p.text.startswith(bucket + "/")
                ]
            )
            if others:
                problems.append(
                    f"Statement {statement.label} allows buckets besides the layer bucket "
                    f"({', '.join(others[:3])}): a path out for layers and anything else "
                    "(RequireS3LayerBucketOnly)"
                )
    return EndpointJudgement(tuple(problems))
