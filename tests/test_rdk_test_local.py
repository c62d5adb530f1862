"""`rdk test-local --all`, run from rules/ as the RDK documents it, passes for every rule."""

import os
import re
import subprocess
import sys
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent / "rules"


def test_rdk_test_local_all_passes():
    rdk = Path(sys.executable).parent / "rdk"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = subprocess.run(
        [str(rdk), "test-local", "--all"],
        cwd=RULES,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    rules = sorted(p.name for p in RULES.iterdir() if (p / "parameters.json").exists())
    for rule in rules:
        assert f"Testing {rule}" in output
    ran = [int(n) for n in re.findall(r"^Ran (\d+) tests?", output, flags=re.MULTILINE)]
    assert len(ran) == len(rules) and all(n > 0 for n in ran), output
    assert "FAILED" not in output
