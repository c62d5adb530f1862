"""A registry's own exfiltration paths → one Config evaluation for ECR_REPO_NOT_PUBLIC.

Reported against ``AWS::ECR::RegistryPolicy`` with the registry (account) id as resource id:
Config records that type (its configuration carries ``RegistryId``: awslabs/
aws-config-resource-schema, AWS::ECR::RegistryPolicy), so the rule's scope can name it and a
change to the registry policy triggers the rule. One evaluation per Region covers the
registry policy, the replication destinations and the pull-through cache upstreams
(exposure/registry_paths.py); a registry whose settings could not all be read gets none
(its last result stands, and the run reports the failure).
"""

from rdklib import ComplianceType, Evaluation

from ecr_access.config_rules.annotation import fitted_evaluation
from ecr_access.config_rules.isolation import judge_isolated
from ecr_access.config_rules.repository_evaluation import RepositoryRuleSettings
from ecr_access.exposure.registry_paths import (
    pull_through_cache_problems,
    registry_policy_problems,
    replication_problems,
)
from ecr_access.policy.errors import PolicyError
from ecr_access.sources.ecr_registry import RegistryPaths

REGISTRY_RESOURCE_TYPE = "AWS::ECR::RegistryPolicy"


def _judge(paths: RegistryPaths, settings: RepositoryRuleSettings) -> Evaluation:
    registry = str(paths.registry_id)
    trusted = settings.trusted_accounts
    try:
        problems = [
            *registry_policy_problems(
                paths.policy_text,
                owner_account=registry,
                trusted_accounts=trusted,
                trusted_org_ids=settings.trusted_organizations,
            ),
            *replication_problems(paths.replication, owner_account=registry, trusted_accounts=trusted),
            *pull_through_cache_problems(paths.cache_rules, owner_account=registry, trusted_accounts=trusted),
        ]
    except (PolicyError, ValueError) as exc:
        problems = [f"the registry settings could not be analysed (never assumed safe): {exc}"]
    if not problems:
        return fitted_evaluation(
            ComplianceType.COMPLIANT,
            registry,
            REGISTRY_RESOURCE_TYPE,
            "no registry policy, replication or pull-through cache path outside the trusted accounts",
        )
    first, *others = problems
    more = f" (+{len(others)} more)" if others else ""
    return fitted_evaluation(ComplianceType.NON_COMPLIANT, registry, REGISTRY_RESOURCE_TYPE, f"{first}{more}")


def registry_evaluation(paths: RegistryPaths, settings: RepositoryRuleSettings) -> Evaluation:
    return judge_isolated(
        str(paths.registry_id), REGISTRY_RESOURCE_TYPE, lambda: _judge(paths, settings), lambda failed: failed
    )
