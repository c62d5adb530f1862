"""The same account loaded from authorization details and from Config items decides the same."""

import json
from urllib.parse import quote

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from ecr_access import PermissionEvaluator, load_authorization_details, load_config_items
from ecr_access.testing.config_harness import configuration_item

from principal_builder import ECS_TASKS_TRUST

ACCOUNT = "111122223333"
REPO = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/app"
CORPUS = json.loads(aws_managed_policies_data)
READ_ONLY_ARN = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
AUDIT_ARN = "arn:aws:iam::aws:policy/SecurityAudit"
AWS_MANAGED = {
    READ_ONLY_ARN: CORPUS["AmazonEC2ContainerRegistryReadOnly"]["Document"],
    AUDIT_ARN: CORPUS["SecurityAudit"]["Document"],
}


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


PULL = {"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}
CUSTOMER = {
    f"arn:aws:iam::{ACCOUNT}:policy/ci-ecr": doc(
        {"Effect": "Allow", "Action": "ecr:*", "Resource": f"arn:aws:ecr:*:{ACCOUNT}:repository/team/*"}
    ),
    f"arn:aws:iam::{ACCOUNT}:policy/no-ecr-boundary": doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    ),
}
ECS_TRUST = ECS_TASKS_TRUST

# name, kind, unique id, path, inline docs, managed ARNs, boundary ARN, tags, groups
IDENTITIES = [
    ("app", "role", "AROAAPPROLE0000000001", "/service/", {"pull": doc(PULL)}, [], None, {"team": "a"}, []),
    ("ci", "role", "AROACIROLE00000000001", "/", {}, [f"arn:aws:iam::{ACCOUNT}:policy/ci-ecr"], None, {}, []),
    (
        "reader",
        "role",
        "AROAREADER0000000001",
        "/",
        {},
        [READ_ONLY_ARN],
        f"arn:aws:iam::{ACCOUNT}:policy/no-ecr-boundary",
        {},
        [],
    ),
    (
        "tagged",
        "role",
        "AROATAGGED0000000001",
        "/",
        {"by-tag": doc({**PULL, "Condition": {"StringEquals": {"aws:PrincipalTag/ecr": "yes"}}})},
        [],
        None,
        {"ecr": "yes"},
        [],
    ),
    (
        "conditional",
        "role",
        "AROACOND000000000001",
        "/",
        {"ip": doc({**PULL, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})},
        [],
        None,
        {},
        [],
    ),
    ("bob", "user", "AIDABOB0000000000001", "/", {}, [], None, {}, ["devs"]),
    ("alice", "user", "AIDAALICE00000000001", "/", {}, [], None, {}, ["auditors"]),
    (
        "carol",
        "user",
        "AIDACAROL00000000001",
        "/",
        {"pull": doc(PULL), "no": doc({**PULL, "Effect": "Deny"})},
        [],
        None,
        {},
        [],
    ),
]
GROUPS = {"devs": ({"grant": doc(PULL)}, []), "auditors": ({}, [AUDIT_ARN])}


def _arn(kind, path, name):
    return f"arn:aws:iam::{ACCOUNT}:{kind}{path}{name}"


