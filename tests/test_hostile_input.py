"""Hostile input and faults never blind the rules (issue "Hostile input and faults").

Each case was reproduced on the code before this module existed: an exponential
wildcard, a nesting bomb, one bad resource stopping a sweep, unknown read as
"none", duplicate keys judged differently by two paths, a deadline overrun, a
failed side read dropping every evaluation, and CLI inputs read as "nothing
exposed". Time is measured in the tests only against generous bounds (1 s) that
a linear matcher misses by orders of magnitude only when it is not linear.
"""

import json
import re
import subprocess
import sys
import time
import tracemalloc
from urllib.parse import quote

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from rdklib import InvalidParametersError

from ecr_access import PolicyError, analyze_repository_policy, evaluate_principal, load_config_items
from ecr_access.cli.main import main
from ecr_access.config_rules import handler as rule_handler
from ecr_access.config_rules import isolation
from ecr_access.config_rules.allow_list import AllowList
from ecr_access.config_rules.deadline import DeadlineReached
from ecr_access.policy.json_text import MAX_NESTING_DEPTH
from ecr_access.policy.wildcard import wildcard_match
from ecr_access.testing.config_harness import (
    ACCOUNT,
    AuthorizationDetailsPager,
    ConfigCapture,
    LambdaContext,
    capture_config,
    change_event,
    client_error,
    configuration_item,
    load_rule,
    periodic_event,
    refusing,
)

from conftest import OWNER, PULL, doc

REPOSITORY_TYPE = "AWS::ECR::Repository"  # the registry's own evaluation is judged elsewhere
REPO_RULE = load_rule("ECR_REPO_NOT_PUBLIC")
PRINCIPAL_RULE = load_rule("ECR_LAYER_DOWNLOAD_RESTRICTED")
REPOSITORY = f"arn:aws:ecr:us-east-1:{OWNER}:repository/team/app"
BOUND_SECONDS = 1.0  # a linear matcher takes microseconds; the old one took minutes
HUMAN_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def role_principal(inline: str):
    """A role as its configuration item carries it, with one inline policy given as raw text."""
    item = configuration_item(
        "AWS::IAM::Role",
        "AROAEXAMPLEHOSTILE01",
        "hostile",
        f"arn:aws:iam::{OWNER}:role/hostile",
        {
            "roleName": "hostile",
            "roleId": "AROAEXAMPLEHOSTILE01",
            "arn": f"arn:aws:iam::{OWNER}:role/hostile",
            "path": "/",
            "assumeRolePolicyDocument": quote(json.dumps(HUMAN_TRUST)),
            "rolePolicyList": [{"policyName": "inline", "policyDocument": quote(inline)}],
            "attachedManagedPolicies": [],
            "permissionsBoundary": None,
            "tags": [],
        },
    )
    (principal,) = load_config_items([item]).principals
    return principal


# --- exponential wildcards --------------------------------------------------------------------------
STARS = "*" * 40


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param({"Effect": "Allow", "Principal": "*", "Action": f"ecr:?{STARS}x"}, id="action"),
        pytest.param(
            {"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": f"arn:aws:ecr:*{STARS}?x"},
            id="resource",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "ecr:*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OWNER}:role/{STARS}?x"}},
            },
            id="arn-condition",
        ),
        pytest.param(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": f"ecr:{STARS}?{STARS}x",
                "Condition": {"StringNotLike": {"aws:PrincipalOrgID": f"o-{STARS}?x"}},
            },
            id="deny-pattern",
        ),
    ],
)
def test_repository_policy_wildcards_are_matched_in_linear_time(statement):
    text = json.dumps(doc(statement))
    _, seconds = timed(lambda: analyze_repository_policy(text, owner_account=OWNER))
    assert seconds < BOUND_SECONDS


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            {
                "Effect": "Allow",
                "Action": "ecr:*",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalArn": "*" * 12 + "x"}},
            },
            id="string-like-condition",
        ),
        pytest.param({"Effect": "Allow", "Action": f"e?{STARS}?x", "Resource": "*"}, id="identity-action"),
        pytest.param(
            {"Effect": "Allow", "Action": "ecr:*", "Resource": f"arn:aws:ecr:*:*:repository/{STARS}?x"},
            id="identity-resource",
        ),
        pytest.param(
            {
                "Effect": "Allow",
                "Action": "ecr:*",
                "Resource": "arn:aws:ecr:*:${aws:PrincipalAccount}:repository/" + STARS + "${aws:username}?x",
            },
            id="policy-variable-template",
        ),
    ],
)
def test_identity_policy_wildcards_are_matched_in_linear_time(statement):
    principal = role_principal(json.dumps(doc(statement)))
    _, seconds = timed(lambda: evaluate_principal(principal, repository_arn=REPOSITORY))
    assert seconds < BOUND_SECONDS


