"""Every AWS managed policy document that moto ships parses.

moto loads these ~1,580 real documents into IAM when MOTO_IAM_LOAD_MANAGED_POLICIES
is true; reading its data module gives the same corpus without a mock account.
"""

import json

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from ecr_access.policy import PolicyError, parse_policy_text

CORPUS = json.loads(aws_managed_policies_data)


def test_corpus_is_the_real_one():
    assert len(CORPUS) >= 1_500
    assert "AmazonEC2ContainerRegistryReadOnly" in CORPUS


def test_every_managed_policy_parses():
    failures = {}
    for name, policy in CORPUS.items():
        try:
            parsed = parse_policy_text(json.dumps(policy["Document"]))
        except PolicyError as exc:
            failures[name] = str(exc)
            continue
        assert parsed.statements, name
    assert failures == {}


@pytest.mark.parametrize(
    "name", ["AdministratorAccess", "PowerUserAccess", "AmazonEC2ContainerRegistryReadOnly"]
)
def test_known_documents_parse_to_their_shape(name):
    parsed = parse_policy_text(json.dumps(CORPUS[name]["Document"]))
    raw = CORPUS[name]["Document"]["Statement"]
    assert len(parsed.statements) == (len(raw) if isinstance(raw, list) else 1)