def authorization_details_form():
    page = {"UserDetailList": [], "RoleDetailList": [], "GroupDetailList": [], "Policies": []}
    for name, kind, uid, path, inline, managed, boundary, tags, groups in IDENTITIES:
        entity = {
            "Path": path,
            "Arn": _arn(kind, path, name),
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in managed],
        }
        if boundary:
            entity["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": boundary,
            }
        policies = [{"PolicyName": n, "PolicyDocument": d} for n, d in inline.items()]
        if kind == "role":
            entity.update(
                RoleName=name, RoleId=uid, RolePolicyList=policies, AssumeRolePolicyDocument=ECS_TRUST
            )
            page["RoleDetailList"].append(entity)
        else:
            entity.update(UserName=name, UserId=uid, UserPolicyList=policies, GroupList=groups)
            page["UserDetailList"].append(entity)
    for name, (inline, managed) in GROUPS.items():
        page["GroupDetailList"].append(
            {
                "GroupName": name,
                "GroupId": f"AGPA{name.upper():0<16}",
                "GroupPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline.items()],
                "AttachedManagedPolicies": [
                    {"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in managed
                ],
            }
        )
    for arn, document in {**CUSTOMER, **AWS_MANAGED}.items():
        page["Policies"].append(
            {"Arn": arn, "PolicyVersionList": [{"Document": document, "IsDefaultVersion": True}]}
        )
    # Two pages, as a paginated dump would give: identities and policies apart.
    return [
        {k: page[k] for k in ("UserDetailList", "RoleDetailList", "GroupDetailList")},
        {"Policies": page["Policies"]},
    ]


def _encoded(document):
    return quote(json.dumps(document), safe="")  # as IAM configuration items carry them


def _item(resource_type, resource_id, name, arn, configuration):
    return configuration_item(resource_type, resource_id, name, arn, configuration)


def config_items_form():
    items = []
    for name, kind, uid, path, inline, managed, boundary, tags, groups in IDENTITIES:
        prefix = "role" if kind == "role" else "user"
        configuration = {
            f"{prefix}Name": name,
            f"{prefix}Id": uid,
            "arn": _arn(kind, path, name),
            "path": path,
            f"{prefix}PolicyList": [
                {"policyName": n, "policyDocument": _encoded(d)} for n, d in inline.items()
            ],
            "attachedManagedPolicies": [{"policyName": a.rsplit("/", 1)[1], "policyArn": a} for a in managed],
            "permissionsBoundary": {
                "permissionsBoundaryType": "PermissionsBoundaryPolicy",
                "permissionsBoundaryArn": boundary,
            }
            if boundary
            else None,
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        }
        if kind == "role":
            configuration["assumeRolePolicyDocument"] = _encoded(ECS_TRUST)
        else:
            configuration["groupList"] = groups
        items.append(_item(f"AWS::IAM::{kind.title()}", uid, name, configuration["arn"], configuration))
    for name, (inline, managed) in GROUPS.items():
        gid = f"AGPA{name.upper():0<16}"
        items.append(
            _item(
                "AWS::IAM::Group",
                gid,
                name,
                _arn("group", "/", name),
                {
                    "groupName": name,
                    "groupId": gid,
                    "groupPolicyList": [
                        {"policyName": n, "policyDocument": _encoded(d)} for n, d in inline.items()
                    ],
                    "attachedManagedPolicies": [
                        {"policyName": a.rsplit("/", 1)[1], "policyArn": a} for a in managed
                    ],
                },
            )
        )
    for arn, document in CUSTOMER.items():
        items.append(
            _item(
                "AWS::IAM::Policy",
                "ANPA" + arn.rsplit("/", 1)[1].upper(),
                arn.rsplit("/", 1)[1],
                arn,
                {
                    "policyName": arn.rsplit("/", 1)[1],
                    "arn": arn,
                    "defaultVersionId": "v1",
                    "policyVersionList": [
                        {"document": _encoded(document), "versionId": "v1", "isDefaultVersion": True}
                    ],
                },
            )
        )
    return items


def _decisions(account):
    evaluator = PermissionEvaluator(repository_arn=REPO, now=1_780_272_000.0)
    return {p.unique_id: (p.type.value, p.arn, evaluator.evaluate(p)) for p in account.principals}


@pytest.fixture(scope="module")
def both():
    return (
        _decisions(load_authorization_details(authorization_details_form())),
        _decisions(load_config_items(config_items_form(), managed_policy_documents=AWS_MANAGED)),
    )


def test_same_principals_and_decisions_from_both_sources(both):
    from_details, from_config = both
    assert from_details == from_config


@pytest.mark.parametrize(
    ("unique_id", "verdict", "reason"),
    [
        ("AROAAPPROLE0000000001", "ALLOWED", "Allowed by inline policy pull, statement #0"),
        ("AROACIROLE00000000001", "ALLOWED", "Allowed by managed policy ci-ecr, statement #0"),
        ("AROAREADER0000000001", "DENIED", "Permissions boundary no-ecr-boundary does not allow"),
        ("AROATAGGED0000000001", "ALLOWED", "Allowed by inline policy by-tag"),
        ("AROACOND000000000001", "CONDITIONAL", "(aws:SourceIp)"),
        ("AIDABOB0000000000001", "ALLOWED", "Allowed by inline policy grant (via group devs)"),
        ("AIDAALICE00000000001", "DENIED", "No identity policy or repository policy allows"),
        ("AIDACAROL00000000001", "DENIED", "Denied by inline policy no, statement #0"),
    ],
)
def test_each_principal_is_decided_as_expected(both, unique_id, verdict, reason):
    for decisions in both:
        _, _, decision = decisions[unique_id]
        assert decision.verdict.value == verdict
        assert reason in decision.reason


def test_a_managed_policy_is_parsed_once_and_shared_by_its_holders():
    page = authorization_details_form()
    roles = page[0]["RoleDetailList"]
    roles[1]["AttachedManagedPolicies"].append({"PolicyName": "ro", "PolicyArn": READ_ONLY_ARN})  # "ci" too
    account = load_authorization_details(page)
    holders = [a.policy for p in account.principals for a in p.policies if a.source.arn == READ_ONLY_ARN]
    assert len(holders) == 2
    assert holders[0] is holders[1]


def test_an_aws_managed_policy_config_cannot_resolve_is_reported_never_passed():
    account = load_config_items(config_items_form())  # no AWS managed documents given
    assert any("AmazonEC2ContainerRegistryReadOnly was not available" in p for p in account.problems)
    evaluator = PermissionEvaluator(repository_arn=REPO)
    by_name = {p.name: evaluator.evaluate(p) for p in account.principals}
    # alice's only policy (SecurityAudit via a group) is unreadable: it may grant, so not DENIED
    assert by_name["alice"].verdict.value == "CONDITIONAL"
    assert "SecurityAudit (via group auditors), which could not be read" in by_name["alice"].reason
    # reader's boundary settles it even without the managed document
    assert by_name["reader"].verdict.value == "DENIED"
    assert "Permissions boundary no-ecr-boundary does not allow" in by_name["reader"].reason


# --- decoded documents parsed as they are (issue "Performance") -----------------------------------
def _dump_with_inline(*documents):
    roles = [
        {
            "RoleName": f"r{i}",
            "RoleId": f"AROAEXAMPLE0000000{i:03d}",
            "Path": "/",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/r{i}",
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": document}],
            "AttachedManagedPolicies": [],
        }
        for i, document in enumerate(documents)
    ]
    return {"RoleDetailList": roles, "UserDetailList": [], "GroupDetailList": [], "Policies": []}


def test_equal_decoded_documents_of_two_principals_are_parsed_into_one_policy():
    """The evaluators prepare each Policy once: equal inline documents must share one."""
    account = load_authorization_details(_dump_with_inline(doc(PULL), json.loads(json.dumps(doc(PULL)))))
    first, second = (p.policies[0].policy for p in account.principals)
    assert first is not None and first is second


def _nested(depth):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "document, problem",
    [
        pytest.param({**doc(PULL), "Id": _nested(40)}, "levels deep", id="deep-id-element"),
        pytest.param(doc({**PULL, "Resource": _nested(40)}), "levels deep", id="deep-resource"),
        pytest.param(
            doc({**PULL, "Resource": _nested(3)}), "non-empty string", id="list-where-a-string-belongs"
        ),
        pytest.param(
            {**doc(PULL), "Statement": [{**PULL, "Effect": "Allow", "Sid": 7}]}, "Sid", id="sid-not-string"
        ),
    ],
)
def test_a_decoded_document_keeps_the_bounds_of_one_given_as_text(document, problem):
    (principal,) = load_authorization_details(_dump_with_inline(document)).principals
    (attached,) = principal.policies
    assert attached.policy is None and problem in attached.problem
    decision = PermissionEvaluator(repository_arn=REPO).evaluate(principal)
    assert decision.verdict.value == "CONDITIONAL" and decision.unreadable