def test_allow_list_patterns_are_matched_in_linear_time():
    allow_list = AllowList(arn_patterns=(f"arn:aws:iam::*:role/{STARS}?{STARS}x",))
    principal = role_principal(json.dumps(doc({"Effect": "Allow", "Action": PULL, "Resource": "*"})))
    entry, seconds = timed(lambda: allow_list.entry_for(principal))
    assert entry is None and seconds < BOUND_SECONDS


def _reference(pattern: str, text: str) -> bool:
    """The plain regex translation (exponential in the worst case: used only on tiny inputs)."""
    source = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(source, text, re.DOTALL) is not None


@settings(max_examples=400, deadline=None)
@given(st.text("ab*?", max_size=8), st.text("ab", max_size=10))
def test_the_linear_matcher_agrees_with_the_regex_translation(pattern, text):
    assert wildcard_match(pattern, text, case_sensitive=True) is _reference(pattern, text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["*", "?", "a", "*" * 30, "?" * 5, "ab"]), min_size=1, max_size=200).map(
        "".join
    ),
    st.text("ab", min_size=0, max_size=2000),
)
def test_long_wildcard_runs_take_bounded_time(pattern, text):
    _, seconds = timed(lambda: wildcard_match(pattern, text, case_sensitive=True))
    assert seconds < BOUND_SECONDS


# --- nesting bombs and huge documents --------------------------------------------------------------
BOMB = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*",'
    '"Condition":{"StringEquals":{"aws:PrincipalOrgID":' + "[" * 1500 + "]" * 1500 + "}}}]}"
)


def test_a_nesting_bomb_is_a_policy_error_naming_the_limit():
    assert len(BOMB) < 3_200
    with pytest.raises(PolicyError, match=f"more than {MAX_NESTING_DEPTH} levels deep"):
        analyze_repository_policy(BOMB, owner_account=OWNER)


def test_a_nesting_bomb_given_decoded_is_a_policy_error_too():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(PolicyError, match="levels deep"):
        analyze_repository_policy({"Statement": deep}, owner_account=OWNER)


def test_a_nesting_bomb_in_an_identity_policy_leaves_the_principal_unreadable():
    principal = role_principal(BOMB)
    decision = evaluate_principal(principal, repository_arn=REPOSITORY)
    assert decision.verdict.value == "CONDITIONAL" and decision.unreadable
    assert "levels deep" in decision.reason


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps(
        doc({"Sid": "[" * 200 + "{" * 200, "Effect": "Allow", "Principal": "*", "Action": PULL})
    )
    assert analyze_repository_policy(text, owner_account=OWNER).verdict.value == "PUBLIC"


def test_an_oversized_document_is_refused_before_it_is_decoded():
    text = json.dumps(doc({"Effect": "Allow", "Action": PULL, "Resource": "*", "Sid": "x" * 300_000}))
    (attached,) = role_principal(text).policies
    assert attached.policy is None and "characters long; the limit is 262144" in attached.problem
    repository_text = json.dumps(
        doc({"Effect": "Allow", "Principal": "*", "Action": PULL, "Sid": "x" * 10_300})
    )
    with pytest.raises(PolicyError, match="the limit is 10240"):
        analyze_repository_policy(repository_text, owner_account=OWNER)


