"""A registry's own settings that move images: its policy, replication and pull-through cache rules.

Three reads per Region: ``DescribeRegistry`` (the registry id and replication configuration),
``GetRegistryPolicy`` (``RegistryPolicyNotFoundException``: no policy) and
``DescribePullThroughCacheRules`` (paginated). Any other failure leaves the record unread,
named in ``failure``: never "no path".
"""

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.sources.aws_errors import describe_error


@dataclass(frozen=True, slots=True)
class RegistryPaths:
    registry_id: str | None
    policy_text: str | None = None
    replication: dict[str, Any] = field(default_factory=dict)
    cache_rules: tuple[dict[str, Any], ...] = ()
    failure: str | None = None  # set: the record is incomplete and must not be judged


def read_registry_paths(ecr: Any) -> RegistryPaths:
    try:
        registry = ecr.describe_registry()
        registry_id = registry["registryId"]
    except (ClientError, BotoCoreError, KeyError) as exc:
        return RegistryPaths(None, failure=f"registry: {describe_error(exc, 'ecr')}")
    try:
        try:
            policy = ecr.get_registry_policy()["policyText"]
        except ClientError as exc:
            if exc.response["Error"].get("Code") != "RegistryPolicyNotFoundException":
                raise
            policy = None
        rules = [
            rule
            for page in ecr.get_paginator("describe_pull_through_cache_rules").paginate()
            for rule in page.get("pullThroughCacheRules", ())
        ]
    except (ClientError, BotoCoreError, KeyError) as exc:
        return RegistryPaths(registry_id, failure=f"registry {registry_id}: {describe_error(exc, 'ecr')}")
    return RegistryPaths(registry_id, policy, registry.get("replicationConfiguration") or {}, tuple(rules))
