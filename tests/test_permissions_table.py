"""The effective-permission table: evaluate_principal on one user or role per case.

Target, unless a case says otherwise: ecr:GetDownloadUrlForLayer on
arn:aws:ecr:us-east-1:111122223333:repository/team/app, principal role "app" of
account 111122223333. Policies are inline unless a case names managed, group,
boundary, SCP or repository policies. Evaluation time is fixed (2026-06-01).
"""

import dataclasses

import pytest

from ecr_access import load_authorization_details
from ecr_access.loaders.scps import load_rcp_levels, load_scp_levels
from ecr_access.permissions import PermissionEvaluator
from ecr_access.policy import parse_document

from principal_builder import OWNER, REPO, as_document, authorization_details

A, D, C = "ALLOWED", "DENIED", "CONDITIONAL"
NOW = 1_780_272_000.0  # 2026-06-01T00:00:00Z
ACT = "ecr:GetDownloadUrlForLayer"
OTHER = "999988887777"
ROLE_ARN = f"arn:aws:iam::{OWNER}:role/app"


def allow(action=ACT, resource="*", **more):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def deny(action=ACT, resource="*", **more):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


def cond(operator, key, value):
    return {"Condition": {operator: {key: value}}}


def repo_stmt(principal, effect="Allow", action=ACT, **more):
    return {"Effect": effect, "Principal": principal, "Action": action, **more}


def case(case_id, policies, verdict, reason="", **options):
    return pytest.param(policies, verdict, reason, options, id=case_id)


