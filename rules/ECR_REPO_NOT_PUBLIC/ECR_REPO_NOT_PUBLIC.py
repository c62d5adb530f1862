"""AWS Config rule ECR_REPO_NOT_PUBLIC: no repository policy lets the public or an untrusted account in.

Change-triggered on AWS::ECR::Repository (the policy from the configuration item)
and periodic (every repository of the Region, read from ECR, so repositories the
recorder missed are judged too). The judgement is ecr_access.analyze_repository_policy;
this module only validates parameters and maps inputs and verdicts.

The registry's own paths out — its registry policy, replication destinations and
pull-through cache upstreams — are judged here too, against AWS::ECR::RegistryPolicy:
they answer the same question (can an untrusted account get these images?) with the same
trusted lists, so a sibling rule would only duplicate the parameters and the deployment.
"""

from rdklib import ConfigRule

from ecr_access.config_rules import parameters
from ecr_access.config_rules.clients import deadline_of
from ecr_access.config_rules.handler import handle
from ecr_access.config_rules.isolation import budgeted_sweep
from ecr_access.config_rules.outcome import PeriodicOutcome
from ecr_access.config_rules.registry_evaluation import REGISTRY_RESOURCE_TYPE, registry_evaluation
from ecr_access.config_rules.repository_evaluation import (
    RESOURCE_TYPE,
    RepositoryRuleSettings,
    repository_evaluation,
    unreadable_repository,
)
from ecr_access.sources.ecr_registry import read_registry_paths
from ecr_access.sources.ecr_repositories import sweep_repositories

APPLICABLE_RESOURCES = [RESOURCE_TYPE, REGISTRY_RESOURCE_TYPE]


class RegistryUnreadable(RuntimeError):
    """The registry's settings could not be read; its last result stands."""


def _item_tags(configuration_item: dict) -> dict[str, str]:
    tags = configuration_item.get("tags") or {}
    tags = dict(tags) if isinstance(tags, dict) else {}
    for tag in (configuration_item.get("configuration") or {}).get("Tags") or ():
        if isinstance(tag, dict):
            tags.setdefault(tag.get("Key"), tag.get("Value"))
    return tags


def _repository_arn(item: dict) -> str | None:
    arn = item.get("ARN")
    return arn if isinstance(arn, str) and arn.startswith("arn:") and ":repository/" in arn else None


class ECR_REPO_NOT_PUBLIC(ConfigRule):  # RDK names the class after the rule
    def evaluate_parameters(self, rule_parameters):
        return {
            "settings": RepositoryRuleSettings(
                trusted_accounts=parameters.account_ids(rule_parameters, "TrustedAccountIds"),
                trusted_organizations=parameters.organization_ids(rule_parameters, "TrustedOrganizationIds"),
                exemption_tag_key=parameters.optional_text(rule_parameters, "ExemptionTagKey"),
            ),
            "ReportOnlyChanges": parameters.boolean(rule_parameters, "ReportOnlyChanges", default=False),
            **parameters.rdklib_parameters(rule_parameters),
        }

    def evaluate_change(self, event, client_factory, configuration_item, valid_rule_parameters):
        if configuration_item.get("resourceType") == REGISTRY_RESOURCE_TYPE:
            # the registry as it is now (policy, replication, cache rules), not one field of it
            paths = read_registry_paths(client_factory.build_client("ecr"))
            if paths.failure is not None:
                raise RegistryUnreadable(paths.failure)
            return [registry_evaluation(paths, valid_rule_parameters["settings"])]
        name = configuration_item["resourceId"]
        configuration = configuration_item.get("configuration")
        policy = configuration.get("RepositoryPolicyText") if isinstance(configuration, dict) else None
        if policy is None:
            # Config always records it ({} when there is no policy): absent or null means unknown,
            # never "no policy".
            return [unreadable_repository(name, "the configuration item has no RepositoryPolicyText")]
        return [
            repository_evaluation(
                name,
                policy,  # JSON text, or {} when there is none
                owner_account=configuration_item["awsAccountId"],
                tags=_item_tags(configuration_item),
                settings=valid_rule_parameters["settings"],
                repository_arn=_repository_arn(configuration_item),
            )
        ]

    def evaluate_periodic(self, event, client_factory, valid_rule_parameters):
        settings = valid_rule_parameters["settings"]
        deadline = deadline_of(client_factory)
        key = settings.exemption_tag_key
        sweep = sweep_repositories(
            client_factory.build_client("ecr"),
            deadline=deadline,
            read_tags=key is not None,
            tagging=client_factory.build_client("resourcegroupstaggingapi") if key else None,
            exemption_key=key,
        )
        evaluations, unanalysed = [], []
        with budgeted_sweep():
            for record in sweep.records:
                if deadline.analysis_passed():  # leave the rest unput (their last results stand) and say so
                    unanalysed.append(f"{record.name}: not analysed before the deadline")
                    continue
                evaluations.append(
                    repository_evaluation(
                        record.name,
                        record.policy_text,
                        owner_account=record.registry_id,
                        tags=record.tags,
                        settings=settings,
                        repository_arn=record.arn,
                    )
                )
        paths = read_registry_paths(client_factory.build_client("ecr"))
        types = {RESOURCE_TYPE}
        if paths.failure is None:
            evaluations.append(registry_evaluation(paths, settings))
            types.add(REGISTRY_RESOURCE_TYPE)
        failures = [
            *sweep.failures,
            *(f"{name}: not reached before the deadline" for name in sweep.unreached),
            *unanalysed,
            *([paths.failure] if paths.failure else []),
        ]
        ids = {*sweep.names, *([str(paths.registry_id)] if paths.failure is None else [])}
        universe = frozenset(ids) if sweep.listing_complete else None
        return PeriodicOutcome(evaluations, universe, frozenset(types), failures)


def lambda_handler(event, context):
    return handle(ECR_REPO_NOT_PUBLIC(), event, context, resource_types=APPLICABLE_RESOURCES)
