"""`make demo`, the README's second command, shows the engines judging the examples."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_demo_shows_real_verdicts():
    result = subprocess.run(
        ["make", "-s", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "examples/public.json: PUBLIC — image layers can be pulled from outside the zone of trust" in out
    assert "examples/deny-carve-out.json: RESTRICTED" in out
    assert "5 principals: 2 ALLOWED, 1 CONDITIONAL, 2 DENIED" in out
    assert 'examples/malformed.json: statement "TypoInCondition" (#0) has unknown element' in result.stderr
