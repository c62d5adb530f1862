"""The two rules' modules, imported from their RDK folders the way Lambda imports them.

``rules/<RULE>/<RULE>.py`` is each rule's single source: the Lambda zip, ``rdk
test-local``, ``ecr-access scan`` and ``ecr-access demo`` all run that module, never
a copy. The folders sit in the source tree this package is installed from
(``make setup`` installs it in editable mode).
"""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

RULES_FOLDER = Path(__file__).resolve().parents[3] / "rules"
REPOSITORY_RULE = "ECR_REPO_NOT_PUBLIC"
PRINCIPAL_RULE = "ECR_LAYER_DOWNLOAD_RESTRICTED"


class RulesNotFound(RuntimeError):
    """The package runs outside the source tree that holds the rule folders."""


def load_rule(name: str) -> ModuleType:
    """Import rules/<name>/<name>.py as Lambda does (the folder is the code root)."""
    folder = RULES_FOLDER / name
    source = folder / f"{name}.py"
    if not source.is_file():
        raise RulesNotFound(
            f"rule module {source} not found: run ecr-access from a clone of the repository "
            "(make setup installs it in editable mode)"
        )
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(name, source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
