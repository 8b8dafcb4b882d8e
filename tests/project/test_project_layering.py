"""The packages depend on each other one way only (see ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("golden", "models", "firmware", "fixtures", "harness", "reports", "app")

#: What each package may import of ours; anything else is a layering violation.
ALLOWED: dict[str, set[str]] = {
    "golden": set(),
    "fixtures": {"golden"},
    "firmware": {"golden"},
    "models": {"golden", "fixtures"},
    "reports": {"golden"},
    "harness": {"golden", "fixtures", "models", "firmware", "reports"},
    "app": {"golden", "fixtures", "models", "firmware", "harness", "reports"},
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
