"""Rendering a runbook's ``aws:executeScript`` code from the modules in this repository.

One source of truth, readable everywhere it runs:
- the step's inline ``Script`` is the handler module's own source, as it is in
  this repository (what a reviewer reads in the SSM console);
- every other ``ecr_access`` module the handler imports (found by walking the
  imports) travels, as the same source files, in a document attachment
  (``Attachment``: a .zip; "When including Python libraries in your attachment …
  you can import the modules from the library in your attachment within your
  script content": Systems Manager User Guide, "aws:executeScript – Run a script").
  The document's ``files`` section carries the zip's SHA-256 and size (schema 0.3).

The zip is byte-reproducible (stored, not deflated; fixed timestamps and modes;
sorted names), so the checksum in remediation/*.yaml changes only when the code
does, and a test fails when a committed document differs from a fresh render.
Packages are written as empty markers: the modules import each other's
submodules directly, never through a package ``__init__``.
"""

import ast
import hashlib
import importlib.util
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "ecr_access"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_PACKAGE_MARKER = "# Package marker: the runbook's modules import submodules directly.\n"


def _module_path(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # "module.function": a name inside a module, not a submodule
        return None
    if spec is None or spec.origin is None or spec.submodule_search_locations is not None:
        return None  # not a module of ours, or a package (packages are written as markers)
    return Path(spec.origin)


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # submodules imported by name
    return {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}


def module_sources(handler_module: str) -> dict[str, str]:
    """The handler module and every ecr_access module it needs, by name, as their source files."""
    sources: dict[str, str] = {}
    pending = [handler_module]
    while pending:
        name = pending.pop()
        if name in sources or (path := _module_path(name)) is None:
            continue
        source = path.read_text()
        pending.extend(_imports(ast.parse(source)))
        sources[name] = source
    return dict(sorted(sources.items()))


@dataclass(frozen=True, slots=True)
class RenderedScript:
    script: str  # the handler module's source: the step's inline Script
    attachment_name: str  # the step's Attachment and the files-section key
    attachment: bytes  # the zip of the engine modules

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.attachment).hexdigest()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def engine_zip(sources: dict[str, str]) -> bytes:
    """The modules as a byte-reproducible zip: ``ecr_access/x/y.py`` plus package markers."""
    files = {f"{name.replace('.', '/')}.py": source for name, source in sources.items()}
    for name in sources:
        parts = name.split(".")
        for depth in range(1, len(parts)):
            files.setdefault("/".join(parts[:depth]) + "/__init__.py", _PACKAGE_MARKER)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            archive.writestr(_entry(path), files[path])
    return buffer.getvalue()


def render_script(handler_module: str, attachment_name: str) -> RenderedScript:
    sources = module_sources(handler_module)
    script = sources.pop(handler_module)
    return RenderedScript(script, attachment_name, engine_zip(sources))
