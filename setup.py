"""Ships the rules, runbooks, templates and examples inside the wheel (ecr_access/_shipped/).

Everything else is declared in pyproject.toml. The rule modules are the rules' single source
(rules/<RULE>/<RULE>.py): a wheel without them cannot run `ecr-access scan` or `demo`.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TREES = ("rules", "remediation", "deploy", "examples")
FILES = ("conformance-pack.yaml",)
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "ecr_access", "*_test.py")


class BuildWithProjectFiles(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "ecr_access" / "_shipped"
        shutil.rmtree(target, ignore_errors=True)
        for tree in TREES:
            if (ROOT / tree).is_dir():
                shutil.copytree(ROOT / tree, target / tree, ignore=SKIP)
        for name in FILES:
            if (ROOT / name).is_file():
                shutil.copy2(ROOT / name, target / name)


setup(cmdclass={"build_py": BuildWithProjectFiles})