@settings(max_examples=80, deadline=None)
@given(
    st.recursive(
        st.one_of(st.text(max_size=5), st.integers(), st.booleans(), st.none()),
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=60,
    ),
    st.integers(min_value=0, max_value=400),
)
def test_any_json_gives_a_verdict_or_a_policy_error_and_nothing_else(value, depth):
    nested: object = value
    for _ in range(depth):
        nested = [nested]
    text = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": nested}]})
    try:
        (exposure, seconds) = timed(lambda: analyze_repository_policy(text, owner_account=OWNER))
    except PolicyError:
        return
    assert (
        exposure.verdict.value in ("PUBLIC", "CROSS_ACCOUNT_UNTRUSTED", "RESTRICTED")
        and seconds < BOUND_SECONDS
    )


# --- the command line ------------------------------------------------------------------------------
def test_check_policy_exits_2_on_a_nesting_bomb(tmp_path, capsys):
    path = tmp_path / "bomb.json"
    path.write_text(BOMB)
    assert main(["check-policy", str(path), "--account", OWNER]) == 2
    assert "levels deep" in capsys.readouterr().err


def test_check_policy_refuses_a_huge_file_without_reading_it_whole(tmp_path, capsys):
    path = tmp_path / "huge.json"
    path.write_text('{"Statement": "' + "x" * 20_000_000 + '"}')
    tracemalloc.start()
    try:
        code = main(["check-policy", str(path), "--account", OWNER])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2
    assert "longer than 10,240 characters" in capsys.readouterr().err
    assert peak < 1_000_000  # a few pages, not 20 MB


def test_check_policy_names_a_file_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"Sid": "caf\xe9"}')
    assert main(["check-policy", str(path), "--account", OWNER]) == 2
    assert f"{path} is not UTF-8 text" in capsys.readouterr().err


def test_json_output_into_a_closed_pipe_ends_without_a_traceback(tmp_path):
    path = tmp_path / "dump.json"
    roles = [
        {
            "RoleName": f"r{n}",
            "RoleId": f"AROAEXAMPLE{n:010d}",
            "Arn": f"arn:aws:iam::{OWNER}:role/r{n}",
            "Path": "/",
            "RolePolicyList": [],
            "AttachedManagedPolicies": [],
        }
        for n in range(3000)
    ]
    path.write_text(json.dumps({"RoleDetailList": roles}))
    command = [
        sys.executable,
        "-m",
        "ecr_access.cli.main",
        "who-can-pull",
        "--authorization-details",
        str(path),
    ]
    reader = subprocess.Popen([*command, "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.readline()
    reader.stdout.close()  # what `| head -1` does
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_an_unexpected_error_is_one_line_and_never_the_exposed_exit_code(monkeypatch, tmp_path, capsys):
    from ecr_access.cli import check_policy

    def broken(*args, **kwargs):
        raise AssertionError("a bug")

    monkeypatch.setattr(check_policy, "analyze_repository_policy", broken)  # the one-policy path
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc({"Effect": "Allow", "Principal": "*", "Action": PULL})))
    assert main(["check-policy", str(path), "--account", OWNER]) == 2
    err = capsys.readouterr().err
    assert "internal error: AssertionError: a bug" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "patterns",
    [
        pytest.param("*", id="bare-star"),
        pytest.param("arn:*", id="any-arn"),
        pytest.param("arn:aws:iam::*:*", id="any-principal"),
        pytest.param("arn:aws:iam::*:role/*,arn:aws:iam::*:user/*", id="every-role-and-user"),
        pytest.param("not-an-arn", id="not-an-arn"),
    ],
)
def test_an_allow_list_that_approves_everyone_is_refused(patterns):
    with pytest.raises(InvalidParametersError, match="AllowedPrincipalArns"):
        PRINCIPAL_RULE.ECR_LAYER_DOWNLOAD_RESTRICTED().evaluate_parameters({"AllowedPrincipalArns": patterns})


