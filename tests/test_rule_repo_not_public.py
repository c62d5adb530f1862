"""ECR_REPO_NOT_PUBLIC through lambda_handler: real-shaped events, moto ECR, Config captured."""

import json

import boto3
import pytest
from moto import mock_aws

from ecr_access.testing.config_harness import (
    ACCOUNT,
    NOTIFICATION_TIME,
    REGION,
    ConfigCapture,
    LambdaContext,
    capture_config,
    change_event,
    client_error,
    configuration_item,
    load_rule,
    oversized_event,
    periodic_event,
    refusing,
)

RULE = load_rule("ECR_REPO_NOT_PUBLIC")
NAME = "ECR_REPO_NOT_PUBLIC"
TYPE = "AWS::ECR::Repository"
ORG = "o-a1b2c3d4e5"
PULL = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def policy(*statements, indent=2):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=indent)


PUBLIC = policy({"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": PULL})
ORG_ONLY = policy(
    {
        "Sid": "org",
        "Effect": "Allow",
        "Principal": "*",
        "Action": PULL,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
    }
)
CROSS = policy({"Sid": "vendor", "Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": PULL})
CARVE_OUT = policy(
    {"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": PULL},
    {
        "Sid": "fence",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "ecr:*",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
    },
)
PUSH_ONLY_PUBLIC = policy({"Sid": "push", "Effect": "Allow", "Principal": "*", "Action": "ecr:PutImage"})
PUBLIC_ANNOTATION = (
    'Statement "pub" (#0) lets anyone (Principal *) call ecr:GetDownloadUrlForLayer, ecr:BatchGetImage; '
    "no org/account condition"
)


def repository_item(name, policy_text, *, status="OK", tags=None, config_tags=None):
    """An AWS::ECR::Repository configuration item as Config delivers it."""
    arn = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"
    configuration = {
        "RepositoryName": name,
        "Arn": arn,
        "RepositoryUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}",
        "ImageTagMutability": "IMMUTABLE",
        "ImageScanningConfiguration": {"ScanOnPush": True},
        "EncryptionConfiguration": {"EncryptionType": "AES256"},
        "RepositoryPolicyText": policy_text,
        "Tags": config_tags or [],
    }
    return configuration_item(TYPE, name, name, arn, configuration, status=status, region=REGION, tags=tags)


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with mock_aws():
        yield boto3.client("ecr", region_name=REGION)


@pytest.fixture
def config(aws):
    capture = ConfigCapture()
    with capture_config(capture):
        yield capture


