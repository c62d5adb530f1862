"""`ecr-access scan --accounts …` over many moto accounts: wall time and AWS calls per account.

An organization of N member accounts (moto, in process), each with 10 repositories (3 with
a policy) and 10 IAM roles; the scan assumes the execution role in each and reads one
Region. Reports wall time, calls per account (by operation) and the extrapolation to 200
and 500 accounts at the default concurrency (8).
"""

import contextlib
import io
import json
import os
import sys
import time
from collections import Counter

import boto3
from moto import mock_aws

from ecr_access.cli.main import main
from ecr_access.testing.accounts import session_in
from ecr_access.testing.config_harness import ConfigCapture, capture_config

PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}],
    }
)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def run(accounts_wanted: int) -> None:
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    capture = ConfigCapture()
    with mock_aws(), capture_config(capture):
        organizations = boto3.client("organizations")
        organizations.create_organization(FeatureSet="ALL")
        accounts = [
            organizations.create_account(AccountName=f"a{n}", Email=f"a{n}@example.com")[
                "CreateAccountStatus"
            ]["AccountId"]
            for n in range(accounts_wanted)
        ]
        for account in accounts:
            session = session_in(account)
            ecr, iam = session.client("ecr"), session.client("iam")
            for r in range(10):
                ecr.create_repository(repositoryName=f"team/app-{r}")
                if r < 3:
                    ecr.set_repository_policy(repositoryName=f"team/app-{r}", policyText=PUBLIC)
            for r in range(10):
                iam.create_role(RoleName=f"app-{r}", AssumeRolePolicyDocument=TRUST)
        capture.calls.clear()
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["scan", "--accounts", *accounts, "--region", "us-east-1", "--format", "json"])
        wall = time.perf_counter() - start
    calls = Counter(f"{s}:{o}" for s, o in capture.calls)
    per_account = sum(calls.values()) / accounts_wanted
    print(
        f"{accounts_wanted} accounts: exit {code}, {wall:.1f} s wall, {wall / accounts_wanted:.2f} s/account"
    )
    print(f"  {per_account:.1f} AWS calls per account (10 repositories, 10 roles):")
    for operation, count in calls.most_common():
        print(f"    {operation:55} {count / accounts_wanted:5.1f}")
    for target in (200, 500):
        print(f"  → {target} accounts at this rate: ~{wall / accounts_wanted * target / 60:.1f} min")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
