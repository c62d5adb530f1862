"""CloudTrail pull events judged against the allow-list, deduplicated, and summed into a pull history.

Records follow the documented CloudTrail record format (CloudTrail User Guide, "CloudTrail
record contents" and "userIdentity element"), as ECR writes them for GetDownloadUrlForLayer.
"""

import gzip
import json

import pytest

from ecr_access.config_rules.allow_list import AllowList
from ecr_access.detection.callers import CallerType, caller_of
from ecr_access.detection.dedup import Deduplicator
from ecr_access.detection.pull_events import DetectionSettings, judge_pull, pull_of
from ecr_access.detection.pull_history import pull_history, suggested_allow_list

REGISTRY = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{REGISTRY}:role/service-role/ci-build"


def assumed_role(role_arn=ROLE, session="build-42", account=REGISTRY):
    name = role_arn.rsplit("/", 1)[1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLEROLE000001:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{name}/{session}",
        "accountId": account,
        "accessKeyId": "ASIAEXAMPLE000000001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEROLE000001",
                "arn": role_arn,
                "accountId": account,
                "userName": name,
            },
            "attributes": {"creationDate": "2026-11-30T09:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def record(
    identity, *, event="GetDownloadUrlForLayer", time="2026-11-30T10:00:00Z", ip="10.1.2.3", vpce=None, **more
):
    body = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": "ecr.amazonaws.com",
        "eventName": event,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": "containerd/1.7",
        "requestParameters": {
            "registryId": REGISTRY,
            "repositoryName": "team/app",
            "layerDigest": "sha256:" + "a" * 64,
        },
        "responseElements": None,
        "requestID": "5b4f3c2a-0000-0000-0000-000000000000",
        "eventID": "9a8b7c6d-0000-0000-0000-000000000000",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": REGISTRY,
        "eventCategory": "Management",
        **more,
    }
    if vpce:
        body["vpcEndpointId"] = vpce
    return body


USER = {
    "type": "IAMUser",
    "principalId": "AIDAEXAMPLEUSER000001",
    "arn": f"arn:aws:iam::{REGISTRY}:user/dana",
    "accountId": REGISTRY,
}
SERVICE = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
ALLOW = AllowList(arn_patterns=("arn:aws:iam::*:role/service-role/*",))


@pytest.mark.parametrize(
    ("identity", "caller_type", "principal"),
    [
        pytest.param(assumed_role(), CallerType.ROLE, ROLE, id="assumed-role-session-is-its-role-with-path"),
        pytest.param(USER, CallerType.USER, f"arn:aws:iam::{REGISTRY}:user/dana", id="iam-user"),
        pytest.param(SERVICE, CallerType.SERVICE, None, id="service-principal"),
        pytest.param(
            {"type": "Root", "arn": f"arn:aws:iam::{REGISTRY}:root", "accountId": REGISTRY},
            CallerType.ROOT,
            f"arn:aws:iam::{REGISTRY}:root",
            id="root",
        ),
        pytest.param(
            {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/x/y"},
            CallerType.UNKNOWN,
            None,
            id="session-without-issuer-is-unknown",
        ),
        pytest.param("not an object", CallerType.UNKNOWN, None, id="malformed"),
    ],
)
def test_callers_are_named_as_the_allow_list_names_them(identity, caller_type, principal):
    caller = caller_of({"userIdentity": identity})
    assert (caller.type, caller.principal_arn) == (caller_type, principal)


@pytest.mark.parametrize(
    ("event", "settings", "reason"),
    [
        pytest.param(
            record(assumed_role()), DetectionSettings(ALLOW), None, id="allow-listed-role-no-finding"
        ),
        pytest.param(
            record(USER),
            DetectionSettings(ALLOW),
            "user/dana is not allow-listed",
            id="user-not-allow-listed",
        ),
        pytest.param(
            record(USER),
            DetectionSettings(AllowList(tag_key="ecr-access")),
            "its tags and trust policy were not read",
            id="tag-entries-need-the-iam-record",
        ),
        pytest.param(
            record(assumed_role(f"arn:aws:iam::{OTHER}:role/service-role/x", account=OTHER)),
            DetectionSettings(ALLOW),
            f"account {OTHER} pulls from registry {REGISTRY}",
            id="untrusted-cross-account",
        ),
        pytest.param(
            record(assumed_role(f"arn:aws:iam::{OTHER}:role/service-role/x", account=OTHER)),
            DetectionSettings(ALLOW, frozenset({OTHER})),
            None,
            id="trusted-cross-account",
        ),
        pytest.param(
            record(assumed_role(), vpce="vpce-0a1b2c3d"),
            DetectionSettings(ALLOW, expected_vpc_endpoints=frozenset({"vpce-0a1b2c3d"})),
            None,
            id="through-the-expected-endpoint",
        ),
        pytest.param(
            record(assumed_role(), ip="203.0.113.9"),
            DetectionSettings(ALLOW, expected_vpc_endpoints=frozenset({"vpce-0a1b2c3d"})),
            "from 203.0.113.9, outside the expected networks",
            id="outside-the-expected-networks",
        ),
        pytest.param(
            record(assumed_role(), ip="10.1.2.3"),
            DetectionSettings(ALLOW, expected_cidrs=("10.0.0.0/8",)),
            None,
            id="inside-an-expected-cidr",
        ),
        pytest.param(
            record(SERVICE, ip="lambda.amazonaws.com"),
            DetectionSettings(ALLOW),
            None,
            id="service-pulls-are-the-repository-policys-matter",
        ),
    ],
)
def test_pulls_are_judged_against_the_rules_allow_list(event, settings, reason):
    finding = judge_pull(pull_of(event), settings)
    if reason is None:
        assert finding is None, finding.reasons
    else:
        assert finding is not None and any(reason in r for r in finding.reasons), finding


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(
            record(USER, errorCode="AccessDenied", errorMessage="denied"), id="failed-call-pulled-nothing"
        ),
        pytest.param(record(USER, event="PutImage"), id="not-a-pull"),
        pytest.param({**record(USER), "eventSource": "s3.amazonaws.com"}, id="another-service"),
        pytest.param({**record(USER), "requestParameters": None}, id="no-repository"),
    ],
)
def test_what_is_not_a_pull(event):
    assert pull_of(event) is None


