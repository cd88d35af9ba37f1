"""Imports point down only (docs/architecture.md): checked by parsing every module.

Layers, bottom up: io <- storage <- vdbe <- compile <- engine <- dbapi/shell.
``errors`` and ``values`` are importable from anywhere; ``sql`` and
``schema`` from compile and above.  Every import in src/pyrite/** counts,
including those inside functions (lazy imports are still dependencies).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "pyrite"

# package -> top-level pyrite modules/packages it must not import
FORBIDDEN = {
    "io": {"storage", "vdbe", "compile", "sql", "schema", "engine", "dbapi", "shell", "demo"},
    "storage": {"vdbe", "compile", "sql", "schema", "engine", "dbapi", "shell", "demo"},
    "vdbe": {"compile", "sql", "schema", "engine", "dbapi", "shell", "demo"},
    "compile": {"engine", "dbapi", "shell", "demo"},
    "sql": {"io", "storage", "vdbe", "compile", "schema", "engine", "dbapi", "shell", "demo"},
    "schema": {"io", "storage", "vdbe", "compile", "engine", "dbapi", "shell", "demo"},
    "errors": {"io", "storage", "vdbe", "compile", "sql", "schema", "engine", "dbapi",
               "shell", "demo", "values"},
    "values": {"io", "storage", "vdbe", "compile", "sql", "schema", "engine", "dbapi",
               "shell", "demo"},
    "engine": {"dbapi", "shell", "demo"},
}


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: pathlib.Path, name: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file (module ``name``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = (name or _module_name(path)).split(".")
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from pyrite import engine` imports pyrite.engine
            if module == "pyrite":
                found += [(node.lineno, f"pyrite.{a.name}") for a in node.names]
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "pyrite":
        return None
    return parts[1]


MODULES = sorted(SRC.rglob("*.py"))


def test_sources_found():
    assert len(MODULES) > 10
    assert (SRC / "dbapi.py") in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path):
    layer = _layer(_module_name(path))
    forbidden = FORBIDDEN.get(layer or "", set())
    bad = [f"{path.relative_to(SRC)}:{line} imports {module}"
           for line, module in _imports(path)
           if _layer(module) in forbidden and _layer(module) != layer]
    assert not bad, "\n".join(bad)


def test_checker_catches_violations(tmp_path):
    """The import walker sees relative, absolute and `from pyrite import x` forms."""
    sample = tmp_path / "sample.py"
    sample.write_text("from pyrite import engine\n"
                      "from ..vdbe import vm\n"
                      "from . import pager\n"
                      "def lazy():\n"
                      "    import pyrite.sql.ast\n")
    names = {m for _, m in _imports(sample, "pyrite.storage.sample")}
    assert {"pyrite.engine", "pyrite.vdbe", "pyrite.storage", "pyrite.sql.ast"} <= names
    assert {_layer(m) for m in names} & FORBIDDEN["storage"] == {"engine", "vdbe", "sql"}
