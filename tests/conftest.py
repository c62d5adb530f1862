"""Shared test vocabulary: the accounts and organizations every table speaks of, and moto fixtures."""

import pytest
from moto import mock_aws

from ecr_access.testing.config_harness import ConfigCapture, capture_config

OWNER = "111122223333"
TRUSTED_ACCOUNT = "444455556666"
UNTRUSTED_ACCOUNT = "999988887777"
TRUSTED_ORG = "o-trusted001"
UNTRUSTED_ORG = "o-untrusted1"

PULL = "ecr:GetDownloadUrlForLayer"


def doc(*statements: dict, version: str | None = "2012-10-17") -> dict:
    """A policy document around the given statements (the tables' only shorthand)."""
    document: dict = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return document


@pytest.fixture
def moto(monkeypatch):
    """An in-process AWS account (moto) in us-east-1."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


@pytest.fixture
def capture(moto):
    """Every AWS call of the test, recorded (and scriptable) at the botocore level."""
    recorded = ConfigCapture()
    with capture_config(recorded):
        yield recorded
