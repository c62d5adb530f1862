"""Properties of the exposure analysis over generated repository policies."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_access import analyze_repository_policy
from ecr_access.policy import parse_policy_text

from conftest import OWNER, TRUSTED_ACCOUNT, TRUSTED_ORG, UNTRUSTED_ACCOUNT

ACCOUNTS = [OWNER, TRUSTED_ACCOUNT, UNTRUSTED_ACCOUNT, "222233334444"]
ORGS = [TRUSTED_ORG, "o-untrusted1"]

principals = st.one_of(
    st.just("*"),
    st.builds(lambda a: {"AWS": a}, st.sampled_from([*ACCOUNTS, "*"])),
    st.builds(lambda a: {"AWS": a}, st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3)),
    st.builds(lambda a: {"AWS": f"arn:aws:iam::{a}:role/app"}, st.sampled_from(ACCOUNTS)),
    st.builds(lambda s: {"Service": s}, st.sampled_from(["codebuild.amazonaws.com", "lambda.amazonaws.com"])),
    st.just({"Federated": "accounts.google.com"}),
)
actions = st.lists(
    st.sampled_from(
        [
            "ecr:*",
            "*",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "ecr:Get*",
            "ecr:PutImage",
            "s3:*",
            "ecr:Describe*",
        ]
    ),
    min_size=1,
    max_size=3,
    unique=True,
)
condition_blocks = st.sampled_from(
    [
        ("StringEquals", "aws:PrincipalOrgID", ORGS),
        ("StringNotEquals", "aws:PrincipalOrgID", ORGS),
        ("StringEquals", "aws:PrincipalAccount", ACCOUNTS),
        ("StringNotEquals", "aws:PrincipalAccount", ACCOUNTS),
        ("StringEquals", "aws:SourceAccount", ACCOUNTS),
        ("StringNotEquals", "aws:SourceAccount", ACCOUNTS),
        ("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "0.0.0.0/0", "10.0.0.0/8"]),
        ("NotIpAddress", "aws:SourceIp", ["203.0.113.0/24", "0.0.0.0/0"]),
        ("Bool", "aws:SecureTransport", ["true", "false"]),
        ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", [f"{TRUSTED_ORG}/*", "o-*/*"]),
        ("ForAllValues:StringNotLike", "aws:PrincipalOrgPaths", [f"{TRUSTED_ORG}/*"]),
        ("ArnLike", "aws:PrincipalArn", [f"arn:aws:iam::{a}:role/*" for a in ACCOUNTS]),
        ("StringNotEqualsIfExists", "aws:PrincipalOrgID", ORGS),
        ("Null", "aws:PrincipalOrgID", ["true", "false"]),
    ]
)


@st.composite
def conditions(draw):
    result: dict = {}
    for operator, key, values in draw(st.lists(condition_blocks, max_size=2)):
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
        result.setdefault(operator, {})[key] = chosen
    return result


@st.composite
def statements(draw, effect=None):
    statement = {
        "Sid": f"s{draw(st.integers(0, 10**6))}",
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        "Principal": draw(principals),
        "Action": draw(actions),
    }
    if condition := draw(conditions()):
        statement["Condition"] = condition
    return statement


@st.composite
def policies(draw):
    body = draw(st.lists(statements(), min_size=1, max_size=4, unique_by=lambda s: s["Sid"]))
    return {"Version": "2012-10-17", "Statement": body}


def judge(document):
    exposure = analyze_repository_policy(
        json.dumps(document),
        owner_account=OWNER,
        trusted_accounts=[TRUSTED_ACCOUNT],
        trusted_org_ids=[TRUSTED_ORG],
    )
    return exposure


def outcome(exposure):
    """Verdict, pull exposure and findings keyed by Sid (so statement order does not matter)."""
    return (
        exposure.verdict,
        exposure.pull_exposed,
        frozenset((f.sid, f.verdict, f.pull_exposed, f.actions, f.principals) for f in exposure.findings),
    )


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(policies(), statements(effect="Deny"), st.integers(0, 4))
def test_adding_a_deny_never_widens_exposure(document, denial, position):
    before = judge(document)
    body = list(document["Statement"])
    body.insert(min(position, len(body)), denial)
    after = judge({**document, "Statement": body})
    assert after.verdict.severity <= before.verdict.severity
    assert not (after.pull_exposed and not before.pull_exposed)


@PROPERTY
@given(policies(), st.randoms(use_true_random=False))
def test_statement_and_key_order_never_change_the_outcome(document, rnd):
    def shuffled(value):
        if isinstance(value, dict):
            items = list(value.items())
            rnd.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    reordered = shuffled(document)
    rnd.shuffle(reordered["Statement"])
    assert outcome(judge(reordered)) == outcome(judge(document))


@PROPERTY
@given(policies(), st.randoms(use_true_random=False))
def test_string_and_one_element_list_forms_never_change_the_outcome(document, rnd):
    def reshaped(value, key=None):
        if isinstance(value, dict):
            return {k: reshaped(v, k) for k, v in value.items()}
        if isinstance(value, list) and len(value) == 1 and key != "Statement" and rnd.random() < 0.5:
            return value[0]
        if isinstance(value, list):
            return [reshaped(v) for v in value]
        if (
            isinstance(value, str)
            and key not in (None, "Sid", "Effect", "Version")
            and rnd.random() < 0.5
            and value != "*"
        ):
            return [value]
        return value

    assert outcome(judge(reshaped(document))) == outcome(judge(document))
    if len(document["Statement"]) == 1:  # a lone statement may be an object instead of a list
        assert outcome(judge({**document, "Statement": document["Statement"][0]})) == outcome(judge(document))


@PROPERTY
@given(policies(), st.sampled_from([None, 0, 2, 4]), st.sampled_from([(",", ":"), (", ", ": ")]))
def test_whitespace_never_changes_the_outcome_and_parse_is_idempotent(document, indent, separators):
    compact = json.dumps(document)
    spaced = json.dumps(document, indent=indent, separators=separators)
    assert parse_policy_text(spaced) == parse_policy_text(compact)
    assert parse_policy_text(compact) == parse_policy_text(json.dumps(json.loads(compact)))
    assert outcome(judge(json.loads(spaced))) == outcome(judge(document))
