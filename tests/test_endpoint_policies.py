"""The endpoint-policy engine and the perimeter Denies rendered for endpoints.

- The Denies the runbook adds bound *any* policy: whatever Allow statements an endpoint has,
  with the perimeter added the engine judges it bounded (Hypothesis), and the Denies never remove
  an Allow (only narrowing).
- deploy/endpoint-policies.yaml (and `perimeter render --endpoint-policies`) holds policies the
  rule judges bounded.
"""

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_access.exposure.endpoint_policies import (
    EndpointKind,
    endpoint_kind,
    judge_ecr_endpoint_policy,
    judge_s3_gateway_policy,
)
from ecr_access.perimeter.endpoint_policies import perimeter_denies, with_perimeter

OWNER, PARTNER, ORG, EKS = "111122223333", "444455556666", "o-a1b2c3d4e5", "602401143452"
TRUST = {"trusted_accounts": [PARTNER], "trusted_org_ids": [ORG], "third_party_registry_accounts": [EKS]}


@pytest.mark.parametrize(
    ("service", "kind", "expected"),
    [
        pytest.param("com.amazonaws.us-east-1.ecr.api", "Interface", EndpointKind.ECR_API, id="ecr-api"),
        pytest.param("com.amazonaws.eu-west-1.ecr.dkr", "Interface", EndpointKind.ECR_DKR, id="ecr-dkr"),
        pytest.param("cn.com.amazonaws.cn-north-1.ecr.dkr", "Interface", EndpointKind.ECR_DKR, id="china"),
        pytest.param("com.amazonaws.us-east-1.s3", "Gateway", EndpointKind.S3_GATEWAY, id="s3-gateway"),
        pytest.param("com.amazonaws.us-east-1.s3", "Interface", EndpointKind.OTHER, id="s3-interface"),
        pytest.param(
            "com.amazonaws.vpce.us-east-1.vpce-svc-0123", "Interface", EndpointKind.OTHER, id="privatelink"
        ),
        pytest.param(None, "Interface", EndpointKind.OTHER, id="no-service-name"),
    ],
)
def test_endpoint_kinds(service, kind, expected):
    assert endpoint_kind(service, kind) is expected


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Resource": "*",
                "Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}},
            },
            "reach registries outside",
            id="ifexists-is-no-registry-bound",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "aws:PrincipalOrgID": ORG,
                        "aws:PrincipalTag/resource-perimeter-exception": "true",
                    }
                },
            },
            "reach registries outside",
            id="tag-exception-reaches-anything",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Resource": f"arn:aws:ecr:*:{PARTNER}:repository/*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
            },
            None,
            id="resource-arns-name-a-trusted-account",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Resource": "arn:aws:ecr:*:*:repository/*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
            },
            "reach registries outside",
            id="resource-arns-any-account",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "aws:PrincipalAccount": "${aws:ResourceAccount}",
                        "aws:ResourceOrgID": ORG,
                    }
                },
            },
            "${aws:ResourceAccount}",
            id="resource-variable-cannot-bound-an-endpoint",
        ),
        pytest.param(
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
            None,
            id="no-ecr-action-granted",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "ecr:*",
                "Resource": "*",
            },
            None,
            id="services-exempt",
        ),
    ],
)
def test_ecr_endpoint_statements(statement, problem):
    judged = judge_ecr_endpoint_policy(
        {"Version": "2012-10-17", "Statement": [statement]}, owner_account=OWNER, **TRUST
    )
    if problem is None:
        assert judged.compliant, judged.problems
    else:
        assert any(problem in p for p in judged.problems), judged.problems


def test_a_deny_on_the_layer_bucket_breaks_pulls_and_is_reported():
    policy = {
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
            {
                "Sid": "OrgBucketsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:ResourceOrgID": ORG}},
            },
        ]
    }
    (problem,) = judge_s3_gateway_policy(policy, region="us-east-1").problems
    assert '"OrgBucketsOnly"' in problem and "pulls fail" in problem


allow_statements = st.builds(
    lambda actions, principal, condition, resource: {
        "Effect": "Allow",
        "Principal": principal,
        "Action": actions,
        "Resource": resource,
        **({"Condition": condition} if condition else {}),
    },
    actions=st.sampled_from(
        ["*", "ecr:*", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "ecr:PutImage"]
    ),
    principal=st.sampled_from(
        ["*", {"AWS": "*"}, {"AWS": "999988887777"}, {"AWS": f"arn:aws:iam::{OWNER}:root"}]
    ),
    condition=st.sampled_from(
        [
            None,
            {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}},
            {"StringEquals": {"aws:ResourceOrgID": "o-zzzzzzzzzz"}},
            {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
            {"Bool": {"aws:PrincipalIsAWSService": "true"}},
        ]
    ),
    resource=st.sampled_from(
        ["*", "arn:aws:ecr:*:999988887777:repository/*", f"arn:aws:ecr:*:{OWNER}:repository/*"]
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(allow_statements, min_size=1, max_size=4))
def test_any_policy_with_the_perimeter_added_is_bounded_and_keeps_its_statements(statements):
    original = json.dumps({"Version": "2012-10-17", "Statement": statements})
    narrowed = with_perimeter(original, perimeter_denies(OWNER, [PARTNER], [ORG], [EKS]))
    document = json.loads(narrowed)
    assert document["Statement"][: len(statements)] == statements  # nothing of the original is removed
    assert all(s["Effect"] == "Deny" for s in document["Statement"][len(statements) :])
    judged = judge_ecr_endpoint_policy(narrowed, owner_account=OWNER, **TRUST)
    assert judged.compliant, judged.problems


def _resolved(value, account=OWNER, region="us-east-1"):
    if isinstance(value, dict):
        if "Fn::Sub" in value:
            return (
                value["Fn::Sub"]
                .replace("${AWS::AccountId}", account)
                .replace("${AWS::Region}", region)
                .replace("${AWS::Partition}", "aws")
            )
        return {k: _resolved(v, account, region) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, account, region) for v in value]
    return value


def test_the_rendered_endpoint_template_holds_policies_the_rule_judges_bounded(tmp_path):
    from ecr_access.cli.main import main

    out = tmp_path / "endpoints.yaml"
    code = main(
        [
            "perimeter",
            "render",
            "--trusted-org",
            ORG,
            "--trusted-account",
            PARTNER,
            "--third-party-registry",
            EKS,
            "--endpoint-policies",
            str(out),
        ]
    )
    assert code == 0
    resources = yaml.safe_load(out.read_text())["Resources"]
    for name in ("EcrApiEndpoint", "EcrDkrEndpoint"):
        policy = _resolved(resources[name]["Properties"]["PolicyDocument"])
        assert judge_ecr_endpoint_policy(policy, owner_account=OWNER, **TRUST).compliant
        assert not judge_ecr_endpoint_policy(
            policy, owner_account=OWNER
        ).compliant  # the trust is what bounds
    gateway = _resolved(resources["S3GatewayEndpoint"]["Properties"]["PolicyDocument"])
    assert judge_s3_gateway_policy(gateway, region="us-east-1", layer_bucket_only=True).compliant
