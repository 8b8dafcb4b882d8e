"""``ferhil import-ai8x`` and ``ferhil golden`` on graph models; safe checkpoint loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from ferhil.cli import main
from golden.format import load
from golden.inference import run_outputs
from golden.random_graphs import random_graph, random_input
from models.export.ai8x_checkpoint import CheckpointLoadError, load_checkpoint
from models.export.export_ai8x import export_ai8x

SHARED = Path(__file__).resolve().parents[3] / "shared" / "vendor" / "ai8x-synthesis"


@pytest.mark.parametrize("seed", [4, 6])  # a 1-D graph and a multi-output graph
def test_import_then_golden_cli(seed: int, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    model = random_graph(seed)
    paths = export_ai8x(model, tmp_path / "x", sample_input=random_input(model, seed))
    out = tmp_path / "m.qmodel.npz"
    shape = ",".join(map(str, model.input_shape))
    args = ["import-ai8x", str(paths.checkpoint), str(paths.network_yaml), "--input-shape", shape]
    assert main([*args, "--out", str(out)]) == 0
    assert load(out).hash() == model.hash()
    x = np.stack([random_input(model, s) for s in range(3)])
    np.save(tmp_path / "x.npy", x)
    argv = ["golden", "--model", str(out), "--input", str(tmp_path / "x.npy")]
    assert (
        main([*argv, "--out", str(tmp_path / "y.npy"), "--out-all", str(tmp_path / "a.npz")]) == 0
    )
    expect = run_outputs(model, x)
    y = np.load(tmp_path / "y.npy")
    np.testing.assert_array_equal(y, list(expect.values())[-1])
    assert y.ndim == len(model.input_shape) + 1
    with np.load(tmp_path / "a.npz") as all_out:
        assert list(all_out.files) == list(expect)
    capsys.readouterr()


def test_import_cli_rejects_a_bad_shape(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["import-ai8x", "a", "b", "--input-shape", "3,x", "--out", "m"])
    assert "C,H,W or C,L" in capsys.readouterr().err


class Evil:
    def __reduce__(self) -> tuple:
        return (print, ("pwned",))


def test_checkpoint_with_unknown_globals_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pth.tar"
    torch.save({"state_dict": {}, "arch": "x", "epoch": 0, "extra": Evil()}, path)
    with pytest.raises(CheckpointLoadError, match="needs a Python object"):
        load_checkpoint(path)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared ai8x-synthesis copy is absent")
def test_adi_checkpoints_load_without_unrestricted_unpickling() -> None:
    for name in ("mnist", "cifar10", "kws20_v3"):
        ckpt = load_checkpoint(SHARED / "trained" / f"ai85-{name}-qat8-q.pth.tar")
        assert ckpt["arch"].startswith("ai85") and ckpt["state_dict"]
