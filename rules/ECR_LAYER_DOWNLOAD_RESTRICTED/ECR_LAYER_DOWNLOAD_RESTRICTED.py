"""AWS Config rule ECR_LAYER_DOWNLOAD_RESTRICTED: only allow-listed principals may pull image layers.

Judges every IAM user and role on its *effective* ecr:GetDownloadUrlForLayer
permission (inline, managed and group policies, permissions boundary, optionally
SCPs and RCPs) on any repository it can reach: in its own account, and in other
accounts' registries (RegistryAccountIds, read through the execution role there;
any other account its policies name makes the answer depend on that account's
repository policies). Periodic: one GetAccountAuthorizationDetails
sweep. Change-triggered: a role or user from its configuration item; a group or a
managed policy re-evaluates the principals it reaches. IAM is global and recorded
in one Region: deploy this rule in that Region only. The judgement is
ecr_access.PermissionEvaluator; this module validates parameters and maps inputs
and verdicts.
"""

from botocore.exceptions import BotoCoreError, ClientError
from rdklib import ConfigRule

from ecr_access.config_rules import parameters
from ecr_access.config_rules.allow_list import AllowList
from ecr_access.config_rules.clients import deadline_of
from ecr_access.config_rules.deadline import DeadlineReached
from ecr_access.config_rules.handler import handle
from ecr_access.config_rules.isolation import budgeted_sweep, could_not_analyse, judge_isolated
from ecr_access.config_rules.outcome import PeriodicOutcome
from ecr_access.config_rules.principal_evaluation import PrincipalRuleSettings, principal_evaluation
from ecr_access.loaders.authorization_details import load_authorization_details
from ecr_access.loaders.config_items import load_config_items
from ecr_access.permissions import IamPrincipal, PullEvaluator, Registry
from ecr_access.sources.iam_authorization import sweep_authorization_details
from ecr_access.sources.iam_reader import IamReader
from ecr_access.sources.organizations_scps import Guardrails, read_guardrails
from ecr_access.sources.registries import read_registry, unreadable_registry

PRINCIPAL_TYPES = frozenset({"AWS::IAM::Role", "AWS::IAM::User"})
APPLICABLE_RESOURCES = [*sorted(PRINCIPAL_TYPES), "AWS::IAM::Group", "AWS::IAM::Policy"]


def _reaches(principal: IamPrincipal, item: dict) -> bool:
    """Whether a changed group or managed policy shapes this principal's permissions."""
    configuration = item.get("configuration") or {}
    if item["resourceType"] == "AWS::IAM::Group":
        return configuration.get("groupName") in principal.groups
    arn = configuration.get("arn")
    boundary = [principal.boundary.source.arn] if principal.boundary else []
    return arn in [p.source.arn for p in principal.policies] + boundary


def _guardrails(client_factory, account, valid_rule_parameters) -> Guardrails:
    wants_scps, wants_rcps = valid_rule_parameters["EvaluateScps"], valid_rule_parameters["EvaluateRcps"]
    if not (wants_scps or wants_rcps):
        return Guardrails(note="SCPs not evaluated")
    organizations = client_factory.build_client("organizations", assume_role_mode=False)
    return read_guardrails(organizations, account, scps=wants_scps, rcps=wants_rcps)


def _registries(client_factory, guardrails, valid_rule_parameters, account) -> list[Registry]:
    """Each RegistryAccountIds account's repositories (the own account's through the usual clients)."""
    regions = valid_rule_parameters["RegistryRegions"] or (getattr(client_factory, "region", None),)
    deadline = deadline_of(client_factory)
    registries = []
    for registry_account in valid_rule_parameters["RegistryAccountIds"]:
        try:
            clients = (
                client_factory
                if registry_account == account
                else client_factory.for_account(registry_account)
            )
            rcps = _registry_rcps(client_factory, registry_account, guardrails, valid_rule_parameters)
            registries.append(
                read_registry(
                    lambda region, c=clients: c.build_client("ecr", region),
                    registry_account,
                    regions,
                    deadline=deadline,
                    rcps=rcps,
                )
            )
        except (ClientError, BotoCoreError, RuntimeError) as exc:
            registries.append(unreadable_registry(registry_account, exc))
    return registries


def _registry_rcps(client_factory, registry_account, guardrails, valid_rule_parameters):
    """RCPs limit requests for the registry account's resources: its own levels, when asked for."""
    if not valid_rule_parameters["EvaluateRcps"] or registry_account == guardrails.management_account:
        return ()
    organizations = client_factory.build_client("organizations", assume_role_mode=False)
    return read_guardrails(organizations, registry_account, scps=False, rcps=True).rcps


