"""ecr-access: keep private Amazon ECR image layers private.

Public API (documented in docs/engine.md):
- ``analyze_repository_policy``: is a repository policy PUBLIC,
  CROSS_ACCOUNT_UNTRUSTED or RESTRICTED, and which statements make it so.
- ``evaluate_principal``: is an IAM user or role ALLOWED, DENIED or CONDITIONAL
  to call ``ecr:GetDownloadUrlForLayer``, and which statement decided it;
  ``PullEvaluator`` asks it of many principals, on any repository of their own
  account or of other accounts' registries.
- ``load_authorization_details`` / ``load_config_items``: principals as AWS hands them over.
"""

from ecr_access.exposure import ExposureVerdict, Finding, RepositoryExposure, analyze_repository_policy
from ecr_access.loaders import AccountAuthorization, load_authorization_details, load_config_items
from ecr_access.permissions import (
    AccessDecision,
    AccessVerdict,
    IamPrincipal,
    PermissionEvaluator,
    PullEvaluator,
    Registry,
    RegistryRepository,
    evaluate_principal,
)
from ecr_access.policy import PolicyError

__all__ = [
    "AccessDecision",
    "AccessVerdict",
    "AccountAuthorization",
    "ExposureVerdict",
    "Finding",
    "IamPrincipal",
    "PermissionEvaluator",
    "PolicyError",
    "PullEvaluator",
    "Registry",
    "RegistryRepository",
    "RepositoryExposure",
    "analyze_repository_policy",
    "evaluate_principal",
    "load_authorization_details",
    "load_config_items",
]
