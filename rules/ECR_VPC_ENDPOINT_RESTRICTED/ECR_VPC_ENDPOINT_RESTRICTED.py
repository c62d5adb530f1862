"""AWS Config rule ECR_VPC_ENDPOINT_RESTRICTED: ECR and S3 endpoint policies keep the perimeter.

Change-triggered on AWS::EC2::VPCEndpoint (the policy from the configuration item; when the
item does not carry one, ``DescribeVpcEndpoints`` for that endpoint) and periodic (every
endpoint of the Region, ``DescribeVpcEndpoints`` paginated). ECR interface endpoints must
bound both the principals that use them and the registries they reach; S3 gateway
endpoints must let layers download from ECR's layer bucket (and, with
``RequireS3LayerBucketOnly``, allow nothing else). The judgement is
ecr_access.exposure.endpoint_policies; this module only validates parameters and maps
inputs and verdicts.
"""

from botocore.exceptions import BotoCoreError, ClientError
from rdklib import ConfigRule

from ecr_access.config_rules import parameters
from ecr_access.config_rules.clients import deadline_of
from ecr_access.config_rules.endpoint_evaluation import (
    RESOURCE_TYPE,
    EndpointRuleSettings,
    endpoint_evaluation,
    endpoint_record,
)
from ecr_access.config_rules.handler import handle
from ecr_access.config_rules.isolation import budgeted_sweep
from ecr_access.config_rules.outcome import PeriodicOutcome
from ecr_access.sources.aws_errors import describe_error
from ecr_access.sources.vpc_endpoints import sweep_endpoints

APPLICABLE_RESOURCES = [RESOURCE_TYPE]


class EndpointUnreadable(RuntimeError):
    """The endpoint's policy could be read neither from the item nor from EC2."""


class ECR_VPC_ENDPOINT_RESTRICTED(ConfigRule):  # RDK names the class after the rule
    def evaluate_parameters(self, rule_parameters):
        return {
            "settings": EndpointRuleSettings(
                trusted_accounts=parameters.account_ids(rule_parameters, "TrustedAccountIds"),
                trusted_organizations=parameters.organization_ids(rule_parameters, "TrustedOrganizationIds"),
                third_party_registry_accounts=parameters.account_ids(
                    rule_parameters, "AllowedThirdPartyRegistryAccounts"
                ),
                require_s3_layer_bucket_only=parameters.boolean(
                    rule_parameters, "RequireS3LayerBucketOnly", default=False
                ),
            ),
            "ReportOnlyChanges": parameters.boolean(rule_parameters, "ReportOnlyChanges", default=False),
            **parameters.rdklib_parameters(rule_parameters),
        }

    def evaluate_change(self, event, client_factory, configuration_item, valid_rule_parameters):
        configuration = configuration_item.get("configuration")
        record = endpoint_record(configuration) if isinstance(configuration, dict) else None
        if record is None or not record.policy_known:
            endpoint_id = configuration_item["resourceId"]
            try:  # the item lacks the document: read it, never assume the default
                response = client_factory.build_client("ec2").describe_vpc_endpoints(
                    VpcEndpointIds=[endpoint_id]
                )
                (item,) = response["VpcEndpoints"]
            except (ClientError, BotoCoreError, KeyError, ValueError) as exc:
                raise EndpointUnreadable(f"{endpoint_id}: {describe_error(exc, 'ec2')}") from exc
            record = endpoint_record(item)
        return [
            endpoint_evaluation(
                record,
                owner_account=configuration_item["awsAccountId"],
                settings=valid_rule_parameters["settings"],
            )
        ]

    def evaluate_periodic(self, event, client_factory, valid_rule_parameters):
        settings = valid_rule_parameters["settings"]
        deadline = deadline_of(client_factory)
        sweep = sweep_endpoints(client_factory.build_client("ec2"), deadline=deadline)
        account = event["accountId"]
        with budgeted_sweep():
            evaluations = [
                endpoint_evaluation(r, owner_account=account, settings=settings) for r in sweep.records
            ]
        universe = frozenset(r.endpoint_id for r in sweep.records) if sweep.listing_complete else None
        return PeriodicOutcome(evaluations, universe, frozenset({RESOURCE_TYPE}), sweep.failures)


def lambda_handler(event, context):
    return handle(ECR_VPC_ENDPOINT_RESTRICTED(), event, context, resource_types=APPLICABLE_RESOURCES)
