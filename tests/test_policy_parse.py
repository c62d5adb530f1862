"""Parsing: every shape AWS accepts, and a message a person can act on for everything else."""

import json
import re

import pytest

from ecr_access.policy import (
    Comparison,
    OperatorFamily,
    PolicyError,
    PolicyVersion,
    PrincipalKind,
    SetOperator,
    parse_document,
    parse_policy_text,
)
from ecr_access.policy.conditions import parse_operator
from ecr_access.policy.variables import Escaped, Variable, parse_template

from conftest import doc

ALLOW = {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("not json", "not valid JSON", id="not-json"),
        pytest.param("[]", "must be a JSON object", id="top-level-list"),
        pytest.param('"policy"', "must be a JSON object", id="top-level-string"),
        pytest.param('{"Version": "2012-10-17"}', "no Statement", id="no-statement"),
        pytest.param(
            '{"Statement": "Allow everything"}', "Statement must be an object or a list", id="statement-str"
        ),
        pytest.param('{"Statement": ["x"]}', "statement #0 must be a JSON object", id="statement-item-str"),
        pytest.param('{"Version": "2020-01-01", "Statement": []}', "Version must be", id="bad-version"),
        pytest.param(
            '{"Statement": [], "Extra": 1}', 'unknown top-level element "Extra"', id="unknown-top-level"
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Conditions": {}})), 'unknown element "Conditions"', id="typo-element"
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "effect": "Allow"})), 'unknown element "effect"', id="lowercase-elem"
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Effect": "allow"})),
            'Effect must be "Allow" or "Deny"',
            id="effect-case",
        ),
        pytest.param(
            json.dumps(doc({"Effect": "Allow", "Principal": "*"})),
            "neither Action nor NotAction",
            id="no-action",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "NotAction": "s3:*"})),
            "both Action and NotAction",
            id="action-and-notaction",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "NotPrincipal": "*"})),
            "both Principal and NotPrincipal",
            id="principal-and-notprincipal",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Resource": "*", "NotResource": "*"})),
            "both Resource and NotResource",
            id="resource-and-notresource",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Action": []})), "Action must be a non-empty", id="empty-action-list"
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Action": 5})), "Action must be a non-empty", id="action-number"
        ),
        pytest.param(json.dumps(doc({**ALLOW, "Sid": 7})), "Sid must be a string", id="sid-number"),
        pytest.param(
            json.dumps(doc({**ALLOW, "Principal": {"Human": "x"}})),
            'unknown key "Human"',
            id="principal-unknown-key",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Principal": "someone"})),
            'must be "*" or an object',
            id="principal-bare-string",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Principal": {"AWS": "bob"}})),
            'unrecognised AWS principal "bob"',
            id="principal-not-arn",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Principal": {"AWS": "arn:aws:iam::12345:root"}})),
            "not a 12-digit id",
            id="principal-short-account",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Principal": {"AWS": "arn:aws:iam::111122223333:group/g"}})),
            "not a user, role",
            id="principal-group-arn",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Condition": "StringEquals"})),
            "Condition must be an object",
            id="condition-string",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Condition": {"StringEquals": "x"}})),
            "must be an object of condition",
            id="condition-operator-string",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Condition": {"StringEquals": {"aws:PrincipalOrgID": {"a": 1}}}})),
            "values must be strings",
            id="condition-value-object",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Condition": {"StringEquals": {"aws:x": "${aws:username"}}})),
            None,
            id="unterminated-variable-is-literal",
        ),
        pytest.param(
            json.dumps(doc({**ALLOW, "Condition": {"StringEquals": {"aws:x": "${a, b}"}}})),
            "malformed policy variable",
            id="variable-bad-default",
        ),
        pytest.param(
            '{"Statement": [], "Statement": []}', 'duplicate key "Statement"', id="duplicate-top-key"
        ),
        pytest.param(
            '{"Statement": {"Effect": "Deny", "Effect": "Allow", "Principal": "*", "Action": "ecr:*"}}',
            'duplicate key "Effect"',
            id="duplicate-effect",
        ),
        pytest.param(
            json.dumps(
                doc(
                    {
                        **ALLOW,
                        "Condition": {
                            "StringEquals": {
                                "aws:PrincipalOrgID": "o-aaaaaaaaaa",
                                "AWS:principalorgid": "o-bbbbbbbbbb",
                            }
                        },
                    }
                )
            ),
            "differ only in case",
            id="case-variant-condition-keys",
        ),
        pytest.param(
            json.dumps(
                doc(
                    {
                        **ALLOW,
                        "Condition": {
                            "StringEquals": {"aws:PrincipalOrgID": "o-aaaaaaaaaa"},
                            "stringequals": {"aws:SourceIp": "x"},
                        },
                    }
                )
            ),
            "differ only in case",
            id="case-variant-operators",
        ),
    ],
)
def test_malformed_documents(text, message):
    if message is None:
        parse_policy_text(text)  # accepted: "${" with no closing brace is plain text
        return
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy_text(text)


