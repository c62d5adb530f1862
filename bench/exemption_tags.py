"""Benchmark: AWS calls of ECR_REPO_NOT_PUBLIC's periodic run with an exemption tag (moto).

500 repositories, 10 of them tagged exempt. Tags come from one Resource Groups Tagging API
GetResources page per 100 tagged repositories (answered at the botocore level: moto has no
ECR in it), plus one ListTagsForResource per exemption to confirm it; before, every
repository's tags were read one by one.
"""

import os
from collections import Counter

import boto3
from moto import mock_aws

from ecr_access.testing.config_harness import ConfigCapture, capture_config, load_rule, periodic_event

REPOSITORIES, EXEMPT = 500, 10


def main() -> None:
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    rule = load_rule("ECR_REPO_NOT_PUBLIC")
    capture = ConfigCapture()
    with mock_aws(), capture_config(capture):
        ecr = boto3.client("ecr")
        for n in range(REPOSITORIES):
            tags = [{"Key": "ecr-access:exempt", "Value": "true"}] if n < EXEMPT else []
            ecr.create_repository(repositoryName=f"team/app-{n:03}", tags=tags)
        capture.calls.clear()
        rule.lambda_handler(
            periodic_event("ECR_REPO_NOT_PUBLIC", {"ExemptionTagKey": "ecr-access:exempt"}), None
        )
    reads = Counter(
        f"{s}:{o}"
        for s, o in capture.calls
        if o not in ("PutEvaluations", "GetComplianceDetailsByConfigRule")
    )
    print(f"{REPOSITORIES} repositories, {EXEMPT} exempt: {sum(reads.values())} read calls")
    for operation, count in reads.most_common():
        print(f"  {operation:50} {count}")


if __name__ == "__main__":
    main()