class ECR_LAYER_DOWNLOAD_RESTRICTED(ConfigRule):  # RDK names the class after the rule
    def evaluate_parameters(self, rule_parameters):
        return {
            "settings": PrincipalRuleSettings(
                allow_list=AllowList(
                    arn_patterns=parameters.principal_arn_patterns(rule_parameters, "AllowedPrincipalArns"),
                    tag_key=parameters.optional_text(rule_parameters, "AllowedPrincipalTagKey"),
                    tag_value=parameters.optional_text(rule_parameters, "AllowedPrincipalTagValue"),
                    service_principals=parameters.csv(rule_parameters, "AllowedServicePrincipals"),
                ),
                conditional_is_compliant=parameters.boolean(
                    rule_parameters, "ConditionalAccessIsCompliant", default=False
                ),
            ),
            "EvaluateScps": parameters.boolean(rule_parameters, "EvaluateScps", default=False),
            "EvaluateRcps": parameters.boolean(rule_parameters, "EvaluateRcps", default=False),
            "RegistryAccountIds": parameters.account_ids(rule_parameters, "RegistryAccountIds"),
            "RegistryRegions": parameters.regions(rule_parameters, "RegistryRegions"),
            "ReportOnlyChanges": parameters.boolean(rule_parameters, "ReportOnlyChanges", default=False),
            **parameters.rdklib_parameters(rule_parameters),
        }

    def _judge(self, principals, event, client_factory, valid_rule_parameters):
        """(principal, decision, evaluation) for each principal analysed before the deadline, and
        the names of those that were not. The decision is None for a service-linked role and for a
        principal whose analysis failed (then reported NON_COMPLIANT on its own)."""
        account = event["accountId"]
        guardrails = _guardrails(client_factory, account, valid_rule_parameters)
        evaluator = PullEvaluator(
            scps=guardrails.scps,
            rcps=guardrails.rcps,
            registries=_registries(client_factory, guardrails, valid_rule_parameters, account),
            organization_id=guardrails.organization_id,
            management_account=guardrails.management_account,
        )
        settings = valid_rule_parameters["settings"]
        deadline = deadline_of(client_factory)
        judged, unanalysed = [], []
        with budgeted_sweep():
            for principal in principals:
                if deadline.analysis_passed():
                    unanalysed.append(f"{principal.arn}: not analysed before the deadline")
                    continue

                def judge(principal=principal):
                    decision = None if principal.is_service_linked else evaluator.evaluate(principal)
                    return (
                        principal,
                        decision,
                        principal_evaluation(principal, decision, settings, guardrails.note),
                    )

                judged.append(
                    judge_isolated(
                        principal.unique_id,
                        principal.type.config_resource_type,
                        judge,
                        lambda failed, p=principal: (p, None, failed),
                    )
                )
        return judged, unanalysed

    def evaluate_change(self, event, client_factory, configuration_item, valid_rule_parameters):
        iam = client_factory.build_client("iam")
        if configuration_item["resourceType"] in PRINCIPAL_TYPES:
            reader = IamReader(iam)
            groups = [
                reader.group_item(name) for name in configuration_item["configuration"].get("groupList") or ()
            ]
            items = [configuration_item, *groups]
            loaded = load_config_items(items, managed_policy_documents=reader.managed_documents(items))
            principals = loaded.principals
            if not principals:  # the item itself was too malformed to read: unknown, never COMPLIANT
                reason = "; ".join(loaded.rejected) or "the configuration item names no principal"
                return [
                    could_not_analyse(
                        configuration_item["resourceId"], configuration_item["resourceType"], reason
                    )
                ]
        else:
            # A group or managed policy changed: re-evaluate the principals it reaches, from a full sweep.
            sweep = sweep_authorization_details(iam, deadline=deadline_of(client_factory))
            if not sweep.complete:
                raise RuntimeError(f"cannot re-evaluate principals after a change: {sweep.failure}")
            everyone = load_authorization_details(sweep.pages).principals
            principals = [p for p in everyone if _reaches(p, configuration_item)]
        judged, unanalysed = self._judge(principals, event, client_factory, valid_rule_parameters)
        if unanalysed:
            raise DeadlineReached(
                f"{len(unanalysed)} principal(s) not analysed: {', '.join(unanalysed[:20])}"
            )
        return [evaluation for _, _, evaluation in judged]

    def evaluate_periodic(self, event, client_factory, valid_rule_parameters):
        sweep = sweep_authorization_details(
            client_factory.build_client("iam"), deadline=deadline_of(client_factory)
        )
        account = load_authorization_details(sweep.pages)
        principals = account.principals
        judged, unanalysed = self._judge(principals, event, client_factory, valid_rule_parameters)
        names = {p.unique_id: p.arn for p in principals}
        failures = [*account.rejected, *unanalysed]
        if sweep.complete:
            # A rejected entity is not in `names`: retiring nothing keeps its last result standing.
            universe = None if account.rejected else frozenset(names)
            return PeriodicOutcome([e for _, _, e in judged], universe, PRINCIPAL_TYPES, failures, names)
        # Pages were left unread: a principal whose groups or managed policies were on them
        # shows as unreadable. Report only principals whose data was complete; keep the
        # others' last results, retire nothing, and fail the run.
        complete = [e for _, d, e in judged if d is None or not d.unreadable]
        failures.append(sweep.failure or "incomplete sweep")
        return PeriodicOutcome(complete, None, PRINCIPAL_TYPES, failures, names)


def lambda_handler(event, context):
    return handle(ECR_LAYER_DOWNLOAD_RESTRICTED(), event, context, resource_types=APPLICABLE_RESOURCES)
