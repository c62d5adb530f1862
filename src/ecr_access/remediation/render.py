"""Rendering the runbooks' ``aws:executeScript`` code from the modules in this repository.

One source of truth: a runbook's script is the handler module plus every
``ecr_access`` module it imports (found by walking the imports), with docstrings
dropped, signature annotations dropped and one space per indentation level, to fit
the 64 KB document limit. The modules ride in the script as
readable source behind a small import hook, so the code that runs in SSM is the
code the tests run. ``make runbooks`` writes remediation/*.yaml; a test fails
when a committed document differs from a fresh render.
"""

import ast
import base64
import importlib.util
import json
import zlib
from pathlib import Path

PACKAGE = "ecr_access"
_BOOTSTRAP = '''
import importlib.abc
import importlib.util
import sys


class _EmbeddedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the ecr_access modules below; the SSM runtime has only boto3 besides the standard library."""

    def find_spec(self, name, path=None, target=None):
        if name in _SOURCES or name in _PACKAGES:
            return importlib.util.spec_from_loader(name, self, is_package=name in _PACKAGES)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        code = compile(_SOURCES.get(module.__name__, ""), f"<runbook {module.__name__}>", "exec")
        exec(code, module.__dict__)


if not any(type(finder).__name__ == "_EmbeddedModules" for finder in sys.meta_path):
    sys.meta_path.insert(0, _EmbeddedModules())


def handler(events, context):
    from {handler_module} import handler as run

    return run(events, context)
'''


def _module_path(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # "module.function": a name inside a module, not a submodule
        return None
    if spec is None or spec.origin is None or spec.submodule_search_locations is not None:
        return None  # not a module of ours, or a package (packages are rendered as empty stubs)
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


def _without_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def _without_signature_annotations(tree: ast.Module) -> ast.Module:
    # Function annotations are not needed at run time; dataclass fields keep theirs (dataclasses read them).
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
            arguments = node.args
            for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
                argument.annotation = None
            for argument in (arguments.vararg, arguments.kwarg):
                if argument is not None:
                    argument.annotation = None
    return tree


def _compact(source: str) -> str:
    """One space per indentation level: ast.unparse writes no multi-line literal, so leading
    spaces are always indentation (four per level)."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip(" ")
        lines.append(" " * ((len(line) - len(stripped)) // 4) + stripped)
    return "\n".join(lines)


def module_sources(handler_module: str) -> dict[str, str]:
    """Every ecr_access module the handler needs, by name, as compact source."""
    sources: dict[str, str] = {}
    pending = [handler_module]
    while pending:
        name = pending.pop()
        if name in sources or (path := _module_path(name)) is None:
            continue
        tree = ast.parse(path.read_text())
        pending.extend(_imports(tree))
        sources[name] = _compact(ast.unparse(_without_signature_annotations(_without_docstrings(tree))))
    return dict(sorted(sources.items()))


def _literal(source: str, name: str) -> str:
    if "'''" in source or source.endswith("\\"):
        raise ValueError(f"module {name} cannot be embedded as a raw string literal")
    return "r'''\n" + source + "\n'''"


def pack(sources: dict[str, str]) -> str:
    """Modules as one compressed literal (zlib, base85): for a runbook whose engine would not fit."""
    return base64.b85encode(zlib.compress(json.dumps(sources, sort_keys=True).encode(), 9)).decode()


def unpack(packed: str) -> dict[str, str]:
    return json.loads(zlib.decompress(base64.b85decode(packed)))


def render_script(handler_module: str, *, pack_engine: bool = False) -> str:
    """The script. With ``pack_engine`` only the handler module stays readable; the engine modules
    it imports travel compressed (``ecr-access runbook-source`` prints them back)."""
    sources = module_sources(handler_module)
    packages = sorted({".".join(n.split(".")[:i]) for n in sources for i in range(1, n.count(".") + 1)})
    readable = {n: src for n, src in sources.items() if not pack_engine or n == handler_module}
    lines = [
        f"# Rendered by `make runbooks` from {handler_module} and the ecr_access modules it imports.",
        "# Do not edit here: edit those modules and render again (a test fails when this copy drifts).",
        "_SOURCES = {",
        *(f"    {name!r}: {_literal(source, name)}," for name, source in readable.items()),
        "}",
    ]
    if pack_engine:
        packed = pack({n: src for n, src in sources.items() if n not in readable})
        lines += [
            "# The engine modules the handler imports, compressed to fit the 64 KB document limit:",
            "# zlib + base85 of a JSON object {module name: source}. Print them with",
            "#   ecr-access runbook-source <this document file>",
            "import base64, json, zlib",
            f"_SOURCES.update(json.loads(zlib.decompress(base64.b85decode({packed!r}))))",
        ]
    lines += [f"_PACKAGES = {tuple(packages)!r}", _BOOTSTRAP.replace("{handler_module}", handler_module)]
    return "\n".join(lines)
