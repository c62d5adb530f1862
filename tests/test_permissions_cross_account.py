"""PullEvaluator: pulls from any repository, in the principal's account or another account's registry.

IAM User Guide, "Cross-account policy evaluation logic": a request across accounts needs an
Allow on the identity side *and* in the resource's policy. Where the other account's
repository policies are not known the answer depends on them (CONDITIONAL, naming the account).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_access import load_authorization_details
from ecr_access.loaders.scps import load_rcp_levels
from ecr_access.permissions import PullEvaluator, Registry, RegistryRepository
from ecr_access.policy import parse_document

from principal_builder import OWNER, as_document, authorization_details

REGISTRY = "999988887777"
ORG = "o-a1b2c3d4e5"
ACT = "ecr:GetDownloadUrlForLayer"
A, D, C = "ALLOWED", "DENIED", "CONDITIONAL"
CENTRAL_REPO = f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/repo*"  # the registry's repositories
ROLE_ARN = f"arn:aws:iam::{OWNER}:role/app"


def allow(resource, action=ACT, **more):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def grant(principal, effect="Allow", **more):
    return {"Effect": effect, "Principal": principal, "Action": ACT, **more}


ORG_GRANT = grant("*", Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}})
RCP_FULL_ACCESS = {
    "Name": "RCPFullAWSAccess",
    "Content": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]},  # noqa: E501
}  # fmt: skip
RCP_DENY_ECR = {
    "Name": "deny-ecr",
    "Content": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Resource": "*"}]},  # noqa: E501
}  # fmt: skip


def _registry(*policies, complete=True, rcps=(), account=REGISTRY):
    repositories = tuple(
        RegistryRepository(
            f"arn:aws:ecr:us-east-1:{account}:repository/repo{i}",
            parse_document(as_document(policy)) if policy is not None else None,
        )
        for i, policy in enumerate(policies)
    )
    return Registry(
        account, repositories, load_rcp_levels(list(rcps)), complete, None if complete else "AccessDenied"
    )


def _principal(policies, **options):
    (principal,) = load_authorization_details(authorization_details(policies, **options)).principals
    return principal


def case(case_id, policies, registries, verdict, reason="", **options):
    return pytest.param(policies, registries, verdict, reason, options, id=case_id)


CASES = [
    # The commonest pull path: a workload role pulls from the central registry account.
    case("central-registry-not-read-depends-on-its-policies", [allow(f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*")], [], C, f"repository policies of account {REGISTRY}"),  # noqa: E501
    case("central-registry-read-grants-the-organization", [allow(f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*")], [_registry(ORG_GRANT)], A, "and by the repository policy of", organization=ORG),  # noqa: E501
    case("central-registry-read-grants-someone-else", [allow(f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*")], [_registry(grant({"AWS": "111111111111"}))], D, "The repository policy (account 999988887777) does not grant"),  # noqa: E501
    case("central-registry-read-has-no-policy", [allow(f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*")], [_registry(None)], D),  # noqa: E501
    case("central-registry-read-but-incomplete-stays-undecided", [allow(f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*")], [_registry(None, complete=False)], C, "could not be read"),  # noqa: E501
    case("central-registry-grant-to-the-account-delegates-to-identity", [allow(CENTRAL_REPO)], [_registry(grant({"AWS": OWNER}))], A),  # noqa: E501
    case("central-registry-grant-names-the-role", [allow(CENTRAL_REPO)], [_registry(grant({"AWS": ROLE_ARN}))], A),  # noqa: E501
    case("central-registry-repository-policy-deny-wins", [allow(CENTRAL_REPO)], [_registry([grant({"AWS": OWNER}), grant("*", "Deny")])], D, "Denied by repository policy"),  # noqa: E501
    # Organizations User Guide, RCPs: they limit requests for resources in member accounts, whoever calls.
    case("central-registry-rcp-denies-every-caller", [allow(CENTRAL_REPO)], [_registry(grant({"AWS": OWNER}), rcps=[[RCP_FULL_ACCESS, RCP_DENY_ECR]])], D, "Denied by RCP deny-ecr"),  # noqa: E501
    case("central-registry-rcp-spares-it-as-the-management-account", [allow(CENTRAL_REPO)], [_registry(grant({"AWS": OWNER}), rcps=[[RCP_DENY_ECR]])], A, management=REGISTRY),  # noqa: E501
    # The identity side still decides: no Allow naming the other account, no pull from it.
    case("identity-names-only-its-own-account", [allow(f"arn:aws:ecr:*:{OWNER}:repository/*")], [_registry(grant("*"))], A),  # noqa: E501
    case("no-identity-grant-no-pull-even-from-a-public-registry", [], [_registry(grant("*"))], D),
    case("identity-names-another-repository-only", [allow(f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/other")], [_registry(grant({"AWS": OWNER}))], D),  # noqa: E501
    # A wildcard account field reaches accounts nobody listed.
    case("wildcard-account-field-reaches-unlisted-accounts", [allow("arn:aws:ecr:us-east-1:9999*:repository/*")], [], C, "those matching '9999*'"),  # noqa: E501
    case("wildcard-account-field-reaches-a-listed-registry", [allow("arn:aws:ecr:us-east-1:9999*:repository/*")], [_registry(ORG_GRANT)], A, organization=ORG),  # noqa: E501
    # Denials on the identity side reach every account.
    case("boundary-limits-cross-account-pulls-too", [allow(CENTRAL_REPO)], [_registry(grant({"AWS": OWNER}))], D, boundary=allow("*", action="s3:*")),  # noqa: E501
    case("identity-deny-on-all-ecr-covers-other-accounts", [allow(CENTRAL_REPO), {"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}], [], D),  # noqa: E501
    # Same-account repository policies, when the own account's registry was read.
    case("own-registry-policy-grants-the-role-on-its-own", [], [_registry(grant({"AWS": ROLE_ARN}), account=OWNER)], A),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(("policies", "registries", "verdict", "reason", "options"), CASES)
def test_pull_from_any_repository(policies, registries, verdict, reason, options):
    evaluator = PullEvaluator(
        registries=registries,
        organization_id=options.pop("organization", None),
        management_account=options.pop("management", None),
    )
    decision = evaluator.evaluate(_principal(policies, **options))
    assert decision.verdict.value == verdict, decision.reason
    assert reason in decision.reason


def test_the_decision_names_the_registry_account():
    decision = PullEvaluator().evaluate(_principal([allow(f"arn:aws:ecr:us-east-1:{REGISTRY}:repository/*")]))
    assert decision.verdict.value == C and decision.registry_account == REGISTRY


_account_fields = st.sampled_from([OWNER, REGISTRY, "*", "9999*", "1?1111111111"])


@settings(max_examples=60, deadline=None)
@given(field=_account_fields, with_rcp_deny=st.booleans(), with_registry=st.booleans())
def test_an_rcp_never_widens_a_pull(field, with_rcp_deny, with_registry):
    """Organizations User Guide: "No permissions are granted by an RCP"."""
    principal = _principal([allow(f"arn:aws:ecr:us-east-1:{field}:repository/*")])
    base = [_registry(grant({"AWS": OWNER}))] if with_registry else []
    levels = [[RCP_FULL_ACCESS, RCP_DENY_ECR]] if with_rcp_deny else [[RCP_FULL_ACCESS]]
    guarded = [_registry(grant({"AWS": OWNER}), rcps=levels)] if with_registry else []
    rank = {D: 0, C: 1, A: 2}
    without = PullEvaluator(registries=base).evaluate(principal).verdict.value
    with_rcps = (
        PullEvaluator(registries=guarded, rcps=load_rcp_levels(levels)).evaluate(principal).verdict.value
    )
    assert rank[with_rcps] <= rank[without]