def test_a_40_layer_pull_is_one_finding():
    dedup = Deduplicator()
    events = [record(USER, time=f"2026-11-30T10:00:{s:02}Z") for s in range(40)]
    firsts = [dedup.first(pull_of(e)) for e in events]
    assert firsts.count(True) == 1
    later = record(USER, time="2026-11-30T11:00:00Z")  # another window: another pull
    other_session = record(assumed_role(session="build-43"), time="2026-11-30T10:00:05Z")
    assert dedup.first(pull_of(later)) and dedup.first(pull_of(other_session))


def test_the_pull_history_counts_pulls_not_layers_and_suggests_the_allow_list(tmp_path, capsys):
    day = [
        record(assumed_role(), time=f"2026-11-{d:02}T10:00:{s:02}Z", vpce="vpce-0a1b2c3d")
        for d in range(1, 31)
        for s in range(12)
    ]
    day += [record(USER, time="2026-11-15T08:00:00Z"), record(SERVICE, ip="lambda.amazonaws.com")]
    (tmp_path / "AWSLogs").mkdir()
    with gzip.open(tmp_path / "AWSLogs" / "a.json.gz", "wt") as handle:
        json.dump({"Records": day[:200]}, handle)
    (tmp_path / "AWSLogs" / "b.json").write_text("\n".join(json.dumps(r) for r in day[200:]))  # Lake export
    history = pull_history([tmp_path]).principals
    assert history[ROLE].pulls == 30 and history[ROLE].networks == {"vpce-0a1b2c3d"}
    assert history[f"arn:aws:iam::{REGISTRY}:user/dana"].pulls == 1
    assert pull_history([tmp_path], since="2026-11-20").principals[ROLE].pulls == 11
    suggestion = suggested_allow_list(history)
    assert f'"{ROLE}",' in suggestion and "30 pulls of 1 repositories" in suggestion
    assert "lambda.amazonaws.com" in suggestion  # named, but not allow-listed: it pulls as a service

    from ecr_access.cli.main import main

    assert main(["pulls", "--cloudtrail", str(tmp_path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["principal"] == ROLE and rows[0]["pulls"] == 30
    assert main(["pulls", "--cloudtrail", str(tmp_path / "missing")]) == 2


def test_a_bad_log_file_is_reported_and_never_stops_the_others(tmp_path, capsys):
    """Hostile input: truncated gzip, invalid JSON, deep nesting — each skipped and said, the rest read."""
    (tmp_path / "good.json").write_text(json.dumps({"Records": [record(USER)]}))
    (tmp_path / "truncated.json.gz").write_bytes(gzip.compress(b'{"Records": [')[:-6])
    (tmp_path / "invalid.json").write_text("{not json")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    history = pull_history([tmp_path])
    assert history.principals[f"arn:aws:iam::{REGISTRY}:user/dana"].pulls == 1
    assert sorted(f.split(":")[0].rsplit("/", 1)[1] for f in history.unreadable) == [
        "deep.json",
        "invalid.json",
        "truncated.json.gz",
    ]

    from ecr_access.cli.main import main

    assert main(["pulls", "--cloudtrail", str(tmp_path)]) == 2  # an incomplete history is never a pass
    captured = capsys.readouterr()
    assert "1 principals pulled" in captured.out and "skipped unreadable CloudTrail file" in captured.err


@pytest.mark.parametrize(
    "detail",
    [
        pytest.param(
            {
                "eventSource": "ecr.amazonaws.com",
                "eventName": "GetDownloadUrlForLayer",
                "userIdentity": [],
                "requestParameters": {"registryId": 7, "repositoryName": ["x"]},
            },
            id="wrong-types",
        ),
        pytest.param(
            {
                "eventSource": "ecr.amazonaws.com",
                "eventName": "GetDownloadUrlForLayer",
                "userIdentity": {"type": "AssumedRole", "sessionContext": "x"},
                "requestParameters": {"registryId": REGISTRY, "repositoryName": "a"},
            },
            id="session-context-not-an-object",
        ),
        pytest.param(
            {
                "eventSource": "ecr.amazonaws.com",
                "eventName": "SetRepositoryPolicy",
                "requestParameters": {
                    "registryId": REGISTRY,
                    "repositoryName": "a",
                    "policyText": "[" * 50_000,
                },
            },
            id="hostile-policy-text",
        ),
        pytest.param(
            {
                "eventSource": "ecr.amazonaws.com",
                "eventName": "PutReplicationConfiguration",
                "requestParameters": {"replicationConfiguration": {"rules": "x"}},
            },
            id="replication-not-a-list",
        ),
    ],
)
def test_hostile_events_never_crash_the_detectors_and_unknown_is_reported(detail):
    from ecr_access.detection.handler import Settings, Sinks, handle_event

    published = []
    settings = Settings(DetectionSettings(ALLOW), ())
    sinks = Sinks(lambda s, b: published.append(b))
    result = handle_event({"detail": detail}, settings, Deduplicator(), sinks)
    if detail["eventName"] == "GetDownloadUrlForLayer":
        assert (
            result is None
            or "not allow-listed" in result["Description"]
            or "cannot name" in result["Description"]
        )
    else:
        assert result is not None and "could not be judged" in result["Description"]