def test_length_limit_names_both_numbers():
    with pytest.raises(PolicyError, match="10241 characters long; the limit is 10240"):
        parse_policy_text(" " * 10_241, max_chars=10_240)


@pytest.mark.parametrize(
    ("principal", "kinds", "accounts"),
    [
        pytest.param("*", [PrincipalKind.ANYONE], [None], id="star"),
        pytest.param({"AWS": "*"}, [PrincipalKind.ANYONE], [None], id="aws-star"),
        pytest.param({"AWS": "111122223333"}, [PrincipalKind.ACCOUNT], ["111122223333"], id="bare-account"),
        pytest.param(
            {"AWS": "arn:aws:iam::111122223333:root"}, [PrincipalKind.ACCOUNT], ["111122223333"], id="root"
        ),
        pytest.param(
            {"AWS": "arn:aws-cn:iam::111122223333:role/a/b"},
            [PrincipalKind.IAM_PRINCIPAL],
            ["111122223333"],
            id="role-with-path-cn",
        ),
        pytest.param(
            {"AWS": "arn:aws:sts::111122223333:assumed-role/r/s"},
            [PrincipalKind.IAM_PRINCIPAL],
            ["111122223333"],
            id="assumed-role",
        ),
        pytest.param({"AWS": "AIDAJQABLZS4A3QDU576Q"}, [PrincipalKind.UNIQUE_ID], [None], id="unique-id"),
        pytest.param(
            {"AWS": "arn:aws:iam::*:root"}, [PrincipalKind.ANY_ACCOUNT], [None], id="wildcard-account"
        ),
        pytest.param(
            {"Service": ["ecs.amazonaws.com", "*"]},
            [PrincipalKind.SERVICE, PrincipalKind.ANYONE],
            [None, None],
            id="services",
        ),
        pytest.param(
            {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"},
            [PrincipalKind.SAML_PROVIDER],
            ["111122223333"],
            id="saml",
        ),
        pytest.param(
            {"Federated": "cognito-identity.amazonaws.com"},
            [PrincipalKind.WEB_IDENTITY],
            [None],
            id="cognito",
        ),
        pytest.param(
            {"Federated": "arn:aws:iam::111122223333:oidc-provider/x"},
            [PrincipalKind.WEB_IDENTITY],
            [None],
            id="oidc",
        ),
        pytest.param(
            {"CanonicalUser": "79a59df900b9"}, [PrincipalKind.CANONICAL_USER], [None], id="canonical"
        ),
    ],
)
def test_principal_forms(principal, kinds, accounts):
    statement = parse_document(doc({**ALLOW, "Principal": principal})).statements[0]
    assert [p.kind for p in statement.principals] == kinds
    assert [p.account for p in statement.principals] == accounts


@pytest.mark.parametrize(
    ("name", "family", "comparison", "negated", "if_exists", "set_operator"),
    [
        pytest.param(
            "StringEquals",
            OperatorFamily.STRING,
            Comparison.EQUALS,
            False,
            False,
            SetOperator.NONE,
            id="string-equals",
        ),
        pytest.param(
            "stringnotlikeifexists",
            OperatorFamily.STRING,
            Comparison.LIKE,
            True,
            True,
            SetOperator.NONE,
            id="lowercase-negated-ifexists",
        ),
        pytest.param(
            "ForAnyValue:StringLike",
            OperatorFamily.STRING,
            Comparison.LIKE,
            False,
            False,
            SetOperator.FOR_ANY_VALUE,
            id="for-any-value",
        ),
        pytest.param(
            "ForAllValues:StringNotEqualsIgnoreCaseIfExists",
            OperatorFamily.STRING,
            Comparison.EQUALS,
            True,
            True,
            SetOperator.FOR_ALL_VALUES,
            id="for-all-values-everything",
        ),
        pytest.param(
            "NumericGreaterThanEquals",
            OperatorFamily.NUMERIC,
            Comparison.GREATER_THAN_EQUALS,
            False,
            False,
            SetOperator.NONE,
            id="numeric",
        ),
        pytest.param(
            "DateNotEquals",
            OperatorFamily.DATE,
            Comparison.EQUALS,
            True,
            False,
            SetOperator.NONE,
            id="date-negated",
        ),
        pytest.param(
            "BoolIfExists",
            OperatorFamily.BOOL,
            Comparison.EQUALS,
            False,
            True,
            SetOperator.NONE,
            id="bool-ifexists",
        ),
        pytest.param(
            "BinaryEquals",
            OperatorFamily.BINARY,
            Comparison.EQUALS,
            False,
            False,
            SetOperator.NONE,
            id="binary",
        ),
        pytest.param(
            "NotIpAddress",
            OperatorFamily.IP_ADDRESS,
            Comparison.IN_RANGE,
            True,
            False,
            SetOperator.NONE,
            id="not-ip",
        ),
        pytest.param(
            "ArnNotLike", OperatorFamily.ARN, Comparison.LIKE, True, False, SetOperator.NONE, id="arn"
        ),
        pytest.param(
            "Null", OperatorFamily.NULL, Comparison.IS_NULL, False, False, SetOperator.NONE, id="null"
        ),
        pytest.param(
            "NullIfExists",
            OperatorFamily.UNKNOWN,
            Comparison.UNKNOWN,
            False,
            True,
            SetOperator.NONE,
            id="null-ifexists-unknown",
        ),
        pytest.param(
            "StringEqualz",
            OperatorFamily.UNKNOWN,
            Comparison.UNKNOWN,
            False,
            False,
            SetOperator.NONE,
            id="typo-unknown",
        ),
    ],
)
def test_condition_operators(name, family, comparison, negated, if_exists, set_operator):
    operator = parse_operator(name)
    assert (
        operator.family,
        operator.comparison,
        operator.negated,
        operator.if_exists,
        operator.set_operator,
    ) == (family, comparison, negated, if_exists, set_operator)


@pytest.mark.parametrize(
    ("text", "enabled", "parts"),
    [
        pytest.param(
            "team/${aws:username}/*", True, ("team/", Variable("aws:username"), "/*"), id="variable"
        ),
        pytest.param(
            "${aws:PrincipalTag/team, 'none'}",
            True,
            (Variable("aws:principaltag/team", "none"),),
            id="default",
        ),
        pytest.param(
            "a${*}b${?}c${$}", True, ("a", Escaped("*"), "b", Escaped("?"), "c", Escaped("$")), id="escapes"
        ),
        pytest.param("team/${aws:username}/*", False, ("team/${aws:username}/*",), id="2008-literal"),
        pytest.param("plain", True, ("plain",), id="no-variable"),
    ],
)
def test_templates(text, enabled, parts):
    assert parse_template(text, variables_enabled=enabled).parts == parts


def test_escaped_star_is_not_a_wildcard():
    assert parse_template("a${*}", variables_enabled=True).has_wildcards is False
    assert parse_template("a*", variables_enabled=True).has_wildcards is True


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        pytest.param("2012-10-17", PolicyVersion.V2012, id="2012"),
        pytest.param("2008-10-17", PolicyVersion.V2008, id="2008"),
        pytest.param(None, PolicyVersion.ABSENT, id="absent"),
    ],
)
def test_version_controls_variables(version, expected):
    policy = parse_document(
        doc({**ALLOW, "Resource": "arn:aws:ecr:*:*:repository/${aws:username}"}, version=version)
    )
    assert policy.version is expected
    assert policy.statements[0].resources.patterns[0].has_variables is (expected is PolicyVersion.V2012)


