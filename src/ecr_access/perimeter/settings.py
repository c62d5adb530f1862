"""Perimeter settings from the rules' own parameters (the TOML of ``scan --config``, as Config passes them).

The allow-list is ``ECR_LAYER_DOWNLOAD_RESTRICTED``'s (AllowedPrincipalArns,
AllowedPrincipalTagKey/Value, AllowedServicePrincipals), the trusted zone
``ECR_REPO_NOT_PUBLIC``'s (TrustedAccountIds, TrustedOrganizationIds): one allow-list
for detection and prevention.
"""

from collections.abc import Mapping

from ecr_access.config_rules import parameters
from ecr_access.config_rules.rule_modules import PRINCIPAL_RULE, REPOSITORY_RULE
from ecr_access.perimeter.policies import PerimeterSettings


def _listed(values: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(parameters.csv(values, name)))  # the rules' own parsing


def settings_from_rules(rules: Mapping[str, Mapping[str, str]]) -> PerimeterSettings:
    principal, repository = rules.get(PRINCIPAL_RULE, {}), rules.get(REPOSITORY_RULE, {})
    return PerimeterSettings(
        allowed_arn_patterns=_listed(principal, "AllowedPrincipalArns"),
        allowed_tag_key=principal.get("AllowedPrincipalTagKey") or None,
        allowed_tag_value=principal.get("AllowedPrincipalTagValue") or None,
        trusted_accounts=_listed(repository, "TrustedAccountIds"),
        trusted_organizations=_listed(repository, "TrustedOrganizationIds"),
        service_principals=_listed(principal, "AllowedServicePrincipals"),
    )
