"""Who may hold ecr:GetDownloadUrlForLayer: administrators and approved applications.

Three independent ways onto the list (any one suffices):
- ``AllowedPrincipalArns``: ARN patterns with ``*``, matched case-sensitively against
  the full ARN, path included (``arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AdministratorAccess*``);
- ``AllowedPrincipalTagKey``/``AllowedPrincipalTagValue``: a principal carrying the
  tag (any value when no value is set) is an approved application;
- ``AllowedServicePrincipals``: a role that *only* these AWS services may assume
  (every Allow of its trust policy names only Service principals from the list)
  is an application role — an ECS task role, a CodeBuild project role.
"""

from dataclasses import dataclass

from ecr_access.permissions.principal import IamPrincipal
from ecr_access.policy.model import Effect, PrincipalKind
from ecr_access.policy.wildcard import wildcard_match

_ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")


@dataclass(frozen=True, slots=True)
class AllowList:
    arn_patterns: tuple[str, ...] = ()
    tag_key: str | None = None
    tag_value: str | None = None
    service_principals: tuple[str, ...] = ()

    def entry_for(self, principal: IamPrincipal) -> str | None:
        """How the principal is allow-listed (for the annotation), or None."""
        for pattern in self.arn_patterns:
            if wildcard_match(pattern, principal.arn, case_sensitive=True):
                return f"AllowedPrincipalArns pattern {pattern}"
        if self.tag_key is not None:
            value = dict(principal.tags or ()).get(self.tag_key)
            if value is not None and (self.tag_value is None or value == self.tag_value):
                return f"tag {self.tag_key}={value}"
        if self.service_principals and (services := self._only_assumed_by_allowed_services(principal)):
            return f"AllowedServicePrincipals (assumed only by {', '.join(services)})"
        return None

    def _only_assumed_by_allowed_services(self, principal: IamPrincipal) -> tuple[str, ...]:
        trust = principal.trust_policy
        if trust is None:
            return ()
        allowed = {s.lower() for s in self.service_principals}
        services: list[str] = []
        for statement in trust.statements:
            if statement.effect is not Effect.ALLOW:
                continue
            if not any(statement.actions.matches(action) for action in _ASSUME_ACTIONS):
                continue
            if statement.principals is None:  # NotPrincipal: everyone else
                return ()
            for grantee in statement.principals:
                if grantee.kind is not PrincipalKind.SERVICE or grantee.value.lower() not in allowed:
                    return ()
                services.append(grantee.value)
        return tuple(dict.fromkeys(services))
