"""Preventive controls: the SCP and RCP rendered from the allow-list, judged by the engine before attaching."""  # noqa: E501

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_access import load_authorization_details
from ecr_access.config_rules.allow_list import AllowList
from ecr_access.perimeter.impact import perimeter_impact
from ecr_access.perimeter.policies import (
    RCP_LIMIT,
    SCP_LIMITS,
    PerimeterRefused,
    PerimeterSettings,
    render_rcp,
    render_scp,
)
from ecr_access.permissions import AccessVerdict

from principal_builder import OWNER, authorization_details

ADMINS = "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AdministratorAccess*"
PULL = {"Effect": "Allow", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}
ORG = "o-a1b2c3d4e5"


def principal(name="app", path="/", tags=None, kind="role", policies=(PULL,)):
    page = authorization_details(list(policies), kind=kind, name=name, path=path, tags=tags)
    (loaded,) = load_authorization_details(page).principals
    return loaded


def verdict_after(settings_, who):
    (impact,) = perimeter_impact([who], settings_, scp=render_scp(settings_), rcp=None)
    return impact


@pytest.mark.parametrize(
    ("settings_", "who", "after"),
    [
        # ArnLike matches each ARN field; "*" spans "/" in the resource: role/* covers roles with paths.
        pytest.param(PerimeterSettings(("arn:aws:iam::*:role/*",)), principal(path="/service-role/"), "ALLOWED", id="role-star-covers-a-path"),  # noqa: E501
        pytest.param(PerimeterSettings(("arn:aws:iam::*:role/ecr-pull/*",)), principal(path="/ecr-pull/"), "ALLOWED", id="path-pattern-covers-its-path"),  # noqa: E501
        pytest.param(PerimeterSettings(("arn:aws:iam::*:role/ecr-pull/*",)), principal(), "DENIED", id="path-pattern-misses-other-roles"),  # noqa: E501
        pytest.param(PerimeterSettings(("arn:aws:iam::*:role/App",)), principal(name="app"), "DENIED", id="arns-match-case-sensitively"),  # noqa: E501
        pytest.param(PerimeterSettings((), "ecr-access", "approved-app", tag_administrator_arns=(ADMINS,)), principal(tags={"ecr-access": "approved-app"}), "ALLOWED", id="allow-list-tag-exempts"),  # noqa: E501
        pytest.param(PerimeterSettings((), "ecr-access", "approved-app", tag_administrator_arns=(ADMINS,)), principal(tags={"ecr-access": "other"}), "DENIED", id="allow-list-tag-wrong-value"),  # noqa: E501
        pytest.param(PerimeterSettings((), "ecr-access", None, tag_administrator_arns=(ADMINS,)), principal(tags={"ecr-access": "anything"}), "ALLOWED", id="allow-list-tag-any-value"),  # noqa: E501
        pytest.param(PerimeterSettings((ADMINS,), exclusion_tag_key="ecr-access:exclude", tag_administrator_arns=(ADMINS,)), principal(tags={"ecr-access:exclude": "true"}), "ALLOWED", id="exclusion-tag-exempts"),  # noqa: E501
        # Network exemptions are OR-ed with the principal exemptions: from the VPC endpoint anyone passes.
        pytest.param(PerimeterSettings((ADMINS,), source_vpces=("vpce-0a1b2c3d",)), principal(), "CONDITIONAL", id="network-or-principal"),  # noqa: E501
        pytest.param(PerimeterSettings((ADMINS,), source_ips=("10.0.0.0/8",)), principal(), "CONDITIONAL", id="source-ip-or-principal"),  # noqa: E501
    ],
)  # fmt: skip
def test_the_scp_exempts_exactly_the_allow_list(settings_, who, after):
    assert verdict_after(settings_, who).after.verdict.value == after


