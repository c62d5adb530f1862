"""Registry changes that open exfiltration paths, judged from their CloudTrail records.

- ``SetRepositoryPolicy``: the new policy text, judged by ``analyze_repository_policy``
  (the same engine as ``ECR_REPO_NOT_PUBLIC``): PUBLIC or CROSS_ACCOUNT_UNTRUSTED is a finding.
- ``PutRegistryPolicy`` and ``PutReplicationConfiguration``: judged exactly as
  ``ECR_REPO_NOT_PUBLIC`` judges the registry's standing settings
  (exposure/registry_paths.py): a grant reaching outside the trusted zone, or a
  destination registry outside the owner and the trusted accounts, is a finding.
- ``CreatePullThroughCacheRule``: a new upstream the registry mirrors; always reported, for
  review (it changes what the registry serves and from where).
A failed call changed nothing and is not judged.
"""

from dataclasses import dataclass
from typing import Any

from ecr_access.exposure import analyze_repository_policy
from ecr_access.exposure.registry_paths import registry_policy_problems, replication_problems
from ecr_access.policy import PolicyError

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
            reasons = registry_policy_problems(
                str(parameters.get("policyText") or "{}"),
                owner_account=registry,
                trusted_accounts=sorted(trusted_accounts),
                trusted_org_ids=trusted_org_ids,
            )
        elif name == "PutReplicationConfiguration":
            resource = f"arn:aws:ecr:{region}:{registry}:registry"
            configuration = parameters.get("replicationConfiguration")
            reasons = replication_problems(
                configuration if isinstance(configuration, dict) else {},
                owner_account=registry,
                trusted_accounts=trusted_accounts,
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