def test_a_narrow_allow_list_is_accepted():
    parsed = PRINCIPAL_RULE.ECR_LAYER_DOWNLOAD_RESTRICTED().evaluate_parameters(
        {"AllowedPrincipalArns": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*Admin*"}
    )
    assert parsed["settings"].allow_list.arn_patterns == (
        "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*Admin*",
    )


# --- rules on AWS (moto) ---------------------------------------------------------------------------
@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    with mock_aws():
        capture = ConfigCapture()
        capture.overrides[("iam", "GetAccountAuthorizationDetails")] = AuthorizationDetailsPager()
        with capture_config(capture):
            yield capture


PUBLIC = json.dumps(doc({"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": PULL}), indent=2)


def _repositories(count: int) -> list[str]:
    ecr = boto3.client("ecr", region_name="us-east-1")
    names = [f"repo-{n:02d}" for n in range(count)]
    for name in names:
        ecr.create_repository(repositoryName=name)
        ecr.set_repository_policy(repositoryName=name, policyText=PUBLIC)
    return names


@pytest.mark.parametrize(
    ("fault", "annotation"),
    [
        pytest.param(RuntimeError("a bug"), "could not be analysed: RuntimeError: a bug", id="a-bug"),
        pytest.param(RecursionError("deep"), "could not be analysed: RecursionError: deep", id="recursion"),
        pytest.param(
            "slow", "could not be analysed: the analysis took longer than its 0.2 s budget", id="slow"
        ),
    ],
)
def test_one_bad_repository_among_20_leaves_the_other_19_put(aws, monkeypatch, fault, annotation):
    names = _repositories(20)
    from ecr_access.config_rules import repository_evaluation

    real = repository_evaluation.analyze_repository_policy

    def analyze(policy, **kwargs):
        if analyze.calls == 7:
            analyze.calls += 1
            if fault == "slow":
                time.sleep(10)  # interrupted by the time budget
            raise fault
        analyze.calls += 1
        return real(policy, **kwargs)

    analyze.calls = 0
    monkeypatch.setattr(repository_evaluation, "analyze_repository_policy", analyze)
    monkeypatch.setattr(isolation, "RESOURCE_BUDGET_SECONDS", 0.2)
    started = time.monotonic()
    REPO_RULE.lambda_handler(periodic_event("ECR_REPO_NOT_PUBLIC"), None)
    assert time.monotonic() - started < 5
    results = aws.by_resource(REPOSITORY_TYPE)
    assert sorted(results) == names
    failed = [n for n, e in results.items() if e["Annotation"].startswith("could not be analysed")]
    assert len(failed) == 1 and results[failed[0]]["ComplianceType"] == "NON_COMPLIANT"
    assert results[failed[0]]["Annotation"] == annotation
    assert all(results[n]["ComplianceType"] == "NON_COMPLIANT" for n in names)  # the 19: judged PUBLIC


def test_hostile_repository_policies_among_20_do_not_slow_the_sweep(aws):
    ecr = boto3.client("ecr", region_name="us-east-1")
    _repositories(18)
    hostile = {
        "wildcards": json.dumps(doc({"Effect": "Allow", "Principal": "*", "Action": f"ecr:?{STARS}x"})),
        "nesting": BOMB,
    }
    for name in hostile:
        ecr.create_repository(repositoryName=name)
    ecr.set_repository_policy(repositoryName="wildcards", policyText=hostile["wildcards"])  # ECR accepts it

    def get_repository_policy(params, call_through):
        if params["repositoryName"] == "nesting":  # moto refuses to store it: answer as a registry could
            return {"registryId": ACCOUNT, "repositoryName": "nesting", "policyText": BOMB}
        return call_through(params)

    aws.overrides[("ecr", "GetRepositoryPolicy")] = get_repository_policy
    _, seconds = timed(lambda: REPO_RULE.lambda_handler(periodic_event("ECR_REPO_NOT_PUBLIC"), None))
    results = aws.by_resource(REPOSITORY_TYPE)
    assert len(results) == 20 and seconds < 10
    assert results["nesting"]["ComplianceType"] == "NON_COMPLIANT"
    assert "levels deep" in results["nesting"]["Annotation"]


def test_one_principal_whose_analysis_fails_leaves_the_others_put(aws, monkeypatch):
    iam = boto3.client("iam", region_name="us-east-1")
    ids = {}
    for n in range(20):
        ids[f"role-{n}"] = iam.create_role(
            RoleName=f"role-{n}", AssumeRolePolicyDocument=json.dumps(HUMAN_TRUST)
        )["Role"]["RoleId"]
        iam.put_role_policy(
            RoleName=f"role-{n}",
            PolicyName="p",
            PolicyDocument=json.dumps(doc({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})),
        )
    from ecr_access.permissions import evaluate as evaluate_module

    real = evaluate_module.PermissionEvaluator.evaluate

    def evaluate(self, principal):
        if principal.name == "role-13":
            raise KeyError("unforeseen")
        return real(self, principal)

    monkeypatch.setattr(evaluate_module.PermissionEvaluator, "evaluate", evaluate)
    PRINCIPAL_RULE.lambda_handler(periodic_event("ECR_LAYER_DOWNLOAD_RESTRICTED"), None)
    results = aws.by_resource()
    assert set(results) == set(ids.values())
    assert results[ids["role-13"]]["Annotation"] == "could not be analysed: KeyError: 'unforeseen'"
    assert all(e["ComplianceType"] == "NON_COMPLIANT" for e in results.values())


# --- unknown is never "none" -----------------------------------------------------------------------
def _repository_item(policy_text):
    arn = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/app"
    configuration = {"RepositoryName": "team/app", "Arn": arn, "RepositoryPolicyText": policy_text}
    return configuration_item(
        "AWS::ECR::Repository", "team/app", "team/app", arn, configuration, region="us-east-1"
    )


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(_repository_item(None), id="policy-text-null"),
        pytest.param(
            {**_repository_item({}), "configuration": {"RepositoryName": "team/app"}}, id="policy-text-absent"
        ),
        pytest.param({**_repository_item({}), "configuration": None}, id="configuration-null"),
    ],
)
def test_an_unknown_repository_policy_is_never_compliant(aws, item):
    REPO_RULE.lambda_handler(change_event(item, "ECR_REPO_NOT_PUBLIC"), None)
    (evaluation,) = aws.evaluations
    assert evaluation["ComplianceType"] == "NON_COMPLIANT"
    assert evaluation["Annotation"] == (
        "policy could not be analysed: the configuration item has no RepositoryPolicyText"
    )