def test_network_only_pulls_are_reported_not_failed():
    impact = verdict_after(PerimeterSettings((ADMINS,), source_vpces=("vpce-0a1b2c3d",)), principal())
    assert impact.network_only and not impact.violates


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        pytest.param(PerimeterSettings(), "would deny every layer download", id="empty-allow-list"),
        pytest.param(PerimeterSettings((), "ecr-access", "x"), "--tag-administrator-arn", id="unprotected-tag"),  # noqa: E501
        pytest.param(PerimeterSettings(tuple(f"arn:aws:iam::*:role/team-{i:04}-*" for i in range(400))), "over the 10,240 limit", id="too-large"),  # noqa: E501
    ],
)  # fmt: skip
def test_the_renderer_refuses_what_must_not_be_attached(settings_, message):
    with pytest.raises(PerimeterRefused, match=message):
        render_scp(settings_)


def test_rendered_policies_are_minified_and_measured():
    scp = render_scp(PerimeterSettings((ADMINS,), "ecr-access", None, tag_administrator_arns=(ADMINS,)))
    assert scp.text == json.dumps(scp.document, separators=(",", ":")) and " " not in scp.text.replace(
        "AdministratorAccess", ""
    )
    assert scp.size <= SCP_LIMITS[0]
    protect = scp.document["Statement"][1]
    assert "sts:TagSession" in protect["Action"]  # session tags count as principal tags
    assert protect["Condition"]["ForAnyValue:StringEquals"] == {"aws:TagKeys": ["ecr-access"]}
    assert any("ECS task execution roles" in w for w in scp.warnings)
    rcp = render_rcp(PerimeterSettings(trusted_organizations=(ORG,)))
    assert rcp.size <= RCP_LIMIT and all(s["Principal"] == "*" for s in rcp.document["Statement"])


def test_service_principal_allow_list_entries_are_named_as_not_enforceable():
    scp = render_scp(PerimeterSettings((ADMINS,), service_principals=("ecs-tasks.amazonaws.com",)))
    assert "cannot be expressed in an SCP" in scp.warnings[0]


def test_the_rcp_needs_a_trusted_zone():
    with pytest.raises(PerimeterRefused, match="every caller of every repository"):
        render_rcp(PerimeterSettings((ADMINS,)))


def test_the_rcp_denies_outsiders_on_the_accounts_repositories():
    """The identity perimeter: a principal of another organization loses pull on these repositories."""
    from ecr_access.exposure import analyze_repository_policy
    from ecr_access.loaders.scps import load_rcp_levels

    rcp = render_rcp(PerimeterSettings(trusted_organizations=(ORG,)))
    public = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}],
    }
    levels = load_rcp_levels([[{"Name": "perimeter", "Content": rcp.document}]])
    exposure = analyze_repository_policy(public, owner_account=OWNER, trusted_org_ids=[ORG], rcps=levels)
    assert exposure.verdict.value == "RESTRICTED"  # IAM principals bounded to ORG, services to its resources


_patterns = st.sampled_from(
    ["arn:aws:iam::*:role/*", "arn:aws:iam::*:role/ecr-pull/*", "arn:aws:iam::*:role/ci-*", f"arn:aws:iam::{OWNER}:user/*", ADMINS]  # noqa: E501
)  # fmt: skip
_names = st.sampled_from(["app", "ci-build", "deployer", "AWSReservedSSO_AdministratorAccess_1a2b"])
_paths = st.sampled_from(["/", "/ecr-pull/", "/service-role/", "/aws-reserved/sso.amazonaws.com/"])
_tags = st.sampled_from([None, {"ecr-access": "approved-app"}, {"ecr-access": "other"}, {"team": "x"}])


@settings(max_examples=120, deadline=None)
@given(
    patterns=st.lists(_patterns, min_size=1, max_size=3, unique=True),
    use_tag=st.booleans(),
    who=st.tuples(_names, _paths, _tags, st.sampled_from(["role", "user"])),
)
def test_after_the_scp_every_principal_that_can_pull_is_allow_listed(patterns, use_tag, who):
    """For any allow-list: the engine, with the rendered SCP, agrees with the rule's allow-list."""
    name, path, tags, kind = who
    settings_ = PerimeterSettings(
        tuple(patterns),
        "ecr-access" if use_tag else None,
        "approved-app" if use_tag else None,
        tag_administrator_arns=(ADMINS,) if use_tag else (),
    )
    subject = principal(name=name, path=path, tags=tags, kind=kind)
    impact = verdict_after(settings_, subject)
    allow_list = AllowList(
        settings_.allowed_arn_patterns, settings_.allowed_tag_key, settings_.allowed_tag_value
    )
    if impact.after.verdict is AccessVerdict.ALLOWED:
        assert allow_list.entry_for(subject) is not None
    if allow_list.entry_for(subject) is not None:
        assert impact.after.verdict is AccessVerdict.ALLOWED  # and nobody on the list is cut off


