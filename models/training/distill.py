"""Knowledge distillation: soft targets from float teachers, stored once per run.

A teacher is any float network that never goes on the chip: here the float weights of zoo
entries (``float_weights.npz``), averaged as an ensemble, optionally with the horizontal mirror
(test-time augmentation makes a better teacher). The teacher's class probabilities for every
training image are computed once, at temperature ``T``, and stored in the run folder
(``teacher_probs.npz``, keyed by a hash of the training inputs and the teacher list, so a changed
split or teacher recomputes them). The student's target is then::

    target = (1 - weight) * one_hot(label) + weight * softmax(teacher_logits / T)

which composes with mixup/cutmix (targets are mixed like the inputs) and label smoothing. The
stored file is small (N x 7 float32) and never goes into the repository.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from golden.errors import FerhilError
from models.training.float_weights import load_zoo_float_net

log = logging.getLogger("ferhil.train")
TEACHER_FILE = "teacher_probs.npz"


class DistillError(FerhilError, ValueError):
    """The distillation section of a training config cannot be used; the message says why."""


@dataclass(frozen=True)
class DistillConfig:
    """The ``distill`` section of a training config.

    Attributes:
        teachers: zoo model names (or ``.qmodel.npz`` paths) whose float weights are the teachers;
            empty disables distillation.
        weight: share of the teacher distribution in the target (0 = labels only).
        temperature: softmax temperature of the teacher logits.
        hflip: average each teacher over the image and its mirror.
        batch_size: inference batch of the one-off teacher pass.
    """

    teachers: list[str] = field(default_factory=list)
    weight: float = 0.5
    temperature: float = 2.0
    hflip: bool = True
    batch_size: int = 512

    @property
    def enabled(self) -> bool:
        """True when teachers are configured and the weight is positive."""
        return bool(self.teachers) and self.weight > 0


def _key(cfg: DistillConfig, x: torch.Tensor) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(x.numpy()).tobytes())
    digest.update(repr((cfg.teachers, cfg.temperature, cfg.hflip)).encode())
    return digest.hexdigest()


@torch.no_grad()
def _teacher_logits(net: torch.nn.Module, x: torch.Tensor, cfg: DistillConfig) -> torch.Tensor:
    net.eval()
    out = []
    for i in range(0, len(x), cfg.batch_size):
        xb = x[i : i + cfg.batch_size].contiguous(memory_format=torch.channels_last)
        logits = net(xb).float()
        if cfg.hflip:
            logits = 0.5 * (logits + net(torch.flip(xb, dims=[3])).float())
        out.append(logits)
    return torch.cat(out) if out else torch.zeros(0, 7)


def compute_teacher_probs(cfg: DistillConfig, x: torch.Tensor) -> torch.Tensor:
    """Return the ensemble's ``(N, K)`` class probabilities at ``cfg.temperature``.

    Raises:
        DistillError: when a teacher has no float weights.
    """
    probs: torch.Tensor | None = None
    for ref in cfg.teachers:
        net = load_zoo_float_net(ref)
        if net is None:
            raise DistillError(
                f"distill teacher {ref!r} has no float_weights.npz: pick a zoo model that has one"
            )
        p = torch.softmax(_teacher_logits(net, x, cfg) / cfg.temperature, dim=1)
        probs = p if probs is None else probs + p
        log.info("distill: teacher %s done (%d images)", ref, len(x))
    assert probs is not None
    return probs / len(cfg.teachers)


def teacher_probs(cfg: DistillConfig, x: torch.Tensor, run_dir: Path) -> torch.Tensor:
    """Return the teacher probabilities for ``x``, from ``run_dir/teacher_probs.npz`` if current.

    The file is rewritten when the inputs or the teacher list changed (resume-safe: a resumed run
    finds the same file and the same targets).
    """
    path = run_dir / TEACHER_FILE
    key = _key(cfg, x)
    if path.is_file():
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) == key:
                return torch.from_numpy(data["probs"])
    probs = compute_teacher_probs(cfg, x).float()
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, key=np.array(key), probs=probs.numpy())
    tmp.replace(path)
    return probs


def distill_targets(
    one_hot: torch.Tensor, teacher: torch.Tensor | None, weight: float
) -> torch.Tensor:
    """Blend hard targets with the teacher's distribution (``teacher`` None = labels only)."""
    if teacher is None or weight <= 0:
        return one_hot
    return (1.0 - weight) * one_hot + weight * teacher