def create(ecr, name, policy_text=None, tags=None):
    ecr.create_repository(repositoryName=name, tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    if policy_text is not None:
        ecr.set_repository_policy(repositoryName=name, policyText=policy_text)


# --- change-triggered ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("item", "parameters", "compliance", "annotation"),
    [
        pytest.param(
            repository_item("team/app", PUBLIC), {}, "NON_COMPLIANT", PUBLIC_ANNOTATION, id="public-json-text"
        ),
        pytest.param(
            repository_item("team/app", {}),
            {},
            "COMPLIANT",
            "no repository policy: only the owner account's IAM principals can reach it",
            id="no-policy-object",
        ),
        pytest.param(
            repository_item("team/app", ORG_ONLY),
            {"TrustedOrganizationIds": ORG},
            "COMPLIANT",
            "repository policy grants nothing outside the owner and trusted accounts/organizations",
            id="org-restricted",
        ),
        pytest.param(
            repository_item("team/app", ORG_ONLY),
            {},
            "NON_COMPLIANT",
            'Statement "org" (#0) lets anyone (Principal *) call ecr:GetDownloadUrlForLayer, '
            "ecr:BatchGetImage; organization o-a1b2c3d4e5 is not trusted",
            id="org-not-trusted",
        ),
        pytest.param(
            repository_item("team/app", CROSS),
            {},
            "NON_COMPLIANT",
            'Statement "vendor" (#0) lets account 999988887777 call ecr:GetDownloadUrlForLayer, '
            "ecr:BatchGetImage; account 999988887777 is not trusted",
            id="cross-account",
        ),
        pytest.param(
            repository_item("team/app", CROSS),
            {"TrustedAccountIds": "999988887777, 222233334444"},
            "COMPLIANT",
            "repository policy grants nothing outside the owner and trusted accounts/organizations",
            id="cross-account-trusted",
        ),
        pytest.param(
            repository_item("team/app", CARVE_OUT),
            {"TrustedOrganizationIds": ORG},
            "COMPLIANT",
            "repository policy grants nothing outside the owner and trusted accounts/organizations",
            id="deny-carve-out",
        ),
        pytest.param(
            repository_item("team/app", '{"Version": "2012-10-17", "Statement": "oops"}'),
            {},
            "NON_COMPLIANT",
            "policy could not be analysed: Statement must be an object or a list of objects",
            id="malformed-policy",
        ),
        pytest.param(
            repository_item("team/app", PUBLIC, tags={"ecr-access-exempt": "true"}),
            {"ExemptionTagKey": "ecr-access-exempt"},
            "NOT_APPLICABLE",
            "exempt: tag ecr-access-exempt=true",
            id="exempt-by-tag",
        ),
        pytest.param(
            repository_item("team/app", PUBLIC, config_tags=[{"Key": "ecr-access-exempt", "Value": "TRUE"}]),
            {"ExemptionTagKey": "ecr-access-exempt"},
            "NOT_APPLICABLE",
            "exempt: tag ecr-access-exempt=true",
            id="exempt-by-configuration-tags",
        ),
        pytest.param(
            repository_item("team/app", PUBLIC, tags={"ecr-access-exempt": "false"}),
            {"ExemptionTagKey": "ecr-access-exempt"},
            "NON_COMPLIANT",
            PUBLIC_ANNOTATION,
            id="exemption-tag-false",
        ),
        pytest.param(
            repository_item("team/app", PUBLIC, status="ResourceDeleted"),
            {},
            "NOT_APPLICABLE",
            "resource deleted or out of scope",
            id="deleted",
        ),
        pytest.param(
            repository_item("team/app", PUBLIC, status="ResourceNotRecorded"),
            {},
            "NOT_APPLICABLE",
            "resource deleted or out of scope",
            id="not-recorded",
        ),
    ],
)
def test_change_triggered(config, item, parameters, compliance, annotation):
    assert RULE.lambda_handler(change_event(item, NAME, parameters), None) is None
    (evaluation,) = config.evaluations
    assert evaluation == {
        "ComplianceResourceId": "team/app",
        "ComplianceResourceType": TYPE,
        "ComplianceType": compliance,
        "OrderingTimestamp": "2026-11-20T09:58:12.345Z",
        "Annotation": annotation,
    }
    assert config.put_calls[0]["TestMode"] is False


def test_an_item_without_policy_text_is_never_compliant(config):
    item = repository_item("team/app", {})
    del item["configuration"]["RepositoryPolicyText"]
    RULE.lambda_handler(change_event(item, NAME), None)
    (evaluation,) = config.evaluations
    assert evaluation["ComplianceType"] == "NON_COMPLIANT"
    assert evaluation["Annotation"] == (
        "policy could not be analysed: the configuration item has no RepositoryPolicyText"
    )


def test_oversized_notification_is_inflated_from_history(config):
    item = repository_item("big/repo", PUBLIC)
    config.history["big/repo"] = item
    RULE.lambda_handler(oversized_event(item, NAME), None)
    assert config.by_resource(TYPE)["big/repo"]["ComplianceType"] == "NON_COMPLIANT"
    assert ("config", "GetResourceConfigHistory") in config.calls


