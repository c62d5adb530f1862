"""Benchmark: effective-permission evaluation over a large authorization-details dump.

Run: make bench (or .venv/bin/python bench/permissions.py [--roles N --users N]).
Generates, from a fixed seed, a dump of 5,000 roles and 500 users in 20 groups with
1,000 customer managed policies plus every AWS managed policy moto ships (as real
dumps list them), realistic statements (ecr and other services, wildcards,
NotAction, conditions, boundaries on some roles). Reports in one run:
- json.load of the dump: the floor;
- a minimal hand-written allow/deny/NotAction/resource/boundary loop (no
  conditions, no variables, no SCPs): the comparison the engine is held to;
- the engine: loading the principals and evaluating every one;
- whole processes: `ecr-access who-can-pull` vs a process that only loads the JSON
  and runs the minimal loop, alternating, medians of --runs pairs: wall, CPU, peak RSS.
Large dumps: --roles 50000 --processes-only (the in-process steps hold several copies).
"""

import argparse
import fnmatch
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCOUNT = "111122223333"
SERVICES = ["s3", "logs", "dynamodb", "sqs", "sns", "kms", "ec2", "lambda", "cloudwatch", "ssm"]
COMMON_AWS = [
    "AmazonEC2ContainerRegistryReadOnly",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "SecurityAudit",
    "AmazonS3ReadOnlyAccess",
    "CloudWatchLogsFullAccess",
    "AmazonDynamoDBReadOnlyAccess",
]


