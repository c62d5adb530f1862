"""What a finding says, and how analyze_repository_policy takes its input."""

import json

import pytest

from ecr_access import ExposureVerdict, PolicyError, analyze_repository_policy

from conftest import OWNER, TRUSTED_ACCOUNT, TRUSTED_ORG, UNTRUSTED_ACCOUNT, doc


def analyze(policy):
    return analyze_repository_policy(
        policy, owner_account=OWNER, trusted_accounts=[TRUSTED_ACCOUNT], trusted_org_ids=[TRUSTED_ORG]
    )


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        pytest.param(
            {
                "Sid": "pub",
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            },
            'Statement "pub" (#0) lets anyone (Principal *) call ecr:GetDownloadUrlForLayer, '
            "ecr:BatchGetImage; no org/account condition",
            id="public-with-sid",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            "Statement #0 lets anyone (Principal *) call every ecr action; no condition bounds it to fixed "
            "accounts or organizations",
            id="public-with-useless-condition",
        ),
        pytest.param(
            {"Effect": "Allow", "Principal": {"AWS": UNTRUSTED_ACCOUNT}, "Action": "ecr:BatchGetImage"},
            f"Statement #0 lets account {UNTRUSTED_ACCOUNT} call ecr:BatchGetImage; account "
            f"{UNTRUSTED_ACCOUNT} is not trusted",
            id="untrusted-account",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": {"Service": "codebuild.amazonaws.com"},
                "Action": "ecr:BatchGetImage",
            },
            "Statement #0 lets service codebuild.amazonaws.com call ecr:BatchGetImage for any account; no "
            "aws:SourceAccount/SourceArn/SourceOrgID condition (confused deputy)",
            id="confused-deputy",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:BatchGetImage",
                "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            },
            "Statement #0 lets anyone (Principal *) call ecr:BatchGetImage; only the network condition "
            "IpAddress aws:SourceIp 203.0.113.0/24 limits it, not the caller's account",
            id="network",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:Get*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-untrusted1"}},
            },
            "Statement #0 lets anyone (Principal *) call ecr:GetDownloadUrlForLayer, "
            "ecr:GetLifecyclePolicy, ecr:GetLifecyclePolicyPreview and 1 more; organization o-untrusted1 "
            "is not trusted",
            id="untrusted-org-many-actions",
        ),
    ],
)
def test_finding_reason(statement, reason):
    (finding,) = analyze(doc(statement)).findings
    assert finding.describe() == reason


def test_finding_lists_only_the_principals_that_reach_outside():
    exposure = analyze(
        doc(
            {
                "Sid": "mixed",
                "Effect": "Allow",
                "Principal": {"AWS": [OWNER, UNTRUSTED_ACCOUNT, "arn:aws:iam::222233334444:role/x"]},
                "Action": "ecr:BatchGetImage",
            }
        )
    )
    (finding,) = exposure.findings
    assert finding.principals == (UNTRUSTED_ACCOUNT, "arn:aws:iam::222233334444:role/x")
    assert finding.reason.endswith("(+1 more principals)")
    assert (finding.sid, finding.statement_index, finding.actions) == ("mixed", 0, ("ecr:BatchGetImage",))


@pytest.mark.parametrize(
    "policy", [None, "{}", " {} ", {}], ids=["none", "empty-text", "padded-text", "empty-dict"]
)
def test_no_policy_is_restricted_and_says_so(policy):
    exposure = analyze(policy)
    assert (exposure.verdict, exposure.pull_exposed, exposure.findings, exposure.has_policy) == (
        ExposureVerdict.RESTRICTED,
        False,
        (),
        False,
    )
    assert "no repository policy" in exposure.summary()


def test_text_dict_and_pretty_text_agree():
    document = doc({"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"})
    results = {analyze(json.dumps(document)), analyze(json.dumps(document, indent=4)), analyze(document)}
    assert {r.verdict for r in results} == {ExposureVerdict.PUBLIC}
    assert len({r.findings for r in results}) == 1


def test_over_the_ecr_limit_is_rejected():
    padding = {"Effect": "Allow", "Principal": {"AWS": OWNER}, "Action": "ecr:BatchGetImage"}
    text = json.dumps(doc(*[padding] * 200))
    assert len(text) > 10_240
    with pytest.raises(PolicyError, match="the limit is 10240"):
        analyze(text)


def test_statement_without_principal_is_rejected():
    with pytest.raises(PolicyError, match="no Principal"):
        analyze(doc({"Effect": "Allow", "Action": "ecr:*"}))


@pytest.mark.parametrize(
    ("owner", "accounts", "orgs", "message"),
    [
        pytest.param("1234", (), (), "not 12 digits", id="short-owner"),
        pytest.param(OWNER, ("abc",), (), "not 12 digits", id="bad-trusted-account"),
        pytest.param(OWNER, (), ("org-1",), "o-xxxxxxxxxx", id="bad-org"),
    ],
)
def test_bad_zone_of_trust_is_refused(owner, accounts, orgs, message):
    with pytest.raises(ValueError, match=message):
        analyze_repository_policy("{}", owner_account=owner, trusted_accounts=accounts, trusted_org_ids=orgs)


def test_non_text_policy_is_refused():
    with pytest.raises(ValueError, match="JSON text or a dict"):
        analyze_repository_policy(42, owner_account=OWNER)


def test_trusted_org_ids_are_case_insensitive():
    document = doc(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "ecr:BatchGetImage",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": TRUSTED_ORG}},
        }
    )
    exposure = analyze_repository_policy(document, owner_account=OWNER, trusted_org_ids=[TRUSTED_ORG.upper()])
    assert exposure.verdict is ExposureVerdict.RESTRICTED
