"""``ferhil build`` prints the artifact path and manifest; errors exit 2 with a message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from firmware_testlib import have

from ferhil.cli import main
from golden.format import save
from golden.synthetic import random_legal_model


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = random_legal_model(np.random.default_rng(4), input_shape=(1, 12, 12), max_layers=3)
    return save(model, tmp_path_factory.mktemp("m") / "m.qmodel.npz")


@pytest.mark.skipif(not have("gcc"), reason="gcc is not installed")
def test_build_prints_path_and_manifest(
    model_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["build", "--board", "hostsim", "--model", str(model_file)]
    args += ["--cache-dir", str(tmp_path / "c"), "--out", str(tmp_path / "out")]
    assert main(args) == 0
    out = capsys.readouterr().out
    path, _, manifest_text = out.partition("\n")
    assert Path(path) == tmp_path / "out" / "hostsim" and Path(path).is_file()
    manifest = json.loads(manifest_text)
    assert manifest["board"] == "hostsim" and manifest["cached"] is False
    assert (tmp_path / "out" / "manifest.json").is_file()
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out.partition("\n")[2])["cached"] is True


def test_build_without_msdk_fails_clearly(
    model_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAXIM_PATH", raising=False)
    assert main(["build", "--board", "max78000fthr", "--model", str(model_file)]) == 2
    err = capsys.readouterr().err
    assert "MAXIM_PATH is not set" in err and "MSDK" in err
