"""Stochastic weight averaging over the last float epochs (``swa_epochs``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn
from training_testkit import TINY_NET, synthetic_npz

from golden import format as qformat
from models.training.swa import in_window, recompute_batchnorm, update_average
from models.training.train import train
from models.training.train_cli import main as train_cli_main
from models.training.train_config import ConfigError, config_from_dict, save_config


def _raw(root: Path, **float_phase: Any) -> dict[str, Any]:
    return {
        "name": "avg",
        "version": "1",
        "zoo_name": "avg-v1",
        "seed": 4,
        "batch_size": 32,
        "threads": 1,
        "checkpoint_minutes": 1000.0,
        "data": {"train": str(root / "train.npz"), "test": str(root / "test.npz")},
        "network": TINY_NET,
        "float_phase": {"epochs": 3, "lr": 0.05, **float_phase},
        "qat_phase": {"epochs": 1, "lr": 0.005, "schedule": "cosine"},
    }


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("swa")
    synthetic_npz(root / "train.npz", 192, 31)
    synthetic_npz(root / "test.npz", 32, 32)
    return root


def test_window_is_the_last_epochs() -> None:
    assert [e for e in range(10) if in_window(e, 10, 3)] == [7, 8, 9]
    assert not any(in_window(e, 10, 0) for e in range(10))


def test_running_mean_equals_the_mean_and_keeps_counters() -> None:
    states = [{"w": torch.tensor([float(i), 2.0 * i]), "n": torch.tensor(i)} for i in (1, 2, 6)]
    average = None
    for count, state in enumerate(states):
        average = update_average(average, state, count)
    assert average is not None
    assert torch.allclose(average["w"], torch.tensor([3.0, 6.0]))
    assert average["n"].item() == 6  # integer buffers are copied, not averaged
    states[2]["w"] += 100.0
    assert torch.allclose(average["w"], torch.tensor([3.0, 6.0]))  # a copy, not a view


def test_batchnorm_statistics_are_those_of_the_data() -> None:
    conv, bn = nn.Conv2d(1, 3, 1), nn.BatchNorm2d(3)
    net = nn.Sequential(conv, bn)
    bn.running_mean.fill_(50.0)
    net.eval()
    x = torch.randn(16, 1, 4, 4) * 3.0 + 2.0
    assert recompute_batchnorm(net, [x]) == 1
    with torch.no_grad():
        features = conv(x)
    assert torch.allclose(bn.running_mean, features.mean(dim=(0, 2, 3)), atol=1e-5)
    expected_var = features.transpose(0, 1).reshape(3, -1).var(dim=1, unbiased=True)
    assert torch.allclose(bn.running_var, expected_var, rtol=1e-4)
    assert not net.training and bn.momentum == 0.1  # mode and momentum restored
    recompute_batchnorm(net, [x[:8], x[8:]])  # equal batches: the mean of all 16 images
    assert torch.allclose(bn.running_mean, features.mean(dim=(0, 2, 3)), atol=1e-5)


def test_window_longer_than_phase_or_in_qat_is_refused(data_root: Path) -> None:
    with pytest.raises(ConfigError, match="swa_epochs 4 must be between 0 and the phase's"):
        config_from_dict(_raw(data_root, swa_epochs=4))
    raw = _raw(data_root)
    raw["qat_phase"]["swa_epochs"] = 1
    with pytest.raises(ConfigError, match="for float_phase only"):
        config_from_dict(raw)


def test_average_is_validated_recorded_and_carded(data_root: Path) -> None:
    config = save_config(config_from_dict(_raw(data_root, swa_epochs=2)), data_root / "a.yaml")
    zoo, run = data_root / "zoo", data_root / "run"
    assert (
        train_cli_main(["train", "--config", str(config), "--out", str(run), "--zoo", str(zoo)])
        == 0
    )
    meta = qformat.load(zoo / "avg-v1" / "model.qmodel.npz").metadata
    swa = meta["weight_average"]["float"]
    assert swa["epochs"] == 2 and 0.0 <= swa["val_acc"] <= 1.0
    assert isinstance(swa["used"], bool)
    best_epoch = max(h["val_acc"] for h in meta["history"] if h["phase"] == "float")
    assert swa["used"] == (swa["val_acc"] >= best_epoch)
    assert meta["val_accuracy"]["float"] == max(best_epoch, swa["val_acc"])
    card = (zoo / "avg-v1" / "CARD.md").read_text()
    assert "weight averaging (SWA): mean of the last 2 float epochs" in card
    assert "weight average of 2 epochs" in (run / "train.log").read_text()


@pytest.mark.slow
def test_resume_inside_the_window_gives_the_same_average(data_root: Path) -> None:
    cfg = config_from_dict(_raw(data_root, swa_epochs=2))
    whole = train(cfg, data_root / "whole")
    split = data_root / "split"
    # 5 steps per epoch: stop inside epoch 1 (the window's first), then inside epoch 2
    assert not train(cfg, split, max_steps=8).finished
    assert train(cfg, split, resume=True, max_steps=4).state.swa_count == 1
    last = train(cfg, split, resume=True)
    assert last.finished
    assert whole.state.extra["float"]["swa"] == last.state.extra["float"]["swa"]
    a, b = whole.net.state_dict(), last.net.state_dict()
    for key in a:
        assert torch.equal(a[key], b[key]), key
