"""Benchmark: the worst time one evaluation takes on a hostile corpus (not a timed test).

Run: .venv/bin/python bench/hostile.py   (part of make bench)
Each case is the worst of 3 runs, uncached (the per-document caches are cleared
before each run). The corpus is what an attacker can put in a repository policy
or an identity policy: long wildcard runs in actions, resources, conditions and
allow-list patterns, a 1,500-deep nesting bomb, and documents at their size limits.
"""

import json
import time
from collections.abc import Callable
from urllib.parse import quote

from ecr_access import PolicyError, analyze_repository_policy, evaluate_principal, load_config_items
from ecr_access.config_rules.allow_list import AllowList
from ecr_access.exposure.analyze import _analyze_text
from ecr_access.policy.parse import PARSED

OWNER = "111122223333"
REPOSITORY = f"arn:aws:ecr:us-east-1:{OWNER}:repository/team/app"
STARS = "*" * 40


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _role(inline: str):
    configuration = {
        "roleName": "r",
        "roleId": "AROAEXAMPLEBENCH0001",
        "arn": f"arn:aws:iam::{OWNER}:role/r",
        "path": "/",
        "rolePolicyList": [{"policyName": "p", "policyDocument": quote(inline)}],
        "attachedManagedPolicies": [],
    }
    (principal,) = load_config_items(
        [{"resourceType": "AWS::IAM::Role", "configuration": configuration}]
    ).principals
    return principal


def _repository(text: str) -> Callable[[], object]:
    return lambda: analyze_repository_policy(text, owner_account=OWNER)


def _identity(text: str) -> Callable[[], object]:
    return lambda: evaluate_principal(_role(text), repository_arn=REPOSITORY)


CASES: dict[str, Callable[[], object]] = {
    "repository: Action ecr:?(40 *)x": _repository(
        _doc({"Effect": "Allow", "Principal": "*", "Action": f"ecr:?{STARS}x"})
    ),
    "repository: Resource with 40 * and ?": _repository(
        _doc({"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": f"arn:aws:ecr:*{STARS}?x"})
    ),
    "repository: 1,500-deep nesting bomb": _repository(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*",'
        '"Condition":{"StringEquals":{"aws:PrincipalOrgID":' + "[" * 1500 + "]" * 1500 + "}}}]}"
    ),
    "repository: 600 account principals (~10 KB)": _repository(
        _doc({"Effect": "Allow", "Principal": {"AWS": [f"{n:012d}" for n in range(600)]}, "Action": "ecr:*"})
    ),
    "identity: StringLike ************x": _identity(
        _doc(
            {
                "Effect": "Allow",
                "Action": "ecr:*",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalArn": "*" * 12 + "x"}},
            }
        )
    ),
    "identity: Action e?(40 *)?x": _identity(
        _doc({"Effect": "Allow", "Action": f"e?{STARS}?x", "Resource": "*"})
    ),
    "identity: ~250 KB document, 4,000 statements": _identity(
        _doc(*({"Effect": "Allow", "Action": f"s3:Get{n}*", "Resource": "*"} for n in range(4_000)))
    ),
    "allow-list: pattern with 80 * and ?": lambda: AllowList(
        arn_patterns=(f"arn:aws:iam::*:role/{STARS}?{STARS}x",)
    ).entry_for(_role(_doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))),
}


def worst_seconds(run: Callable[[], object], repeat: int = 3) -> tuple[float, str]:
    worst, outcome = 0.0, ""
    for _ in range(repeat):
        PARSED.clear()
        _analyze_text.cache_clear()
        started = time.perf_counter()
        try:
            result = run()
            outcome = getattr(getattr(result, "verdict", None), "value", str(result))
        except PolicyError as exc:
            outcome = f"PolicyError: {str(exc)[:48]}"
        worst = max(worst, time.perf_counter() - started)
    return worst, outcome


def main() -> None:
    print(f"{'case':<52} {'worst ms':>9}  outcome")
    for name, run in CASES.items():
        seconds, outcome = worst_seconds(run)
        print(f"{name:<52} {seconds * 1000:>9.2f}  {outcome}")


if __name__ == "__main__":
    main()