def _statement(rnd: random.Random) -> dict:
    kind = rnd.random()
    if kind < 0.15:
        return {
            "Effect": "Allow",
            "Action": rnd.choice(["ecr:GetDownloadUrlForLayer", "ecr:Get*", "ecr:*"]),
            "Resource": rnd.choice(
                ["*", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team-{rnd.randrange(50)}/*"]
            ),
        }
    if kind < 0.20:
        return {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    if kind < 0.25:
        return {
            "Effect": "Deny",
            "Action": "ecr:*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
        }
    if kind < 0.30:
        return {
            "Effect": "Allow",
            "Action": "ecr:BatchGetImage",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    service = rnd.choice(SERVICES)
    return {
        "Effect": "Allow",
        "Action": [f"{service}:Get*", f"{service}:List*", f"{service}:Describe*"],
        "Resource": f"arn:aws:{service}:*:{ACCOUNT}:*",
    }


def _document(rnd: random.Random, size: int) -> dict:
    return {"Version": "2012-10-17", "Statement": [_statement(rnd) for _ in range(size)]}


def generate(roles: int, users: int, groups: int, customer: int, seed: int = 20261123) -> list[dict]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data  # only the generator needs moto

    rnd = random.Random(seed)
    corpus = json.loads(aws_managed_policies_data)
    customer_arns = [f"arn:aws:iam::{ACCOUNT}:policy/team-{i}" for i in range(customer)]
    policies = [
        {
            "Arn": arn,
            "PolicyName": arn.rsplit("/", 1)[1],
            "DefaultVersionId": "v1",
            "PolicyVersionList": [
                {"Document": _document(rnd, rnd.randrange(1, 6)), "VersionId": "v1", "IsDefaultVersion": True}
            ],
        }
        for arn in customer_arns
    ]
    for name, data in corpus.items():
        arn = f"arn:aws:iam::aws:policy{data['Path']}{name}"
        policies.append(
            {
                "Arn": arn,
                "PolicyName": name,
                "DefaultVersionId": "v1",
                "PolicyVersionList": [
                    {"Document": data["Document"], "VersionId": "v1", "IsDefaultVersion": True}
                ],
            }
        )
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/team-0"

    def managed() -> list[dict]:
        chosen = rnd.sample(customer_arns, rnd.randrange(0, 4))
        if rnd.random() < 0.3:
            chosen.append(f"arn:aws:iam::aws:policy/{rnd.choice(COMMON_AWS)}")
        return [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in chosen]

    def inline() -> list[dict]:
        return [
            {"PolicyName": f"inline-{i}", "PolicyDocument": _document(rnd, rnd.randrange(1, 4))}
            for i in range(rnd.randrange(0, 3))
        ]

    role_list = []
    for i in range(roles):
        role = {
            "RoleName": f"role-{i}",
            "RoleId": f"AROA{i:017d}",
            "Path": "/",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/role-{i}",
            "RolePolicyList": inline(),
            "AttachedManagedPolicies": managed(),
            "Tags": [{"Key": "team", "Value": f"t{i % 50}"}],
        }
        if rnd.random() < 0.2:
            role["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": boundary,
            }
        role_list.append(role)
    group_list = [
        {
            "GroupName": f"group-{g}",
            "GroupId": f"AGPA{g:017d}",
            "GroupPolicyList": inline(),
            "AttachedManagedPolicies": managed(),
        }
        for g in range(groups)
    ]
    user_list = [
        {
            "UserName": f"user-{i}",
            "UserId": f"AIDA{i:017d}",
            "Path": "/",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/user-{i}",
            "UserPolicyList": inline(),
            "AttachedManagedPolicies": managed(),
            "GroupList": [f"group-{rnd.randrange(groups)}"],
        }
        for i in range(users)
    ]
    return [
        {"UserDetailList": user_list, "GroupDetailList": group_list, "RoleDetailList": role_list},
        {"Policies": policies},
    ]


# --- The minimal hand-written loop the engine is compared with -------------------------------------
def _as_list(value):
    return value if isinstance(value, list) else [value]


def _statement_applies(statement: dict, action: str) -> bool:
    if "Action" in statement:
        hit = any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in _as_list(statement["Action"]))
    else:
        hit = not any(
            fnmatch.fnmatchcase(action.lower(), p.lower()) for p in _as_list(statement["NotAction"])
        )
    return hit and any(
        r == "*" or r.startswith("arn:aws:ecr") for r in _as_list(statement.get("Resource", "*"))
    )


def _minimal_decisions(pages: list[dict], action: str = "ecr:GetDownloadUrlForLayer") -> dict[str, bool]:
    documents = {
        p["Arn"]: p["PolicyVersionList"][0]["Document"] for page in pages for p in page.get("Policies", ())
    }
    groups = {g["GroupName"]: g for page in pages for g in page.get("GroupDetailList", ())}
    verdict: dict[int, tuple[bool, bool]] = {}

    def judge(document: dict) -> tuple[bool, bool]:
        found = verdict.get(id(document))
        if found is None:
            statements = _as_list(document["Statement"])
            applying = [s for s in statements if _statement_applies(s, action)]
            found = (
                any(s["Effect"] == "Allow" for s in applying),
                any(s["Effect"] == "Deny" for s in applying),
            )
            verdict[id(document)] = found
        return found

    result = {}
    for page in pages:
        for entity in [*page.get("RoleDetailList", ()), *page.get("UserDetailList", ())]:
            attached = [
                p["PolicyDocument"] for p in entity.get("RolePolicyList", entity.get("UserPolicyList", ()))
            ]
            attached += [documents[m["PolicyArn"]] for m in entity["AttachedManagedPolicies"]]
            for name in entity.get("GroupList", ()):
                attached += [p["PolicyDocument"] for p in groups[name]["GroupPolicyList"]]
                attached += [documents[m["PolicyArn"]] for m in groups[name]["AttachedManagedPolicies"]]
            judged = [judge(d) for d in attached]
            allowed = any(a for a, _ in judged) and not any(d for _, d in judged)
            if boundary := entity.get("PermissionsBoundary"):
                allowed = allowed and judge(documents[boundary["PermissionsBoundaryArn"]])[0]
            result[entity["Arn"]] = allowed
    return result


def _cpu(run, repeat: int = 5) -> float:
    """Best of ``repeat`` CPU times, each after a full collection, to damp VM and GC noise."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _process(code: str, path: Path) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and peak RSS (MiB) of a fresh interpreter running ``code``.

    Peak RSS is the child's own VmHWM: ru_maxrss would carry this process's peak over the fork
    and exec (Linux keeps it in the signal struct), so every child would report the parent's.
    """
    report = (
        "import resource, sys\nu = resource.getrusage(resource.RUSAGE_SELF)\n"
        "hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(u.ru_utime + u.ru_stime, hwm, file=sys.stderr)"
    )
    wrapper = f"{code}\n{report}"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, str(path)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu, rss = done.stderr.strip().splitlines()[-1].split()
    return wall, float(cpu), int(rss) // 1024


MINIMAL_PROCESS = (
    f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
    "from permissions import _minimal_decisions\n"
    "_minimal_decisions(json.load(open(sys.argv[1])))"
)
COMMAND = (
    "import sys, contextlib, os; from ecr_access.cli.main import main\n"
    "with open(os.devnull, 'w') as out, contextlib.redirect_stdout(out):\n"
    "    main(['who-can-pull', '--authorization-details', sys.argv[1], '--format', 'json'])"
)


def paired_processes(path: Path, runs: int) -> dict[str, tuple[float, float, int]]:
    """Medians over ``runs`` pairs, floor and command alternating so both see the same machine."""
    samples: dict[str, list[tuple[float, float, int]]] = {"floor": [], "command": []}
    for _ in range(runs):
        samples["floor"].append(_process(MINIMAL_PROCESS, path))
        samples["command"].append(_process(COMMAND, path))
    return {
        name: (
            statistics.median(s[0] for s in found),
            statistics.median(s[1] for s in found),
            int(statistics.median(s[2] for s in found)),
        )
        for name, found in samples.items()
    }


def _report_processes(principals: int, path: Path, runs: int) -> None:
    medians = paired_processes(path, runs)
    (base_wall, base_cpu, base_rss), (cli_wall, cli_cpu, cli_rss) = medians["floor"], medians["command"]
    print(f"\nwhole processes, medians of {runs} paired runs ({principals:,} principals)\n")
    print("| process | wall s | CPU s | peak RSS | principals/s (wall) |")
    print("|---|---|---|---|---|")
    print(
        f"| floor: json.load + minimal loop | {base_wall:.2f} | {base_cpu:.2f} | {base_rss} MiB "
        f"| {principals / base_wall:,.0f} |"
    )
    print(
        f"| ecr-access who-can-pull --format json | {cli_wall:.2f} | {cli_cpu:.2f} | {cli_rss} MiB "
        f"| {principals / cli_wall:,.0f} |"
    )
    print(
        f"\ncommand / floor: wall {cli_wall / base_wall:.2f}×, CPU {cli_cpu / base_cpu:.2f}×, "
        f"peak RSS {cli_rss / base_rss:.2f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--roles", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5, help="paired whole-process runs (medians)")
    parser.add_argument(
        "--processes-only", action="store_true", help="skip the in-process steps (large dumps)"
    )
    args = parser.parse_args()
    from ecr_access import PermissionEvaluator, load_authorization_details

    pages = generate(args.roles, args.users, groups=20, customer=1_000)
    principals = args.roles + args.users
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "details.json"
        path.write_text(json.dumps(pages))
        size = os.path.getsize(path) / 2**20
        print(f"dump: {principals:,} principals, {size:.1f} MiB")
        if not args.processes_only:
            _report_steps(pages, principals, path, PermissionEvaluator, load_authorization_details)
        del pages
        _report_processes(principals, path, args.runs)


def _report_steps(pages, principals, path, evaluator_type, load) -> None:
    floor = _cpu(lambda: json.loads(path.read_text()))
    minimal = _cpu(lambda: _minimal_decisions(pages))
    account = None

    def load_all():
        nonlocal account
        account = load(pages)

    load_cpu = _cpu(load_all)

    def evaluate():
        evaluator = evaluator_type(repository_arn=None)
        for principal in account.principals:
            evaluator.evaluate(principal)

    engine = _cpu(evaluate)
    per = 1e6 / principals
    print("best of 5, CPU seconds\n")
    print("| step | total | per principal | principals/s |")
    print("|---|---|---|---|")
    for name, seconds in [
        ("json.load (floor)", floor),
        ("minimal hand-written loop", minimal),
        ("engine: load principals (parse policies)", load_cpu),
        ("engine: evaluate every principal", engine),
        ("engine: load + evaluate", load_cpu + engine),
    ]:
        print(f"| {name} | {seconds:.3f} s | {seconds * per:.1f} µs | {principals / seconds:,.0f} |")
    print(
        f"\nengine evaluate / minimal loop: {engine / minimal:.2f}×; "
        f"engine load+evaluate / minimal loop: {(load_cpu + engine) / minimal:.2f}×"
    )


if __name__ == "__main__":
    main()
