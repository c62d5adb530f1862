"""Benchmark: each rule's periodic run over one account of a given size, against moto.

Run: .venv/bin/python bench/large_account.py [--repositories 10000 --principals 2000 --endpoints 20]
(part of make bench at its defaults). Seeds one moto account — repositories (a third without
a policy, a tenth public, the rest org-bounded), IAM roles and users with managed policies,
ECR interface endpoints — then runs each rule's real ``lambda_handler`` once, as Config's
daily periodic invocation does, and reports for each rule: wall, CPU, the CPU moto spends
emulating AWS (not spent in Lambda), peak RSS, AWS calls (by operation, and per resource)
and evaluations put. ``measure()`` is what ``bench/org_cost.py`` builds its estimate on.
"""

import argparse
import json
import os
import resource
import threading
import time
from collections import Counter
from dataclasses import dataclass
from unittest import mock

import boto3
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from ecr_access.testing.config_harness import (
    AuthorizationDetailsPager,
    ConfigCapture,
    capture_config,
    load_rule,
    periodic_event,
)

ORG = "o-a1b2c3d4e5"
REGION = "us-east-1"
PULL_ACTIONS = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def _repository_policy(bounded: bool) -> str:
    statement = {"Effect": "Allow", "Principal": "*", "Action": PULL_ACTIONS}
    if bounded:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


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


def seed(repositories: int, principals: int, endpoints: int) -> None:
    ecr = boto3.client("ecr", region_name=REGION)
    for number in range(repositories):
        name = f"team-{number % 40}/service-{number}"
        ecr.create_repository(repositoryName=name)
        if number % 3:
            ecr.set_repository_policy(repositoryName=name, policyText=_repository_policy(number % 10 != 1))
    iam = boto3.client("iam", region_name=REGION)
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
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for n in range(endpoints):
        ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{REGION}.ecr.{'dkr' if n % 2 else 'api'}",
            VpcEndpointType="Interface",
        )


class MotoClock:
    """CPU moto spends answering calls (its before-send handler), on whichever thread made the call."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._original = BotocoreStubber.__call__

    def __enter__(self) -> "MotoClock":
        clock = self

        def timed(stubber, event_name, request, **kwargs):
            start = time.thread_time()
            try:
                return clock._original(stubber, event_name, request, **kwargs)
            finally:
                with clock._lock:
                    clock.seconds += time.thread_time() - start

        self._patch = mock.patch.object(BotocoreStubber, "__call__", timed)
        self._patch.start()
        return self

    def __exit__(self, *exc) -> None:
        self._patch.stop()


@dataclass(frozen=True)
class RuleRun:
    rule: str
    resources: int  # evaluations put: one per resource judged
    wall: float
    cpu: float
    moto_cpu: float
    calls: Counter
    peak_rss_mib: float

    @property
    def lambda_cpu(self) -> float:
        """What the run costs outside the emulator: our code, botocore and the SDK's parsing."""
        return max(self.cpu - self.moto_cpu, 0.0)


RULES = {
    "ECR_REPO_NOT_PUBLIC": {"TrustedOrganizationIds": ORG},
    "ECR_LAYER_DOWNLOAD_RESTRICTED": {},
    "ECR_VPC_ENDPOINT_RESTRICTED": {"TrustedOrganizationIds": ORG},
}


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(repositories: int, principals: int, endpoints: int) -> tuple[float, list[RuleRun]]:
    """Seed one account and run each rule once (inside no other moto context): the peak RSS once
    seeded (moto's state and every import), and each run."""
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    runs = []
    with mock_aws():
        seed(repositories, principals, endpoints)
        seeded = _peak_rss_mib()
        for name, parameters in RULES.items():
            rule = load_rule(name)
            capture = ConfigCapture()
            capture.overrides[("iam", "GetAccountAuthorizationDetails")] = AuthorizationDetailsPager()
            with capture_config(capture), MotoClock() as moto_clock:
                wall, cpu = time.perf_counter(), time.process_time()
                rule.lambda_handler(periodic_event(name, parameters), None)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            calls = Counter(operation for _, operation in capture.calls)
            runs.append(
                RuleRun(name, len(capture.evaluations), wall, cpu, moto_clock.seconds, calls, _peak_rss_mib())
            )
    return seeded, runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--principals", type=int, default=2_000)
    parser.add_argument("--endpoints", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    seeded, runs = measure(args.repositories, args.principals, args.endpoints)
    print(
        f"one account: {args.repositories:,} repositories, {args.principals:,} principals, "
        f"{args.endpoints} ECR endpoints; seeding and runs {time.perf_counter() - start:.0f} s; "
        f"peak RSS once seeded (moto's state, imports) {seeded:.0f} MiB\n"
    )
    print(
        "| rule | resources | wall | CPU | of it moto | peak RSS | AWS calls | per resource | by operation |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        total = sum(run.calls.values())
        by_op = ", ".join(f"{op} {n:,}" for op, n in sorted(run.calls.items()))
        print(
            f"| {run.rule} | {run.resources:,} | {run.wall:.1f} s | {run.cpu:.1f} s | {run.moto_cpu:.1f} s "
            f"| {run.peak_rss_mib:.0f} MiB | {total:,} | {total / max(run.resources, 1):.3f} | {by_op} |"
        )


if __name__ == "__main__":
    main()