def test_annotation_never_exceeds_256_characters(config):
    long_sid = "S" * 300
    text = policy({"Sid": long_sid, "Effect": "Allow", "Principal": "*", "Action": PULL})
    RULE.lambda_handler(change_event(repository_item("team/app", text), NAME), None)
    annotation = config.evaluations[0]["Annotation"]
    assert len(annotation) == 256 and annotation.endswith("…")


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        pytest.param(
            {"TrustedAccountIds": "12345"},
            "TrustedAccountIds: '12345' is not a 12-digit AWS account id",
            id="short-account",
        ),
        pytest.param(
            {"TrustedOrganizationIds": "org-1"},
            "TrustedOrganizationIds: 'org-1' is not an organization id",
            id="bad-org",
        ),
        pytest.param({"ReportOnlyChanges": "yes"}, "ReportOnlyChanges must be true or false", id="bad-bool"),
        pytest.param(
            {"ExecutionRoleName": "path/role"},
            "ExecutionRoleName: 'path/role' is not an IAM role name",
            id="role-with-path",
        ),
    ],
)
def test_bad_parameters_return_rdklibs_parameter_error(config, parameters, message):
    response = RULE.lambda_handler(change_event(repository_item("x", PUBLIC), NAME, parameters), None)
    assert response["customerErrorCode"] == "InvalidParameterValueException"
    assert message in response["customerErrorMessage"]
    assert config.put_calls == []


# --- periodic --------------------------------------------------------------------------------------
def seed(ecr):
    create(ecr, "public", PUBLIC)
    create(ecr, "team/org-only", ORG_ONLY)
    create(ecr, "vendor-shared", CROSS)
    create(ecr, "no-policy")
    create(ecr, "fenced", CARVE_OUT)
    create(ecr, "push-only-public", PUSH_ONLY_PUBLIC)


def test_periodic_judges_every_repository(aws, config):
    seed(aws)
    RULE.lambda_handler(periodic_event(NAME, {"TrustedOrganizationIds": ORG}), None)
    results = {name: e["ComplianceType"] for name, e in config.by_resource(TYPE).items()}
    assert results == {
        "public": "NON_COMPLIANT",
        "team/org-only": "COMPLIANT",
        "vendor-shared": "NON_COMPLIANT",
        "no-policy": "COMPLIANT",
        "fenced": "COMPLIANT",
        "push-only-public": "NON_COMPLIANT",
    }
    assert {e["OrderingTimestamp"] for e in config.evaluations} == {NOTIFICATION_TIME}
    # the repositories, and the registry's own paths (tests/test_rule_registry_paths.py)
    assert {e["ComplianceResourceType"] for e in config.evaluations} == {TYPE, "AWS::ECR::RegistryPolicy"}
    assert config.by_resource(TYPE)["public"]["Annotation"] == PUBLIC_ANNOTATION


def test_periodic_test_mode_token(aws, config):
    create(aws, "public", PUBLIC)
    RULE.lambda_handler(periodic_event(NAME, token="TESTMODE"), None)
    assert config.put_calls[0]["TestMode"] is True


def test_periodic_puts_in_batches_of_100(aws, config):
    for number in range(230):
        create(aws, f"repo-{number:03d}")
    RULE.lambda_handler(periodic_event(NAME), None)
    # 230 repositories and the registry's own evaluation
    assert [len(call["Evaluations"]) for call in config.put_calls] == [100, 100, 31]


def test_periodic_exemption_reads_tags(aws, config):
    create(aws, "exempt", PUBLIC, tags={"ecr-access-exempt": "true"})
    create(aws, "public", PUBLIC)
    RULE.lambda_handler(periodic_event(NAME, {"ExemptionTagKey": "ecr-access-exempt"}), None)
    assert config.by_resource(TYPE)["exempt"]["ComplianceType"] == "NOT_APPLICABLE"
    assert config.by_resource(TYPE)["public"]["ComplianceType"] == "NON_COMPLIANT"


