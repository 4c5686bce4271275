"""The package's shape, checked: layers, no import cycles, no Textual below the app.

The layers are declared once, in [tool.importlinter] in pyproject.toml, and checked with
import-linter (`lint-imports`), which a developer can also run alone. The cycle check walks
the import graph grimp builds (the same graph import-linter reads), imports made only for
type checking included: a cycle hidden behind `if TYPE_CHECKING` is still two modules that
cannot be understood apart. The Textual check imports every domain module in a fresh
interpreter, so it also catches imports made at run time. No module of the package is over
MAX_LINES lines, so each can be read whole and is about one thing.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

import earmark

ROOT = Path(__file__).resolve().parent.parent
INSTALL = "pip install -e '.[test]'"


def _domain_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(earmark.__path__, "earmark."):
        if info.name.startswith("earmark.app") or info.name == "earmark.__main__":
            continue
        names.append(info.name)
    return names


def test_modules_outside_the_app_do_not_import_textual():
    """The commands are included: `earmark stats` must not pay for loading Textual."""
    modules = _domain_modules()
    assert "earmark.store" in modules and "earmark.audio" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"textual imported by domain modules: {out.stdout}"


# -- layers ---------------------------------------------------------------------------------


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _layered_modules() -> set[str]:
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    assert isinstance(layers, list)
    return {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}


def test_every_part_of_the_package_has_a_layer():
    """A module the contract does not name would be free to import anything."""
    parts = {f"earmark.{info.name}" for info in pkgutil.iter_modules(earmark.__path__)}
    missing = sorted(parts - _layered_modules())
    assert not missing, (
        f"{', '.join(missing)}: not in any layer; add each to the layers contract in "
        "[tool.importlinter] in pyproject.toml, below everything that imports it"
    )
    gone = sorted(_layered_modules() - parts)
    assert not gone, f"the layers contract names modules that do not exist: {', '.join(gone)}"


def test_import_layers_hold():
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip(f"import-linter is not installed ({INSTALL})")
    code = (
        "import sys\n"
        "from importlinter.cli import lint_imports_command\n"
        "sys.argv[0] = 'lint-imports'\n"
        "lint_imports_command()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0:
        pytest.fail(out.stdout + out.stderr, pytrace=False)


# -- cycles ---------------------------------------------------------------------------------


def import_cycles(modules: Iterable[str], imports: Callable[[str], set[str]]) -> list[list[str]]:
    """Every set of modules that import each other, directly or through others (Tarjan's
    strongly connected components, without recursion), each as a path that closes on itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[set[str]] = []
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(imports(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1 or node in imports(node):
                    groups.append(group)
    return [_closed_path(group, imports) for group in groups]


def _closed_path(group: set[str], imports: Callable[[str], set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(imports(node) & group):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    nxt.append(child)
        frontier = nxt
    raise AssertionError(f"{sorted(group)} is not a cycle")


def test_cycle_finder_names_each_cycle():
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},
        "d": set(),
        "e": {"e"},
        "f": {"d"},
    }
    cycles = import_cycles(graph, lambda m: graph[m])
    assert sorted(cycles) == [["a", "b", "c", "a"], ["e", "e"]]
    assert import_cycles({"x": {"y"}, "y": set()}, lambda m: {"x": {"y"}, "y": set()}[m]) == []


def test_no_import_cycles():
    if importlib.util.find_spec("grimp") is None:
        pytest.skip(f"grimp is not installed (import-linter brings it: {INSTALL})")
    import grimp

    graph = grimp.build_graph("earmark", cache_dir=None)
    modules = set(graph.modules)
    assert "earmark.session" in modules and "earmark.app" in modules
    cycles = import_cycles(modules, graph.find_modules_directly_imported_by)
    if cycles:
        pytest.fail("import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles), pytrace=False)


# -- module size ------------------------------------------------------------------------------

MAX_LINES = 400


def oversized(paths: Iterable[Path], limit: int = MAX_LINES) -> list[tuple[Path, int]]:
    """The files among `paths` longer than `limit` lines, with their line counts."""
    counts = ((path, len(path.read_text(encoding="utf-8").splitlines())) for path in paths)
    return [(path, n) for path, n in counts if n > limit]


def test_size_check_counts_lines(tmp_path: Path):
    at_limit, over = tmp_path / "at_limit.py", tmp_path / "over.py"
    at_limit.write_text("x = 1\n" * MAX_LINES)
    over.write_text("x = 1\n" * (MAX_LINES + 1))
    assert oversized([at_limit, over]) == [(over, MAX_LINES + 1)]


def test_no_module_is_over_the_line_limit():
    package = ROOT / "tui" / "earmark"
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 50 and package / "session" / "workflow.py" in modules
    found = oversized(modules)
    assert not found, f"split these modules (at most {MAX_LINES} lines each):\n" + "\n".join(
        f"{path.relative_to(ROOT)}: {n} lines" for path, n in found
    )


# -- tests ----------------------------------------------------------------------------------


def test_no_test_module_imports_another():
    """Shared helpers live in tests/support.py, tests/tmux.py and tests/app/pilot.py; a test
    module or conftest imported by another couples the two and runs its module code twice."""
    tests = ROOT / "tests"
    importable = re.compile(
        r"^\s*(?:from|import)\s+(tests(?:\.\w+)*\.(?:test_\w+|conftest))\b", re.MULTILINE
    )
    found = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for path in sorted(tests.rglob("*.py"))
        for match in importable.finditer(path.read_text())
    ]
    assert not found, "move what these share into a support module:\n" + "\n".join(found)
