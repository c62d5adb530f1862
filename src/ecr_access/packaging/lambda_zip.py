"""One reproducible zip per rule: the rule module, the ecr_access modules it imports, and rdklib.

``rdk deploy`` zips only the rule folder, so the engine must travel inside the
zip (or in a layer). ``make package`` writes dist/lambda/<RULE>.zip with the
handler ``<RULE>.lambda_handler`` at the root, the ``ecr_access`` modules the rule
imports (found by walking its imports, package ``__init__`` files included) and
rdklib (pure Python; it needs only boto3, which the runtime has). Entries are
sorted and dated 1980-01-01, so the same sources give the same bytes — the
package can be compared, cached and signed. Next to each zip, ``<RULE>.key`` names the
object it is uploaded as (``<RULE>-<sha256 prefix>.zip``), so that a new build is a
new ``S3Key`` and running the deployment again really updates the function.
"""

import ast
import hashlib
import importlib.util
import io
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

from ecr_access.file_writes import write_if_changed
from ecr_access.project_files import project_root

ROOT = project_root()
RULES = ROOT / "rules"
OUTPUT = ROOT / "dist" / "lambda"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
LAMBDA_PYTHON = (3, 12)  # the rule functions' Runtime: python3.12 (deployment/templates.py)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _origin(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ModuleNotFoundError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin else None


def engine_files(rule_module: Path) -> dict[str, Path]:
    """Archive name → source file for every ecr_access module (and package __init__) the rule needs."""
    files: dict[str, Path] = {}
    pending = list(_imports(rule_module))
    while pending:
        name = pending.pop()
        if not (name == "ecr_access" or name.startswith("ecr_access.")):
            continue
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # every enclosing package's __init__ runs on import
            module = ".".join(parts[:depth])
            origin = _origin(module)
            if origin is None or origin.suffix != ".py":
                continue
            archive = str(
                origin.relative_to(
                    origin.parents[depth - 1] if origin.name != "__init__.py" else origin.parents[depth]
                )
            )
            if archive not in files:
                files[archive] = origin
                pending.extend(_imports(origin))
    return files


def _package_files(package: str) -> dict[str, Path]:
    spec = importlib.util.find_spec(package)
    root = Path(spec.origin).parent
    return {str(p.relative_to(root.parent)): p for p in sorted(root.rglob("*.py"))}


def _bytecode(source: Path, archive_name: str) -> bytes:
    """The module compiled as the runtime would cache it, reproducibly: a hash-based .pyc that is
    never checked against its source (PEP 552, UNCHECKED_HASH), named by its archive path."""
    with tempfile.TemporaryDirectory() as folder:
        compiled = Path(folder) / "module.pyc"
        py_compile.compile(
            str(source),
            cfile=str(compiled),
            dfile=archive_name,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        return compiled.read_bytes()


def _cache_name(archive_name: str) -> str:
    folder, _, file = archive_name.rpartition("/")
    cached = f"__pycache__/{file.removesuffix('.py')}.{sys.implementation.cache_tag}.pyc"
    return f"{folder}/{cached}" if folder else cached


def build(rule: str, output: Path = OUTPUT) -> Path:
    """The rule's zip; with bytecode for the Lambda runtime's Python when this interpreter is that
    version (Lambda's /var/task is read-only: without it every cold start compiles every module)."""
    folder = RULES / rule
    entries = {
        f"{rule}.py": folder / f"{rule}.py",
        **engine_files(folder / f"{rule}.py"),
        **_package_files("rdklib"),
    }
    return _write(output / f"{rule}.zip", entries)


DETECTION = "ecr-access-detection"
DETECTION_HANDLER = "ecr_access/detection/handler.py"  # handler: ecr_access.detection.handler.lambda_handler


def build_detection(output: Path = OUTPUT) -> Path:
    """The detection Lambda's zip: its handler module, the engine modules it imports, rdklib (the
    rules' parameter validation raises rdklib's error type)."""
    handler = ROOT / "src" / DETECTION_HANDLER
    entries = {DETECTION_HANDLER: handler, **engine_files(handler), **_package_files("rdklib")}
    return _write(output / f"{DETECTION}.zip", entries)


def _write(target: Path, entries: dict[str, Path]) -> Path:
    files = {name: path.read_bytes() for name, path in entries.items()}
    if sys.version_info[:2] == LAMBDA_PYTHON:
        files.update({_cache_name(name): _bytecode(path, name) for name, path in entries.items()})
    else:
        print(
            f"note: Python {sys.version_info[0]}.{sys.version_info[1]} is not the Lambda runtime's; no .pyc"
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    write_if_changed(target, buffer.getvalue())  # byte-reproducible: an unchanged build is left alone
    return target


def vendor(rule: str, rules: Path = RULES) -> list[Path]:
    """Copy the engine modules the rule imports into its folder (git-ignored), for ``rdk deploy``.

    ``rdk deploy`` zips the rule folder as it is; with a ``python3.12-lib`` runtime
    rdklib comes from the public rdklib layer, so only the engine is copied.
    """
    written = []
    for name, source in engine_files(RULES / rule / f"{rule}.py").items():
        target = rules / rule / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        written.append(target)
    return written


def code_key(rule: str, digest: str) -> str:
    """The S3 object name a zip is uploaded under: CloudFormation does not notice a changed object
    under an unchanged S3Key (AWS::Lambda::Function Code), so the content hash is part of the name."""
    return f"{rule}-{digest[:16]}.zip"


def rule_names() -> list[str]:
    return sorted(p.name for p in RULES.iterdir() if (p / "parameters.json").exists())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--vendor"]:
        for rule in rule_names():
            print(f"{rule}: {len(vendor(rule))} engine files copied into rules/{rule}/")
        sys.exit(0)
    destination = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    for name, builder in [*((r, lambda r=r: build(r, destination)) for r in rule_names()),
                          (DETECTION, lambda: build_detection(destination))]:  # fmt: skip
        built = builder()
        digest = hashlib.sha256(built.read_bytes()).hexdigest()
        write_if_changed(destination / f"{name}.key", code_key(name, digest))
        print(f"{built} {built.stat().st_size:,} bytes sha256 {digest}")
