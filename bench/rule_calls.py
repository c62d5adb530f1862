"""Benchmark: AWS calls, evaluations and CPU of periodic rule runs against moto.

Run: .venv/bin/python bench/rule_calls.py [--repositories N]   (part of make bench)
Calls are counted at the botocore level (every API call a run makes, by
operation). A first run judges every repository; a second run in a steady
account (nothing changed, Config holding the first run's results) shows what
ReportOnlyChanges saves: Config bills each recorded evaluation.
"""

import argparse
import json
import os
import time
from collections import Counter

import boto3
from moto import mock_aws

from ecr_access.testing.config_harness import (
    AuthorizationDetailsPager,
    ConfigCapture,
    capture_config,
    load_rule,
    periodic_event,
)

PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            }
        ],
    }
)
ORG_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
            }
        ],
    }
)
PRICE_PER_EVALUATION = 0.001  # USD, AWS Config rule evaluations, first pricing tier


def _run(
    rule, parameters: dict, capture: ConfigCapture, name: str = "ECR_REPO_NOT_PUBLIC"
) -> tuple[Counter, int, float]:
    calls_before, puts_before = len(capture.calls), len(capture.evaluations)
    start = time.process_time()
    rule.lambda_handler(periodic_event(name, parameters), None)
    cpu = time.process_time() - start
    return (
        Counter(f"{s}:{o}" for s, o in capture.calls[calls_before:]),
        len(capture.evaluations) - puts_before,
        cpu,
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


def iam_rule(principals: int) -> None:
    """ECR_LAYER_DOWNLOAD_RESTRICTED over `principals` roles and users, IAM's paging emulated."""
    rule = load_rule("ECR_LAYER_DOWNLOAD_RESTRICTED")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        policies = [
            iam.create_policy(
                PolicyName=f"team-{n}",
                PolicyDocument=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["ecr:*"] if n % 5 == 0 else ["s3:Get*", "logs:*"],
                                "Resource": "*",
                            }
                        ],
                    }
                ),
            )["Policy"]["Arn"]
            for n in range(100)
        ]
        users = principals // 10
        for n in range(principals - users):
            iam.create_role(RoleName=f"role-{n}", AssumeRolePolicyDocument=TRUST)
            iam.attach_role_policy(RoleName=f"role-{n}", PolicyArn=policies[n % len(policies)])
        for n in range(users):
            iam.create_user(UserName=f"user-{n}")
            iam.attach_user_policy(UserName=f"user-{n}", PolicyArn=policies[(n * 7) % len(policies)])
        capture = ConfigCapture()
        capture.overrides[("iam", "GetAccountAuthorizationDetails")] = AuthorizationDetailsPager()
        with capture_config(capture):
            calls, put, cpu = _run(rule, {}, capture, "ECR_LAYER_DOWNLOAD_RESTRICTED")
    items = principals + len(policies)
    by_op = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(calls.items()))
    expected = -(-items // 1_000) + -(-principals // 100) + 1
    account = f"{principals:,} principals, {len(policies)} policies"
    print(
        f"| {account} | {sum(calls.values())} (≈ {expected} expected) | "
        f"{by_op} | {put:,} | {cpu / principals * 1e3:.2f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=1_000)
    parser.add_argument("--principals", type=int, nargs="*", default=[1_000, 5_000])
    args = parser.parse_args()
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    rule = load_rule("ECR_REPO_NOT_PUBLIC")
    with mock_aws():
        ecr = boto3.client("ecr", region_name="us-east-1")
        for number in range(args.repositories):
            name = f"team-{number % 40}/service-{number}"
            ecr.create_repository(repositoryName=name)
            if number % 3:
                ecr.set_repository_policy(
                    repositoryName=name, policyText=PUBLIC if number % 10 == 1 else ORG_ONLY
                )
        print(
            f"{args.repositories:,} repositories (1/3 without a policy, 1/10 public, the rest org-bounded)\n"
        )
        print("| run | AWS calls | by operation | evaluations put | CPU per repository |")
        print("|---|---|---|---|---|")
        for only_changes in (False, True):
            capture = ConfigCapture()
            parameters = {
                "TrustedOrganizationIds": "o-a1b2c3d4e5",
                "ReportOnlyChanges": str(only_changes).lower(),
            }
            with capture_config(capture):
                first = _run(rule, parameters, capture)
                for e in capture.evaluations:
                    capture.add_prior(
                        e["ComplianceResourceType"],
                        e["ComplianceResourceId"],
                        e["ComplianceType"],
                        e.get("Annotation", ""),
                    )
                steady = _run(rule, parameters, capture)
            for label, (calls, put, cpu) in (("first", first), ("steady", steady)):
                by_op = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(calls.items()))
                mode = f"ReportOnlyChanges={str(only_changes).lower()}"
                per_repository = f"{cpu / args.repositories * 1e3:.2f} ms"
                print(f"| {label}, {mode} | {sum(calls.values())} | {by_op} | {put:,} | {per_repository} |")
    saved = args.repositories * 30
    dollars = saved * PRICE_PER_EVALUATION
    print(
        f"\nSteady account, ReportOnlyChanges=true: 0 evaluations a day instead of {args.repositories:,}, "
        f"{saved:,} fewer billed evaluations a month (about ${dollars:,.0f} at ${PRICE_PER_EVALUATION} each) "
        "per Region; the GetComplianceDetailsByConfigRule pages it reads are read for the clean-up anyway."
    )
    print("\nECR_LAYER_DOWNLOAD_RESTRICTED, periodic, first run\n")
    print("| account | AWS calls | by operation | evaluations put | CPU per principal |")
    print("|---|---|---|---|---|")
    for principals in args.principals:
        iam_rule(principals)


if __name__ == "__main__":
    main()
