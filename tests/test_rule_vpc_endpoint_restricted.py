"""ECR_VPC_ENDPOINT_RESTRICTED through lambda_handler: real-shaped configuration items, moto EC2, Config
captured.

The items follow the Config resource schema for AWS::EC2::VPCEndpoint
(awslabs/aws-config-resource-schema, ``AWS::EC2::VPCEndpoint.properties.json``: configuration.
serviceName, vpcEndpointType, vpcEndpointId, vpcId, state.value, routeTableIds, …) with the EC2
``VpcEndpoint`` policy document as ``policyDocument`` (a JSON string), as AWS_FACTS.md records.
"""

import json

import boto3
import pytest

from ecr_access.testing.config_harness import (
    ACCOUNT,
    REGION,
    LambdaContext,
    change_event,
    configuration_item,
    load_rule,
    periodic_event,
)

RULE = load_rule("ECR_VPC_ENDPOINT_RESTRICTED")
NAME = "ECR_VPC_ENDPOINT_RESTRICTED"
TYPE = "AWS::EC2::VPCEndpoint"
ORG = "o-a1b2c3d4e5"
EKS_REGISTRY = "602401143452"  # a third-party (AWS-owned) registry workloads pull add-ons from
DKR, API, S3 = (f"com.amazonaws.{REGION}.{s}" for s in ("ecr.dkr", "ecr.api", "s3"))
LAYERS = f"arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DEFAULT = policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
# AWS's data-perimeter ecr.api endpoint policy (aws-samples/data-perimeter-policy-examples), filled in
DATA_PERIMETER = policy(
    {
        "Sid": "AllowRequestsByOrgsIdentitiesToOrgsResources",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}},
    },
    {
        "Sid": "AllowRequestsByAWSServicePrincipals",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}},
    },
    {
        "Sid": "AllowRequestsByOrgsIdentitiesToAWSResources",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceAccount": EKS_REGISTRY, "aws:PrincipalOrgID": ORG}},
    },
)
NO_RESOURCE_BOUND = policy(
    {
        "Sid": "OrgIdentities",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "ecr:*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
    }
)
NO_PRINCIPAL_BOUND = policy(
    {
        "Sid": "OrgRegistries",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "ecr:*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceOrgID": ORG}},
    }
)
LAYER_BUCKET_ONLY = policy(
    {"Sid": "Layers", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": [LAYERS]}
)
GATEWAY_WITHOUT_LAYERS = policy(
    {
        "Sid": "Mine",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::acme-*/*",
    }
)
GATEWAY_ORG_ONLY = policy(
    {
        "Sid": "OrgOnly",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
    }
)


def endpoint_item(service, kind, document, *, endpoint_id="vpce-0a1b2c3d4e5f60718", with_policy=True):
    configuration = {
        "vpcEndpointId": endpoint_id,
        "vpcEndpointType": kind,
        "vpcId": "vpc-0123456789abcdef0",
        "serviceName": service,
        "state": {"value": "available"},
        "routeTableIds": ["rtb-0123456789abcdef0"] if kind == "Gateway" else [],
        "subnetIds": [] if kind == "Gateway" else ["subnet-0123456789abcdef0"],
        "groups": [],
        "privateDnsEnabled": kind == "Interface",
        "requesterManaged": False,
        "networkInterfaceIds": [],
        "dnsEntries": [],
        "creationTimestamp": "2026-10-01T08:00:00.000Z",
        "ownerId": ACCOUNT,
    }
    if with_policy:
        configuration["policyDocument"] = document
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-endpoint/{endpoint_id}"
    return configuration_item(TYPE, endpoint_id, endpoint_id, arn, configuration, region=REGION)


TRUST = {"TrustedOrganizationIds": ORG}


@pytest.fixture
def config(capture):
    """moto in us-east-1 with Config captured (conftest's ``capture``)."""
    return capture


def run(event):
    return RULE.lambda_handler(event, LambdaContext(lambda: 840_000))


@pytest.mark.parametrize(
    ("item", "parameters", "compliance", "annotation"),
    [
        pytest.param(
            endpoint_item(DKR, "Interface", DEFAULT),
            TRUST,
            "NON_COMPLIANT",
            "the default full-access endpoint policy",
            id="ecr-dkr-default-policy",
        ),
        pytest.param(
            endpoint_item(API, "Interface", DATA_PERIMETER),
            {**TRUST, "AllowedThirdPartyRegistryAccounts": EKS_REGISTRY},
            "COMPLIANT",
            "ecr.api endpoint policy bounded",
            id="ecr-api-data-perimeter-policy",
        ),
        pytest.param(
            endpoint_item(API, "Interface", DATA_PERIMETER),
            TRUST,
            "NON_COMPLIANT",
            '"AllowRequestsByOrgsIdentitiesToAWSResources" (#2) lets the endpoint reach registries outside',
            id="third-party-registry-not-named",
        ),
        pytest.param(
            endpoint_item(DKR, "Interface", NO_RESOURCE_BOUND),
            TRUST,
            "NON_COMPLIANT",
            'Statement "OrgIdentities" (#0) lets the endpoint reach registries outside',
            id="missing-aws-ResourceOrgID",
        ),
        pytest.param(
            endpoint_item(DKR, "Interface", NO_PRINCIPAL_BOUND),
            TRUST,
            "NON_COMPLIANT",
            'Statement "OrgRegistries" (#0) lets anyone (Principal *)',
            id="missing-aws-PrincipalOrgID",
        ),
        pytest.param(
            endpoint_item(DKR, "Interface", DATA_PERIMETER),
            {},
            "NON_COMPLIANT",
            "organization o-a1b2c3d4e5 is not trusted",
            id="organization-not-trusted",
        ),
        pytest.param(
            endpoint_item(DKR, "Interface", None),
            TRUST,
            "NON_COMPLIANT",
            "the default full-access endpoint policy",
            id="no-document-means-the-default",
        ),
        pytest.param(
            endpoint_item(DKR, "Interface", "{not json"),
            TRUST,
            "NON_COMPLIANT",
            "endpoint policy could not be analysed",
            id="malformed-document",
        ),
        pytest.param(
            endpoint_item(S3, "Gateway", LAYER_BUCKET_ONLY),
            {"RequireS3LayerBucketOnly": "true"},
            "COMPLIANT",
            "s3 gateway endpoint policy bounded",
            id="gateway-layer-bucket-only",
        ),
        pytest.param(
            endpoint_item(S3, "Gateway", GATEWAY_WITHOUT_LAYERS),
            {},
            "NON_COMPLIANT",
            "image pulls through this VPC fail",
            id="gateway-without-the-layer-bucket",
        ),
        pytest.param(
            endpoint_item(S3, "Gateway", GATEWAY_ORG_ONLY),
            {},
            "NON_COMPLIANT",
            "image pulls through this VPC fail",
            id="gateway-org-bounded-blocks-ecrs-signed-url",
        ),
        pytest.param(
            endpoint_item(S3, "Gateway", DEFAULT),
            {},
            "COMPLIANT",
            "s3 gateway endpoint policy bounded",
            id="gateway-default-allows-layers",
        ),
        pytest.param(
            endpoint_item(S3, "Gateway", DEFAULT),
            {"RequireS3LayerBucketOnly": "true"},
            "NON_COMPLIANT",
            "allows buckets besides the layer bucket",
            id="gateway-any-bucket-with-layer-only",
        ),
        pytest.param(
            endpoint_item(f"com.amazonaws.{REGION}.dynamodb", "Gateway", DEFAULT),
            {},
            "NOT_APPLICABLE",
            "not an ECR or S3 gateway endpoint",
            id="other-service",
        ),
        pytest.param(
            endpoint_item(f"com.amazonaws.{REGION}.s3", "Interface", DEFAULT),
            {},
            "NOT_APPLICABLE",
            "not an ECR or S3 gateway endpoint",
            id="s3-interface-endpoint",
        ),
    ],
)
def test_change_triggered(config, item, parameters, compliance, annotation):
    run(change_event(item, NAME, parameters))
    (evaluation,) = config.evaluations
    assert (evaluation["ComplianceResourceType"], evaluation["ComplianceType"]) == (TYPE, compliance)
    assert annotation in evaluation["Annotation"]


def test_an_item_without_the_document_is_read_from_ec2_never_assumed(config):
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=DKR, VpcEndpointType="Interface", PolicyDocument=DATA_PERIMETER
    )["VpcEndpoint"]["VpcEndpointId"]
    item = endpoint_item(DKR, "Interface", None, endpoint_id=endpoint, with_policy=False)
    run(change_event(item, NAME, {**TRUST, "AllowedThirdPartyRegistryAccounts": EKS_REGISTRY}))
    assert config.by_resource()[endpoint]["ComplianceType"] == "COMPLIANT"
    assert ("ec2", "DescribeVpcEndpoints") in config.calls


def test_periodic_sweep_judges_every_endpoint_with_one_paginated_listing(config):
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    made = {
        name: ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=service, VpcEndpointType=kind, **extra)[
            "VpcEndpoint"
        ]["VpcEndpointId"]
        for name, service, kind, extra in (
            ("default", DKR, "Interface", {}),
            ("perimeter", API, "Interface", {"PolicyDocument": DATA_PERIMETER}),
            ("layers", S3, "Gateway", {"PolicyDocument": LAYER_BUCKET_ONLY}),
            ("blocked", S3, "Gateway", {"PolicyDocument": GATEWAY_WITHOUT_LAYERS}),
            ("dynamodb", f"com.amazonaws.{REGION}.dynamodb", "Gateway", {}),
        )
    }
    config.add_prior(TYPE, "vpce-0deleted000000000", "NON_COMPLIANT")
    config.calls.clear()
    run(periodic_event(NAME, {**TRUST, "AllowedThirdPartyRegistryAccounts": EKS_REGISTRY}))
    results = {name: config.by_resource()[endpoint]["ComplianceType"] for name, endpoint in made.items()}
    assert results == {
        "default": "NON_COMPLIANT",
        "perimeter": "COMPLIANT",
        "layers": "COMPLIANT",
        "blocked": "NON_COMPLIANT",
        "dynamodb": "NOT_APPLICABLE",
    }
    assert config.by_resource()["vpce-0deleted000000000"]["ComplianceType"] == "NOT_APPLICABLE"  # retired
    assert [c for c in config.calls if c[0] == "ec2"] == [("ec2", "DescribeVpcEndpoints")]  # 1 call per page


def test_a_failed_listing_retires_nothing_and_fails_the_run(config):
    from ecr_access.testing.config_harness import client_error

    config.faults.append(
        lambda operation, params: (
            client_error("UnauthorizedOperation", operation) if operation == "DescribeVpcEndpoints" else None
        )
    )
    config.add_prior(TYPE, "vpce-0a1b2c3d4e5f60718", "NON_COMPLIANT")
    with pytest.raises(Exception, match="VPC endpoint listing"):
        run(periodic_event(NAME, TRUST))
    assert config.evaluations == []  # the last results stand


def test_bad_parameters_are_reported_not_guessed(config):
    response = run(periodic_event(NAME, {"AllowedThirdPartyRegistryAccounts": "60240114345"}))
    assert response["customerErrorCode"] == "InvalidParameterValueException"
