"""Registry changes that open exfiltration paths, judged from their CloudTrail records.

- ``SetRepositoryPolicy``: the new policy text, judged by ``analyze_repository_policy``
  (the same engine as ``ECR_REPO_NOT_PUBLIC``): PUBLIC or CROSS_ACCOUNT_UNTRUSTED is a finding.
- ``PutRegistryPolicy``: a registry policy grants other accounts replication into this
  registry's repositories (ECR User Guide, "Private registry permissions"): any principal
  outside the registry and the trusted accounts, or ``*``, is a finding.
- ``PutReplicationConfiguration``: a destination registry outside the registry and the
  trusted accounts copies every matching image out: a finding.
- ``CreatePullThroughCacheRule``: a new upstream the registry mirrors; always reported, for
  review (it changes what the registry serves and from where).
A failed call changed nothing and is not judged.
"""

from dataclasses import dataclass
from typing import Any

from ecr_access.exposure import analyze_repository_policy
from ecr_access.policy import PolicyError
from ecr_access.policy.model import Effect, PrincipalKind
from ecr_access.policy.parse import parse_policy_text

REGISTRY_EVENTS = frozenset(
    {"SetRepositoryPolicy", "PutRegistryPolicy", "PutReplicationConfiguration", "CreatePullThroughCacheRule"}
)


@dataclass(frozen=True, slots=True)
class ChangeFinding:
    event_name: str
    registry: str
    region: str
    event_time: str
    actor: str
    reasons: tuple[str, ...]
    resource: str  # the repository or registry changed


def _parameters(record: dict[str, Any]) -> dict[str, Any]:
    value = record.get("requestParameters")
    return value if isinstance(value, dict) else {}


def _untrusted_principals(text: str, trusted: frozenset[str]) -> list[str]:
    outside = []
    for statement in parse_policy_text(text).statements:
        if statement.effect is not Effect.ALLOW:
            continue
        for principal in statement.principals or ():
            anyone = principal.kind in (PrincipalKind.ANYONE, PrincipalKind.ANY_ACCOUNT)
            if anyone or (principal.account is not None and principal.account not in trusted):
                outside.append(principal.value)
        if statement.not_principals is not None:
            outside.append("everyone but the NotPrincipal list")
    return outside


def judge_registry_change(
    record: dict[str, Any], *, trusted_accounts: frozenset[str], trusted_org_ids: tuple[str, ...] = ()
) -> ChangeFinding | None:
    name = record.get("eventName")
    if (
        record.get("eventSource") != "ecr.amazonaws.com"
        or name not in REGISTRY_EVENTS
        or record.get("errorCode")
    ):
        return None
    parameters = _parameters(record)
    registry = str(parameters.get("registryId") or record.get("recipientAccountId") or "")
    region = str(record.get("awsRegion", ""))
    trusted = frozenset({registry, *trusted_accounts})
    identity = record.get("userIdentity") if isinstance(record.get("userIdentity"), dict) else {}
    context = identity.get("sessionContext") if isinstance(identity.get("sessionContext"), dict) else {}
    issuer = context.get("sessionIssuer") if isinstance(context.get("sessionIssuer"), dict) else {}
    actor = str(issuer.get("arn") or identity.get("arn") or identity.get("invokedBy") or "unknown")
    resource = f"arn:aws:ecr:{region}:{registry}:repository/{parameters.get('repositoryName', '')}"
    reasons: list[str] = []
    try:
        if name == "SetRepositoryPolicy":
            exposure = analyze_repository_policy(
                parameters.get("policyText"),
                owner_account=registry,
                trusted_accounts=sorted(trusted_accounts),
                trusted_org_ids=trusted_org_ids,
                repository_arn=resource,
            )
            reasons = [f"{f.verdict.value}: {f.describe()}" for f in exposure.findings]
        elif name == "PutRegistryPolicy":
            resource = f"arn:aws:ecr:{region}:{registry}:registry"
            outside = _untrusted_principals(str(parameters.get("policyText") or "{}"), trusted)
            reasons = [f"the registry policy grants {who}, outside the trusted accounts" for who in outside]
        elif name == "PutReplicationConfiguration":
            resource = f"arn:aws:ecr:{region}:{registry}:registry"
            configuration = parameters.get("replicationConfiguration") or {}
            for rule in configuration.get("rules") or ():
                for destination in (rule or {}).get("destinations") or ():
                    target = str((destination or {}).get("registryId", ""))
                    if target not in trusted:
                        reasons.append(
                            f"replicates to registry {target} in {destination.get('region')}, not trusted"
                        )
        else:
            upstream = parameters.get("upstreamRegistryUrl", "an upstream registry")
            reasons = [
                f"a pull-through cache for {upstream} (prefix {parameters.get('ecrRepositoryPrefix')})"
            ]
    except (PolicyError, ValueError, TypeError, AttributeError) as exc:
        reasons = [f"the change could not be judged (never assumed harmless): {exc}"]
    if not reasons:
        return None
    return ChangeFinding(
        str(name), registry, region, str(record.get("eventTime", "")), actor, tuple(reasons), resource
    )
