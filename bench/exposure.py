"""Benchmark: repository-policy analysis throughput, next to json.loads of the same texts.

Run: make bench (or .venv/bin/python bench/exposure.py [--count N]).
Three size classes of realistic repository policies, each text unique so the
first pass is uncached; a second pass over the same texts shows the content
cache. CPU time (process_time) is reported, so other load on the machine
matters less. Figures are recorded in bench/README.md, not asserted by tests.
"""

import argparse
import json
import platform
import random
import time
from collections.abc import Callable

from ecr_access import analyze_repository_policy
from ecr_access.exposure.analyze import _analyze_text
from ecr_access.policy.json_text import load_policy_json
from ecr_access.policy.parse import PARSED, parse_document

OWNER = "111122223333"
TRUSTED_ORG = "o-a1b2c3d4e5"
PULL = ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"]


def _account(rnd: random.Random) -> str:
    return str(rnd.randrange(10**11, 10**12))


def _statement(rnd: random.Random, n: int) -> dict:
    kind = rnd.randrange(6)
    base = {"Sid": f"Statement{n}x{rnd.randrange(10**6)}", "Effect": "Allow", "Action": PULL}
    if kind == 0:
        return {**base, "Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": TRUSTED_ORG}}}
    if kind == 1:
        roles = [f"arn:aws:iam::{_account(rnd)}:role/ecs-task-{i}" for i in range(rnd.randrange(2, 6))]
        return {**base, "Principal": {"AWS": roles}}
    if kind == 2:
        return {
            **base,
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": OWNER},
                "ArnLike": {"aws:SourceArn": f"arn:aws:codebuild:us-east-1:{OWNER}:project/*"},
            },
        }
    if kind == 3:
        return {
            **base,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "ecr:*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": TRUSTED_ORG}},
        }
    if kind == 4:
        return {
            **base,
            "Principal": {"AWS": _account(rnd)},
            "Action": [
                *PULL,
                "ecr:PutImage",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
            ],
        }
    return {
        **base,
        "Principal": "*",
        "Condition": {
            "ForAnyValue:StringLike": {
                "aws:PrincipalOrgPaths": [f"{TRUSTED_ORG}/r-ab12/ou-ab12-{rnd.randrange(10**8)}/*"]
            },
            "Bool": {"aws:SecureTransport": "true"},
        },
    }


def _policy(rnd: random.Random, target_chars: int) -> str:
    statements: list[dict] = []
    while True:
        candidate = [*statements, _statement(rnd, len(statements))]
        text = json.dumps({"Version": "2012-10-17", "Statement": candidate}, indent=2)
        if len(text) > target_chars and statements:
            return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
        statements = candidate


CLASSES = {
    "small (~300 B)": (300, 420),
    "typical (1-2 KB)": (1_000, 2_000),
    "near limit (~10 KB)": (9_000, 10_200),
}


def _texts(rnd: random.Random, low: int, high: int, count: int) -> list[str]:
    texts = []
    while len(texts) < count:
        text = _policy(rnd, rnd.randrange(low, high))
        if len(text) >= low * 0.5:
            texts.append(text)
    return texts


def _cpu(run: Callable[[], None], *, before: Callable[[], None] = lambda: None, repeat: int = 3) -> float:
    """Best of ``repeat`` CPU times: the least disturbed run is the closest to the code's own cost."""
    best = float("inf")
    for _ in range(repeat):
        before()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _clear_text_caches() -> None:
    # Only the per-document caches: pattern-level caches (wildcards, operators,
    # clauses) stay warm, as they do in a rule judging a whole account.
    PARSED.clear()
    _analyze_text.cache_clear()


def _analyze_all(texts: list[str]) -> None:
    for text in texts:
        analyze_repository_policy(text, owner_account=OWNER, trusted_org_ids=[TRUSTED_ORG])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2_000, help="policies per size class")
    args = parser.parse_args()
    rnd = random.Random(20261123)
    print(f"python {platform.python_version()} on {platform.machine()}, {args.count} policies per class\n")
    print("| class | mean size | json.loads µs | analyze µs (uncached) | ratio | policies/s | cached µs |")
    print("|---|---|---|---|---|---|---|")
    splits = []
    for name, (low, high) in CLASSES.items():
        texts = _texts(rnd, low, high, args.count)
        floor = _cpu(lambda texts=texts: [json.loads(t) for t in texts])
        uncached = _cpu(lambda texts=texts: _analyze_all(texts), before=_clear_text_caches)
        cached = _cpu(lambda texts=texts: _analyze_all(texts))
        # Where an uncached analysis goes: the strict decode, then building the typed model from
        # the decoded documents; the rest of `uncached` is the analysis itself.
        decoded = [load_policy_json(t) for t in texts]
        strict = _cpu(lambda texts=texts: [load_policy_json(t) for t in texts])
        model = _cpu(lambda decoded=decoded: [parse_document(d) for d in decoded])
        per = 1e6 / len(texts)
        size = sum(map(len, texts)) // len(texts)
        print(
            f"| {name} | {size} B | {floor * per:.1f} | {uncached * per:.1f} | {uncached / floor:.1f}× "
            f"| {len(texts) / uncached:,.0f} | {cached * per:.1f} |"
        )
        splits.append((name, floor, strict, model, uncached, per))
    print("\nwhere an uncached analysis goes, µs per policy (× json.loads of the same texts)\n")
    print("| class | json.loads | strict decode | typed model | analysis (the rest) |")
    print("|---|---|---|---|---|")
    for name, floor, strict, model, uncached, per in splits:
        rest = max(uncached - strict - model, 0.0)
        cells = " | ".join(f"{t * per:.1f} ({t / floor:.1f}×)" for t in (strict, model, rest))
        print(f"| {name} | {floor * per:.1f} | {cells} |")


if __name__ == "__main__":
    main()
