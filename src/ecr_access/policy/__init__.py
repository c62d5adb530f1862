"""The IAM policy language, parsed once into immutable objects."""

from ecr_access.policy.errors import PolicyError
from ecr_access.policy.model import (
    ActionSpec,
    Comparison,
    ConditionClause,
    ConditionOperator,
    Effect,
    OperatorFamily,
    Policy,
    PolicyVersion,
    Principal,
    PrincipalKind,
    ResourceSpec,
    SetOperator,
    Statement,
)
from ecr_access.policy.parse import parse_document, parse_policy_text

__all__ = [
    "ActionSpec",
    "Comparison",
    "ConditionClause",
    "ConditionOperator",
    "Effect",
    "OperatorFamily",
    "Policy",
    "PolicyError",
    "PolicyVersion",
    "Principal",
    "PrincipalKind",
    "ResourceSpec",
    "SetOperator",
    "Statement",
    "parse_document",
    "parse_policy_text",
]