# --- ecr-access perimeter render|check ---------------------------------------------------------------
def _dump(tmp_path, name, *principals):
    pages = [
        authorization_details([PULL], name=n, path=path, tags=tags, account=account)
        for n, path, tags, account in principals
    ]
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(pages))
    return str(path)


def test_check_across_accounts_lists_who_breaks_and_proves_the_rest(tmp_path, capsys):
    from ecr_access.cli.main import main

    workload = _dump(
        tmp_path,
        "workload",
        ("ci-build", "/", None, "111111111111"),
        ("app", "/ecr-pull/", None, "111111111111"),
    )
    shared = _dump(tmp_path, "shared", ("tagged", "/", {"ecr-access": "approved-app"}, "222222222222"))
    arguments = [
        "perimeter", "check", "--authorization-details", workload, "--authorization-details", shared,
        "--allowed-principal-arn", "arn:aws:iam::*:role/ecr-pull/*",
        "--allowed-tag", "ecr-access=approved-app",
        "--tag-administrator-arn", ADMINS, "--trusted-org", ORG, "--format", "json",
    ]  # fmt: skip
    assert main(arguments) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {r["arn"].rsplit("/", 1)[1]: r for r in report["principals"]}
    assert rows["ci-build"]["loses_pull"] and rows["ci-build"]["after"] == "DENIED"
    assert rows["app"]["after"] == "ALLOWED" and rows["app"]["allow_listed"].startswith(
        "AllowedPrincipalArns"
    )
    assert rows["tagged"]["after"] == "ALLOWED" and report["violations"] == 0
    assert main([a for a in arguments if a not in ("--format", "json")]) == 0
    assert "after the SCP: 0 non-allow-listed principals can pull" in capsys.readouterr().out


def test_check_fails_where_the_scp_cannot_reach(tmp_path, capsys):
    """ "SCPs don't affect users or roles in the management account": its principals keep pull."""
    from ecr_access.cli.main import main

    dump = _dump(tmp_path, "management", ("ci-build", "/", None, OWNER))
    arguments = ["perimeter", "check", "--authorization-details", dump, "--allowed-principal-arn", ADMINS]
    assert main(arguments) == 0
    assert "lose pull (1)" in capsys.readouterr().out
    assert main([*arguments, "--management-account", OWNER]) == 1
    out = capsys.readouterr().out
    assert "NOT ALLOW-LISTED" in out and "after the SCP: 1 non-allow-listed principals can pull" in out


def test_render_writes_the_policies_and_the_template(tmp_path, capsys):
    from ecr_access.cli.main import main

    scp, rcp, template = tmp_path / "scp.json", tmp_path / "rcp.json", tmp_path / "perimeter.yaml"
    arguments = ["perimeter", "render", "--allowed-principal-arn", ADMINS, "--trusted-org", ORG]
    assert (
        main([*arguments, "--scp-file", str(scp), "--rcp-file", str(rcp), "--cloudformation", str(template)])
        == 0
    )
    assert json.loads(scp.read_text())["Statement"][0]["Sid"] == "DenyLayerDownloadOutsideTheAllowList"
    assert json.loads(rcp.read_text())["Statement"][0]["Sid"] == "EnforceIdentityPerimeterOnRepositories"
    assert "AWS::Organizations::Policy" in template.read_text()
    assert main(["perimeter", "render"]) == 2  # an empty allow-list is refused, never rendered
    assert "would deny every layer download" in capsys.readouterr().err
