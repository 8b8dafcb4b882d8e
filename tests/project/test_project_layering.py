"""The packages depend on each other one way only (see ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("golden", "models", "firmware", "fixtures", "harness", "reports", "app", "ferhil")

#: What each package may import of ours; anything else is a layering violation.
ALLOWED: dict[str, set[str]] = {
    "golden": set(),
    "fixtures": {"golden"},
    "firmware": {"golden"},
    "models": {"golden", "fixtures"},
    "reports": {"golden"},
    "harness": {"golden", "fixtures", "models", "firmware", "reports"},
    "app": {"golden", "fixtures", "models", "firmware", "harness", "reports"},
    "ferhil": {"golden", "fixtures", "models", "firmware", "harness", "reports", "app"},
}

#: Packages that must stay importable without torch (numpy-only golden, fast CLI paths).
TORCH_FREE = ("golden", "firmware", "fixtures", "reports")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_allowed_table_covers_every_package() -> None:
    assert set(ALLOWED) == set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_lower_layers(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "layering violations:\n" + "\n".join(bad)


@pytest.mark.parametrize("package", TORCH_FREE)
def test_package_does_not_import_torch(package: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imported_modules(path)
        if name.split(".")[0] == "torch"
    ]
    assert not bad, "\n".join(bad)


def test_imported_modules_sees_nested_imports(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "import a.b\nfrom c import d\ndef f():\n    from e.f import g\nfrom . import h\n"
    )
    assert imported_modules(source) == {"a.b", "c", "e.f"}


# -- import cycles and import_module strings ---------------------------------------------------

#: ``pkg.module:attr`` registry entries: a module named in a string instead of an import.
MODULE_ATTR = re.compile(r"^(?:" + "|".join(PACKAGES) + r")(?:\.\w+)+:\w+$")


def repo_modules() -> dict[str, Path]:
    """Every module of our packages by dotted name (``pkg/__init__.py`` is ``pkg``)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports executed when the module is imported, or by a type checker.

    Imports inside functions are lazy and do not count; ``if TYPE_CHECKING:`` blocks do (a cycle
    of annotations is a cycle of concepts: two modules that need each other's types).
    """
    out: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for field in ("body", "orelse", "finalbody", "handlers"):
                stack.extend(getattr(node, field, []) or [])
        elif isinstance(node, ast.ExceptHandler):
            stack.extend(node.body)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the repo modules it imports at module level."""
    modules = repo_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        here = name.split(".") if is_pkg else name.split(".")[:-1]
        edges: set[str] = set()
        for node in _module_level_imports(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in modules)
                continue
            base = node.module or ""
            if node.level:
                anchor = here[: len(here) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    edges.add(sub)
                elif base in modules:
                    edges.add(base)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_type_checking_imports_count(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nimport a\nif TYPE_CHECKING:\n    import b\n"
        "def f():\n    import c\n"
    )
    names = {
        alias.name
        for node in _module_level_imports(ast.parse(source.read_text()))
        for alias in node.names
    }
    assert names == {"TYPE_CHECKING", "a", "b"}


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_module_strings_for_our_modules() -> None:
    """Our modules are imported with import statements, never named in strings.

    Flags ``pkg.module:attr`` registry entries, string constants that are the dotted name of one
    of our modules (lists of modules to import), and ``import_module`` of a constant naming one.
    ``import_module`` of a computed name (lazy imports of optional third-party packages) is
    allowed.
    """
    modules = set(repo_modules())
    bad = []
    for path in repo_modules().values():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and (
                MODULE_ATTR.match(text) or ("." in text and text in modules)
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not bad, "import in-repo modules with import statements:\n" + "\n".join(sorted(bad))


# -- inside the packages -----------------------------------------------------------------------

#: The only modules directly in the regrouped folders; everything else lives in the subpackage
#: of its concern (ARCHITECTURE.md, "Where things go").
FLAT_MODULES: dict[str, set[str]] = {
    "harness": {"__init__.py", "errors.py", "plugin.py"},
    "harness/meters": {"__init__.py", "base.py", "errors.py"},
    "firmware": {"__init__.py", "cli.py"},
    "models": {"__init__.py", "cli.py"},
    "reports": {"__init__.py", "html.py", "sample_data.py"},
}

#: What each part of ``harness.meters`` may import of ``harness.meters``: drivers, simulator and
#: the energy method know only the interface (``base``, ``errors``); the glue joins them.
METER_PARTS: dict[str, set[str]] = {
    "harness.meters.errors": set(),
    "harness.meters.base": {"harness.meters.errors"},
    "harness.meters.drivers": {"harness.meters.base", "harness.meters.errors"},
    "harness.meters.simulator": {"harness.meters.base", "harness.meters.errors"},
    "harness.meters.method": {"harness.meters.base", "harness.meters.errors"},
    "harness.meters.glue": {
        "harness.meters.base",
        "harness.meters.errors",
        "harness.meters.drivers",
        "harness.meters.simulator",
        "harness.meters.method",
    },
}


def test_regrouped_folders_hold_only_their_own_modules() -> None:
    extra = [
        f"{folder}/{path.name}"
        for folder, keep in FLAT_MODULES.items()
        for path in sorted((ROOT / folder).glob("*.py"))
        if path.name not in keep
    ]
    assert not extra, "move these into the subpackage of their concern:\n" + "\n".join(extra)


def part_of(module: str, parts: dict[str, set[str]]) -> str | None:
    """The entry of ``parts`` that ``module`` is, or is inside of (``None``: none)."""
    for part in sorted(parts, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    return None


def part_violations(graph: dict[str, set[str]], parts: dict[str, set[str]]) -> list[str]:
    """``a imports b`` for every import between two parts that ``parts`` does not allow."""
    bad = []
    for module, imports in sorted(graph.items()):
        here = part_of(module, parts)
        if here is None:
            continue
        for imported in sorted(imports):
            there = part_of(imported, parts)
            if there is not None and there != here and there not in parts[here]:
                bad.append(f"{module} imports {imported}")
    return bad


def test_meter_parts_import_only_the_interface() -> None:
    modules = repo_modules()
    graph = import_graph()
    for name, path in modules.items():
        graph[name] |= {m for m in imported_modules(path) if m in modules}
    bad = part_violations(graph, METER_PARTS)
    assert not bad, "harness.meters parts:\n" + "\n".join(bad)


def test_part_violations_finds_a_forbidden_import() -> None:
    parts = {"p.a": set(), "p.b": {"p.a"}}
    assert part_violations({"p.a.x": {"p.b.y"}, "p.b.y": {"p.a.x"}}, parts) == [
        "p.a.x imports p.b.y"
    ]
