"""Imports point one way (docs/architecture.md): every module's imports, parsed.

Layers, bottom first: ``arsip.core`` (shared core); ``archive`` and
``crawler.extract`` (WARC format; pure extraction); ``pipelines`` (the
dataset); ``crawler`` (Scrapy components); ``arsip`` (CLI, orchestration).
A module may import its own layer and those its rule lists, nothing else.
Every import counts: at module top, inside a function, under
``TYPE_CHECKING``, and ``importlib.import_module("...")`` / ``__import__``
with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("arsip", "crawler", "pipelines", "archive")

#: What each layer may import (besides the standard library and third parties).
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset({"core"}),
    "archive": frozenset({"core", "archive"}),
    "extract": frozenset({"core", "extract"}),
    "pipelines": frozenset({"core", "archive", "extract", "pipelines"}),
    "crawler": frozenset({"core", "archive", "extract", "pipelines", "crawler"}),
    "arsip": frozenset({"core", "archive", "extract", "pipelines", "crawler", "arsip"}),
}

#: Package files that run whenever a lower layer is imported (``import arsip.core``
#: runs ``arsip/__init__.py``; ``import crawler.extract`` runs ``crawler/__init__.py``):
#: they may import the core only.
LIGHT_INITS = ("arsip", "crawler")


def layer(module: str) -> str | None:
    """The layer of a project module (dotted name), None for anything else."""
    parts = module.split(".")
    if parts[0] not in PACKAGES:
        return None
    if parts[:2] == ["arsip", "core"]:
        return "core"
    if parts[:2] == ["crawler", "extract"]:
        return "extract"
    return parts[0]


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports
    where: str  # file:line


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(root: Path, dotted: str) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def imports_of(root: Path, path: Path) -> Iterator[Import]:
    """Every import in *path*, wherever it stands in the file, with its target resolved."""
    module = module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root)
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name``, mod.
            targets = [
                f"{base}.{alias.name}" if _is_module(root, f"{base}.{alias.name}") else base
                for alias in node.names
            ]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            literal = _literal(node.args[0])
            if name in ("import_module", "__import__") and literal:
                targets = [literal]
        for target in dict.fromkeys(targets):
            if layer(target) is not None:
                yield Import(module, target, f"{where}:{getattr(node, 'lineno', 0)}")


def project_imports(root: Path) -> list[Import]:
    found: list[Import] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            found.extend(imports_of(root, path))
    return found


def wrong_way(root: Path) -> list[str]:
    """Each import that points up (or sideways into a layer it may not use), as one line."""
    problems = []
    for imp in project_imports(root):
        own, other = layer(imp.module), layer(imp.target)
        assert own is not None and other is not None
        light = imp.module in LIGHT_INITS and other != "core"
        if other not in ALLOWED[own] or light:
            problems.append(f"{imp.where}: {imp.module} ({own}) imports {imp.target} ({other})")
    return problems


def test_every_import_points_down() -> None:
    assert wrong_way(REPO) == []


def import_cycles(root: Path) -> list[list[str]]:
    """Groups of modules that import each other, directly or not (function-level too).

    Importing a submodule runs its packages' ``__init__`` first, so those count as
    imported as well.
    """
    graph: dict[str, set[str]] = {}
    for imp in project_imports(root):
        target = imp.target
        while target and not _is_module(root, target):
            target = target.rpartition(".")[0]  # ``from mod import name``: mod
        while target:
            if target != imp.module and not imp.module.startswith(f"{target}."):
                graph.setdefault(imp.module, set()).add(target)
            target = target.rpartition(".")[0]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_module_imports_itself_round_a_cycle() -> None:
    assert import_cycles(REPO) == []


def test_a_cycle_hidden_in_a_function_is_found(tmp_path: Path) -> None:
    (tmp_path / "crawler").mkdir()
    (tmp_path / "crawler" / "a.py").write_text("import crawler.b\n", encoding="utf-8")
    (tmp_path / "crawler" / "b.py").write_text(
        "def f():\n    from crawler.a import x\n", encoding="utf-8"
    )
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
    assert import_cycles(tmp_path) == [["crawler.a", "crawler.b"]]


def test_the_scan_sees_the_whole_tree() -> None:
    found = project_imports(REPO)
    modules = {imp.module for imp in found}
    assert {"arsip.cli", "crawler.spiders.news", "pipelines.db.store", "archive.reader"} <= modules
    assert len(found) > 300


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (
            "crawler/middlewares/x.py",
            "from arsip.errors import EXIT_CONFIG\n",
            "crawler/middlewares/x.py:1: crawler.middlewares.x (crawler) imports arsip.errors",
        ),
        (
            "pipelines/db/x.py",
            "def f():\n    from crawler.frontier import CrawlState\n",
            "pipelines/db/x.py:2: pipelines.db.x (pipelines) imports crawler.frontier",
        ),
        (
            "crawler/extract/x.py",
            "from .. import profiles\n",
            "crawler/extract/x.py:1: crawler.extract.x (extract) imports crawler.profiles",
        ),
        (
            "archive/x.py",
            "import importlib\nimportlib.import_module('pipelines.db')\n",
            "archive/x.py:2: archive.x (archive) imports pipelines.db",
        ),
        (
            "arsip/core/x.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import archive.files\n",
            "arsip/core/x.py:3: arsip.core.x (core) imports archive.files",
        ),
        (
            "crawler/__init__.py",
            "from crawler.extract import extract\n",
            "crawler/__init__.py:1: crawler (crawler) imports crawler.extract",
        ),
    ],
)
def test_a_wrong_way_import_is_reported(
    tmp_path: Path, path: str, source: str, expected: str
) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "arsip" / "core").mkdir()
    (tmp_path / "crawler" / "extract").mkdir()
    (tmp_path / "crawler" / "profiles").mkdir()
    (tmp_path / "crawler" / "profiles" / "__init__.py").touch()
    file = tmp_path / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(source, encoding="utf-8")
    problems = wrong_way(tmp_path)
    assert [p.rsplit(" (", 1)[0] for p in problems] == [expected]


def test_imports_that_point_down_are_allowed(tmp_path: Path) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "crawler" / "x.py").write_text(
        "from archive import files\nfrom arsip.core.errors import ConfigError\n"
        "from crawler.extract.site import Site\nfrom pipelines.db import Dataset\n",
        encoding="utf-8",
    )
    (tmp_path / "arsip" / "x.py").write_text("import crawler.report\n", encoding="utf-8")
    assert wrong_way(tmp_path) == []
