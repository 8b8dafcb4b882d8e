"""Distillation from float teachers and the training precision option."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from training_testkit import TINY_NET, synthetic_npz

from models.training.distill import (
    TEACHER_FILE,
    DistillConfig,
    DistillError,
    compute_teacher_probs,
    distill_targets,
    teacher_probs,
)
from models.training.train import cpu_has_fast_bf16, resolve_precision, train
from models.training.train_cli import main as train_cli_main
from models.training.train_config import ConfigError, config_from_dict, save_config
from models.training.train_data import prepare_data


def _raw(root: Path, name: str) -> dict[str, object]:
    return {
        "name": name,
        "version": "1",
        "zoo_name": f"{name}-v1",
        "seed": 3,
        "batch_size": 32,
        "threads": 1,
        "data": {
            "train": str(root / "train.npz"),
            "test": str(root / "test.npz"),
            "val_fraction": 0.125,
        },
        "network": TINY_NET,
        "float_phase": {"epochs": 1, "lr": 0.05},
        "qat_phase": {"epochs": 0},
    }


@pytest.fixture(scope="module")
def teacher_zoo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("distill")
    synthetic_npz(root / "train.npz", 192, 11)
    synthetic_npz(root / "test.npz", 32, 12)
    config = save_config(config_from_dict(_raw(root, "teach")), root / "teach.yaml")
    zoo = root / "zoo"
    args = ["train", "--config", str(config), "--out", str(root / "trun"), "--zoo", str(zoo)]
    assert train_cli_main(args) == 0
    return {"root": root, "teacher": zoo / "teach-v1"}


def test_targets_blend_labels_and_teacher() -> None:
    one_hot = torch.eye(7)[[0, 3]]
    teacher = torch.full((2, 7), 1.0 / 7)
    mixed = distill_targets(one_hot, teacher, 0.25)
    assert torch.allclose(mixed.sum(dim=1), torch.ones(2))
    assert mixed[0, 0] == pytest.approx(0.75 + 0.25 / 7)
    assert torch.equal(distill_targets(one_hot, None, 0.5), one_hot)
    assert torch.equal(distill_targets(one_hot, teacher, 0.0), one_hot)


def test_teacher_probs_are_cached_per_input_and_teacher(
    teacher_zoo: dict[str, Path], tmp_path: Path
) -> None:
    cfg = DistillConfig(teachers=[str(teacher_zoo["teacher"])], weight=0.5, temperature=2.0)
    x = torch.rand(20, 1, 48, 48) - 0.5
    probs = teacher_probs(cfg, x, tmp_path)
    assert probs.shape == (20, 7)
    assert torch.allclose(probs.sum(dim=1), torch.ones(20), atol=1e-5)
    stamp = (tmp_path / TEACHER_FILE).stat().st_mtime_ns
    assert torch.equal(teacher_probs(cfg, x, tmp_path), probs)  # read back, not recomputed
    assert (tmp_path / TEACHER_FILE).stat().st_mtime_ns == stamp
    hotter = dataclasses.replace(cfg, temperature=8.0)
    flatter = teacher_probs(hotter, x, tmp_path)  # another key: recomputed
    assert flatter.max() < probs.max()


def test_teacher_without_float_weights_is_refused(
    teacher_zoo: dict[str, Path], tmp_path: Path
) -> None:
    bare = tmp_path / "bare-v1"
    shutil.copytree(teacher_zoo["teacher"], bare)
    (bare / "float_weights.npz").unlink()
    cfg = DistillConfig(teachers=[str(bare)])
    with pytest.raises(DistillError, match=r"no float_weights\.npz"):
        compute_teacher_probs(cfg, torch.zeros(2, 1, 48, 48))


@pytest.mark.slow
def test_distilled_run_resumes_exactly(teacher_zoo: dict[str, Path]) -> None:
    root = teacher_zoo["root"]
    raw = _raw(root, "student")
    raw["distill"] = {"teachers": [str(teacher_zoo["teacher"])], "weight": 0.6}
    raw["float_phase"] = {"epochs": 2, "lr": 0.05}
    cfg = dataclasses.replace(config_from_dict(raw), checkpoint_minutes=1000.0)
    whole = train(cfg, root / "whole")
    stored = np.load(root / "whole" / TEACHER_FILE)["probs"]
    data = prepare_data(cfg.data, cfg.seed)
    assert stored.shape == (len(data.train_y), 7)
    # the student's targets really are the teacher's: the stored probabilities are its softmax
    fresh = compute_teacher_probs(cfg.distill, data.train_x).numpy()
    assert np.allclose(stored, fresh, atol=1e-6)
    split = root / "split"
    assert not train(cfg, split, max_steps=4).finished
    last = train(cfg, split, resume=True)
    assert last.finished
    for key, value in whole.net.state_dict().items():
        assert torch.equal(value, last.net.state_dict()[key]), key


def test_precision_is_checked_and_auto_follows_the_cpu() -> None:
    with pytest.raises(ConfigError, match="precision"):
        config_from_dict({"float_phase": {"precision": "fp16"}})
    assert resolve_precision("auto") == ("bf16" if cpu_has_fast_bf16() else "fp32")
    assert resolve_precision("fp32") == "fp32" and resolve_precision("bf16") == "bf16"


def test_bf16_phase_trains_to_finite_loss(teacher_zoo: dict[str, Path]) -> None:
    raw = _raw(teacher_zoo["root"], "bf")
    raw["float_phase"] = {"epochs": 1, "lr": 0.05, "precision": "bf16"}
    run = train(config_from_dict(raw), teacher_zoo["root"] / "bf16", max_steps=2)
    assert np.isfinite(run.state.extra["last_loss"])
    assert run.state.step == 2
