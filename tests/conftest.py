"""Shared test vocabulary: the accounts and organizations every table speaks of."""

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
