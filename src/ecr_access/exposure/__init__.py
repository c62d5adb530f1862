"""Repository-policy exposure: who outside the zone of trust can reach a repository."""

from ecr_access.exposure.analyze import ECR_POLICY_MAX_CHARS, analyze_repository_policy
from ecr_access.exposure.verdict import ExposureVerdict, Finding, RepositoryExposure

__all__ = [
    "ECR_POLICY_MAX_CHARS",
    "ExposureVerdict",
    "Finding",
    "RepositoryExposure",
    "analyze_repository_policy",
]