def _role_item(**configuration):
    base = {
        "roleName": "holder",
        "roleId": "AROAEXAMPLEHOLDER001",
        "arn": f"arn:aws:iam::{ACCOUNT}:role/holder",
        "path": "/",
        "assumeRolePolicyDocument": quote(json.dumps(HUMAN_TRUST)),
        "rolePolicyList": [],
        "attachedManagedPolicies": [],
        "permissionsBoundary": None,
        "tags": [],
    }
    base.update(configuration)
    base = {k: v for k, v in base.items() if v != "omit"}
    return configuration_item(
        "AWS::IAM::Role", "AROAEXAMPLEHOLDER001", "holder", f"arn:aws:iam::{ACCOUNT}:role/holder", base
    )


@pytest.mark.parametrize(
    ("item", "annotation"),
    [
        pytest.param(
            _role_item(rolePolicyList="omit", attachedManagedPolicies="omit"),
            "the record has no rolePolicyList, attachedManagedPolicies: its policies are unknown",
            id="lists-absent",
        ),
        pytest.param(
            _role_item(rolePolicyList=None),
            "the record has no rolePolicyList: its policies are unknown",
            id="inline-null",
        ),
        pytest.param(
            _role_item(roleId="omit"),
            f"could not be analysed: arn:aws:iam::{ACCOUNT}:role/holder: malformed AWS::IAM::Role",
            id="malformed-item",
        ),
    ],
)
def test_a_role_item_that_does_not_say_what_it_holds_is_never_compliant(aws, item, annotation):
    PRINCIPAL_RULE.lambda_handler(change_event(item, "ECR_LAYER_DOWNLOAD_RESTRICTED"), None)
    (evaluation,) = aws.evaluations
    assert evaluation["ComplianceType"] == "NON_COMPLIANT"
    assert annotation in evaluation["Annotation"]


