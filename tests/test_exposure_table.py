"""The repository-policy exposure table: every semantic rule, one readable case each.

Each case: the policy statements (JSON inline), the expected verdict, whether
ecr:GetDownloadUrlForLayer is exposed, and the indices of the offending statements.
Owner 111122223333; trusted: account 444455556666 and organization o-trusted001.
"""

import pytest

from ecr_access import analyze_repository_policy

from conftest import OWNER, TRUSTED_ACCOUNT, TRUSTED_ORG, doc

P, X, R = "PUBLIC", "CROSS_ACCOUNT_UNTRUSTED", "RESTRICTED"
OTHER = "999988887777"
PULL = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def allow(principal="*", action=PULL, **more):
    return {"Effect": "Allow", "Principal": principal, "Action": action, **more}


def cond(operator, key, value):
    return {"Condition": {operator: {key: value}}}


def deny(principal="*", action="ecr:*", **more):
    return {"Effect": "Deny", "Principal": principal, "Action": action, **more}


CASES = [
    # --- Principal forms -------------------------------------------------------------------------
    ("principal-star-string", [allow("*")], P, True, (0,)),
    ("principal-aws-star", [allow({"AWS": "*"})], P, True, (0,)),
    ("principal-aws-star-list", [allow({"AWS": ["*"]})], P, True, (0,)),
    ("principal-owner-account-id", [allow({"AWS": OWNER})], R, False, ()),
    ("principal-owner-root-arn", [allow({"AWS": f"arn:aws:iam::{OWNER}:root"})], R, False, ()),
    ("principal-trusted-account-id", [allow({"AWS": TRUSTED_ACCOUNT})], R, False, ()),
    ("principal-untrusted-account-id", [allow({"AWS": OTHER})], X, True, (0,)),
    ("principal-untrusted-root-arn", [allow({"AWS": f"arn:aws:iam::{OTHER}:root"})], X, True, (0,)),
    ("principal-untrusted-role", [allow({"AWS": f"arn:aws:iam::{OTHER}:role/ci/deployer"})], X, True, (0,)),
    ("principal-untrusted-user", [allow({"AWS": f"arn:aws:iam::{OTHER}:user/bob"})], X, True, (0,)),
    (
        "principal-untrusted-assumed-role",
        [allow({"AWS": f"arn:aws:sts::{OTHER}:assumed-role/r/session"})],
        X,
        True,
        (0,),
    ),
    (
        "principal-untrusted-federated-user",
        [allow({"AWS": f"arn:aws:sts::{OTHER}:federated-user/alice"})],
        X,
        True,
        (0,),
    ),
    ("principal-owner-role", [allow({"AWS": f"arn:aws:iam::{OWNER}:role/app"})], R, False, ()),
    ("principal-trusted-role", [allow({"AWS": f"arn:aws:iam::{TRUSTED_ACCOUNT}:role/app"})], R, False, ()),
    ("principal-owner-and-untrusted-list", [allow({"AWS": [OWNER, OTHER]})], X, True, (0,)),
    ("principal-deleted-role-unique-id", [allow({"AWS": "AROAEXAMPLEROLEID0001"})], R, False, ()),
    ("principal-deleted-user-unique-id", [allow({"AWS": "AIDAEXAMPLEUSERID0001"})], R, False, ()),
    ("principal-unique-id-and-untrusted", [allow({"AWS": ["AROAEXAMPLEROLEID0001", OTHER]})], X, True, (0,)),
    ("principal-wildcard-account-arn", [allow({"AWS": "arn:aws:iam::*:root"})], P, True, (0,)),
    ("principal-wildcard-account-role", [allow({"AWS": "arn:aws:iam::*:role/deployer"})], P, True, (0,)),
    ("principal-govcloud-untrusted", [allow({"AWS": f"arn:aws-us-gov:iam::{OTHER}:root"})], X, True, (0,)),
    ("principal-service-star", [allow({"Service": "*"})], P, True, (0,)),
    (
        "principal-canonical-user",
        [allow({"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"})],
        X,
        True,
        (0,),
    ),
    ("principal-star-in-mixed-list", [allow({"AWS": [OWNER, "*"]})], P, True, (0,)),
    # --- Service principals (confused deputy) ----------------------------------------------------
    ("service-unscoped", [allow({"Service": "codebuild.amazonaws.com"})], X, True, (0,)),
    (
        "service-two-unscoped",
        [allow({"Service": ["codebuild.amazonaws.com", "lambda.amazonaws.com"]})],
        X,
        True,
        (0,),
    ),
    (
        "service-sourceaccount-owner",
        [allow({"Service": "codebuild.amazonaws.com"}, **cond("StringEquals", "aws:SourceAccount", OWNER))],
        R,
        False,
        (),
    ),
    (
        "service-sourceaccount-untrusted",
        [allow({"Service": "codebuild.amazonaws.com"}, **cond("StringEquals", "aws:SourceAccount", OTHER))],
        X,
        True,
        (0,),
    ),
    (
        "service-sourcearn-owner",
        [
            allow(
                {"Service": "lambda.amazonaws.com"},
                **cond("ArnLike", "aws:SourceArn", f"arn:aws:lambda:us-east-1:{OWNER}:function:*"),
            )
        ],
        R,
        False,
        (),
    ),
    (
        "service-sourcearn-any-account",
        [
            allow(
                {"Service": "lambda.amazonaws.com"},
                **cond("ArnLike", "aws:SourceArn", "arn:aws:lambda:us-east-1:*:function:*"),
            )
        ],
        X,
        True,
        (0,),
    ),
    (
        "service-sourceorgid-trusted",
        [
            allow(
                {"Service": "codebuild.amazonaws.com"}, **cond("StringEquals", "aws:SourceOrgID", TRUSTED_ORG)
            )
        ],
        R,
        False,
        (),
    ),
    (
        "service-sourceowner-owner",
        [allow({"Service": "codebuild.amazonaws.com"}, **cond("StringEquals", "aws:SourceOwner", OWNER))],
        R,
        False,
        (),
    ),
    (
        "service-principalorgid-does-not-scope-service",
        [
            allow(
                {"Service": "codebuild.amazonaws.com"},
                **cond("StringEquals", "aws:PrincipalOrgID", TRUSTED_ORG),
            )
        ],
        X,
        True,
        (0,),
    ),
    (
        "service-sourceaccount-ifexists-does-not-scope",
        [
            allow(
                {"Service": "codebuild.amazonaws.com"},
                **cond("StringEqualsIfExists", "aws:SourceAccount", OWNER),
            )
        ],
        X,
        True,
        (0,),
    ),
    (
        "service-and-owner-account",
        [
            allow(
                {"AWS": OWNER, "Service": "codebuild.amazonaws.com"},
                **cond("StringEquals", "aws:SourceAccount", OWNER),
            )
        ],
        R,
        False,
        (),
    ),
    # --- Federated principals ---------------------------------------------------------------------
    (
        "federated-saml-owner",
        [allow({"Federated": f"arn:aws:iam::{OWNER}:saml-provider/Okta"})],
        R,
        False,
        (),
    ),
    (
        "federated-saml-untrusted",
        [allow({"Federated": f"arn:aws:iam::{OTHER}:saml-provider/Okta"})],
        X,
        True,
        (0,),
    ),
    ("federated-cognito", [allow({"Federated": "cognito-identity.amazonaws.com"})], P, True, (0,)),
    ("federated-google", [allow({"Federated": "accounts.google.com"})], P, True, (0,)),
    ("federated-facebook", [allow({"Federated": "graph.facebook.com"})], P, True, (0,)),
    ("federated-login-with-amazon", [allow({"Federated": "www.amazon.com"})], P, True, (0,)),
    (
        "federated-oidc-provider",
        [allow({"Federated": f"arn:aws:iam::{OWNER}:oidc-provider/token.actions.githubusercontent.com"})],
        P,
        True,
        (0,),
    ),
    (
        "federated-web-identity-org-bound",
        [
            allow(
                {"Federated": "accounts.google.com"},
                **cond("StringEquals", "aws:PrincipalOrgID", TRUSTED_ORG),
            )
        ],
        R,
        False,
        (),
    ),
    # --- NotPrincipal -------------------------------------------------------------------------------
    (
        "allow-notprincipal-is-public",
        [{"Effect": "Allow", "NotPrincipal": {"AWS": OTHER}, "Action": PULL}],
        P,
        True,
        (0,),
    ),
    (
        "allow-notprincipal-org-bound",
        [
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": OTHER},
                "Action": PULL,
                **cond("StringEquals", "aws:PrincipalOrgID", TRUSTED_ORG),
            }
        ],
        R,
        False,
        (),
    ),
    (
        "allow-notprincipal-untrusted-org",
        [
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": OTHER},
                "Action": PULL,
                **cond("StringEquals", "aws:PrincipalOrgID", "o-untrusted1"),
            }
        ],
        X,
        True,
        (0,),
    ),
    # --- Actions ------------------------------------------------------------------------------------
    ("action-ecr-star", [allow(action="ecr:*")], P, True, (0,)),
    ("action-star", [allow(action="*")], P, True, (0,)),
    ("action-star-colon-star", [allow(action="*:*")], P, True, (0,)),
    ("action-case-insensitive", [allow(action="ECR:getdownloadurlforlayer")], P, True, (0,)),
    ("action-prefix-wildcard", [allow(action="ecr:Get*")], P, True, (0,)),
    ("action-question-mark", [allow(action="ecr:GetDownloadUrlForLaye?")], P, True, (0,)),
    ("action-infix-wildcard", [allow(action="ecr:*Layer*")], P, True, (0,)),
    ("action-service-wildcard", [allow(action="e*")], P, True, (0,)),
    ("action-string-not-list", [allow(action="ecr:GetDownloadUrlForLayer")], P, True, (0,)),
    ("action-batchgetimage-only", [allow(action="ecr:BatchGetImage")], P, False, (0,)),
    (
        "action-push-only",
        [
            allow(
                action=[
                    "ecr:PutImage",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                ]
            )
        ],
        P,
        False,
        (0,),
    ),
    ("action-describe-only", [allow(action="ecr:Describe*")], P, False, (0,)),
    ("action-set-policy-only", [allow(action="ecr:SetRepositoryPolicy")], P, False, (0,)),
    ("action-unknown-ecr-action", [allow(action="ecr:SomeFutureAction")], P, False, (0,)),
    ("action-s3-only", [allow(action="s3:*")], R, False, ()),
    ("action-ecr-public-only", [allow(action="ecr-public:*")], R, False, ()),
    ("action-ecr-public-pull", [allow(action="ecr-public:GetDownloadUrlForLayer")], R, False, ()),
    ("action-registry-level-only", [allow(action="ecr:GetAuthorizationToken")], R, False, ()),
    ("action-wildcard-matching-nothing", [allow(action="ecr:Nothing*")], R, False, ()),
    ("notaction-ecr-star", [allow(action=None, NotAction="ecr:*")], R, False, ()),
    ("notaction-s3-star", [allow(action=None, NotAction="s3:*")], P, True, (0,)),
    ("notaction-pull-only", [allow(action=None, NotAction="ecr:GetDownloadUrlForLayer")], P, False, (0,)),
    ("notaction-everything", [allow(action=None, NotAction="*")], R, False, ()),
    (
        "action-pull-for-untrusted-push-for-owner",
        [allow({"AWS": OTHER}, action="ecr:BatchGetImage"), allow({"AWS": OWNER}, action="ecr:*")],
        X,
        False,
        (0,),
    ),
    # --- Identity-bounding conditions ---------------------------------------------------------------
    ("orgid-trusted", [allow(**cond("StringEquals", "aws:PrincipalOrgID", TRUSTED_ORG))], R, False, ()),
    ("orgid-untrusted", [allow(**cond("StringEquals", "aws:PrincipalOrgID", "o-untrusted1"))], X, True, (0,)),
    (
        "orgid-list-trusted-and-untrusted",
        [allow(**cond("StringEquals", "aws:PrincipalOrgID", [TRUSTED_ORG, "o-untrusted1"]))],
        X,
        True,
        (0,),
    ),
    (
        "orgid-single-element-list",
        [allow(**cond("StringEquals", "aws:PrincipalOrgID", [TRUSTED_ORG]))],
        R,
        False,
        (),
    ),
    ("orgid-stringlike-wildcard", [allow(**cond("StringLike", "aws:PrincipalOrgID", "o-*"))], P, True, (0,)),
    (
        "orgid-stringlike-question",
        [allow(**cond("StringLike", "aws:PrincipalOrgID", "o-trusted00?"))],
        P,
        True,
        (0,),
    ),
    (
        "orgid-stringlike-fixed",
        [allow(**cond("StringLike", "aws:PrincipalOrgID", TRUSTED_ORG))],
        R,
        False,
        (),
    ),
    (
        "orgid-stringequals-star-is-literal",
        [allow(**cond("StringEquals", "aws:PrincipalOrgID", "*"))],
        R,
        False,
        (),
    ),
    (
        "orgid-variable-2012",
        [allow(**cond("StringEquals", "aws:PrincipalOrgID", "${aws:PrincipalOrgID}"))],
        P,
        True,
        (0,),
    ),
    (
        "orgid-negated-on-allow",
        [allow(**cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG))],
        P,
        True,
        (0,),
    ),
    (
        "orgid-ifexists",
        [allow(**cond("StringEqualsIfExists", "aws:PrincipalOrgID", TRUSTED_ORG))],
        P,
        True,
        (0,),
    ),
    (
        "orgid-forallvalues",
        [allow(**cond("ForAllValues:StringEquals", "aws:PrincipalOrgID", TRUSTED_ORG))],
        P,
        True,
        (0,),
    ),
    (
        "orgid-foranyvalue",
        [allow(**cond("ForAnyValue:StringEquals", "aws:PrincipalOrgID", TRUSTED_ORG))],
        R,
        False,
        (),
    ),
    (
        "orgid-ignorecase",
        [allow(**cond("StringEqualsIgnoreCase", "aws:PrincipalOrgID", "O-TRUSTED001"))],
        R,
        False,
        (),
    ),
    (
        "orgid-key-case-insensitive",
        [allow(**cond("StringEquals", "AWS:PRINCIPALORGID", TRUSTED_ORG))],
        R,
        False,
        (),
    ),
    (
        "orgid-unknown-operator",
        [allow(**cond("StringEqualsMaybe", "aws:PrincipalOrgID", TRUSTED_ORG))],
        P,
        True,
        (0,),
    ),
    (
        "orgpaths-trusted",
        [
            allow(
                **cond(
                    "ForAnyValue:StringLike",
                    "aws:PrincipalOrgPaths",
                    f"{TRUSTED_ORG}/r-ab12/ou-ab12-11111111/*",
                )
            )
        ],
        R,
        False,
        (),
    ),
    (
        "orgpaths-org-wildcard",
        [allow(**cond("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-*/r-ab12/*"))],
        P,
        True,
        (0,),
    ),
    ("orgpaths-star", [allow(**cond("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "*"))], P, True, (0,)),
    (
        "orgpaths-untrusted",
        [allow(**cond("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-untrusted1/*"))],
        X,
        True,
        (0,),
    ),
    (
        "orgpaths-forallvalues",
        [allow(**cond("ForAllValues:StringLike", "aws:PrincipalOrgPaths", f"{TRUSTED_ORG}/*"))],
        P,
        True,
        (0,),
    ),
    ("principalaccount-owner", [allow(**cond("StringEquals", "aws:PrincipalAccount", OWNER))], R, False, ()),
    (
        "principalaccount-untrusted",
        [allow(**cond("StringEquals", "aws:PrincipalAccount", OTHER))],
        X,
        True,
        (0,),
    ),
    (
        "principalaccount-json-number",
        [allow(**cond("StringEquals", "aws:PrincipalAccount", int(OWNER)))],
        R,
        False,
        (),
    ),
    (
        "principalaccount-equals-star-grants-nobody",
        [allow(**cond("StringEquals", "aws:PrincipalAccount", "*"))],
        R,
        False,
        (),
    ),
    ("principalaccount-like-star", [allow(**cond("StringLike", "aws:PrincipalAccount", "*"))], P, True, (0,)),
    (
        "principalaccount-like-prefix",
        [allow(**cond("StringLike", "aws:PrincipalAccount", "1111*"))],
        P,
        True,
        (0,),
    ),
    (
        "principalaccount-owner-and-trusted",
        [allow(**cond("StringEquals", "aws:PrincipalAccount", [OWNER, TRUSTED_ACCOUNT]))],
        R,
        False,
        (),
    ),
    (
        "principalarn-arnlike-owner-roles",
        [allow(**cond("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{OWNER}:role/*"))],
        R,
        False,
        (),
    ),
    (
        "principalarn-arnequals-wildcard-account",
        [allow(**cond("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::*:role/deployer"))],
        P,
        True,
        (0,),
    ),
    ("principalarn-arnlike-star", [allow(**cond("ArnLike", "aws:PrincipalArn", "*"))], P, True, (0,)),
    (
        "principalarn-untrusted",
        [allow(**cond("ArnEquals", "aws:PrincipalArn", f"arn:aws:iam::{OTHER}:role/deployer"))],
        X,
        True,
        (0,),
    ),
    (
        "principalarn-stringequals-star-account-literal",
        [allow(**cond("StringEquals", "aws:PrincipalArn", "arn:aws:iam::*:role/deployer"))],
        R,
        False,
        (),
    ),
    (
        "principalarn-stringlike-trusted",
        [allow(**cond("StringLike", "aws:PrincipalArn", f"arn:aws:iam::{TRUSTED_ACCOUNT}:role/ci-*"))],
        R,
        False,
        (),
    ),
    (
        "principalarn-negated",
        [allow(**cond("ArnNotLike", "aws:PrincipalArn", f"arn:aws:iam::{OWNER}:*"))],
        P,
        True,
        (0,),
    ),
    (
        "principalarn-variable-in-account",
        [allow(**cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:role/x"))],
        P,
        True,
        (0,),
    ),
    (
        "sourceaccount-owner-on-star",
        [allow(**cond("StringEquals", "aws:SourceAccount", OWNER))],
        R,
        False,
        (),
    ),
    (
        "sourcearn-owner-on-star",
        [allow(**cond("ArnLike", "aws:SourceArn", f"arn:aws:codebuild:us-east-1:{OWNER}:project/*"))],
        R,
        False,
        (),
    ),
    (
        "sourcearn-bucket-without-account",
        [allow(**cond("ArnEquals", "aws:SourceArn", "arn:aws:s3:::artifacts"))],
        X,
        True,
        (0,),
    ),
    ("sourceowner-owner", [allow(**cond("StringEquals", "aws:SourceOwner", OWNER))], R, False, ()),
    ("sourceorgid-trusted", [allow(**cond("StringEquals", "aws:SourceOrgID", TRUSTED_ORG))], R, False, ()),
    (
        "sourceorgid-untrusted",
        [allow(**cond("StringEquals", "aws:SourceOrgID", "o-untrusted1"))],
        X,
        True,
        (0,),
    ),
    ("userid-owner-root", [allow(**cond("StringEquals", "aws:userid", OWNER))], R, False, ()),
    (
        "userid-role-sessions",
        [allow(**cond("StringLike", "aws:userid", "AROAEXAMPLEROLEID0001:*"))],
        X,
        True,
        (0,),
    ),
    ("userid-star", [allow(**cond("StringLike", "aws:userid", "*"))], P, True, (0,)),
    ("null-orgid-false", [allow(**cond("Null", "aws:PrincipalOrgID", "false"))], P, True, (0,)),
    ("null-orgid-true", [allow(**cond("Null", "aws:PrincipalOrgID", "true"))], P, True, (0,)),
    (
        "null-ifexists-is-unknown",
        [allow(**cond("NullIfExists", "aws:PrincipalOrgID", "false"))],
        P,
        True,
        (0,),
    ),
    ("securetransport-only", [allow(**cond("Bool", "aws:SecureTransport", "true"))], P, True, (0,)),
    ("securetransport-json-bool", [allow(**cond("Bool", "aws:SecureTransport", True))], P, True, (0,)),
    ("date-only", [allow(**cond("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"))], P, True, (0,)),
    ("useragent-only", [allow(**cond("StringEquals", "aws:UserAgent", "docker/24.0"))], P, True, (0,)),
    (
        "principaltag-only",
        [allow(**cond("StringEquals", "aws:PrincipalTag/team", "platform"))],
        P,
        True,
        (0,),
    ),
    (
        "principaltype-only",
        [allow(**cond("StringEquals", "aws:PrincipalType", "AssumedRole"))],
        P,
        True,
        (0,),
    ),
    ("numeric-only", [allow(**cond("NumericLessThan", "aws:MultiFactorAuthAge", 3600))], P, True, (0,)),
    (
        "securetransport-and-orgid-trusted",
        [
            allow(
                Condition={
                    "Bool": {"aws:SecureTransport": "true"},
                    "StringEquals": {"aws:PrincipalOrgID": TRUSTED_ORG},
                }
            )
        ],
        R,
        False,
        (),
    ),
    (
        "orgid-trusted-bounds-untrusted-principal",
        [allow({"AWS": OTHER}, **cond("StringEquals", "aws:PrincipalOrgID", TRUSTED_ORG))],
        R,
        False,
        (),
    ),
    (
        "trusted-principal-with-untrusted-orgid",
        [allow({"AWS": TRUSTED_ACCOUNT}, **cond("StringEquals", "aws:PrincipalOrgID", "o-untrusted1"))],
        R,
        False,
        (),
    ),
    (
        "untrusted-principal-untrusted-account-condition",
        [allow({"AWS": OTHER}, **cond("StringEquals", "aws:PrincipalAccount", OTHER))],
        X,
        True,
        (0,),
    ),
    (
        "orgid-and-account-both-keys",
        [
            allow(
                Condition={
                    "StringEquals": {"aws:PrincipalOrgID": "o-untrusted1", "aws:PrincipalAccount": OWNER}
                }
            )
        ],
        R,
        False,
        (),
    ),
    # --- Network-only conditions --------------------------------------------------------------------
    ("sourceip-everything", [allow(**cond("IpAddress", "aws:SourceIp", "0.0.0.0/0"))], P, True, (0,)),
    (
        "sourceip-narrow-public-range",
        [allow(**cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"))],
        X,
        True,
        (0,),
    ),
    ("sourceip-slash-8-is-narrow", [allow(**cond("IpAddress", "aws:SourceIp", "10.0.0.0/8"))], X, True, (0,)),
    ("sourceip-slash-7-is-broad", [allow(**cond("IpAddress", "aws:SourceIp", "8.0.0.0/7"))], P, True, (0,)),
    (
        "sourceip-one-broad-in-list",
        [allow(**cond("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "0.0.0.0/1"]))],
        P,
        True,
        (0,),
    ),
    ("sourceip-single-address", [allow(**cond("IpAddress", "aws:SourceIp", "203.0.113.7"))], X, True, (0,)),
    ("sourceip-ipv6-slash-32", [allow(**cond("IpAddress", "aws:SourceIp", "2001:db8::/32"))], X, True, (0,)),
    ("sourceip-ipv6-broad", [allow(**cond("IpAddress", "aws:SourceIp", "2000::/3"))], P, True, (0,)),
    ("sourceip-ipv6-private", [allow(**cond("IpAddress", "aws:SourceIp", "fc00::/7"))], X, True, (0,)),
    ("sourceip-negated", [allow(**cond("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"))], P, True, (0,)),
    (
        "sourceip-ifexists",
        [allow(**cond("IpAddressIfExists", "aws:SourceIp", "203.0.113.0/24"))],
        P,
        True,
        (0,),
    ),
    ("vpcsourceip-narrow", [allow(**cond("IpAddress", "aws:VpcSourceIp", "10.1.0.0/16"))], X, True, (0,)),
    ("sourcevpce-fixed", [allow(**cond("StringEquals", "aws:SourceVpce", "vpce-1a2b3c4d"))], X, True, (0,)),
    ("sourcevpce-wildcard", [allow(**cond("StringLike", "aws:SourceVpce", "vpce-*"))], P, True, (0,)),
    ("sourcevpc-fixed", [allow(**cond("StringEquals", "aws:SourceVpc", "vpc-0123abcd"))], X, True, (0,)),
    ("sourcevpc-negated", [allow(**cond("StringNotEquals", "aws:SourceVpc", "vpc-0123abcd"))], P, True, (0,)),
    (
        "sourcevpc-variable",
        [allow(**cond("StringEquals", "aws:SourceVpc", "${aws:SourceVpc}"))],
        P,
        True,
        (0,),
    ),
    (
        "network-and-orgid-trusted",
        [
            allow(
                Condition={
                    "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                    "StringEquals": {"aws:PrincipalOrgID": TRUSTED_ORG},
                }
            )
        ],
        R,
        False,
        (),
    ),
    # --- Deny statements in the same policy ---------------------------------------------------------
    (
        "deny-outside-trusted-org",
        [allow(), deny(**cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG))],
        R,
        False,
        (),
    ),
    (
        "deny-outside-untrusted-org",
        [allow(), deny(**cond("StringNotEquals", "aws:PrincipalOrgID", "o-untrusted1"))],
        X,
        True,
        (0,),
    ),
    (
        "deny-before-allow",
        [deny(**cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG)), allow()],
        R,
        False,
        (),
    ),
    (
        "deny-null-orgid-leaves-other-orgs",
        [allow(), deny(**cond("Null", "aws:PrincipalOrgID", "true"))],
        P,
        True,
        (0,),
    ),
    ("deny-everyone-unconditionally", [allow(), deny()], R, False, ()),
    (
        "deny-pull-only-leaves-batchget",
        [allow(action="ecr:*"), deny(action="ecr:GetDownloadUrlForLayer")],
        P,
        False,
        (0,),
    ),
    ("deny-other-service-only", [allow(), deny(action="s3:*")], P, True, (0,)),
    ("deny-same-untrusted-account", [allow({"AWS": OTHER}), deny({"AWS": OTHER})], R, False, ()),
    (
        "deny-account-covers-its-role",
        [allow({"AWS": f"arn:aws:iam::{OTHER}:role/r"}), deny({"AWS": OTHER})],
        R,
        False,
        (),
    ),
    (
        "deny-role-does-not-cover-account",
        [allow({"AWS": OTHER}), deny({"AWS": f"arn:aws:iam::{OTHER}:role/r"})],
        X,
        True,
        (0,),
    ),
    (
        "deny-other-account-does-not-cover",
        [allow({"AWS": OTHER}), deny({"AWS": TRUSTED_ACCOUNT})],
        X,
        True,
        (0,),
    ),
    (
        "deny-notprincipal-trusted-accounts",
        [allow(), {"Effect": "Deny", "NotPrincipal": {"AWS": [OWNER, TRUSTED_ACCOUNT]}, "Action": "ecr:*"}],
        R,
        False,
        (),
    ),
    (
        "deny-notprincipal-including-untrusted",
        [allow(), {"Effect": "Deny", "NotPrincipal": {"AWS": [OWNER, OTHER]}, "Action": "ecr:*"}],
        X,
        True,
        (0,),
    ),
    (
        "deny-with-extra-unsure-clause",
        [
            allow(),
            deny(
                Condition={
                    "StringNotEquals": {"aws:PrincipalOrgID": TRUSTED_ORG},
                    "Bool": {"aws:SecureTransport": "false"},
                }
            ),
        ],
        P,
        True,
        (0,),
    ),
    (
        "deny-ifexists-negated-still-fires",
        [allow(), deny(**cond("StringNotEqualsIfExists", "aws:PrincipalOrgID", TRUSTED_ORG))],
        R,
        False,
        (),
    ),
    (
        "deny-foranyvalue-negated-misses-absent-key",
        [allow(), deny(**cond("ForAnyValue:StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG))],
        P,
        True,
        (0,),
    ),
    (
        "deny-forallvalues-orgpaths",
        [allow(), deny(**cond("ForAllValues:StringNotLike", "aws:PrincipalOrgPaths", f"{TRUSTED_ORG}/*"))],
        R,
        False,
        (),
    ),
    (
        "deny-notlike-wildcard-org",
        [allow(), deny(**cond("StringNotLike", "aws:PrincipalOrgID", "o-*"))],
        P,
        True,
        (0,),
    ),
    (
        "deny-outside-trusted-accounts",
        [allow(), deny(**cond("StringNotEquals", "aws:PrincipalAccount", [OWNER, TRUSTED_ACCOUNT]))],
        R,
        False,
        (),
    ),
    (
        "deny-outside-owner-roles",
        [allow(), deny(**cond("ArnNotLike", "aws:PrincipalArn", f"arn:aws:iam::{OWNER}:role/*"))],
        R,
        False,
        (),
    ),
    (
        "deny-outside-narrow-network",
        [allow(), deny(**cond("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"))],
        X,
        True,
        (0,),
    ),
    (
        "deny-outside-vpce",
        [allow(), deny(**cond("StringNotEquals", "aws:SourceVpce", "vpce-1a2b3c4d"))],
        X,
        True,
        (0,),
    ),
    (
        "deny-specific-resource-not-trusted",
        [
            allow(),
            deny(
                Resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/app",
                **cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG),
            ),
        ],
        P,
        True,
        (0,),
    ),
    (
        "deny-resource-star",
        [allow(), deny(Resource="*", **cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG))],
        R,
        False,
        (),
    ),
    (
        "deny-resource-every-repository",
        [
            allow(),
            deny(
                Resource="arn:aws:ecr:*:*:repository/*",
                **cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG),
            ),
        ],
        R,
        False,
        (),
    ),
    (
        "deny-notaction-registry-action",
        [allow(), deny(action=None, NotAction="ecr:GetAuthorizationToken")],
        R,
        False,
        (),
    ),
    ("deny-notaction-ecr-star", [allow(), deny(action=None, NotAction="ecr:*")], P, True, (0,)),
    (
        "deny-unknown-operator",
        [allow(), deny(**cond("StringNotEqualsMaybe", "aws:PrincipalOrgID", TRUSTED_ORG))],
        P,
        True,
        (0,),
    ),
    (
        "deny-variable-value",
        [allow(), deny(**cond("StringNotEquals", "aws:PrincipalOrgID", "${aws:PrincipalOrgID}"))],
        P,
        True,
        (0,),
    ),
    (
        "deny-service-by-sourceaccount",
        [
            allow({"Service": "codebuild.amazonaws.com"}),
            deny(**cond("StringNotEquals", "aws:SourceAccount", OWNER)),
        ],
        R,
        False,
        (),
    ),
    (
        # A service principal carries no aws:PrincipalOrgID (IAM User Guide: "only if the principal is
        # a member of an organization"), and a negated operator is true for a missing key: the Deny
        # fires for it — which is why AWS's data-perimeter policies exempt aws:PrincipalIsAWSService.
        "deny-orgid-negated-denies-a-service-principal-too",
        [
            allow({"Service": "codebuild.amazonaws.com"}),
            deny(**cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG)),
        ],
        R,
        False,
        (),
    ),
    (
        "deny-orgid-with-the-service-exemption-leaves-the-service-unscoped",
        [
            allow({"Service": "codebuild.amazonaws.com"}),
            deny(
                Condition={
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": TRUSTED_ORG},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                }
            ),
        ],
        X,
        True,
        (0,),
    ),
    (
        "deny-service-unconditionally",
        [allow({"Service": "codebuild.amazonaws.com"}), deny({"Service": "CodeBuild.amazonaws.com"})],
        R,
        False,
        (),
    ),
    (
        "deny-positive-orgid-keeps-others",
        [allow(), deny(**cond("StringEquals", "aws:PrincipalOrgID", "o-untrusted1"))],
        P,
        True,
        (0,),
    ),
    (
        "deny-carve-out-covers-only-some-actions",
        [
            allow(action="ecr:*"),
            deny(
                action="ecr:GetDownloadUrlForLayer",
                **cond("StringNotEquals", "aws:PrincipalOrgID", TRUSTED_ORG),
            ),
        ],
        P,
        False,
        (0,),
    ),
    # --- Resource / NotResource ---------------------------------------------------------------------
    ("allow-resource-star", [allow(Resource="*")], P, True, (0,)),
    (
        "allow-resource-repository",
        [allow(Resource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/team/app")],
        P,
        True,
        (0,),
    ),
    ("allow-resource-s3-only", [allow(Resource="arn:aws:s3:::bucket/*")], R, False, ()),
    ("allow-notresource-star", [allow(NotResource="*")], R, False, ()),
    (
        "allow-notresource-other-repo",
        [allow(NotResource=f"arn:aws:ecr:us-east-1:{OWNER}:repository/other")],
        P,
        True,
        (0,),
    ),
    (
        "allow-resource-variable",
        [allow(Resource="arn:aws:ecr:*:*:repository/${aws:username}/*")],
        P,
        True,
        (0,),
    ),
    # --- Several statements: the worst wins ---------------------------------------------------------
    ("restricted-then-public", [allow({"AWS": OWNER}), allow()], P, True, (1,)),
    ("cross-then-public", [allow({"AWS": OTHER}), allow()], P, True, (0, 1)),
    ("public-push-and-cross-pull", [allow(action="ecr:PutImage"), allow({"AWS": OTHER})], P, True, (0, 1)),
    ("two-restricted", [allow({"AWS": OWNER}), allow({"AWS": TRUSTED_ACCOUNT})], R, False, ()),
    (
        "three-with-deny-fixing-one",
        [
            allow({"AWS": OTHER}),
            allow(),
            deny(**cond("StringNotEquals", "aws:PrincipalAccount", [OWNER, OTHER])),
        ],
        X,
        True,
        (0, 1),
    ),
    ("empty-statement-list", [], R, False, ()),
    ("deny-only", [deny()], R, False, ()),
]


@pytest.mark.parametrize(
    ("statements", "verdict", "pull", "offending"), [pytest.param(*case[1:], id=case[0]) for case in CASES]
)
def test_exposure(statements, verdict, pull, offending):
    statements = [{k: v for k, v in s.items() if v is not None} for s in statements]
    exposure = analyze_repository_policy(
        doc(*statements),
        owner_account=OWNER,
        trusted_accounts=[TRUSTED_ACCOUNT],
        trusted_org_ids=[TRUSTED_ORG],
    )
    assert exposure.verdict.value == verdict
    assert exposure.pull_exposed is pull
    assert tuple(f.statement_index for f in exposure.findings) == offending


def test_table_has_unique_ids_and_enough_cases():
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150
