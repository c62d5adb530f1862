"""Effective permission of IAM principals: can this user or role call an ECR action?"""

from ecr_access.permissions.decision import AccessDecision, AccessVerdict
from ecr_access.permissions.evaluate import PermissionEvaluator, evaluate_principal
from ecr_access.permissions.principal import (
    AttachedPolicy,
    IamPrincipal,
    PolicySource,
    PolicySourceKind,
    PrincipalType,
)
from ecr_access.permissions.pull_reach import PullEvaluator
from ecr_access.permissions.registries import Registry, RegistryRepository

__all__ = [
    "AccessDecision",
    "AccessVerdict",
    "AttachedPolicy",
    "IamPrincipal",
    "PermissionEvaluator",
    "PolicySource",
    "PolicySourceKind",
    "PrincipalType",
    "PullEvaluator",
    "Registry",
    "RegistryRepository",
    "evaluate_principal",
]
