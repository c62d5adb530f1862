"""Benchmark: a rule Lambda's cold import, with and without the bytecode its zip ships (not a timed test).

Run: .venv/bin/python bench/cold_start.py   (part of make bench)
Each rule's zip is unpacked into a read-only folder, as Lambda's /var/task is (so
Python cannot write a cache), and `import <RULE>` is timed in a fresh interpreter:
with the shipped .pyc, and with the __pycache__ folders removed (every module
compiled at every cold start). The floor is `import boto3` alone in the same
interpreter set-up. Medians of 7 runs, wall time.
"""

import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecr_access.packaging.lambda_zip import build, rule_names

RUNS = 7


def _import_seconds(folder: Path, statement: str) -> float:
    probe = (
        "import sys, time\n"
        f"sys.path[:0] = [{str(folder)!r}]\n"
        f"sys.path.append({sysconfig.get_paths()['purelib']!r})\n"
        "started = time.perf_counter()\n"
        f"{statement}\n"
        "print(time.perf_counter() - started)\n"
    )
    times = []
    for _ in range(RUNS):
        result = subprocess.run(
            [sys.executable, "-S", "-c", probe], capture_output=True, text=True, check=True
        )
        times.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A temporary folder; whatever was made read-only in it is made writable again so it can go."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        try:
            yield root
        finally:
            for path in root.rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)


def unpacked_read_only(rule: str, root: Path, folder: Path, *, bytecode: bool = True) -> Path:
    """The rule's zip unpacked into ``folder`` and made read-only, as Lambda's /var/task is (so Python
    cannot write a cache); ``bytecode=False`` leaves out the .pyc it ships."""
    with zipfile.ZipFile(build(rule, root / "zips")) as archive:
        archive.extractall(folder)
    if not bytecode:
        for cache in list(folder.rglob("__pycache__")):
            shutil.rmtree(cache)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return folder


def main() -> None:
    with scratch_folder() as root:
        floor = _import_seconds(root, "import boto3")
        print(f"{'':44} {'ms':>8} {'÷ import boto3':>15}")
        print(f"{'import boto3 (floor)':44} {floor * 1000:>8.1f} {1.0:>15.2f}")
        for rule in rule_names():
            for variant in ("with .pyc", "without .pyc"):
                folder = root / f"{rule}-{variant.replace(' ', '-').replace('.', '')}"
                unpacked_read_only(rule, root, folder, bytecode=variant == "with .pyc")
                seconds = _import_seconds(folder, f"import {rule}")
                print(f"{rule + ' ' + variant:44} {seconds * 1000:>8.1f} {seconds / floor:>15.2f}")


if __name__ == "__main__":
    main()
