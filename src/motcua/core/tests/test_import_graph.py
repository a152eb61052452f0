"""The import graph of ``src/motcua`` follows ``core.layers.LAYERS``: no app imports an app above it,
and no import circle joins modules of different apps. Every import counts: at module level, inside a
function, under ``TYPE_CHECKING``."""

from __future__ import annotations

import ast
from pathlib import Path

from motcua.core.layers import LAYERS, TEST_ONLY

ROOT = Path(__file__).resolve().parents[2]  # src/motcua
PACKAGE = "motcua"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_test_code(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or "conftest" in parts or (len(parts) > 1 and parts[1] in TEST_ONLY)


def _imports(path: Path, module: str) -> set[str]:
    """Every ``motcua.…`` module that ``path`` imports, wherever the import statement is."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from motcua.dossiers import services`` imports the module motcua.dossiers.services.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports (names that are not modules, such as a function
    imported with ``from … import``, fold into their module)."""
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        if _is_test_code(module):
            continue
        targets = set()
        for name in _imports(path, module):
            while name not in files and "." in name:
                name = name.rsplit(".", 1)[0]
            if name in files and name != module and not _is_test_code(name):
                targets.add(name)
        graph[module] = targets
    return graph


def _app(module: str) -> str:
    """The app a module belongs to; "" for the package's own entry points (``motcua.__main__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (ROOT / parts[1]).is_dir() else ""


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graph has a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def test_every_app_is_placed_in_the_layer_order() -> None:
    apps = {_app(module) for module in import_graph() if _app(module)}
    assert apps <= set(LAYERS), f"add {sorted(apps - set(LAYERS))} to core.layers.LAYERS"


def test_no_app_imports_an_app_above_it() -> None:
    rank = {app: position for position, app in enumerate(LAYERS)}
    upward = sorted(
        f"{module} → {target}"
        for module, targets in import_graph().items()
        for target in targets
        if _app(module) in rank and _app(target) in rank and rank[_app(target)] > rank[_app(module)]
    )
    assert upward == []


def test_no_import_circle_joins_modules_of_different_apps() -> None:
    circles = [
        sorted(component)
        for component in _strongly_connected(import_graph())
        if len({_app(module) for module in component}) > 1
    ]
    assert circles == []


def test_the_check_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    # Not vacuous: an import hidden in a function, and a relative one, are both found.
    source = tmp_path / "mod.py"
    source.write_text(
        "def f():\n    from motcua.signatures.results import result_issue\n\nfrom . import workflow\n",
        encoding="utf-8",
    )
    found = _imports(source, "motcua.dossiers.mod")
    assert "motcua.signatures.results" in found
    assert "motcua.dossiers.workflow" in found


def test_the_cycle_finder_finds_a_circle_across_apps() -> None:
    graph = {"motcua.dossiers.a": {"motcua.signatures.b"}, "motcua.signatures.b": {"motcua.dossiers.a"}}
    assert [sorted(c) for c in _strongly_connected(graph) if len(c) > 1] == [
        ["motcua.dossiers.a", "motcua.signatures.b"]
    ]
