"""Benchmark: what the frozen, slotted dataclass model costs (not a timed test).

Run: .venv/bin/python bench/model_cost.py [--roles N --users N]   (part of make bench)

The design keeps the engine's model as frozen dataclasses (ARCHITECTURE.md). On Python 3.12
that has two prices this measures on the engine's own types and workloads:

1. Class creation, at every cold start: ``@dataclass`` compiles each generated method with
   its own ``exec`` (``__init__``, ``__repr__``, ``__eq__``, and for a frozen class
   ``__hash__``, ``__setattr__``, ``__delattr__``). Each rule's zip is unpacked read-only,
   as Lambda's /var/task is, and imported in a fresh interpreter with
   ``dataclasses._process_class`` timed (a private function, wrapped only here, to measure).
2. Construction: a frozen class's generated ``__init__`` sets each field through
   ``object.__setattr__``. Every engine dataclass's ``__init__`` is wrapped to count the
   instances a workload builds (and keep one call's arguments); each class is then built
   with those arguments, frozen and as a plain slotted twin of the same fields, so the
   difference is the price of ``frozen=True`` alone. Workloads: analysing the "typical"
   and "near limit" repository policies of bench/exposure.py (uncached), and loading and
   evaluating a bench/permissions.py dump (who-can-pull without its input and output).

Figures go to bench/README.md ("The price of frozen dataclasses").
"""

import argparse
import dataclasses
import gc
import importlib
import json
import random
import statistics
import subprocess
import sys
import sysconfig
import time
import timeit
from collections import Counter
from collections.abc import Callable

from cold_start import _import_seconds, scratch_folder, unpacked_read_only

from ecr_access.packaging.lambda_zip import rule_names

_PROBE = """
import dataclasses, sys, time
sys.path[:0] = [{folder!r}]
sys.path.append({purelib!r})
import boto3
spent, classes = 0.0, 0
original = dataclasses._process_class
def timed(*args, **kwargs):
    global spent, classes
    started = time.perf_counter()
    try:
        return original(*args, **kwargs)
    finally:
        spent += time.perf_counter() - started
        classes += 1
dataclasses._process_class = timed
started = time.perf_counter()
import {rule}
print(time.perf_counter() - started, spent, classes)
"""


