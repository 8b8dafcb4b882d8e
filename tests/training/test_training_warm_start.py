"""``init_from``: a run starts from the float weights of a zoo entry of the same layout."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from training_testkit import TINY_NET, synthetic_npz

from golden import format as qformat
from golden.zoo import ZooError
from models.training.float_weights import FLOAT_WEIGHTS_FILE, WarmStartError, warm_start
from models.training.split_check import foreign_splits
from models.training.train import train
from models.training.train_cli import main as train_cli_main
from models.training.train_config import config_from_dict, save_config
from models.training.train_setup import build_network


def _raw(root: Path, network: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "warm",
        "version": "1",
        "zoo_name": "warm-v1",
        "seed": 5,
        "batch_size": 32,
        "threads": 1,
        "data": {"train": str(root / "train.npz"), "test": str(root / "test.npz")},
        "network": network,
        "float_phase": {"epochs": 1, "lr": 0.05},
        "qat_phase": {"epochs": 0},
        **extra,
    }


@pytest.fixture(scope="module")
def start_entry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A zoo entry trained for one epoch on synthetic data (the warm-start source)."""
    root = tmp_path_factory.mktemp("warm")
    synthetic_npz(root / "train.npz", 160, 21)
    synthetic_npz(root / "test.npz", 32, 22)
    config = save_config(config_from_dict(_raw(root, TINY_NET)), root / "start.yaml")
    zoo = root / "zoo"
    args = ["train", "--config", str(config), "--out", str(root / "run"), "--zoo", str(zoo)]
    assert train_cli_main(args) == 0
    return zoo / "warm-v1"


def _stored(entry: Path) -> dict[str, np.ndarray]:
    with np.load(entry / FLOAT_WEIGHTS_FILE, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def test_warm_start_copies_every_float_tensor(start_entry: Path) -> None:
    cfg = config_from_dict(_raw(start_entry, TINY_NET))
    net = build_network(cfg)
    before = copy.deepcopy(net.state_dict())
    copied = warm_start(net, str(start_entry))
    stored = _stored(start_entry)
    floats = {k: v for k, v in net.state_dict().items() if v.is_floating_point()}
    assert copied == len(floats) > 0
    for key, value in floats.items():
        np.testing.assert_array_equal(value.numpy(), stored[key], err_msg=key)
    assert not torch.equal(before["layers.conv1.op.weight"], floats["layers.conv1.op.weight"])


def test_run_with_init_from_starts_at_the_entry(start_entry: Path, tmp_path: Path) -> None:
    root = start_entry.parent.parent
    cfg = config_from_dict(_raw(root, TINY_NET, init_from=str(start_entry)))
    result = train(cfg, tmp_path / "run", max_steps=0)
    assert not result.finished
    stored = _stored(start_entry)
    for key, value in result.net.state_dict().items():
        if value.is_floating_point():
            np.testing.assert_array_equal(value.numpy(), stored[key], err_msg=key)
    assert "float weights from" in (tmp_path / "run" / "train.log").read_text()


def test_other_layout_is_refused_before_anything_is_copied(start_entry: Path) -> None:
    wider = copy.deepcopy(TINY_NET)
    wider["layers"][1]["out_channels"] = 24
    net = build_network(config_from_dict(_raw(start_entry, wider)))
    before = copy.deepcopy(net.state_dict())
    with pytest.raises(WarmStartError, match=r"does not fit this network at layers\.conv2"):
        warm_start(net, str(start_entry))
    for key, value in net.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_entry_without_float_weights_says_what_to_do(start_entry: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(start_entry, bare)
    (bare / FLOAT_WEIGHTS_FILE).unlink()
    net = build_network(config_from_dict(_raw(start_entry, TINY_NET)))
    with pytest.raises(WarmStartError, match=r"has no float_weights\.npz.*drop init_from"):
        warm_start(net, str(bare))


def test_unknown_model_is_a_zoo_error(start_entry: Path) -> None:
    net = build_network(config_from_dict(_raw(start_entry, TINY_NET)))
    with pytest.raises(ZooError, match="neither a file nor a zoo name"):
        warm_start(net, str(start_entry.parent / "no-such-model"))


def test_start_point_from_another_split_is_flagged(start_entry: Path, tmp_path: Path) -> None:
    root = start_entry.parent.parent
    same = config_from_dict(_raw(root, TINY_NET, init_from=str(start_entry)))
    assert foreign_splits(same) == []
    other = config_from_dict(_raw(root, TINY_NET, init_from=str(start_entry), seed=6))
    (reason,) = foreign_splits(other)
    assert "another split (seed 5 vs 6)" in reason
    train(other, tmp_path / "run", max_steps=0)
    assert "validation accuracy will be optimistic" in (tmp_path / "run" / "train.log").read_text()
    bare = tmp_path / "bare"
    shutil.copytree(start_entry, bare)
    (bare / "config.yaml").unlink()
    unknown = config_from_dict(_raw(root, TINY_NET, init_from=str(bare)))
    assert "its training split is unknown" in foreign_splits(unknown)[0]


def test_resume_needs_no_start_model_in_the_zoo(start_entry: Path, tmp_path: Path) -> None:
    root = start_entry.parent.parent
    moved = tmp_path / "moved"
    shutil.copytree(start_entry, moved)
    cfg = config_from_dict(_raw(root, TINY_NET, init_from=str(moved)))
    first = train(cfg, tmp_path / "run", max_steps=2)
    assert not first.finished
    shutil.rmtree(moved)  # the start model left the zoo: the checkpoint has the weights
    resumed = train(cfg, tmp_path / "run", resume=True)
    assert resumed.finished
    assert [row["phase"] for row in resumed.state.history] == ["float"]  # the one epoch, done
    log = (tmp_path / "run" / "train.log").read_text()
    assert log.count("float weights from") == 1 and "resumed float" in log


def test_qat_only_run_exports_the_start_points_float_weights(
    start_entry: Path, tmp_path: Path
) -> None:
    root = start_entry.parent.parent
    raw = _raw(root, TINY_NET, init_from=str(start_entry), zoo_name="warm-q1")
    raw["float_phase"] = {"epochs": 0, "lr": 0.05}
    raw["qat_phase"] = {"epochs": 1, "lr": 0.003}
    config = save_config(config_from_dict(raw), tmp_path / "qat-only.yaml")
    zoo = tmp_path / "zoo"
    args = ["train", "--config", str(config), "--out", str(tmp_path / "run"), "--zoo", str(zoo)]
    assert train_cli_main(args) == 0
    entry = zoo / "warm-q1"
    assert _stored(entry).keys() == _stored(start_entry).keys()
    for key, value in _stored(start_entry).items():
        np.testing.assert_array_equal(_stored(entry)[key], value, err_msg=key)
    meta = qformat.load(entry / "model.qmodel.npz").metadata
    assert meta["epochs"] == {"float": 0, "qat": 1}
    assert meta["test_accuracy"]["float"] is not None
    assert "0 epochs; the float weights are" in (tmp_path / "run" / "train.log").read_text()
