"""The immutable policy model every analysis works on.

A document is parsed once (see ``parse.py``) into these frozen objects; the
exposure and permission analyses only read them.
"""

from dataclasses import dataclass

from ecr_access.policy.identity_enum import IdentityEnum
from ecr_access.policy.variables import Template
from ecr_access.policy.wildcard import wildcard_match


class Effect(IdentityEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class PolicyVersion(IdentityEnum):
    V2012 = "2012-10-17"
    V2008 = "2008-10-17"
    ABSENT = ""

    @property
    def variables_enabled(self) -> bool:
        # Policy variables were introduced with 2012-10-17; other versions read
        # "${...}" literally (IAM User Guide, "IAM JSON policy elements: Version").
        return self is PolicyVersion.V2012


class PrincipalKind(IdentityEnum):
    ANYONE = "anyone"  # "*" or {"AWS": "*"}
    ANY_ACCOUNT = "any-account"  # an ARN whose account field is a wildcard
    ACCOUNT = "account"  # "123456789012" or arn:aws:iam::123456789012:root
    IAM_PRINCIPAL = "iam-principal"  # role, user, assumed-role or federated-user ARN
    UNIQUE_ID = "unique-id"  # AROA…/AIDA… left behind by a deleted principal
    SERVICE = "service"  # "ecs-tasks.amazonaws.com"
    SAML_PROVIDER = "saml-provider"  # users federated through one account's SAML provider
    WEB_IDENTITY = "web-identity"  # any user of a web identity / OIDC provider
    CANONICAL_USER = "canonical-user"  # an S3 canonical user id


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    value: str  # as written in the policy
    account: str | None = None  # the 12-digit account it belongs to, when one is named


class OperatorFamily(IdentityEnum):
    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP_ADDRESS = "IpAddress"
    ARN = "Arn"
    NULL = "Null"
    UNKNOWN = "Unknown"


class Comparison(IdentityEnum):
    EQUALS = "Equals"
    LIKE = "Like"  # String/ARN pattern match with * and ?
    LESS_THAN = "LessThan"
    LESS_THAN_EQUALS = "LessThanEquals"
    GREATER_THAN = "GreaterThan"
    GREATER_THAN_EQUALS = "GreaterThanEquals"
    IN_RANGE = "InRange"  # IpAddress
    IS_NULL = "IsNull"  # Null
    UNKNOWN = "Unknown"


class SetOperator(IdentityEnum):
    NONE = ""
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


@dataclass(frozen=True, slots=True)
class ConditionOperator:
    name: str  # as written, e.g. "ForAnyValue:StringNotLikeIfExists"
    family: OperatorFamily
    comparison: Comparison
    negated: bool = False
    ignore_case: bool = False
    if_exists: bool = False
    set_operator: SetOperator = SetOperator.NONE

    @property
    def wildcards(self) -> bool:
        # ArnEquals and ArnLike both accept * and ? in each ARN field
        # (IAM User Guide, "Condition operators: ARN").
        return self.comparison is Comparison.LIKE or self.family is OperatorFamily.ARN

    @property
    def known(self) -> bool:
        return self.family is not OperatorFamily.UNKNOWN


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One ``operator: {key: values}`` test; a statement's clauses are ANDed."""

    operator: ConditionOperator
    key: str  # lower-cased: condition key names are case-insensitive
    key_as_written: str
    values: tuple[Template, ...]

    def describe(self) -> str:
        shown = ", ".join(v.text for v in self.values[:3]) + (", …" if len(self.values) > 3 else "")
        return f"{self.operator.name} {self.key_as_written} {shown}"


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """``Action`` (``negated=False``) or ``NotAction`` patterns. Actions are case-insensitive."""

    patterns: tuple[str, ...]
    negated: bool = False

    def matches(self, action: str) -> bool:
        hit = any(wildcard_match(p, action, case_sensitive=False) for p in self.patterns)
        return hit != self.negated


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """``Resource`` or ``NotResource`` patterns. ARNs are case-sensitive."""

    patterns: tuple[Template, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: Effect
    actions: ActionSpec
    principals: tuple[Principal, ...] | None = None  # None when the element is absent
    not_principals: tuple[Principal, ...] | None = None
    resources: ResourceSpec | None = None  # None when neither Resource nor NotResource is given
    conditions: tuple[ConditionClause, ...] = ()

    @property
    def label(self) -> str:
        """How a person finds this statement: ``"pub" (#0)`` or ``#0``."""
        return f'"{self.sid}" (#{self.index})' if self.sid else f"#{self.index}"


@dataclass(frozen=True, slots=True)
class Policy:
    version: PolicyVersion
    statements: tuple[Statement, ...]
