"""The generated C (sequential and graph models) follows the repository's ``.clang-format``.

Data tables are fenced with ``clang-format off``/``on`` in the templates; everything else is
checked as it is emitted.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from firmware.builder.synth import synthesize
from golden.format import QuantModel
from golden.random_graphs import KINDS, random_graph

ROOT = Path(__file__).resolve().parents[2]


def _check(model: QuantModel, out: Path) -> None:
    exe = shutil.which("clang-format")
    if exe is None:
        pytest.skip("clang-format is not installed (bootstrap.sh installs it)")
    paths = synthesize(model, model_cycles=1000).write(out)
    files = [str(p) for p in paths if p.suffix in (".c", ".h")]
    assert any(f.endswith("cnn.c") for f in files)
    style = f"--style=file:{ROOT / '.clang-format'}"
    result = subprocess.run(
        [exe, "--dry-run", "--Werror", style, *files], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-4000:]


def test_generated_sequential_c_is_clang_formatted(tmp_path: Path, fer_model: QuantModel) -> None:
    _check(fer_model, tmp_path)


@pytest.mark.parametrize("seed", range(len(KINDS)))
def test_generated_graph_c_is_clang_formatted(tmp_path: Path, seed: int) -> None:
    _check(random_graph(seed), tmp_path)
