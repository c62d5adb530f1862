"""Another account's registry — its repositories and their policies — read for a cross-account question.

The rule reads each account of ``RegistryAccountIds`` through the execution role in that
account (the same ``ExecutionRoleName`` the member stack creates everywhere), in each of
``RegistryRegions``. Whatever cannot be read leaves the registry incomplete, and an
incomplete registry never makes a grant look denied: its unread repositories count as
"depends on their policies" (PermissionEvaluator's ``foreign_policies_unknown``).
"""

from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_access.config_rules.deadline import Deadline
from ecr_access.permissions.registries import Registry, RegistryRepository, in_stable_order, repository_of
from ecr_access.sources.aws_errors import describe_error
from ecr_access.sources.ecr_repositories import sweep_repositories


def read_registry(
    ecr_client: Callable[[str], Any],
    account: str,
    regions: Iterable[str],
    *,
    deadline: Deadline,
    rcps: tuple = (),
) -> Registry:
    """``ecr_client(region)``: an ECR client acting in ``account``. Never raises for AWS errors."""
    repositories: list[RegistryRepository] = []
    problems: list[str] = []
    for region in regions:
        try:
            sweep = sweep_repositories(ecr_client(region), deadline=deadline)
        except (ClientError, BotoCoreError) as exc:
            problems.append(f"{region}: {describe_error(exc, 'ecr')}")
            continue
        repositories.extend(repository_of(r.arn, r.policy_text) for r in sweep.records)
        if not sweep.listing_complete or sweep.failures or sweep.unreached:
            reasons = [*sweep.failures[:2], *(["not all listed"] if not sweep.listing_complete else [])]
            if sweep.unreached:
                reasons.append(f"{len(sweep.unreached)} not read before the deadline")
            problems.append(f"{region}: {'; '.join(reasons)}")
    # Reads finish in any order (a thread pool).
    return Registry(account, in_stable_order(repositories), rcps, not problems, "; ".join(problems) or None)


def unreadable_registry(account: str, exc: Exception) -> Registry:
    """A registry whose account could not be entered at all (AssumeRole refused, …)."""
    return Registry(
        account, (), (), False, f"its repositories could not be read: {describe_error(exc, 'sts')}"
    )
