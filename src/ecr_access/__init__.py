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

# Imported on first use (PEP 562): a rule Lambda, a runbook or a subcommand loads only the engine it
# needs, not the whole package (issue "Performance": cold start).
from ecr_access.lazy_names import lazy_attributes

_SOURCES = {
    "ExposureVerdict": "ecr_access.exposure",
    "Finding": "ecr_access.exposure",
    "RepositoryExposure": "ecr_access.exposure",
    "analyze_repository_policy": "ecr_access.exposure",
    "AccountAuthorization": "ecr_access.loaders",
    "load_authorization_details": "ecr_access.loaders",
    "load_config_items": "ecr_access.loaders",
    "AccessDecision": "ecr_access.permissions",
    "AccessVerdict": "ecr_access.permissions",
    "IamPrincipal": "ecr_access.permissions",
    "PermissionEvaluator": "ecr_access.permissions",
    "PullEvaluator": "ecr_access.permissions",
    "Registry": "ecr_access.permissions",
    "RegistryRepository": "ecr_access.permissions",
    "evaluate_principal": "ecr_access.permissions",
    "PolicyError": "ecr_access.policy",
}


__getattr__ = lazy_attributes("ecr_access", _SOURCES, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *_SOURCES])


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
