"""Properties of evaluate_principal over generated identity policies."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_access import load_authorization_details
from ecr_access.permissions import PermissionEvaluator

from principal_builder import REPO, authorization_details

RANK = {"DENIED": 0, "CONDITIONAL": 1, "ALLOWED": 2}

actions = st.lists(
    st.sampled_from(["ecr:GetDownloadUrlForLayer", "ecr:*", "*", "ecr:Get*", "s3:*", "ecr:BatchGetImage"]),
    min_size=1,
    max_size=3,
    unique=True,
)
resources = st.lists(
    st.sampled_from(
        [
            "*",
            REPO,
            "arn:aws:ecr:*:*:repository/team/*",
            "arn:aws:ecr:*:*:repository/other",
            "arn:aws:ecr:us-east-1:111122223333:repository/${aws:PrincipalTag/team}/*",
        ]
    ),
    min_size=1,
    max_size=2,
    unique=True,
)
conditions = st.sampled_from(
    [
        None,
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}},
        {"StringEquals": {"aws:PrincipalType": ["AssumedRole"]}},
        {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
        {"StringEquals": {"aws:PrincipalTag/team": ["team"]}},
        {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
    ]
)


@st.composite
def statements(draw, effect=None):
    statement = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "NotAction"])): draw(actions),
        "Resource": draw(resources),
    }
    if (condition := draw(conditions)) is not None:
        statement["Condition"] = condition
    return statement


policies = st.lists(st.lists(statements(), min_size=1, max_size=3), min_size=0, max_size=3)
tags = st.sampled_from([{}, {"team": "team"}, {"team": "other"}])


def decide(policy_list, tag_set, *, boundary=None, scps=()):
    page = authorization_details(policy_list, tags=tag_set, boundary=boundary)
    (principal,) = load_authorization_details(page).principals
    evaluator = PermissionEvaluator(repository_arn=REPO, scps=scps, now=1_780_272_000.0)
    return evaluator.evaluate(principal).verdict.value


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(policies, tags, statements(effect="Deny"), st.integers(0, 3))
def test_adding_a_deny_never_widens_access(policy_list, tag_set, denial, where):
    before = decide(policy_list, tag_set)
    widened = copy.deepcopy(policy_list)
    if where < len(widened):
        widened[where].append(denial)
    else:
        widened.append([denial])
    assert RANK[decide(widened, tag_set)] <= RANK[before]


@PROPERTY
@given(policies, tags, statements(effect="Deny"))
def test_a_deny_in_a_boundary_never_widens_access(policy_list, tag_set, denial):
    full = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    assert RANK[decide(policy_list, tag_set, boundary=[full, denial])] <= RANK[decide(policy_list, tag_set)]


@PROPERTY
@given(policies, tags, st.randoms(use_true_random=False))
def test_string_and_one_element_list_forms_never_change_the_decision(policy_list, tag_set, rnd):
    def reshaped(value, key=None):
        if isinstance(value, dict):
            return {k: reshaped(v, k) for k, v in value.items()}
        if isinstance(value, list) and key is not None and len(value) == 1 and rnd.random() < 0.5:
            return value[0]
        if isinstance(value, list):
            return [reshaped(v) for v in value]
        if isinstance(value, str) and key in ("Action", "NotAction", "Resource") and rnd.random() < 0.5:
            return [value]
        return value

    assert decide(reshaped(policy_list), tag_set) == decide(policy_list, tag_set)
