"""A tiny end-to-end training run: export, resume equivalence, eval CLI."""

from __future__ import annotations

import dataclasses
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
import torch
from training_testkit import TINY_NET, synthetic_npz

from golden import format as qformat
from golden.inference import run as golden_run
from models.training.train import train
from models.training.train_cli import main as train_cli_main
from models.training.train_config import config_from_dict, save_config


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny")
    train_npz = synthetic_npz(root / "train.npz", 256, 1)
    test_npz = synthetic_npz(root / "test.npz", 64, 2)
    raw = {
        "name": "tiny",
        "version": "1",
        "zoo_name": "tiny-v1",
        "seed": 7,
        "batch_size": 32,
        "threads": 1,
        "data": {
            "train": str(train_npz),
            "test": str(test_npz),
            "val_fraction": 0.125,
            "balance": "weights",
            "balance_power": 0.5,
        },
        "network": TINY_NET,
        "dropout": {"fc": 0.2},
        "float_phase": {"epochs": 2, "lr": 0.05},
        "qat_phase": {"epochs": 1, "lr": 0.005, "schedule": "cosine"},
    }
    config = save_config(config_from_dict(raw), root / "tiny.yaml")
    zoo = root / "zoo"
    assert (
        train_cli_main(
            ["train", "--config", str(config), "--out", str(root / "run"), "--zoo", str(zoo)]
        )
        == 0
    )
    return {"root": root, "config": config, "zoo": zoo, "test": test_npz}


@pytest.mark.slow
def test_tiny_run_exports_loadable_quant_model(tiny: dict[str, Path]) -> None:
    folder = tiny["zoo"] / "tiny-v1"
    model = qformat.load(folder / "model.qmodel.npz")
    assert model.name == "tiny" and model.version == "1"
    assert model.metadata["created"]
    assert model.metadata["epochs"] == {"float": 2, "qat": 1}
    assert (folder / "CARD.md").read_text().count("int8, golden integer inference") == 1
    assert (folder / "float_weights.npz").is_file() and (folder / "config.yaml").is_file()
    x = np.random.default_rng(0).integers(-128, 128, (3, 1, 48, 48))
    assert golden_run(model, x).shape == (3, 7)
    assert all(p.stat().st_size < 2 * 1024 * 1024 for p in folder.iterdir())


@pytest.mark.slow
def test_eval_cli_json_has_accuracy_int8(tiny: dict[str, Path]) -> None:
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = train_cli_main(
            [
                "eval",
                "--model",
                str(tiny["zoo"] / "tiny-v1"),
                "--data",
                str(tiny["test"]),
                "--json",
                "--tta",
            ]
        )
    assert rc == 0
    report = json.loads(buf.getvalue())
    assert 0.0 <= report["accuracy_int8"] <= 1.0
    assert report["int8"]["samples"] == 64
    assert report["accuracy_float"] is not None
    assert report["tta"]["accuracy_int8"] is not None
    meta = qformat.load(tiny["zoo"] / "tiny-v1" / "model.qmodel.npz").metadata
    assert report["accuracy_int8"] == pytest.approx(meta["test_accuracy"]["int8"])


@pytest.mark.slow
def test_resume_after_interruption_matches_uninterrupted(tiny: dict[str, Path]) -> None:
    from models.training.train_config import load_config

    cfg = dataclasses.replace(load_config(tiny["config"]), checkpoint_minutes=1000.0)
    whole = train(cfg, tiny["root"] / "whole")
    assert whole.finished
    split_dir = tiny["root"] / "split"
    first = train(cfg, split_dir, max_steps=3)  # stops inside epoch 0 (7 steps/epoch)
    assert not first.finished and first.state.step == 3
    second = train(cfg, split_dir, resume=True, max_steps=8)  # crosses into the next epoch
    assert not second.finished
    last = train(cfg, split_dir, resume=True)
    assert last.finished
    a, b = whole.net.state_dict(), last.net.state_dict()
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    assert [h["val_acc"] for h in whole.state.history] == [h["val_acc"] for h in last.state.history]


def test_resume_needs_checkpoint(tmp_path: Path) -> None:
    from models.training.train import TrainError

    cfg = config_from_dict({"network": TINY_NET})
    with pytest.raises(TrainError, match="does not exist"):
        train(cfg, tmp_path / "r", resume=True)


@pytest.mark.slow
def test_compiled_float_phase_resumes_exactly_and_stores_plain_weights(
    tiny: dict[str, Path],
) -> None:
    from models.training.train_config import load_config

    base = load_config(tiny["config"])
    cfg = dataclasses.replace(
        base,
        checkpoint_minutes=1000.0,
        float_phase=dataclasses.replace(base.float_phase, compile=True),
    )
    whole = train(cfg, tiny["root"] / "c-whole")
    assert whole.finished
    log = (tiny["root"] / "c-whole" / "train.log").read_text()
    assert "phase float: precision fp32, torch.compile" in log
    eager = {k for k in train(base, tiny["root"] / "c-eager", max_steps=0).net.state_dict()}
    assert set(whole.net.state_dict()) == eager  # no torch.compile prefix in stored weights
    split_dir = tiny["root"] / "c-split"
    assert not train(cfg, split_dir, max_steps=3).finished
    last = train(cfg, split_dir, resume=True)
    a, b = whole.net.state_dict(), last.net.state_dict()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_compile_without_a_cxx_compiler_is_one_clear_error(
    tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.training import train_setup
    from models.training.train_config import load_config

    monkeypatch.setattr(train_setup.shutil, "which", lambda name: None)
    base = load_config(tiny["config"])
    cfg = dataclasses.replace(base, float_phase=dataclasses.replace(base.float_phase, compile=True))
    with pytest.raises(train_setup.SetupError, match=r"apt-get install g\+\+.*compile: false"):
        train(cfg, tiny["root"] / "no-cxx")


def test_compile_in_the_qat_phase_is_refused_with_the_reason(tiny: dict[str, Path]) -> None:
    from models.training.train import TrainError
    from models.training.train_config import ConfigError, load_config

    raw = {"qat_phase": {"epochs": 1, "compile": True}, "network": {}}
    with pytest.raises(ConfigError, match=r"compile is for float_phase only.*numpy"):
        config_from_dict(raw)
    base = load_config(tiny["config"])
    cfg = dataclasses.replace(
        base,
        float_phase=dataclasses.replace(base.float_phase, epochs=0),
        qat_phase=dataclasses.replace(base.qat_phase, compile=True),
    )
    with pytest.raises(TrainError, match="compile is for float_phase only"):
        train(cfg, tiny["root"] / "qat-compile")
