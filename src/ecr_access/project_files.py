"""Where the project's non-Python files are: the source tree, or the copy a wheel ships.

The rules (``rules/<RULE>/<RULE>.py``, their single source), the runbooks' YAML, the
templates and IAM policies, and the examples live at the repository root. Run from a clone
(``make setup`` installs it editable) they are read there; installed from a wheel
(``pipx install ecr-access``) they are read from ``ecr_access/_shipped/``, which the build
copies them into (setup.py). Nothing else differs.
"""

from functools import cache
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "_shipped"
SHIPPED_TREES = ("rules", "remediation", "deploy", "examples")
SHIPPED_FILES = ("conformance-pack.yaml",)


@cache
def project_root() -> Path:
    source = Path(__file__).resolve().parents[2]
    if (source / "rules").is_dir() and (source / "pyproject.toml").is_file():
        return source
    return SHIPPED
