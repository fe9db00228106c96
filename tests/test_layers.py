"""Dependencies between the domain packages point one way (STYLE.md principle 7): no package-level import cycle.

Every import counts, at module level or inside a function. A package that imports a top-level module of
``app/`` (``app.templating``, ``app.paging``) depends on whatever that module imports, so a shared module
cannot carry a cycle either.

``app.pg`` sits below the domain packages (they call it), except ``app.pg.triggers``: it renders the schema's
trigger SQL from the domain's enums, so it sits above them all, at the edge with the migrations, and nothing
in ``app/`` may import it.
"""

import ast
from functools import cache
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
PACKAGES = sorted(p.name for p in APP.iterdir() if (p / "__init__.py").is_file())
MODULES = sorted(p.stem for p in APP.glob("*.py") if p.stem != "__init__")
EDGE = (APP / "pg" / "triggers.py",)  # above the domain: imported by migrations and tests only


def imported_names(path: Path) -> list[tuple[str, int]]:
    """Every ``app.x`` module or package named by an import in ``path``, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            if node.module == "app":
                found += [(f"app.{alias.name}", node.lineno) for alias in node.names]
    return [(name.split(".")[1], line) for name, line in found if name.startswith("app.")]


def files_of(name: str) -> list[Path]:
    return sorted(set((APP / name).rglob("*.py")) - set(EDGE)) if name in PACKAGES else [APP / f"{name}.py"]


@cache
def direct_uses(name: str) -> dict[str, str]:
    """The packages and top-level modules ``name`` imports, each with one place it does so."""
    uses = {}
    for path in files_of(name):
        for target, line in imported_names(path):
            if target != name and (target in PACKAGES or target in MODULES):
                uses.setdefault(target, f"{path.relative_to(APP.parent)}:{line}")
    return uses


def package_edges() -> dict[str, dict[str, str]]:
    """For each package, the packages it depends on, directly or through top-level modules."""
    edges = {}
    for package in PACKAGES:
        reached, todo = {}, list(direct_uses(package).items())
        while todo:
            target, where = todo.pop()
            if target in reached or target == package:
                continue
            reached[target] = where
            if target in MODULES:
                todo += [(t, f"{where} via {w}") for t, w in direct_uses(target).items()]
        edges[package] = {t: w for t, w in reached.items() if t in PACKAGES}
    return edges


def cycles(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = [stack.pop()]
            while component[-1] != node:
                component.append(stack.pop())
            on_stack.difference_update(component)
            if len(component) > 1:
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def describe(component: list[str], edges: dict[str, dict[str, str]]) -> str:
    lines = [" ⇄ ".join(component)]
    lines += [f"  {a} → {b}: {edges[a][b]}" for a in component for b in component if b in edges[a]]
    return "\n".join(lines)


def test_the_domain_packages_have_no_import_cycle():
    edges = package_edges()
    found = cycles(edges)
    assert not found, "package-level import cycles:\n" + "\n".join(describe(c, edges) for c in found)


def test_nothing_in_the_app_imports_the_edge_modules():
    edge = {"app." + ".".join(p.relative_to(APP).with_suffix("").parts) for p in EDGE}
    importers = [
        f"{path.relative_to(APP.parent)}:{node.lineno}"
        for path in APP.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and node.module
        and ({node.module} | {f"{node.module}.{a.name}" for a in node.names}) & edge
    ]
    assert not importers


def test_the_cycle_finder_sees_a_cycle_through_any_number_of_packages():
    edges = {"a": {"b": "x"}, "b": {"c": "y"}, "c": {"a": "z"}, "d": {"a": "w"}}
    assert cycles(edges) == [["a", "b", "c"]] and cycles({"a": {"b": ""}, "b": {}}) == []


def test_the_import_walk_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from app.accounts import queries\n\ndef f():\n    from app.payments.models import Payment\n")
    assert imported_names(module) == [("accounts", 1), ("payments", 4)]
