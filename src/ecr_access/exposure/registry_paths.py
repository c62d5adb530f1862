"""Registry-level paths that copy images out of (or into) a registry without any repository policy.

- **Registry policy** (``GetRegistryPolicy``): grants other accounts ``ecr:ReplicateImage``,
  ``ecr:CreateRepository`` and ``ecr:BatchImportUpstreamImage`` on this registry (ECR User
  Guide, "Private registry permissions"). Judged by the same exposure engine as repository
  policies (conditions count): a grant reaching outside the trusted zone is a path.
- **Replication** (``DescribeRegistry``: ``replicationConfiguration.rules[].destinations[]``):
  a destination registry outside the owner and the trusted accounts receives a copy of every
  matching image (ECR User Guide, "Private image replication").
- **Pull-through cache rules** (``DescribePullThroughCacheRules``) whose upstream is another ECR
  registry (``<account>.dkr.ecr.<region>.amazonaws.com``) outside the owner and the trusted
  accounts: that registry's images are served as this registry's own.
An account id names no organization, so a destination or upstream is trusted only when its
account is the owner or in the trusted accounts (list same-organization accounts there):
the reading that never reports an exposure as safe.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from ecr_access.exposure.analyze import analyze_parsed_policy
from ecr_access.policy.parse import parse_policy_text


def registry_policy_problems(
    text: str | None,
    *,
    owner_account: str,
    trusted_accounts: Iterable[str] = (),
    trusted_org_ids: Iterable[str] = (),
) -> list[str]:
    """Raises PolicyError for a policy that cannot be judged."""
    if text is None or not text.strip() or text.strip() == "{}":
        return []
    exposure = analyze_parsed_policy(
        parse_policy_text(text),
        owner_account=owner_account,
        trusted_accounts=trusted_accounts,
        trusted_org_ids=trusted_org_ids,
    )
    return [f"the registry policy's {f.describe()}" for f in exposure.findings]


def replication_problems(
    configuration: Mapping[str, Any] | None, *, owner_account: str, trusted_accounts: Iterable[str] = ()
) -> list[str]:
    """Raises ValueError for a configuration of another shape (never read as "no destination")."""
    trusted = {owner_account, *trusted_accounts}
    problems = []
    rules = (configuration or {}).get("rules") or []
    if not isinstance(rules, list):
        raise ValueError("replicationConfiguration.rules is not a list")
    for rule in rules:
        destinations = rule.get("destinations") if isinstance(rule, Mapping) else None
        if not isinstance(destinations, list) or not all(isinstance(d, Mapping) for d in destinations):
            raise ValueError("a replication rule has no list of destinations")
        for destination in destinations:
            target = str(destination.get("registryId", ""))
            if target not in trusted:
                problems.append(
                    f"replication copies images to registry {target or 'unknown'} in "
                    f"{destination.get('region')}, not trusted"
                )
    return problems


def _upstream_account(url: Any) -> str | None:
    """``123456789012.dkr.ecr.us-east-1.amazonaws.com`` → its account; None for any other upstream."""
    if not isinstance(url, str):
        return None
    parts = url.split(".")
    if len(parts) >= 5 and parts[1:3] == ["dkr", "ecr"] and parts[0].isdigit() and len(parts[0]) == 12:
        return parts[0]
    return None


def pull_through_cache_problems(
    rules: Iterable[Mapping[str, Any]], *, owner_account: str, trusted_accounts: Iterable[str] = ()
) -> list[str]:
    trusted = {owner_account, *trusted_accounts}
    problems = []
    for rule in rules:
        account = _upstream_account(rule.get("upstreamRegistryUrl"))
        if account is not None and account not in trusted:
            prefix = rule.get("ecrRepositoryPrefix")
            problems.append(f"pull-through cache {prefix!r} mirrors ECR registry {account}, not trusted")
    return problems
