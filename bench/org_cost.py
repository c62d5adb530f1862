"""Estimate: what the rules cost a day across an organization, from one account measured here.

Run: .venv/bin/python bench/org_cost.py [--accounts 500 --regions 2 --repositories 100 --principals 300]
(part of make bench). Measures one member account of the given size with
``large_account.measure`` (each rule's real handler against moto), then scales:

- Lambda time per run = the run's CPU outside moto (our code, botocore, parsing) plus the AWS
  calls it made times an assumed API latency (``--latency-ms``; moto answers in-process, so
  latency is the one input not measured here), divided by the run's concurrency for the
  per-repository reads (``WORKERS`` threads) and serial for the rest;
- GB-seconds = Lambda time × the 512 MB the central template gives each rule function;
- Config evaluations = resources judged per periodic run (one a day, the pack's default
  ``EvaluationFrequency``) plus one per changed resource, or only the changes with
  ``ReportOnlyChanges=true`` in a steady account.

Prices (us-east-1 list prices; pass others with the flags): Lambda x86 $0.0000166667 per
GB-second and $0.20 per million requests (https://aws.amazon.com/lambda/pricing/); Config
$0.001 per rule evaluation, the first tier, per account and Region
(https://aws.amazon.com/config/pricing/; conformance pack evaluations start at the same
$0.001). Free tiers are ignored, and every tier is taken at its first, highest price: the
estimate is an upper bound.
"""

import argparse

from large_account import RuleRun, measure

from ecr_access.sources.ecr_repositories import WORKERS

MEMORY_GB = 0.5  # deploy/central.yaml: MemorySize 512 for each rule function
PARALLEL_OPERATIONS = {"GetRepositoryPolicy"}  # read on WORKERS threads (sources/ecr_repositories.py)
REGIONAL_RULES = {"ECR_REPO_NOT_PUBLIC", "ECR_VPC_ENDPOINT_RESTRICTED"}  # IAM: the home Region only


def lambda_seconds(run: RuleRun, latency: float) -> float:
    parallel = sum(n for op, n in run.calls.items() if op in PARALLEL_OPERATIONS)
    serial = sum(run.calls.values()) - parallel
    return run.lambda_cpu + latency * (serial + parallel / WORKERS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--regions", type=int, default=2, help="Regions the pack is deployed in")
    parser.add_argument("--repositories", type=int, default=100, help="per account and Region")
    parser.add_argument("--principals", type=int, default=300, help="IAM roles and users per account")
    parser.add_argument(
        "--endpoints", type=int, default=4, help="ECR interface endpoints per account and Region"
    )
    parser.add_argument("--changes", type=float, default=0.02, help="share of resources changed a day")
    parser.add_argument("--latency-ms", type=float, default=30.0, help="assumed AWS API latency per call")
    parser.add_argument("--gb-second", type=float, default=0.0000166667)
    parser.add_argument("--per-million-requests", type=float, default=0.20)
    parser.add_argument("--per-evaluation", type=float, default=0.001)
    args = parser.parse_args()
    latency = args.latency_ms / 1e3
    _, runs = measure(args.repositories, args.principals, args.endpoints)

    print(
        f"measured account: {args.repositories} repositories, {args.principals} principals, "
        f"{args.endpoints} ECR endpoints; assumed API latency {args.latency_ms:.0f} ms\n"
    )
    print("| rule | resources | CPU outside moto | AWS calls | Lambda time per run (estimated) |")
    print("|---|---|---|---|---|")
    per_account = {"seconds": 0.0, "invocations": 0.0, "periodic": 0.0, "changes": 0.0}
    for run in runs:
        regions = args.regions if run.rule in REGIONAL_RULES else 1
        seconds = lambda_seconds(run, latency)
        changed = run.resources * args.changes
        # a change invokes the rule for that one resource: about one call to read it, one to put
        change_seconds = changed * (2 * latency + run.lambda_cpu / max(run.resources, 1))
        per_account["seconds"] += regions * (seconds + change_seconds)
        per_account["invocations"] += regions * (1 + changed)
        per_account["periodic"] += regions * run.resources
        per_account["changes"] += regions * changed
        print(
            f"| {run.rule} | {run.resources:,} | {run.lambda_cpu * 1e3:.0f} ms | {sum(run.calls.values()):,} "
            f"| {seconds:.2f} s |"
        )
    accounts = args.accounts
    gb_seconds = per_account["seconds"] * MEMORY_GB * accounts
    lambda_cost = (
        gb_seconds * args.gb_second + per_account["invocations"] * accounts * args.per_million_requests / 1e6
    )
    full = (per_account["periodic"] + per_account["changes"]) * accounts
    steady = per_account["changes"] * accounts
    print(
        f"\n{accounts} accounts × {args.regions} Regions, a day (periodic runs once a day, "
        f"{args.changes:.0%} of resources changed):\n"
    )
    print("| | a day | USD a day | USD a month (30 days) |")
    print("|---|---|---|---|")
    print(
        f"| Lambda | {gb_seconds:,.0f} GB-s, {per_account['invocations'] * accounts:,.0f} invocations | "
        f"{lambda_cost:,.2f} | {lambda_cost * 30:,.0f} |"
    )
    for label, evaluations in (
        ("Config evaluations, ReportOnlyChanges=false (default)", full),
        ("Config evaluations, ReportOnlyChanges=true, steady", steady),
    ):
        dollars = evaluations * args.per_evaluation
        print(f"| {label} | {evaluations:,.0f} | {dollars:,.2f} | {dollars * 30:,.0f} |")


if __name__ == "__main__":
    main()
