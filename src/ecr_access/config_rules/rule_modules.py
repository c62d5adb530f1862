"""The rules' modules, imported from their RDK folders the way Lambda imports them.

``rules/<RULE>/<RULE>.py`` is each rule's single source: the Lambda zip, ``rdk
test-local``, ``ecr-access scan`` and ``ecr-access demo`` all run that module, never
a copy. The folders sit in the source tree this package is installed from
(``make setup`` installs it in editable mode).
"""

import importlib.util
import sys
from types import ModuleType

from ecr_access.project_files import project_root

RULES_FOLDER = project_root() / "rules"
REPOSITORY_RULE = "ECR_REPO_NOT_PUBLIC"
PRINCIPAL_RULE = "ECR_LAYER_DOWNLOAD_RESTRICTED"
ENDPOINT_RULE = "ECR_VPC_ENDPOINT_RESTRICTED"
ALL_RULES = (REPOSITORY_RULE, PRINCIPAL_RULE, ENDPOINT_RULE)


class RulesNotFound(RuntimeError):
    """The package runs outside the source tree that holds the rule folders."""


def load_rule(name: str) -> ModuleType:
    """Import rules/<name>/<name>.py as Lambda does (the folder is the code root)."""
    folder = RULES_FOLDER / name
    source = folder / f"{name}.py"
    if not source.is_file():
        raise RulesNotFound(
            f"rule module {source} not found: the installation is incomplete (a wheel ships the rules in "
            "ecr_access/_shipped/; a clone has them in rules/)"
        )
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(name, source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
