"""Other accounts' registries, as far as their repository policies are known.

A cross-account pull needs both sides to allow it (IAM User Guide, "Cross-account policy
evaluation logic"): the caller's identity side and the repository's policy in the other
account. Where that account's repository policies were read, the resource side is decided
exactly; where they were not, a grant on the identity side depends on them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from ecr_access.ecr_quotas import ECR_POLICY_MAX_CHARS
from ecr_access.permissions.principal import AttachedPolicy
from ecr_access.policy.errors import PolicyError
from ecr_access.policy.model import Policy
from ecr_access.policy.parse import parse_policy_text


@dataclass(frozen=True, slots=True)
class RegistryRepository:
    arn: str
    policy: Policy | None  # None: the repository has no policy (or it could not be read: problem)
    problem: str | None = None  # the policy exists but could not be read or parsed


@dataclass(frozen=True, slots=True)
class Registry:
    """One account's repositories (in the Regions read) with their policies and its RCP levels."""

    account: str
    repositories: tuple[RegistryRepository, ...]
    rcps: Sequence[Sequence[AttachedPolicy]] = ()
    complete: bool = True  # False: some repositories could not be listed or read
    problem: str | None = None  # why it is incomplete


def repository_of(arn: str, policy_text: str | None) -> RegistryRepository:
    """A repository from its policy as ECR returns it (None: it has none)."""
    if policy_text is None:
        return RegistryRepository(arn, None)
    try:
        return RegistryRepository(arn, parse_policy_text(policy_text, max_chars=ECR_POLICY_MAX_CHARS))
    except PolicyError as exc:
        return RegistryRepository(arn, None, f"the policy could not be parsed: {exc}")


def in_stable_order(
    repositories: "list[RegistryRepository] | tuple[RegistryRepository, ...]",
) -> tuple[RegistryRepository, ...]:
    """Repositories with a policy first (their reasons say the most), then by ARN: the same registry
    always gives the same answer and reason, however its reads finished."""
    return tuple(sorted(repositories, key=lambda r: (r.policy is None and r.problem is None, r.arn)))
