"""ecr-access: keep private Amazon ECR image layers private.

Public API (documented in the README):
- ``analyze_repository_policy``: is a repository policy PUBLIC,
  CROSS_ACCOUNT_UNTRUSTED or RESTRICTED, and which statements make it so.
"""

from ecr_access.exposure import ExposureVerdict, Finding, RepositoryExposure, analyze_repository_policy
from ecr_access.policy import PolicyError

__all__ = ["ExposureVerdict", "Finding", "PolicyError", "RepositoryExposure", "analyze_repository_policy"]
