"""Every C source and header follows the repository's one ``.clang-format`` style."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Folders that hold no project C (virtual environments, build output, vendored code).
_SKIP_DIRS = {".venv", ".venv-izer", "node_modules", "out", "build", "shared", "__pycache__"}


def c_sources(root: Path = ROOT) -> list[Path]:
    """Return the project's ``.c``/``.h`` files under ``root``, skipping hidden and build dirs."""
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(part.startswith(".") or part in _SKIP_DIRS for part in rel[:-1]):
            continue
        if path.suffix in (".c", ".h") and path.is_file():
            found.append(path)
    return found


def test_c_sources_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in c_sources()}
    assert {"firmware/c/kernels.c", "firmware/c/agent.c", "firmware/c/ferhil_status.h"} <= names


def test_c_sources_are_clang_formatted() -> None:
    exe = shutil.which("clang-format")
    if exe is None:
        pytest.skip("clang-format is not installed (bootstrap.sh installs it)")
    assert (ROOT / ".clang-format").is_file()
    files = [str(p) for p in c_sources()]
    result = subprocess.run(
        [exe, "--dry-run", "--Werror", "--style=file", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        "C sources differ from .clang-format; run: clang-format -i $(git ls-files '*.c' '*.h')\n"
        + result.stderr[-4000:]
    )


def test_clang_format_check_catches_a_misformatted_file(tmp_path: Path) -> None:
    exe = shutil.which("clang-format")
    if exe is None:
        pytest.skip("clang-format is not installed (bootstrap.sh installs it)")
    shutil.copy(ROOT / ".clang-format", tmp_path / ".clang-format")
    bad = tmp_path / "bad.c"
    bad.write_text("int f(void) { return 1; }\n")
    result = subprocess.run(
        [exe, "--dry-run", "--Werror", "--style=file", str(bad)], capture_output=True, text=True
    )
    assert result.returncode != 0
