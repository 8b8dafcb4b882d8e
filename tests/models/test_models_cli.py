"""``ferhil export`` through models.cli.register (no harness needed)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from golden.format import save
from golden.synthetic import random_legal_model
from models.cli import register
from models.export.import_ai8x import import_ai8x


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ferhil")
    register(parser.add_subparsers(dest="command"))
    return parser


def test_export_ai8x_from_zoo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = 4
    model = random_legal_model(np.random.default_rng(seed))
    while any(q.op == "conv2d" and q.pad >= q.kernel_size for q in model.layers):
        seed += 1  # izer refuses pad >= kernel size; golden.synthetic may draw it
        model = random_legal_model(np.random.default_rng(seed))
    model.metadata["created"] = "2026-01-01T00:00:00+00:00"
    save(model, tmp_path / "zoo" / "tiny" / "model.qmodel.npz")
    monkeypatch.setenv("FERHIL_ZOO", str(tmp_path / "zoo"))
    out = tmp_path / "out"
    args = _parser().parse_args(
        ["export", "--model", "tiny", "--format", "ai8x", "--out", str(out)]
    )
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    for name in ("checkpoint.pth.tar", "network.yaml", "sample_input.npy"):
        assert (out / name).is_file() and name in printed
    sample = np.load(out / "sample_input.npy")
    assert sample.dtype == np.int64 and sample.shape == (1, 48, 48)
    assert import_ai8x(out / "checkpoint.pth.tar", out / "network.yaml").hash() == model.hash()


def test_export_requires_a_format() -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["export", "--out", "x"])


def test_plugin_subcommands_are_registered() -> None:
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert "export" in sub.choices
