"""Who a constraint lets through, and what a set of constraints adds up to.

Every part of an Allow statement — the Principal, each condition — limits who
it reaches. A grant reaches only callers who pass *all* of them, so it stays
inside the zone of trust as soon as *one* limit is entirely inside it, and is
bounded as soon as one limit names a fixed set of accounts or organizations.
A Deny statement adds one more limit: the set of callers it leaves standing.
"""

from dataclasses import dataclass

from ecr_access.policy.identity_enum import IdentityEnum


class MemberKind(IdentityEnum):
    ACCOUNT = "account"
    ORGANIZATION = "organization"
    PRINCIPAL_ID = "principal id"  # an aws:userid unique id: one principal, account unknown
    CANONICAL_USER = "canonical user"
    RESOURCE = "resource"  # an ARN that names no account (an S3 bucket): owner unknown


# ${aws:ResourceAccount} / ${aws:ResourceOrgID} in a condition value: the repository owner's
# account and organization (IAM User Guide, "IAM policy elements: Variables and tags").
OWNER_ACCOUNT, OWNER_ORGANIZATION = "${aws:ResourceAccount}", "${aws:ResourceOrgID}"
_OWNER_NAMES = {OWNER_ACCOUNT: "the owner's account", OWNER_ORGANIZATION: "the owner's organization"}


@dataclass(frozen=True, slots=True)
class Member:
    kind: MemberKind
    value: str

    def __str__(self) -> str:
        return _OWNER_NAMES.get(self.value) or f"{self.kind.value} {self.value}"


class LimitKind(IdentityEnum):
    IDENTITY = "identity"  # only principals of these accounts/organizations pass
    NETWORK = "network"  # only requests from a narrow network pass, whoever sends them


@dataclass(frozen=True, slots=True)
class Limit:
    kind: LimitKind
    members: frozenset[Member]
    source: str  # what imposed it, e.g. "StringEquals aws:PrincipalOrgID o-abc"

    def union(self, other: "Limit") -> "Limit":
        """Callers who pass either limit (what a Deny of several clauses leaves standing)."""
        kind = LimitKind.IDENTITY
        if LimitKind.NETWORK in (self.kind, other.kind):
            kind = LimitKind.NETWORK
        sources = " or ".join(s for s in (self.source, other.source) if s)
        return Limit(kind, self.members | other.members, sources)


NOBODY = Limit(LimitKind.IDENTITY, frozenset(), "")


@dataclass(frozen=True, slots=True)
class TrustZone:
    """The owner account plus the accounts and organizations the caller trusts."""

    accounts: frozenset[str]
    organizations: frozenset[str]
    owner_organization: str | None = None  # the owner account's organization, when known
    owner: str | None = None  # the repository owner's account

    def contains(self, member: Member) -> bool:
        if member.kind is MemberKind.ACCOUNT:
            return member.value == OWNER_ACCOUNT or member.value in self.accounts
        if member.kind is MemberKind.ORGANIZATION:
            if member.value == OWNER_ORGANIZATION:  # trusted only when its id is known and trusted
                return self.owner_organization is not None and self.owner_organization in self.organizations
            return member.value in self.organizations
        return False  # a bare unique id or canonical user cannot be placed in an account


class Reach(IdentityEnum):
    """How far a grant reaches, in increasing order of exposure."""

    NOBODY = 0
    TRUSTED = 1
    UNTRUSTED = 2  # bounded, but outside the zone of trust (or bounded only by network)
    PUBLIC = 3


@dataclass(frozen=True, slots=True)
class Classification:
    reach: Reach
    deciding: Limit | None  # the limit that settled it, if any


def classify(limits: list[Limit], zone: TrustZone) -> Classification:
    identity = [limit for limit in limits if limit.kind is LimitKind.IDENTITY]
    for limit in identity:
        if not limit.members:
            return Classification(Reach.NOBODY, limit)
    for limit in identity:
        if all(zone.contains(m) for m in limit.members):
            return Classification(Reach.TRUSTED, limit)
    if identity:
        # The narrowest statement of who is reached reads best in a finding.
        return Classification(Reach.UNTRUSTED, min(identity, key=lambda lim: len(lim.members)))
    network = [limit for limit in limits if limit.kind is LimitKind.NETWORK]
    if network:
        return Classification(Reach.UNTRUSTED, network[0])
    return Classification(Reach.PUBLIC, None)