# --- duplicate keys: one judgement on every path ---------------------------------------------------
DUPLICATE_EFFECT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "ecr:*", "Resource": "*"}]}'  # noqa: E501


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(DUPLICATE_EFFECT, id="duplicate-effect"),
        pytest.param(
            json.dumps(doc({"Effect": "Allow", "Action": f"ecr:?{STARS}r", "Resource": "*"})), id="wildcards"
        ),
        pytest.param(json.dumps(doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})), id="no-ecr"),
        pytest.param(json.dumps(doc({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})), id="ecr-star"),
    ],
)
def test_the_change_triggered_and_periodic_paths_judge_the_stored_text_alike(aws, document):
    iam = boto3.client("iam", region_name="us-east-1")
    role_id = iam.create_role(RoleName="holder", AssumeRolePolicyDocument=json.dumps(HUMAN_TRUST))["Role"][
        "RoleId"
    ]
    iam.put_role_policy(RoleName="holder", PolicyName="inline", PolicyDocument=document)
    PRINCIPAL_RULE.lambda_handler(periodic_event("ECR_LAYER_DOWNLOAD_RESTRICTED"), None)
    periodic = aws.by_resource()[role_id]
    item = _role_item(
        roleId=role_id, rolePolicyList=[{"policyName": "inline", "policyDocument": quote(document)}]
    )
    item["resourceId"] = role_id
    PRINCIPAL_RULE.lambda_handler(change_event(item, "ECR_LAYER_DOWNLOAD_RESTRICTED"), None)
    changed = aws.evaluations[-1]
    assert changed["ComplianceResourceId"] == role_id
    assert (changed["ComplianceType"], changed["Annotation"]) == (
        periodic["ComplianceType"],
        periodic["Annotation"],
    )
    if document is DUPLICATE_EFFECT:
        assert (
            periodic["ComplianceType"] == "NON_COMPLIANT"
            and 'duplicate key "Effect"' in periodic["Annotation"]
        )


# --- deadlines and side reads ----------------------------------------------------------------------
class Clock:
    """The Lambda's remaining time, spent by backoff sleeps and by every AWS call (seconds per operation)."""

    def __init__(self, seconds: float, **costs: float) -> None:
        self.remaining, self.costs = seconds, costs

    def context(self) -> LambdaContext:
        return LambdaContext(lambda: int(self.remaining * 1000))

    def sleep(self, seconds: float) -> None:
        self.remaining -= seconds

    def fault(self, operation, params):
        self.remaining -= self.costs.get(operation, 0.1)
        return None


def test_put_backoff_never_runs_past_the_deadline(aws):
    _repositories(3)
    # Each PutEvaluations takes 12 s (throttled, within the Config client's bounded retries):
    # 50 s leave room for three attempts, not for the fourth and its backoff.
    clock = Clock(50, PutEvaluations=12)
    aws.faults.append(clock.fault)
    failing = [{"ComplianceResourceType": "AWS::ECR::Repository", "ComplianceResourceId": "repo-00"}]
    aws.failed_evaluations = [failing] * 10  # Config keeps refusing one evaluation
    rule = REPO_RULE.ECR_REPO_NOT_PUBLIC()
    with pytest.raises(DeadlineReached, match="1 not put"):
        rule_handler.handle(
            rule,
            periodic_event("ECR_REPO_NOT_PUBLIC"),
            clock.context(),
            resource_types=["AWS::ECR::Repository"],
            sleep=clock.sleep,
        )
    assert clock.remaining > 0  # the handler's own error, with time to spare
    assert len(aws.put_calls) >= 2  # it did retry while there was time


def test_a_denied_prior_results_read_still_puts_every_evaluation(aws):
    names = _repositories(5)
    aws.faults.append(refusing("GetComplianceDetailsByConfigRule", "AccessDeniedException"))
    REPO_RULE.lambda_handler(periodic_event("ECR_REPO_NOT_PUBLIC", {"ReportOnlyChanges": "true"}), None)
    assert sorted(aws.by_resource(REPOSITORY_TYPE)) == names


