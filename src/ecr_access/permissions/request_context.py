"""What is known about a request before it is made.

Evaluating a principal's standing permission, some condition keys are settled by
the principal and the repository (IAM User Guide, "AWS global condition context
keys"): ``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``
(``User`` for a user, ``AssumedRole`` for a role session), ``aws:username``
(users only — absent for roles), ``aws:userid`` (a user's unique id),
``aws:PrincipalTag/*`` (when the input carries the tags), ``aws:RequestedRegion``
and ``aws:ResourceAccount`` (from the repository ARN), ``aws:CurrentTime`` and
``aws:EpochTime`` (the evaluation time), ``aws:SecureTransport`` (the ECR API is
HTTPS only) and ``aws:PrincipalIsAWSService`` (false for IAM principals). Everything
else — source IP, VPC endpoint, MFA, session age, resource and request tags — is a
request fact, unknown here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from ecr_access.policy.identity_enum import IdentityEnum


class KeyState(IdentityEnum):
    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RequestContext:
    values: Mapping[str, tuple[str, ...]]  # lower-case key -> its known values
    absent: frozenset[str] = frozenset()  # keys known to be missing from the request
    absent_prefixes: tuple[str, ...] = ()  # e.g. "aws:principaltag/" when the tags are all known
    now_epoch: float | None = None

    def lookup(self, key: str) -> tuple[str, ...] | KeyState:
        known = self.values.get(key)
        if known is not None:
            return known
        if key in self.absent or key.startswith(self.absent_prefixes or ("\0",)):
            return KeyState.ABSENT
        return KeyState.UNKNOWN


@dataclass(frozen=True, slots=True)
class PrincipalFacts:
    """What the context needs to know about the caller."""

    arn: str
    account: str
    is_user: bool
    name: str
    unique_id: str
    tags: Mapping[str, str] | None = field(default=None)  # None: not known


def request_values(
    *, region: str | None, resource_account: str | None, now_epoch: float, organization_id: str | None = None
) -> dict[str, tuple[str, ...]]:
    """The known keys that do not depend on the principal (computed once per target)."""
    values: dict[str, tuple[str, ...]] = {
        "aws:securetransport": ("true",),
        "aws:principalisawsservice": ("false",),
        "aws:currenttime": (str(now_epoch),),
        "aws:epochtime": (str(int(now_epoch)),),
    }
    if region is not None:
        values["aws:requestedregion"] = (region,)
    if resource_account is not None:
        values["aws:resourceaccount"] = (resource_account,)
    if organization_id is not None:
        values["aws:principalorgid"] = (organization_id,)
    return values


_ABSENT_FOR_ROLES = frozenset({"aws:principalservicename", "aws:principalservicenamelist", "aws:username"})
_ABSENT_FOR_USERS = frozenset({"aws:principalservicename", "aws:principalservicenamelist"})


def build_context(
    facts: PrincipalFacts, request: Mapping[str, tuple[str, ...]], now_epoch: float
) -> RequestContext:
    values = dict(request)
    values["aws:principalarn"] = (facts.arn,)
    values["aws:principalaccount"] = (facts.account,)
    values["aws:principaltype"] = ("User" if facts.is_user else "AssumedRole",)
    if facts.is_user:
        values["aws:username"] = (facts.name,)
        values["aws:userid"] = (facts.unique_id,)
    # roles have no user name; their aws:userid is "ROLEID:session-name" (unknown)
    prefixes: tuple[str, ...] = ()
    if facts.tags is not None:
        # Tag keys are matched case-insensitively in condition keys.
        values.update({f"aws:principaltag/{k.lower()}": (v,) for k, v in facts.tags.items()})
        prefixes = ("aws:principaltag/",)
    return RequestContext(
        values, _ABSENT_FOR_USERS if facts.is_user else _ABSENT_FOR_ROLES, prefixes, now_epoch
    )