def test_single_statement_object_equals_one_element_list():
    as_object = parse_document({"Version": "2012-10-17", "Statement": ALLOW})
    as_list = parse_document(doc(ALLOW))
    assert as_object == as_list


def test_text_parse_is_cached_by_content():
    text = json.dumps(doc(ALLOW))
    assert parse_policy_text(text) is parse_policy_text(text)


def test_parsing_does_not_mutate_input():
    document = doc({**ALLOW, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-aaaaaaaaaa"]}}})
    before = json.dumps(document, sort_keys=True)
    parse_document(document)
    assert json.dumps(document, sort_keys=True) == before


@pytest.mark.parametrize(
    ("pattern", "text", "case_sensitive", "expected"),
    [
        pytest.param("ecr:*", "ecr:GetDownloadUrlForLayer", True, True, id="suffix-star"),
        pytest.param("*Layer", "ecr:GetDownloadUrlForLayer", True, True, id="prefix-star"),
        pytest.param("ecr:*Url*Layer", "ecr:GetDownloadUrlForLayer", True, True, id="middle-pieces"),
        pytest.param("ecr:*Layer*Url", "ecr:GetDownloadUrlForLayer", True, False, id="pieces-out-of-order"),
        pytest.param("a*a", "a", True, False, id="overlapping-ends"),
        pytest.param("a*a", "aa", True, True, id="ends-touch"),
        pytest.param("*", "", True, True, id="star-matches-empty"),
        pytest.param("ECR:get*", "ecr:GetImage", False, True, id="case-insensitive"),
        pytest.param("ECR:get*", "ecr:GetImage", True, False, id="case-sensitive"),
        pytest.param("repository/*", "repository/team/app", True, True, id="star-spans-slash"),
        pytest.param("ecr:?et*", "ecr:GetImage", True, True, id="question-mark"),
        pytest.param("ecr:Get", "ecr:GetImage", True, False, id="literal-is-whole"),
    ],
)
def test_wildcard_match(pattern, text, case_sensitive, expected):
    from ecr_access.policy.wildcard import wildcard_match

    assert wildcard_match(pattern, text, case_sensitive=case_sensitive) is expected
