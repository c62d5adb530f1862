"""Repository-policy exposure with policies written the way organizations write them (Engine III).

Owner 111122223333, trusted account 444455556666 and organization o-trusted001. Each case
names the AWS rule it follows.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_access import analyze_repository_policy
from ecr_access.loaders.scps import load_rcp_levels

from conftest import OWNER, TRUSTED_ACCOUNT, TRUSTED_ORG, doc

P, X, R = "PUBLIC", "CROSS_ACCOUNT_UNTRUSTED", "RESTRICTED"
PULL = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
REPO = f"arn:aws:ecr:us-east-1:{OWNER}:repository/team/app"
OTHER_REPO = f"arn:aws:ecr:us-east-1:{OWNER}:repository/other"


def allow(principal="*", **more):
    return {"Effect": "Allow", "Principal": principal, "Action": PULL, **more}


def deny(principal="*", action="ecr:*", **more):
    return {"Effect": "Deny", "Principal": principal, "Action": action, **more}


def when(**operators):
    return {"Condition": operators}


# AWS's data-perimeter pattern (aws-samples/data-perimeter-policy-examples; Organizations User
# Guide, RCP examples): deny callers outside the organization, exempt AWS services.
PERIMETER = when(
    StringNotEqualsIfExists={"aws:PrincipalOrgID": TRUSTED_ORG},
    BoolIfExists={"aws:PrincipalIsAWSService": "false"},
)


def case(case_id, statements, verdict, **options):
    return pytest.param(statements, verdict, options, id=case_id)


CASES = [
    # --- Deny carve-outs per class of caller (caller_classes.py) ----------------------------------
    case("perimeter-deny-bounds-a-public-grant-to-the-organization", [allow(), deny(**PERIMETER)], X),
    case(
        "perimeter-deny-with-a-service-scoped-to-the-org-leaves-it-restricted",
        [allow(), deny(**PERIMETER), deny(**when(StringNotEqualsIfExists={"aws:SourceOrgID": TRUSTED_ORG}, Bool={"aws:PrincipalIsAWSService": "true"}))],  # noqa: E501
        R,
    ),
    case("perimeter-deny-split-in-two-statements", [allow(), deny(**when(StringNotEqualsIfExists={"aws:PrincipalOrgID": TRUSTED_ORG}, Bool={"aws:PrincipalIsAWSService": "false"})), deny(**when(StringNotEqualsIfExists={"aws:SourceOrgID": TRUSTED_ORG}, Bool={"aws:PrincipalIsAWSService": "true"}))], R),  # noqa: E501
    # Denying services only when aws:SourceOrgID is missing lets any organization's service through.
    case("deny-services-without-a-source-org-spares-every-org", [allow(), deny(**PERIMETER), deny(**when(Null={"aws:SourceOrgID": "true"}, Bool={"aws:PrincipalIsAWSService": "true"}))], X),  # noqa: E501
    case("perimeter-deny-for-an-untrusted-org-still-untrusted", [allow(), deny(**when(StringNotEqualsIfExists={"aws:PrincipalOrgID": "o-untrusted1"}, BoolIfExists={"aws:PrincipalIsAWSService": "false"}))], X),  # noqa: E501
    case("deny-only-for-services-leaves-iam-principals-public", [allow(), deny(**when(Bool={"aws:PrincipalIsAWSService": "true"}))], P),  # noqa: E501
    case("deny-when-not-https-never-fires-ecr-is-https-only", [allow(), deny(**when(Bool={"aws:SecureTransport": "false"}))], P),  # noqa: E501
    case("deny-null-principal-account-false-fires-for-every-iam-principal", [allow(), deny(**when(Null={"aws:PrincipalAccount": "false"}))], X),  # noqa: E501
    # --- Policy variables in bounding keys (IAM User Guide, policy variables) ----------------------
    case("principal-account-equals-resource-account-bounds-to-the-owner", [allow(**when(StringEquals={"aws:PrincipalAccount": "${aws:ResourceAccount}"}))], R),  # noqa: E501
    case("principal-org-equals-resource-org-trusted-when-the-owner-org-is-trusted", [allow(**when(StringEquals={"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}))], R, owner_org_id=TRUSTED_ORG),  # noqa: E501
    case("principal-org-equals-resource-org-untrusted-when-unknown", [allow(**when(StringEquals={"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}))], X),  # noqa: E501
    case("deny-outside-the-owner-account-by-variable", [allow(), deny(**when(StringNotEquals={"aws:PrincipalAccount": "${aws:ResourceAccount}"}))], R),  # noqa: E501
    case("principal-account-equals-itself-is-public", [allow(**when(StringEquals={"aws:PrincipalAccount": "${aws:PrincipalAccount}"}))], P),  # noqa: E501
    # --- Keys present in every request; case-sensitive organization ids ---------------------------
    case("ifexists-on-principal-account-bounds-iam-principals-services-remain", [allow(**when(StringEqualsIfExists={"aws:PrincipalAccount": OWNER}))], X),  # noqa: E501
    case("ifexists-on-principal-account-and-no-services", [allow(**when(StringEqualsIfExists={"aws:PrincipalAccount": OWNER}, Bool={"aws:PrincipalIsAWSService": "false"}))], R),  # noqa: E501
    case("ifexists-on-principal-org-still-public-key-absent-outside-orgs", [allow(**when(StringEqualsIfExists={"aws:PrincipalOrgID": TRUSTED_ORG}))], P),  # noqa: E501
    case("org-id-in-upper-case-matches-no-organization", [allow(**when(StringEquals={"aws:PrincipalOrgID": TRUSTED_ORG.upper()}))], R),  # noqa: E501
    case("org-id-in-upper-case-ignore-case-matches", [allow(**when(StringEqualsIgnoreCase={"aws:PrincipalOrgID": "O-UNTRUSTED1"}))], X),  # noqa: E501
    # --- Denies on named repositories ---------------------------------------------------------------
    case("deny-on-the-owners-repositories-covers-this-one", [allow(), deny(Resource=f"arn:aws:ecr:*:{OWNER}:repository/*")], R),  # noqa: E501
    case("deny-on-this-repository-by-arn", [allow(), deny(Resource=REPO)], R, repository_arn=REPO),
    case("deny-on-another-repository-does-not-cover-this-one", [allow(), deny(Resource=OTHER_REPO)], P, repository_arn=REPO),  # noqa: E501
    case("deny-on-a-named-repository-without-the-arn-is-unsure", [allow(), deny(Resource=REPO)], P),
    case("allow-on-another-repository-grants-nothing-here", [allow(Resource=OTHER_REPO)], R, repository_arn=REPO),  # noqa: E501
    # --- RCPs (Organizations User Guide, "Resource control policies") --------------------------------
    case("rcp-perimeter-bounds-a-public-grant", [allow()], X, rcps=[[{"Name": "perimeter", "Content": doc(deny(Resource="*", **PERIMETER))}]]),  # noqa: E501
    case("rcp-deny-all-ecr-restricts", [allow()], R, rcps=[[{"Name": "deny", "Content": doc(deny(Resource="*"))}]]),  # noqa: E501
    case("rcp-full-access-grants-nothing", [], R, rcps=[[{"Name": "RCPFullAWSAccess", "Content": doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})}]]),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(("statements", "verdict", "options"), CASES)
def test_exposure_as_organizations_write_policies(statements, verdict, options):
    if "rcps" in options:
        options["rcps"] = load_rcp_levels(options["rcps"])
    exposure = analyze_repository_policy(
        doc(*statements) if statements else "{}",
        owner_account=OWNER,
        trusted_accounts=[TRUSTED_ACCOUNT],
        trusted_org_ids=[TRUSTED_ORG],
        **options,
    )
    assert exposure.verdict.value == verdict, [f.reason for f in exposure.findings]


_RANK = {R: 0, X: 1, P: 2}
_denies = st.lists(
    st.sampled_from(
        [
            deny(**PERIMETER),
            deny(**when(StringNotEquals={"aws:PrincipalAccount": OWNER})),
            deny(**when(Bool={"aws:PrincipalIsAWSService": "true"})),
            deny(**when(StringNotEqualsIfExists={"aws:SourceOrgID": TRUSTED_ORG})),
            deny(Resource=f"arn:aws:ecr:*:{OWNER}:repository/*"),
            deny(**when(NotIpAddress={"aws:SourceIp": "203.0.113.0/24"})),
        ]
    ),
    max_size=3,
)
_grants = st.sampled_from(
    [
        allow(),
        allow({"AWS": "999988887777"}),
        allow(**when(StringEqualsIfExists={"aws:PrincipalAccount": OWNER})),
        allow({"Service": "codebuild.amazonaws.com"}),
    ]
)


@settings(max_examples=150, deadline=None)
@given(grant=_grants, denies=_denies, extra=_denies, as_rcp=st.booleans())
def test_adding_denies_never_widens_exposure(grant, denies, extra, as_rcp):
    """Several Deny statements together (in the policy or as RCPs) only ever narrow."""

    def verdict(more):
        rcps = (
            load_rcp_levels(
                [[{"Name": "r", "Content": doc(*[{**d, "Resource": d.get("Resource", "*")} for d in more])}]]
            )
            if as_rcp and more
            else ()
        )
        statements = [grant, *denies, *([] if as_rcp else more)]
        return analyze_repository_policy(
            doc(*statements), owner_account=OWNER, trusted_org_ids=[TRUSTED_ORG], rcps=rcps
        ).verdict.value

    assert _RANK[verdict(extra)] <= _RANK[verdict([])]