NO_ECR_BOUNDARY = allow(action=["s3:*", "logs:*"])
RCP_FULL_ACCESS = {
    "Name": "RCPFullAWSAccess",
    "Content": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    },
}
RCP_DENY_ECR = {
    "Name": "deny-ecr",
    "Content": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Resource": "*"}],
    },
}
# AWS's data-perimeter RCP (Organizations User Guide, RCP examples): deny callers outside the organization.
RCP_IDENTITY_PERIMETER = {"Name": "identity-perimeter", "Content": {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Resource": "*",
    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                  "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}}  # fmt: skip
FULL_ACCESS = allow(action="*")

CASES = [
    # --- Actions ----------------------------------------------------------------------------------
    case(
        "action-exact",
        [allow()],
        A,
        "Allowed by inline policy inline0, statement #0 (ecr:GetDownloadUrlForLayer on *)",
    ),
    case("action-service-wildcard", [allow("ecr:*")], A, "(ecr:* on *)"),
    case("action-star", [allow("*")], A, "(* on *)"),
    case("action-prefix-wildcard", [allow("ecr:Get*")], A, "(ecr:Get* on *)"),
    case("action-longer-prefix", [allow("ecr:GetDownload*")], A),
    case("action-suffix-wildcard", [allow("ecr:*Layer")], A),
    case("action-question-mark", [allow("ecr:?etDownloadUrlForLayer")], A),
    case("action-case-insensitive", [allow("ECR:getdownloadurlforlayer")], A),
    case(
        "action-in-list",
        [allow(["s3:GetObject", "ecr:GetDownloadUrlForLayer"])],
        A,
        "(ecr:GetDownloadUrlForLayer on *)",
    ),
    case("action-service-pattern", [allow("e*:*")], A),
    case(
        "action-batchgetimage-only",
        [allow("ecr:BatchGetImage")],
        D,
        "No identity policy or repository policy",
    ),
    case("action-authorization-token-only", [allow("ecr:GetAuthorizationToken")], D),
    case("action-other-service", [allow("s3:*")], D),
    case("action-ecr-public", [allow("ecr-public:*")], D),
    case("action-wrong-wildcard", [allow("ecr:GetDownloadUrl")], D),
    case(
        "notaction-poweruser-style",
        [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}],
        A,
        "(NotAction iam:*, organizations:* on *)",
    ),
    case("notaction-ecr-star", [{"Effect": "Allow", "NotAction": "ecr:*", "Resource": "*"}], D),
    case("notaction-the-action", [{"Effect": "Allow", "NotAction": ACT, "Resource": "*"}], D),
    case("notaction-ecr-get", [{"Effect": "Allow", "NotAction": "ecr:Get*", "Resource": "*"}], D),
    case(
        "no-policies-at-all",
        [],
        D,
        "No identity policy or repository policy allows ecr:GetDownloadUrlForLayer",
    ),
    # --- Resources --------------------------------------------------------------------------------
    case("resource-exact-repo", [allow(resource=REPO)], A, f"on {REPO}"),
    case("resource-other-repo", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/other")], D),
    case(
        "resource-star-spans-slash", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/team/*")], A
    ),
    case("resource-all-repositories", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/*")], A),
    case("resource-prefix", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/team*")], A),
    case("resource-wildcard-region-account", [allow(resource="arn:aws:ecr:*:*:repository/team/app")], A),
    case("resource-other-region", [allow(resource=f"arn:aws:ecr:eu-west-1:{OWNER}:repository/team/app")], D),
    case("resource-other-account", [allow(resource=f"arn:aws:ecr:us-east-1:{OTHER}:repository/team/app")], D),
    case(
        "resource-case-sensitive", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/Team/app")], D
    ),
    case("resource-question-mark", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/tea?/app")], A),
    case("resource-s3-only", [allow(resource="arn:aws:s3:::bucket/*")], D),
    case("resource-list-one-matches", [allow(resource=["arn:aws:s3:::b", REPO])], A),
    case(
        "notresource-other-repo",
        [
            {
                "Effect": "Allow",
                "Action": ACT,
                "NotResource": f"arn:aws:ecr:us-east-1:{OWNER}:repository/secret",
            }
        ],
        A,
        "not on",
    ),
    case("notresource-this-repo", [{"Effect": "Allow", "Action": ACT, "NotResource": REPO}], D),
    case("notresource-star", [{"Effect": "Allow", "Action": ACT, "NotResource": "*"}], D),
    case(
        "resource-username-variable-user",
        [allow(resource="arn:aws:ecr:*:*:repository/${aws:username}/*")],
        A,
        kind="user",
        name="team",
    ),
    case(
        "resource-username-variable-role-absent",
        [allow(resource="arn:aws:ecr:*:*:repository/${aws:username}/*")],
        D,
        name="team",
    ),
    case(
        "resource-username-variable-2008-literal",
        [
            {
                "Version": "2008-10-17",
                "Statement": [allow(resource="arn:aws:ecr:*:*:repository/${aws:username}/*")],
            }
        ],
        D,
        kind="user",
        name="team",
    ),
    case(
        "resource-principaltag-variable",
        [allow(resource="arn:aws:ecr:*:*:repository/${aws:PrincipalTag/team}/*")],
        A,
        tags={"team": "team"},
    ),
    case(
        "resource-principaltag-default-used",
        [allow(resource="arn:aws:ecr:*:*:repository/${aws:PrincipalTag/team, 'none'}/*")],
        D,
    ),
    case(
        "resource-principaltag-default-matches",
        [allow(resource="arn:aws:ecr:*:*:repository/${aws:PrincipalTag/squad, 'team'}/*")],
        A,
    ),
    case(
        "resource-principaltag-unknown-tags",
        [allow(resource="arn:aws:ecr:*:*:repository/${aws:PrincipalTag/team}/*")],
        C,
        tags_unknown=True,
    ),
    case(
        "resource-account-variable", [allow(resource="arn:aws:ecr:*:${aws:PrincipalAccount}:repository/*")], A
    ),
    case("resource-escaped-star-is-literal", [allow(resource="arn:aws:ecr:*:*:repository/team/${*}")], D),
    # --- "Any repository" mode --------------------------------------------------------------------
    case("any-repo-star", [allow()], A, arn=None),
    case("any-repo-one-named", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/x")], A, arn=None),
    case(
        "any-repo-other-account-only",
        [allow(resource=f"arn:aws:ecr:us-east-1:{OTHER}:repository/x")],
        D,
        arn=None,
    ),
    case("any-repo-s3-only", [allow(resource="arn:aws:s3:::b")], D, arn=None),
    case(
        "any-repo-wildcard-resource-field", [allow(resource=f"arn:aws:ecr:us-east-1:{OWNER}:*")], A, arn=None
    ),
    case(
        "any-repo-deny-one-repo",
        [allow(), deny(resource=f"arn:aws:ecr:*:{OWNER}:repository/secret")],
        A,
        arn=None,
    ),
    case("any-repo-deny-every-repo", [allow(), deny(resource="arn:aws:ecr:*:*:repository/*")], D, arn=None),
    case("any-repo-notresource-one", [{"Effect": "Allow", "Action": ACT, "NotResource": REPO}], A, arn=None),
    case(
        "any-repo-region-unknown",
        [allow(**cond("StringEquals", "aws:RequestedRegion", "us-east-1"))],
        C,
        arn=None,
    ),
    # --- Explicit denies --------------------------------------------------------------------------
    case("deny-same-action", [allow(), deny()], D, "Denied by inline policy inline1, statement #0"),
    case("deny-ecr-star", [allow("ecr:*"), deny("ecr:*")], D),
    case("deny-star", [allow(), deny("*")], D),
    case("deny-other-repo", [allow(), deny(resource="arn:aws:ecr:*:*:repository/secret")], A),
    case("deny-in-same-policy", [[allow(), deny()]], D, "Denied by inline policy inline0, statement #1"),
    case("deny-in-separate-inline", [allow(), [deny()]], D, "Denied by inline policy inline1"),
    case("deny-notaction-covering", [allow(), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}], D),
    case("deny-notaction-excluding", [allow(), {"Effect": "Deny", "NotAction": "ecr:*", "Resource": "*"}], A),
    case(
        "deny-source-ip-unknown",
        [allow(), deny(**cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))],
        C,
        "Depends on request facts: inline policy inline1, statement #0 (ecr:GetDownloadUrlForLayer on *) "
        "(aws:SourceIp)",
    ),
    case("deny-vpce-unknown", [allow(), deny(**cond("StringNotEquals", "aws:SourceVpce", "vpce-1"))], C),
    case(
        "deny-mfa-ifexists", [allow(), deny(**cond("BoolIfExists", "aws:MultiFactorAuthPresent", "false"))], C
    ),
    case("deny-null-mfa", [allow(), deny(**cond("Null", "aws:MultiFactorAuthPresent", "true"))], C),
    case(
        "deny-known-false-principal-type",
        [allow(), deny(**cond("StringEquals", "aws:PrincipalType", "User"))],
        A,
    ),
    case(
        "deny-known-true-region",
        [allow(), deny(**cond("StringNotEquals", "aws:RequestedRegion", "eu-west-1"))],
        D,
    ),
    case(
        "deny-known-false-region",
        [allow(), deny(**cond("StringNotEquals", "aws:RequestedRegion", "us-east-1"))],
        A,
    ),
    case(
        "deny-after-past-date",
        [allow(), deny(**cond("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z"))],
        D,
    ),
    case(
        "deny-before-past-date",
        [allow(), deny(**cond("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z"))],
        A,
    ),
    case(
        "deny-known-false-and-unknown",
        [
            allow(),
            deny(
                Condition={
                    "StringEquals": {"aws:PrincipalType": "User"},
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                }
            ),
        ],
        A,
    ),
    case("deny-without-allow", [deny()], D, "Denied by inline policy inline0"),
    case(
        "deny-principal-arn-not-admin",
        [allow(), deny(**cond("ArnNotLike", "aws:PrincipalArn", f"arn:aws:iam::{OWNER}:role/admin-*"))],
        D,
    ),
    case(
        "deny-principal-arn-spares-admin",
        [allow(), deny(**cond("ArnNotLike", "aws:PrincipalArn", f"arn:aws:iam::{OWNER}:role/admin-*"))],
        A,
        name="admin-1",
    ),
    # --- Allow conditions -------------------------------------------------------------------------
    case(
        "allow-source-ip", [allow(**cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"))], C, "(aws:SourceIp)"
    ),
    case("allow-source-vpce", [allow(**cond("StringEquals", "aws:SourceVpce", "vpce-1"))], C),
    case("allow-source-vpc", [allow(**cond("StringEquals", "aws:SourceVpc", "vpc-1"))], C),
    case("allow-mfa", [allow(**cond("Bool", "aws:MultiFactorAuthPresent", "true"))], C),
    case("allow-mfa-age", [allow(**cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600"))], C),
    case(
        "allow-token-issue-time",
        [allow(**cond("DateGreaterThan", "aws:TokenIssueTime", "2026-01-01T00:00:00Z"))],
        C,
    ),
    case("allow-ecr-resource-tag", [allow(**cond("StringEquals", "ecr:ResourceTag/env", "dev"))], C),
    case("allow-aws-resource-tag", [allow(**cond("StringEquals", "aws:ResourceTag/env", "dev"))], C),
    case("allow-request-tag", [allow(**cond("StringEquals", "aws:RequestTag/env", "dev"))], C),
    case(
        "allow-called-via",
        [allow(**cond("ForAnyValue:StringEquals", "aws:CalledVia", "cloudformation.amazonaws.com"))],
        C,
    ),
    case("allow-org-id-unknown", [allow(**cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"))], C),
    case("allow-region-match", [allow(**cond("StringEquals", "aws:RequestedRegion", "us-east-1"))], A),
    case("allow-region-mismatch", [allow(**cond("StringEquals", "aws:RequestedRegion", "eu-west-1"))], D),
    case("allow-region-like", [allow(**cond("StringLike", "aws:RequestedRegion", "us-*"))], A),
    case("allow-resource-account-owner", [allow(**cond("StringEquals", "aws:ResourceAccount", OWNER))], A),
    case("allow-resource-account-other", [allow(**cond("StringEquals", "aws:ResourceAccount", OTHER))], D),
    case("allow-principal-type-role", [allow(**cond("StringEquals", "aws:PrincipalType", "AssumedRole"))], A),
    case(
        "allow-principal-type-user-on-role", [allow(**cond("StringEquals", "aws:PrincipalType", "User"))], D
    ),
    case(
        "allow-principal-type-user-on-user",
        [allow(**cond("StringEquals", "aws:PrincipalType", "User"))],
        A,
        kind="user",
    ),
    case(
        "allow-principal-arn-like",
        [allow(**cond("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{OWNER}:role/*"))],
        A,
    ),
    case(
        "allow-principal-arn-other",
        [allow(**cond("ArnEquals", "aws:PrincipalArn", f"arn:aws:iam::{OWNER}:role/x"))],
        D,
    ),
    case(
        "allow-principal-arn-wildcard-within-field",
        [allow(**cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/a*"))],
        A,
    ),
    case("allow-principal-account", [allow(**cond("StringEquals", "aws:PrincipalAccount", OWNER))], A),
    case(
        "allow-username-user",
        [allow(**cond("StringEquals", "aws:username", "bob"))],
        A,
        kind="user",
        name="bob",
    ),
    case("allow-username-role-absent", [allow(**cond("StringEquals", "aws:username", "app"))], D),
    case("allow-username-ifexists-role", [allow(**cond("StringEqualsIfExists", "aws:username", "bob"))], A),
    case(
        "allow-userid-user",
        [allow(**cond("StringEquals", "aws:userid", "AIDAEXAMPLEUSER000001"))],
        A,
        kind="user",
    ),
    case(
        "allow-userid-role-unknown", [allow(**cond("StringLike", "aws:userid", "AROAEXAMPLEROLE000001:*"))], C
    ),
    case(
        "allow-principal-tag-match",
        [allow(**cond("StringEquals", "aws:PrincipalTag/team", "platform"))],
        A,
        tags={"team": "platform"},
    ),
    case(
        "allow-principal-tag-key-case",
        [allow(**cond("StringEquals", "aws:PrincipalTag/Team", "platform"))],
        A,
        tags={"team": "platform"},
    ),
    case(
        "allow-principal-tag-mismatch",
        [allow(**cond("StringEquals", "aws:PrincipalTag/team", "platform"))],
        D,
        tags={"team": "data"},
    ),
    case(
        "allow-principal-tag-missing", [allow(**cond("StringEquals", "aws:PrincipalTag/team", "platform"))], D
    ),
    case(
        "allow-principal-tag-unknown",
        [allow(**cond("StringEquals", "aws:PrincipalTag/team", "platform"))],
        C,
        tags_unknown=True,
    ),
    case(
        "allow-principal-tag-ignorecase",
        [allow(**cond("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "PLATFORM"))],
        A,
        tags={"team": "platform"},
    ),
    case(
        "allow-principal-tag-foranyvalue",
        [allow(**cond("ForAnyValue:StringEquals", "aws:PrincipalTag/team", "a"))],
        A,
        tags={"team": "a"},
    ),
    case(
        "allow-principal-tag-null-false",
        [allow(**cond("Null", "aws:PrincipalTag/team", "false"))],
        A,
        tags={"team": "a"},
    ),
    case(
        "allow-principal-tag-variable-in-value",
        [allow(**cond("StringEquals", "aws:PrincipalTag/team", "${aws:PrincipalTag/owner}"))],
        A,
        tags={"team": "x", "owner": "x"},
    ),
    case(
        "allow-until-future-date",
        [allow(**cond("DateLessThan", "aws:CurrentTime", "2099-01-01T00:00:00Z"))],
        A,
    ),
    case(
        "allow-until-expired-date",
        [allow(**cond("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z"))],
        D,
    ),
    case("allow-from-future-date", [allow(**cond("DateGreaterThan", "aws:CurrentTime", "2099-01-01"))], D),
    case("allow-epoch-time", [allow(**cond("NumericLessThan", "aws:EpochTime", "4102444800"))], A),
    case("allow-secure-transport", [allow(**cond("Bool", "aws:SecureTransport", "true"))], A),
    case("allow-insecure-transport", [allow(**cond("Bool", "aws:SecureTransport", "false"))], D),
    case("allow-not-aws-service", [allow(**cond("Bool", "aws:PrincipalIsAWSService", "false"))], A),
    case(
        "allow-unknown-operator", [allow(**cond("StringEqualsMaybe", "aws:PrincipalType", "AssumedRole"))], C
    ),
    case(
        "allow-known-true-and-unknown",
        [
            allow(
                Condition={
                    "StringEquals": {"aws:PrincipalType": "AssumedRole"},
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                }
            )
        ],
        C,
    ),
    case(
        "allow-known-false-and-unknown",
        [
            allow(
                Condition={
                    "StringEquals": {"aws:PrincipalType": "User"},
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                }
            )
        ],
        D,
    ),
    case(
        "allow-conditional-and-unconditional",
        [[allow(**cond("IpAddress", "aws:SourceIp", "10.0.0.0/8")), allow()]],
        A,
        "statement #1",
    ),
    case(
        "allow-2008-variable-literal",
        [
            {
                "Version": "2008-10-17",
                "Statement": [allow(**cond("StringEquals", "aws:username", "${aws:username}"))],
            }
        ],
        D,
        kind="user",
    ),
    case(
        "allow-2012-variable-resolved",
        [allow(**cond("StringEquals", "aws:username", "${aws:username}"))],
        A,
        kind="user",
    ),
    # --- Permissions boundaries -------------------------------------------------------------------
    case(
        "boundary-without-ecr",
        [allow()],
        D,
        "Permissions boundary boundary does not allow",
        boundary=NO_ECR_BOUNDARY,
    ),
    case("boundary-ecr-star", [allow()], A, boundary=allow("ecr:*")),
    case("boundary-star", [allow()], A, boundary=FULL_ACCESS),
    case("boundary-batchget-only", [allow()], D, boundary=allow("ecr:BatchGetImage")),
    case(
        "boundary-conditional",
        [allow()],
        C,
        "permissions boundary boundary",
        boundary=allow(**cond("IpAddress", "aws:SourceIp", "10.0.0.0/8")),
    ),
    case(
        "boundary-deny",
        [allow()],
        D,
        "Denied by permissions boundary boundary",
        boundary=[FULL_ACCESS, deny()],
    ),
    case("boundary-without-identity-allow", [], D, "No identity policy", boundary=FULL_ACCESS),
    case("boundary-other-repo", [allow()], D, boundary=allow(resource="arn:aws:ecr:*:*:repository/other")),
    case(
        "boundary-notaction",
        [allow()],
        A,
        boundary={"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    ),
    # --- SCPs -------------------------------------------------------------------------------------
    case("scp-full-access", [allow()], A, scps=[[FULL_ACCESS]]),
    case("scp-two-levels", [allow()], A, scps=[[FULL_ACCESS], [FULL_ACCESS]]),
    case(
        "scp-level-without-allow",
        [allow()],
        D,
        "No SCP at level 1 (#0) allows",
        scps=[[FULL_ACCESS], [allow("s3:*")]],
    ),
    case("scp-empty-level", [allow()], D, "No SCP at level 0 (none)", scps=[[]]),
    case("scp-deny-action", [allow()], D, "Denied by SCP #1 at level 0", scps=[[FULL_ACCESS, deny()]]),
    case(
        "scp-deny-non-admins",
        [allow()],
        D,
        scps=[[FULL_ACCESS, deny(**cond("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/admin-*"))]],
    ),
    case(
        "scp-deny-spares-admins",
        [allow()],
        A,
        name="admin-ops",
        scps=[[FULL_ACCESS, deny(**cond("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/admin-*"))]],
    ),
    case(
        "scp-region-guard-allowed-region",
        [allow()],
        A,
        scps=[[FULL_ACCESS, deny("*", **cond("StringNotEquals", "aws:RequestedRegion", ["us-east-1"]))]],
    ),
    case(
        "scp-region-guard-other-region",
        [allow()],
        D,
        arn=f"arn:aws:ecr:eu-west-1:{OWNER}:repository/team/app",
        scps=[[FULL_ACCESS, deny("*", **cond("StringNotEquals", "aws:RequestedRegion", ["us-east-1"]))]],
    ),
    case("scp-second-allows", [allow()], A, scps=[[allow("s3:*"), allow("ecr:*")]]),
    case(
        "scp-conditional-deny",
        [allow()],
        C,
        scps=[[FULL_ACCESS, deny(**cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))]],
    ),
    case(
        "scp-service-linked-role-exempt",
        [allow()],
        A,
        path="/aws-service-role/ecs.amazonaws.com/",
        scps=[[FULL_ACCESS, deny()]],
    ),
    # --- Repository policy ------------------------------------------------------------------------
    case(
        "repo-same-account-star-without-identity",
        [],
        A,
        "Allowed by repository policy",
        repo=[repo_stmt("*")],
    ),
    case("repo-same-account-names-role", [], A, repo=[repo_stmt({"AWS": ROLE_ARN})]),
    # IAM User Guide, "Permissions boundaries": a grant to one role session is not a grant to every
    # session of the role — the role's standing permission depends on the session name.
    case(
        "repo-same-account-names-one-session-depends-on-session-name",
        [],
        C,
        "the role session name",
        repo=[repo_stmt({"AWS": f"arn:aws:sts::{OWNER}:assumed-role/app/ci-session"})],
    ),
    case("repo-same-account-root-delegates", [], D, repo=[repo_stmt({"AWS": OWNER})]),
    case(
        "repo-same-account-other-role", [], D, repo=[repo_stmt({"AWS": f"arn:aws:iam::{OWNER}:role/other"})]
    ),
    case("repo-deny-everyone", [allow()], D, "Denied by repository policy", repo=[repo_stmt("*", "Deny")]),
    case("repo-deny-account-root", [allow()], D, repo=[repo_stmt({"AWS": OWNER}, "Deny")]),
    case(
        "repo-deny-outside-vpce",
        [allow()],
        C,
        repo=[repo_stmt("*", "Deny", **cond("StringNotEquals", "aws:SourceVpce", "vpce-1"))],
    ),
    case(
        "repo-org-condition-unknown",
        [],
        C,
        repo=[repo_stmt("*", **cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"))],
    ),
    case(
        "cross-account-identity-only",
        [allow(resource="*")],
        D,
        "The repository is in account 999988887777",
        arn=f"arn:aws:ecr:us-east-1:{OTHER}:repository/team/app",
    ),
    case(
        "cross-account-identity-and-account-grant",
        [allow()],
        A,
        arn=f"arn:aws:ecr:us-east-1:{OTHER}:repository/team/app",
        repo=[repo_stmt({"AWS": OWNER})],
    ),
    case(
        "cross-account-identity-and-role-grant",
        [allow()],
        A,
        arn=f"arn:aws:ecr:us-east-1:{OTHER}:repository/team/app",
        repo=[repo_stmt({"AWS": ROLE_ARN})],
    ),
    case(
        "cross-account-repo-only",
        [],
        D,
        "No identity policy allows",
        arn=f"arn:aws:ecr:us-east-1:{OTHER}:repository/team/app",
        repo=[repo_stmt("*")],
    ),
    case(
        "cross-account-repo-other-account",
        [allow()],
        D,
        "does not grant this principal",
        arn=f"arn:aws:ecr:us-east-1:{OTHER}:repository/team/app",
        repo=[repo_stmt({"AWS": "222233334444"})],
    ),
    # --- Groups (users) ---------------------------------------------------------------------------
    case("group-inline-grant", [], A, "via group devs", kind="user", groups={"devs": allow()}),
    case(
        "group-deny-overrides-user-allow",
        [allow()],
        D,
        "Denied by inline policy grant (via group ops)",
        kind="user",
        groups={"ops": deny()},
    ),
    case("group-second-of-two-grants", [], A, kind="user", groups={"a": allow("s3:*"), "b": allow("ecr:*")}),
    case(
        "group-grant-limited-by-boundary",
        [],
        D,
        kind="user",
        groups={"devs": allow()},
        boundary=NO_ECR_BOUNDARY,
    ),
    case("group-missing", [], C, "group ghost was not found", kind="user", missing_groups=("ghost",)),
    # --- Managed policies and unreadable documents -----------------------------------------------
    case(
        "managed-grant",
        [],
        A,
        "Allowed by managed policy ecr-pull, statement #0",
        managed={"ecr-pull": allow()},
    ),
    case("managed-deny", [allow()], D, "Denied by managed policy no-ecr", managed={"no-ecr": deny("ecr:*")}),
    # --- Engine III: RCPs, the management account (Organizations User Guide) ---------------------
    # "No permissions are granted by an RCP": an RCP level that allows is not a grant.
    case("rcp-full-access-grants-nothing", [], D, rcps=[[RCP_FULL_ACCESS]]),
    case("rcp-full-access-keeps-identity-grant", [allow()], A, rcps=[[RCP_FULL_ACCESS], [RCP_FULL_ACCESS]]),
    case(
        "rcp-deny-wins-over-identity-allow",
        [allow()],
        D,
        "Denied by RCP deny-ecr",
        rcps=[[RCP_FULL_ACCESS, RCP_DENY_ECR]],
    ),
    # "RCPFullAWSAccess ... is automatically attached to the organization root, every OU, and every
    # account ... You cannot detach this policy" (RCP evaluation): RCPs only deny, a level given
    # without it is not a denial.
    case(
        "rcp-level-given-without-rcpfullawsaccess-is-not-a-denial", [allow()], A, rcps=[[RCP_FULL_ACCESS], []]
    ),
    case(
        "rcp-deny-outside-org-is-undecided-without-the-org-id",
        [allow()],
        C,
        "aws:PrincipalOrgID",
        rcps=[[RCP_FULL_ACCESS, RCP_IDENTITY_PERIMETER]],
    ),
    # "RCPs don't affect resources in the management account"; "SCPs don't affect users or roles in the
    # management account".
    case(
        "rcp-spares-the-management-accounts-resources",
        [allow()],
        A,
        rcps=[[RCP_FULL_ACCESS, RCP_DENY_ECR]],
        management=OWNER,
    ),
    case(
        "scp-spares-the-management-accounts-principals",
        [allow()],
        A,
        scps=[[FULL_ACCESS, deny()]],
        management=OWNER,
    ),
    case("scp-applies-in-a-member-account", [allow()], D, scps=[[FULL_ACCESS, deny()]], management=OTHER),
    case(
        "rcp-spares-service-linked-roles",
        [allow()],
        A,
        rcps=[[RCP_DENY_ECR]],
        path="/aws-service-role/ecr.amazonaws.com/",
    ),
    # --- Engine III: boundaries and repository-policy grants (IAM User Guide, "Permissions boundaries
    # for IAM entities": resource-based policy grants to a user ARN are not limited by the boundary's
    # implicit deny; to a role ARN they are; to a role session ARN they are not) -------------------
    case(
        "boundary-limits-a-repository-grant-to-the-role-arn",
        [],
        D,
        boundary=NO_ECR_BOUNDARY,
        repo=[repo_stmt({"AWS": ROLE_ARN})],
    ),
    case(
        "boundary-does-not-limit-a-repository-grant-to-the-user-arn",
        [],
        A,
        kind="user",
        name="dev",
        boundary=NO_ECR_BOUNDARY,
        repo=[repo_stmt({"AWS": f"arn:aws:iam::{OWNER}:user/dev"})],
    ),
    case(
        "boundary-does-not-limit-a-repository-grant-to-a-session-which-still-depends-on-its-name",
        [],
        C,
        "the role session name",
        boundary=NO_ECR_BOUNDARY,
        repo=[repo_stmt({"AWS": f"arn:aws:sts::{OWNER}:assumed-role/app/ci"})],
    ),
    case(
        "boundary-explicit-deny-still-wins-over-a-user-arn-grant",
        [],
        D,
        kind="user",
        name="dev",
        boundary=[allow(action="s3:*"), deny()],
        repo=[repo_stmt({"AWS": f"arn:aws:iam::{OWNER}:user/dev"})],
    ),
    # --- Engine III: NotPrincipal (IAM User Guide, "AWS JSON policy elements: NotPrincipal") --------
    case(
        "notprincipal-deny-always-denies-a-principal-with-a-boundary",
        [allow()],
        D,
        "Denied by repository policy",
        boundary=[allow()],
        repo=[{"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE_ARN, OWNER]}, "Action": ACT}],
    ),
    case(
        "notprincipal-deny-listing-the-account-does-not-exempt-its-roles",
        [allow()],
        D,
        "Denied by repository policy",
        repo=[{"Effect": "Deny", "NotPrincipal": {"AWS": OWNER}, "Action": ACT}],
    ),
    case(
        "notprincipal-deny-listing-the-role-arn-leaves-its-sessions-undecided",
        [allow()],
        C,
        repo=[{"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE_ARN, OWNER]}, "Action": ACT}],
    ),
    case(
        "notprincipal-deny-exempts-a-user-listed-with-its-account",
        [allow()],
        A,
        kind="user",
        name="dev",
        repo=[
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [f"arn:aws:iam::{OWNER}:user/dev", OWNER]},
                "Action": ACT,
            }
        ],
    ),
    case(
        "notprincipal-deny-a-user-listed-without-its-account-might-be-denied",
        [allow()],
        C,
        kind="user",
        name="dev",
        repo=[{"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{OWNER}:user/dev"}, "Action": ACT}],
    ),
    # Allow + NotPrincipal is no longer supported; an existing one is judged at its worst.
    case(
        "notprincipal-allow-judged-as-granting-everyone-not-listed",
        [],
        A,
        repo=[
            {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{OWNER}:role/other"}, "Action": ACT}
        ],
    ),
    case("managed-missing-document", [], C, "could not be read: the document of", managed_missing=True),
    case(
        "inline-unparsable",
        [{"Effect": "Allow", "Action": ACT, "Resource": "*", "Condtion": {}}],
        C,
        "could not be parsed",
    ),
]


def _principal(policies, options):
    page = authorization_details(
        policies,
        kind=options.get("kind", "role"),
        name=options.get("name", "app"),
        path=options.get("path", "/"),
        boundary=options.get("boundary"),
        managed=options.get("managed"),
        groups=options.get("groups"),
        missing_groups=options.get("missing_groups", ()),
        tags=options.get("tags"),
    )
    if options.get("managed_missing"):
        page["RoleDetailList"][0]["AttachedManagedPolicies"].append(
            {"PolicyName": "gone", "PolicyArn": f"arn:aws:iam::{OWNER}:policy/gone"}
        )
    (principal,) = load_authorization_details(page).principals
    if options.get("tags_unknown"):
        principal = dataclasses.replace(principal, tags=None)
    return principal


@pytest.mark.parametrize(("policies", "verdict", "reason", "options"), CASES)
def test_effective_permission(policies, verdict, reason, options):
    evaluator = PermissionEvaluator(
        repository_arn=options.get("arn", REPO),
        scps=load_scp_levels([[as_document(s) for s in level] for level in options.get("scps", [])]),
        rcps=load_rcp_levels(
            [[s if "Name" in s else as_document(s) for s in lv] for lv in options.get("rcps", [])]
        ),
        management_account=options.get("management"),
        repository_policy=parse_document(as_document(options["repo"])) if "repo" in options else None,
        now=NOW,
    )
    decision = evaluator.evaluate(_principal(policies, options))
    assert decision.verdict.value == verdict, decision.reason
    assert reason in decision.reason


def test_table_is_large_and_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 120