@pytest.mark.parametrize(
    ("bulk", "tag_calls", "exempt"),
    [
        pytest.param("answers", 1, "NOT_APPLICABLE", id="bulk-read-then-confirm-the-one-exemption"),
        pytest.param("denied", 4, "NOT_APPLICABLE", id="bulk-denied-reads-each-repository"),
        pytest.param("stale", 1, "NON_COMPLIANT", id="stale-bulk-answer-never-exempts"),
    ],
)
def test_exemption_tags_are_read_in_bulk_and_exemptions_confirmed(aws, config, bulk, tag_calls, exempt):
    """Resource Groups Tagging API GetResources for the exemption key, one call a page; each exemption
    it reports confirmed with the repository's own ListTagsForResource (a tag removed since is no
    exemption); per-repository reads when the bulk read is refused."""
    create(aws, "exempt", PUBLIC, tags={"ecr-access-exempt": "true"})
    create(aws, "public", PUBLIC, tags={"team": "web"})
    create(aws, "other", None)
    create(aws, "fourth", None)
    if bulk == "denied":
        config.faults.append(refusing("GetResources", "AccessDeniedException"))
    if bulk == "stale":  # the Tagging API still lists a tag that the repository no longer has
        stale = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/public"
        config.overrides[("resourcegroupstaggingapi", "GetResources")] = lambda params, _: {
            "ResourceTagMappingList": [
                {"ResourceARN": stale, "Tags": [{"Key": "ecr-access-exempt", "Value": "true"}]}
            ]
        }
        exempt_name = "public"
    else:
        exempt_name = "exempt"
    config.calls.clear()
    RULE.lambda_handler(periodic_event(NAME, {"ExemptionTagKey": "ecr-access-exempt"}), None)
    assert config.by_resource(TYPE)[exempt_name]["ComplianceType"] == exempt
    assert config.calls.count(("ecr", "ListTagsForResource")) == tag_calls
    assert config.calls.count(("resourcegroupstaggingapi", "GetResources")) == 1


def test_vanished_repositories_are_retired(aws, config):
    create(aws, "still-here")
    config.add_prior(TYPE, "still-here", "COMPLIANT", "no repository policy")
    config.add_prior(TYPE, "deleted-last-week", "NON_COMPLIANT", "…")
    config.add_prior(TYPE, "already-retired", "NOT_APPLICABLE", "resource no longer exists")
    RULE.lambda_handler(periodic_event(NAME), None)
    results = config.by_resource(TYPE)
    assert results["deleted-last-week"]["ComplianceType"] == "NOT_APPLICABLE"
    assert "already-retired" not in results
    assert results["still-here"]["ComplianceType"] == "COMPLIANT"


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException"])
def test_one_unreadable_repository_fails_closed_and_the_rest_are_reported(aws, config, code):
    seed(aws)
    config.add_prior(TYPE, "vendor-shared", "NON_COMPLIANT", "old result")

    def fault(operation, params):
        if operation == "GetRepositoryPolicy" and params["repositoryName"] == "vendor-shared":
            return client_error(code, operation)
        return None

    config.faults.append(fault)
    with pytest.raises(
        RULE.handle.__globals__["SweepIncomplete"], match=rf"1 resource.*vendor-shared: {code}"
    ):
        RULE.lambda_handler(periodic_event(NAME, {"TrustedOrganizationIds": ORG}), None)
    results = config.by_resource(TYPE)
    assert "vendor-shared" not in results  # neither COMPLIANT nor retired: its last result stands
    assert set(results) == {"public", "team/org-only", "no-policy", "fenced", "push-only-public"}


def test_a_failed_listing_retires_nothing(aws, config):
    config.add_prior(TYPE, "maybe-there", "NON_COMPLIANT", "…")
    config.faults.append(
        lambda operation, _: (
            client_error("AccessDeniedException", operation) if operation == "DescribeRepositories" else None
        )
    )
    with pytest.raises(RuntimeError, match="listing repositories"):
        RULE.lambda_handler(periodic_event(NAME), None)
    assert config.by_resource(TYPE) == {}  # no repository judged, none retired (the registry was readable)


