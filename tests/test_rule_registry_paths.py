"""ECR_REPO_NOT_PUBLIC on the registry's own paths out: registry policy, replication, pull-through cache.

Periodic runs through lambda_handler against moto ECR (registry policy and replication configuration;
pull-through cache rules, which moto lacks, answered at the botocore level by the harness), and the
change-triggered path on an AWS::ECR::RegistryPolicy configuration item.
"""

import json

import boto3
import pytest

from ecr_access.testing.config_harness import (
    ACCOUNT,
    REGION,
    LambdaContext,
    change_event,
    client_error,
    configuration_item,
    load_rule,
    periodic_event,
)

RULE = load_rule("ECR_REPO_NOT_PUBLIC")
NAME, TYPE = "ECR_REPO_NOT_PUBLIC", "AWS::ECR::RegistryPolicy"
OUTSIDER, PARTNER, ORG = "999988887777", "444455556666", "o-a1b2c3d4e5"


def registry_policy(principal, condition=None):
    statement = {
        "Sid": "ReplicationAccess",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
        "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def replication(*accounts):
    return {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": a} for a in accounts]}]}


def cache_rule(upstream):
    return {"ecrRepositoryPrefix": "mirror", "upstreamRegistryUrl": upstream, "registryId": ACCOUNT}


@pytest.fixture
def config(capture):
    """moto in us-east-1 with Config captured (conftest's ``capture``)."""
    return capture


def run(event):
    return RULE.lambda_handler(event, LambdaContext(lambda: 840_000))


@pytest.mark.parametrize(
    ("policy", "replicate_to", "cache", "parameters", "compliance", "annotation"),
    [
        pytest.param(
            None,
            (),
            [],
            {},
            "COMPLIANT",
            "no registry policy, replication or pull-through cache path",
            id="nothing-configured",
        ),
        pytest.param(
            registry_policy(f"arn:aws:iam::{OUTSIDER}:root"),
            (),
            [],
            {},
            "NON_COMPLIANT",
            f"account {OUTSIDER} is not trusted",
            id="registry-policy-grants-an-outsider",
        ),
        pytest.param(
            registry_policy(f"arn:aws:iam::{PARTNER}:root"),
            (),
            [],
            {"TrustedAccountIds": PARTNER},
            "COMPLIANT",
            "no registry policy",
            id="registry-policy-grants-a-trusted-account",
        ),
        pytest.param(
            registry_policy("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}}),
            (),
            [],
            {"TrustedOrganizationIds": ORG},
            "COMPLIANT",
            "no registry policy",
            id="registry-policy-bounded-to-the-organization",
        ),
        pytest.param(
            registry_policy("*"),
            (),
            [],
            {},
            "NON_COMPLIANT",
            "lets anyone (Principal *)",
            id="registry-policy-public",
        ),
        pytest.param(
            None,
            (OUTSIDER,),
            [],
            {},
            "NON_COMPLIANT",
            f"replication copies images to registry {OUTSIDER} in eu-west-1",
            id="replication-out-of-the-zone",
        ),
        pytest.param(
            None,
            (ACCOUNT, PARTNER),
            [],
            {"TrustedAccountIds": PARTNER},
            "COMPLIANT",
            "no registry policy",
            id="replication-to-self-and-a-trusted-account",
        ),
        pytest.param(
            None,
            (),
            [cache_rule(f"{OUTSIDER}.dkr.ecr.us-west-2.amazonaws.com")],
            {},
            "NON_COMPLIANT",
            f"mirrors ECR registry {OUTSIDER}",
            id="pull-through-cache-from-an-outside-ecr",
        ),
        pytest.param(
            None,
            (),
            [cache_rule("public.ecr.aws"), cache_rule("registry-1.docker.io")],
            {},
            "COMPLIANT",
            "no registry policy",
            id="pull-through-cache-from-public-registries",
        ),
    ],
)
def test_periodic_registry_paths(config, policy, replicate_to, cache, parameters, compliance, annotation):
    ecr = boto3.client("ecr")
    if policy:
        ecr.put_registry_policy(policyText=policy)
    if replicate_to:
        ecr.put_replication_configuration(replicationConfiguration=replication(*replicate_to))
    config.cache_rules.extend(cache)
    run(periodic_event(NAME, parameters))
    evaluation = config.by_resource()[ACCOUNT]
    assert (evaluation["ComplianceResourceType"], evaluation["ComplianceType"]) == (TYPE, compliance)
    assert annotation in evaluation["Annotation"]


def test_an_unreadable_registry_gets_no_evaluation_and_fails_the_run(config):
    boto3.client("ecr").create_repository(repositoryName="app")
    config.faults.append(
        lambda operation, params: (
            client_error("AccessDeniedException", operation) if operation == "GetRegistryPolicy" else None
        )
    )
    config.add_prior(TYPE, ACCOUNT, "NON_COMPLIANT", "replication copies images to registry 999988887777")
    with pytest.raises(Exception, match="registry"):
        run(periodic_event(NAME))
    assert ACCOUNT not in config.by_resource()  # the last result stands, neither judged nor retired
    assert config.by_resource()["app"]["ComplianceType"] == "COMPLIANT"  # the repositories still are


def test_a_registry_policy_change_is_judged_on_the_registry_as_it_is(config):
    boto3.client("ecr").put_registry_policy(policyText=registry_policy(f"arn:aws:iam::{OUTSIDER}:root"))
    item = configuration_item(
        TYPE,
        ACCOUNT,
        ACCOUNT,
        f"arn:aws:ecr:{REGION}:{ACCOUNT}:registry",
        {"RegistryId": ACCOUNT},
        region=REGION,
    )
    run(change_event(item, NAME))
    (evaluation,) = config.evaluations
    assert (evaluation["ComplianceResourceType"], evaluation["ComplianceType"]) == (TYPE, "NON_COMPLIANT")