def test_prior_results_that_would_eat_the_put_time_are_skipped(aws):
    names = _repositories(5)
    for n in range(1000):  # ten pages of prior results
        aws.add_prior("AWS::ECR::Repository", f"gone-{n}", "NON_COMPLIANT")
    clock = Clock(50, GetComplianceDetailsByConfigRule=4)  # the read stops at the 30 s reserve
    aws.faults.append(clock.fault)
    rule_handler.handle(
        REPO_RULE.ECR_REPO_NOT_PUBLIC(),
        periodic_event("ECR_REPO_NOT_PUBLIC"),
        clock.context(),
        resource_types=["AWS::ECR::Repository"],
        sleep=clock.sleep,
    )
    put = aws.by_resource(REPOSITORY_TYPE)
    assert sorted(put) == names  # every evaluation, and no retirement from a partial read


@pytest.mark.parametrize(
    ("parents", "said"),
    [
        pytest.param([], "has 0 parents in ListParents", id="no-parent"),
        pytest.param([{"Id": "ou-1", "Type": "ORGANIZATIONAL_UNIT"}] * 2, "has 2 parents", id="two-parents"),
        pytest.param(
            [{"Id": "ou-loop", "Type": "ORGANIZATIONAL_UNIT"}], "no root within 7 levels", id="a-loop"
        ),
    ],
)
def test_an_unexpected_list_parents_answer_only_means_scps_not_evaluated(aws, parents, said):
    boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
    iam = boto3.client("iam", region_name="us-east-1")
    role_id = iam.create_role(RoleName="holder", AssumeRolePolicyDocument=json.dumps(HUMAN_TRUST))["Role"][
        "RoleId"
    ]
    aws.overrides[("organizations", "DescribeOrganization")] = lambda params, through: {
        "Organization": {"MasterAccountId": "999999999999", "Id": "o-a1b2c3d4e5"}
    }
    aws.overrides[("organizations", "ListParents")] = lambda params, through: {"Parents": parents}
    PRINCIPAL_RULE.lambda_handler(
        periodic_event("ECR_LAYER_DOWNLOAD_RESTRICTED", {"EvaluateScps": "true"}), None
    )
    annotation = aws.by_resource()[role_id]["Annotation"]
    assert "SCPs not evaluated" in annotation and said in annotation


# --- parameters ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw", ["[]", "null", '"text"', "{not json", "42", '{"AssumeRoleMode": true}'], ids=str
)
def test_rule_parameters_that_are_not_an_object_get_the_parameter_error_response(aws, raw):
    event = periodic_event("ECR_REPO_NOT_PUBLIC")
    event["ruleParameters"] = raw
    if raw in ("null", '{"AssumeRoleMode": true}'):  # no parameters / a boolean flag: the run goes on
        assert REPO_RULE.lambda_handler(event, None) is None
        return
    response = REPO_RULE.lambda_handler(event, None)
    assert response["customerErrorCode"] == "InvalidParameterValueException"
    assert "ruleParameters" in response["customerErrorMessage"]
    assert aws.put_calls == []


def test_a_client_error_in_a_change_read_is_still_raised(aws):
    """Reads stay rdklib-shaped: a failed read is the rule's error, not a verdict."""
    item = _role_item(
        rolePolicyList=[],
        attachedManagedPolicies=[{"policyName": "p", "policyArn": "arn:aws:iam::aws:policy/X"}],
    )
    aws.faults.append(
        lambda operation, params: client_error("Throttling", operation) if operation == "GetPolicy" else None
    )
    with pytest.raises(Exception, match="Throttling"):
        PRINCIPAL_RULE.lambda_handler(change_event(item, "ECR_LAYER_DOWNLOAD_RESTRICTED"), None)


def test_a_sweep_restores_the_alarm_handler_it_found_and_still_cuts_a_slow_resource():
    import signal

    def before(signum, frame):
        return None

    previous = signal.signal(signal.SIGALRM, before)
    try:
        with isolation.budgeted_sweep():
            outcome = isolation.judge_isolated(
                "slow", "AWS::ECR::Repository", lambda: time.sleep(5), lambda e: e, budget_seconds=0.1
            )
        assert outcome.annotation == "could not be analysed: the analysis took longer than its 0.1 s budget"
        assert signal.getsignal(signal.SIGALRM) is before
    finally:
        signal.signal(signal.SIGALRM, previous)