def test_failed_evaluations_are_retried_then_recorded(aws, config):
    seed(aws)
    config.failed_evaluations.append(
        [
            {
                "ComplianceResourceId": "public",
                "ComplianceResourceType": TYPE,
                "ComplianceType": "NON_COMPLIANT",
                "OrderingTimestamp": NOTIFICATION_TIME,
            }
        ]
    )
    sleeps = []
    RULE.handle(
        RULE.ECR_REPO_NOT_PUBLIC(),
        periodic_event(NAME),
        None,
        resource_types=RULE.APPLICABLE_RESOURCES,
        sleep=sleeps.append,
    )
    assert [len(call["Evaluations"]) for call in config.put_calls] == [7, 1]  # 6 repositories, the registry
    assert config.put_calls[1]["Evaluations"][0]["ComplianceResourceId"] == "public"
    assert sleeps == [0.5]


def test_evaluations_config_keeps_refusing_are_raised(aws, config):
    create(aws, "public", PUBLIC)
    refused = [{"ComplianceResourceId": "public", "ComplianceResourceType": TYPE}]
    config.failed_evaluations.extend([refused] * 4)
    with pytest.raises(
        RuntimeError, match=r"Config did not record 1 evaluation.*AWS::ECR::Repository public"
    ):
        RULE.handle(
            RULE.ECR_REPO_NOT_PUBLIC(),
            periodic_event(NAME),
            None,
            resource_types=RULE.APPLICABLE_RESOURCES,
            sleep=lambda _: None,
        )
    assert len(config.put_calls) == 4


def test_report_only_changes_puts_only_what_changed(aws, config):
    seed(aws)
    parameters = {"TrustedOrganizationIds": ORG, "ReportOnlyChanges": "true"}
    RULE.lambda_handler(periodic_event(NAME, parameters), None)
    for e in config.evaluations:  # Config now holds the first run's results
        config.add_prior(
            e["ComplianceResourceType"],
            e["ComplianceResourceId"],
            e["ComplianceType"],
            e.get("Annotation", ""),
        )
    first_run = len(config.evaluations)
    aws.set_repository_policy(repositoryName="no-policy", policyText=PUBLIC)  # one change
    RULE.lambda_handler(periodic_event(NAME, parameters), None)
    second_run = config.evaluations[first_run:]
    assert first_run == 7  # 6 repositories and the registry
    assert [(e["ComplianceResourceId"], e["ComplianceType"]) for e in second_run] == [
        ("no-policy", "NON_COMPLIANT")
    ]


def test_the_deadline_stops_new_reads_and_reports_what_it_has(aws, config):
    for number in range(40):
        create(aws, f"repo-{number:02d}")
    config.add_prior(TYPE, "repo-39", "NON_COMPLIANT", "…")
    reads = []
    config.faults.append(
        lambda operation, _: reads.append(operation) if operation == "GetRepositoryPolicy" else None
    )
    # plenty of time for the listing and the first 10 reads, then under the read reserve (45 s)
    # but with time left to put what was read
    context = LambdaContext(lambda: 600_000 if len(reads) < 10 else 40_000)
    with pytest.raises(RuntimeError, match="not reached before the deadline"):
        RULE.lambda_handler(periodic_event(NAME), context)
    evaluated = set(config.by_resource(TYPE))
    assert 10 <= len(evaluated) < 40
    assert "repo-39" not in evaluated  # unreached: not retired either


def test_cross_account_execution_role_is_assumed(aws, config):
    create(aws, "public", PUBLIC)
    event = periodic_event(NAME, {"ExecutionRoleName": "ecr-access-rule-execution"})
    event["ruleParameters"] = json.dumps(
        {"ExecutionRoleName": "ecr-access-rule-execution"}
    )  # AssumeRoleMode unset
    RULE.lambda_handler(event, None)
    assert ("sts", "AssumeRole") in config.calls
    assert config.by_resource(TYPE)["public"]["ComplianceType"] == "NON_COMPLIANT"
