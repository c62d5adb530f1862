"""What the repository-policy analysis returns."""

from dataclasses import dataclass

from ecr_access.policy.identity_enum import IdentityEnum


class ExposureVerdict(IdentityEnum):
    RESTRICTED = "RESTRICTED"
    CROSS_ACCOUNT_UNTRUSTED = "CROSS_ACCOUNT_UNTRUSTED"
    PUBLIC = "PUBLIC"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def exposed(self) -> bool:
        return self is not ExposureVerdict.RESTRICTED


_SEVERITY = {
    ExposureVerdict.RESTRICTED: 0,
    ExposureVerdict.CROSS_ACCOUNT_UNTRUSTED: 1,
    ExposureVerdict.PUBLIC: 2,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One Allow statement that reaches outside the zone of trust."""

    statement_index: int
    sid: str | None
    verdict: ExposureVerdict
    principals: tuple[str, ...]  # the principals, as written, whose grant reaches outside
    actions: tuple[str, ...]  # the ecr actions they reach outside with
    pull_exposed: bool  # ecr:GetDownloadUrlForLayer is among them
    reason: str  # one readable line

    @property
    def statement_label(self) -> str:
        return f'"{self.sid}" (#{self.statement_index})' if self.sid else f"#{self.statement_index}"

    def describe(self) -> str:
        return f"Statement {self.statement_label} {self.reason}"


@dataclass(frozen=True, slots=True)
class RepositoryExposure:
    verdict: ExposureVerdict
    pull_exposed: bool
    findings: tuple[Finding, ...]
    has_policy: bool

    def summary(self) -> str:
        if not self.has_policy:
            return "no repository policy: only the owner account's IAM principals can reach it"
        if not self.findings:
            return "repository policy grants nothing outside the owner and trusted accounts/organizations"
        return "; ".join(f.describe() for f in self.findings)