def class_creation(runs: int = 7) -> None:
    """Per rule: what importing it costs beyond boto3, and how much of that is dataclass generation."""
    purelib = sysconfig.get_paths()["purelib"]
    print("| rule | import beyond boto3, ms | of it dataclass generation, ms | dataclasses | per class, µs |")
    print("|---|---|---|---|---|")
    with scratch_folder() as root:
        floor = _import_seconds(root, "import boto3")
        for rule in rule_names():
            folder = unpacked_read_only(rule, root, root / rule)
            samples = []
            for _ in range(runs):
                probe = _PROBE.format(folder=str(folder), purelib=purelib, rule=rule)
                done = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True)
                if done.returncode:
                    raise SystemExit(done.stderr)
                samples.append(tuple(float(v) for v in done.stdout.split()))
            samples.sort()
            beyond, generation, classes = samples[len(samples) // 2]
            print(
                f"| {rule} | {beyond * 1000:.1f} | {generation * 1000:.1f} | {int(classes)} "
                f"| {generation / classes * 1e6:.0f} |"
            )
    print(f"\n(`import boto3` alone: {floor * 1000:.1f} ms, medians of {runs} fresh interpreters)")


def _field_spec(cls: type) -> list:
    """``cls``'s fields and defaults, as ``dataclasses.make_dataclass`` takes them."""
    spec: list = []
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            spec.append((field.name, field.type, dataclasses.field(default=field.default)))
        elif field.default_factory is not dataclasses.MISSING:
            spec.append((field.name, field.type, dataclasses.field(default_factory=field.default_factory)))
        else:
            spec.append((field.name, field.type))
    return spec


def _regenerate(cls: type, **options: bool) -> float:
    """Seconds to make a dataclass of ``cls``'s fields with ``options`` (the bare class included, as a
    class statement creates one too)."""
    spec = _field_spec(cls)
    started = time.perf_counter()
    dataclasses.make_dataclass(cls.__name__, spec, **options)
    return time.perf_counter() - started


def generation_by_option() -> None:
    """Every frozen dataclass the rules import, generated again, frozen and not: what frozen=True adds."""
    from ecr_access.packaging.lambda_zip import RULES

    for rule in rule_names():
        sys.path.insert(0, str(RULES / rule))
        importlib.import_module(rule)
    classes = _engine_dataclasses()
    medians = {}
    for label, options in (
        ("frozen=True, slots=True", {"frozen": True, "slots": True}),
        ("slots=True", {"slots": True}),
    ):
        per_class = sorted(statistics.median(_regenerate(c, **options) for _ in range(9)) for c in classes)
        medians[label] = statistics.median(per_class)
    print(f"\nthe same {len(classes)} engine classes generated again, median per class:")
    for label, seconds in medians.items():
        print(f"  @dataclass({label}): {seconds * 1e6:.0f} µs")


def _engine_dataclasses() -> list[type]:
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("ecr_access.") or module is None:
            continue
        for value in vars(module).values():
            params = getattr(value, "__dataclass_params__", None)
            if isinstance(value, type) and value.__module__ == name and params is not None and params.frozen:
                found.append(value)
    return found


def _plain_twin(cls: type) -> type:
    """The same fields and defaults, slotted, without frozen=True (and so without its __init__)."""
    return dataclasses.make_dataclass(f"{cls.__name__}Plain", _field_spec(cls), slots=True)


def _best_per_call(build_one: Callable[[], object], number: int = 20_000) -> float:
    return min(timeit.repeat(build_one, number=number, repeat=5)) / number


def construction(label: str, prepare: Callable[[], Callable[[], object]], top: int = 6) -> None:
    """Count what ``run`` builds per class, then price each class's frozen __init__ against a twin's."""
    classes = _engine_dataclasses()
    counts: Counter[type] = Counter()
    arguments: dict[type, tuple] = {}
    originals = {cls: cls.__init__ for cls in classes}

    def counting(cls: type) -> Callable:
        original = originals[cls]

        def __init__(self, *args, **kwargs):  # stands in for the class's own
            counts[cls] += 1
            arguments.setdefault(cls, (args, kwargs))
            original(self, *args, **kwargs)

        return __init__

    run = prepare()
    gc.collect()
    gc.disable()
    started = time.process_time()
    run()
    phase = time.process_time() - started
    gc.enable()
    for cls in classes:
        cls.__init__ = counting(cls)
    try:
        run = prepare()
        run()
    finally:
        for cls, original in originals.items():
            cls.__init__ = original
    rows = []
    for cls, count in counts.items():
        args, kwargs = arguments[cls]
        twin = _plain_twin(cls)
        frozen = _best_per_call(lambda cls=cls, a=args, k=kwargs: cls(*a, **k))
        plain = _best_per_call(lambda twin=twin, a=args, k=kwargs: twin(*a, **k))
        rows.append((count * (frozen - plain), cls, count, frozen, plain))
    rows.sort(key=lambda row: row[0], reverse=True)
    tax = sum(row[0] for row in rows)
    built = sum(row[2] for row in rows)
    print(f"\n{label}: {phase:.3f} s CPU; {built:,} frozen instances of {len(rows)} classes")
    print(f"frozen __init__ over plain: {tax:.3f} s = {tax / phase * 100:.0f} % of the phase\n")
    print("| class | instances | frozen µs | plain µs | extra s |")
    print("|---|---|---|---|---|")
    for extra, cls, count, frozen, plain in rows[:top]:
        name = f"{cls.__module__.removeprefix('ecr_access.')}.{cls.__qualname__}"
        print(f"| {name} | {count:,} | {frozen * 1e6:.2f} | {plain * 1e6:.2f} | {extra:.3f} |")


def _analysis(size_class: str) -> Callable[[], Callable[[], object]]:
    from exposure import CLASSES, OWNER, TRUSTED_ORG, _clear_text_caches, _texts

    from ecr_access import analyze_repository_policy

    low, high = CLASSES[size_class]
    texts = _texts(random.Random(20261123), low, high, 2_000)

    def prepare() -> Callable[[], object]:
        _clear_text_caches()
        return lambda: [
            analyze_repository_policy(t, owner_account=OWNER, trusted_org_ids=[TRUSTED_ORG]) for t in texts
        ]

    return prepare


def _who_can_pull(roles: int, users: int) -> Callable[[], Callable[[], object]]:
    from permissions import generate

    from ecr_access import PullEvaluator, load_authorization_details
    from ecr_access.policy.parse import PARSED

    text = json.dumps(generate(roles, users, groups=20, customer=1_000))  # bench/permissions.py's dump

    def prepare() -> Callable[[], object]:
        PARSED.clear()
        pages = json.loads(text)

        def run() -> object:
            account = load_authorization_details(pages)
            evaluator = PullEvaluator()
            return [evaluator.evaluate(p) for p in account.principals]

        return run

    return prepare


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--roles", type=int, default=5_000, help="roles in the who-can-pull dump")
    parser.add_argument("--users", type=int, default=500, help="users in the who-can-pull dump")
    args = parser.parse_args()
    print("## Class creation (cold import of each rule's zip)\n")
    class_creation()
    generation_by_option()
    print("\n## Construction")
    for size_class in ("typical (1-2 KB)", "near limit (~10 KB)"):
        construction(f"analyze_repository_policy, 2,000 {size_class} policies", _analysis(size_class))
    construction(
        f"who-can-pull load + evaluate, {args.roles:,} roles + {args.users:,} users",
        _who_can_pull(args.roles, args.users),
    )


if __name__ == "__main__":
    main()
