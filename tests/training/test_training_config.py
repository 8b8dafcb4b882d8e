"""models.training.train_config / train_setup: config parsing and network assembly."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from models.training.checkpointing import TrainState, load_checkpoint, save_checkpoint
from models.training.train_config import ConfigError, config_from_dict, load_config, save_config
from models.training.train_setup import SetupError, build_network, soft_cross_entropy

REPO = Path(__file__).resolve().parents[2]
WIDE = {
    "layers": [
        {"name": "conv1", "op": "conv2d", "out_channels": 256},
        {
            "name": "conv2",
            "op": "conv2d",
            "out_channels": 512,
            "pool": {"kind": "max", "kernel": 4, "stride": 4},
        },
        {
            "name": "fc",
            "op": "linear",
            "out_channels": 7,
            "flatten": True,
            "wide": True,
            "activation": "none",
        },
    ]
}


def test_unknown_keys_are_errors() -> None:
    with pytest.raises(ConfigError, match="unknown key"):
        config_from_dict({"epochz": 3})
    with pytest.raises(ConfigError, match="section 'data'"):
        config_from_dict({"data": {"trian": "x"}})


def test_committed_configs_load_and_roundtrip(tmp_path: Path) -> None:
    configs = sorted((REPO / "models" / "configs").glob("*.yaml"))
    assert configs
    for path in configs:
        cfg = load_config(path)
        again = load_config(save_config(cfg, tmp_path / path.name))
        assert again == cfg


def test_float_only_skips_legality_but_fernet_refuses() -> None:
    net = build_network(config_from_dict({"network": WIDE, "float_only": True}))
    assert net(torch.zeros(2, 1, 48, 48)).shape == (2, 7)
    with pytest.raises(Exception, match="weight"):
        build_network(config_from_dict({"network": WIDE}))


def test_dropout_must_name_a_layer() -> None:
    with pytest.raises(SetupError, match="dropout names layer 'nope'"):
        build_network(config_from_dict({"dropout": {"nope": 0.5}}))


def test_soft_cross_entropy_matches_torch() -> None:
    logits = torch.randn(5, 7, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 3, 6, 2, 2])
    onehot = torch.nn.functional.one_hot(y, 7).float()
    ref = torch.nn.functional.cross_entropy(logits, y, label_smoothing=0.1)
    assert torch.allclose(soft_cross_entropy(logits, onehot, 0.1, None, y), ref)
    w = torch.arange(1.0, 8.0)
    ref_w = torch.nn.functional.cross_entropy(logits, y, weight=w)
    assert torch.allclose(soft_cross_entropy(logits, onehot, 0.0, w, y), ref_w)


def test_checkpoint_roundtrip_is_atomic_file(tmp_path: Path) -> None:
    net = torch.nn.Linear(3, 2)
    state = TrainState(phase="qat", epoch=4, step=2, best_val=0.5, history=[{"epoch": 0}])
    path = save_checkpoint(tmp_path / "c.pt", state, net, None, None)
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]  # no temporary file left behind
    back = load_checkpoint(path)
    assert back["state"].epoch == 4 and back["state"].phase == "qat"
    assert torch.equal(back["model"]["weight"], net.weight)
