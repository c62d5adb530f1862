"""One repository's policy → one Config evaluation for ECR_REPO_NOT_PUBLIC."""

from collections.abc import Mapping
from dataclasses import dataclass

from rdklib import ComplianceType, Evaluation

from ecr_access.config_rules.annotation import fitted_evaluation
from ecr_access.config_rules.isolation import judge_isolated
from ecr_access.exposure import analyze_repository_policy
from ecr_access.policy.errors import PolicyError

RESOURCE_TYPE = "AWS::ECR::Repository"


@dataclass(frozen=True, slots=True)
class RepositoryRuleSettings:
    trusted_accounts: tuple[str, ...] = ()
    trusted_organizations: tuple[str, ...] = ()
    exemption_tag_key: str | None = None


def unreadable_repository(name: str, reason: str) -> Evaluation:
    return fitted_evaluation(
        ComplianceType.NON_COMPLIANT, name, RESOURCE_TYPE, f"policy could not be analysed: {reason}"
    )


def repository_evaluation(
    name: str,
    policy: str | Mapping | None,
    *,
    owner_account: str,
    tags: Mapping[str, str] | None,
    settings: RepositoryRuleSettings,
    repository_arn: str | None = None,
) -> Evaluation:
    """The repository's evaluation; any failure or overrun is reported against it alone.
    ``repository_arn`` lets Deny statements with a Resource be matched exactly."""
    return judge_isolated(
        name,
        RESOURCE_TYPE,
        lambda: _judge(
            name,
            policy,
            owner_account=owner_account,
            tags=tags,
            settings=settings,
            repository_arn=repository_arn,
        ),
        lambda failed: failed,
    )


def _judge(
    name: str,
    policy: str | Mapping | None,
    *,
    owner_account: str,
    tags: Mapping[str, str] | None,
    settings: RepositoryRuleSettings,
    repository_arn: str | None,
) -> Evaluation:
    key = settings.exemption_tag_key
    if key is not None and tags is not None and str(tags.get(key, "")).strip().lower() == "true":
        return fitted_evaluation(
            ComplianceType.NOT_APPLICABLE, name, RESOURCE_TYPE, f"exempt: tag {key}=true"
        )
    try:
        exposure = analyze_repository_policy(
            policy,
            owner_account=owner_account,
            trusted_accounts=settings.trusted_accounts,
            trusted_org_ids=settings.trusted_organizations,
            repository_arn=repository_arn,
        )
    except (PolicyError, ValueError) as exc:
        return unreadable_repository(name, str(exc))
    if not exposure.verdict.exposed:
        return fitted_evaluation(ComplianceType.COMPLIANT, name, RESOURCE_TYPE, exposure.summary())
    first, *others = exposure.findings
    more = f" (+{len(others)} more statement{'s' if len(others) > 1 else ''})" if others else ""
    annotation = f"{first.describe()}{more}"
    return fitted_evaluation(ComplianceType.NON_COMPLIANT, name, RESOURCE_TYPE, annotation)
