"""The pieces a training phase is assembled from: network, optimizer, LR schedule, loss."""

from __future__ import annotations

import math
import shutil
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from golden.errors import FerhilError
from models.nn.layers import FusedConv2d, FusedLinear, Mode, set_mode
from models.nn.network import FerNet
from models.nn.network_config import layer_shapes
from models.training.train_config import PhaseConfig, TrainConfig

OPTIMIZERS: tuple[str, ...] = ("sgd", "adamw")
SCHEDULES: tuple[str, ...] = ("onecycle", "cosine", "constant")


class SetupError(FerhilError, ValueError):
    """A training phase is misconfigured; the message names the key."""


def _dropout_hook(p: float) -> Any:
    def hook(module: nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...]:
        return (F.dropout(args[0], p, training=module.training), *args[1:])

    return hook


class FloatOnlyNet(nn.Module):
    """FerNet's layers without the MAX78000 legality check: float reference baselines only."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        layers: dict[str, nn.Module] = {}
        for shaped in layer_shapes(config):
            s = shaped.spec
            if s["op"] == "conv2d":
                layers[s["name"]] = FusedConv2d(
                    s["in_channels"],
                    s["out_channels"],
                    s["kernel_size"],
                    s["pad"],
                    s["pool"],
                    s["batchnorm"],
                    s["activation"],
                    s["weight_bits"],
                    s["bias"],
                    name=s["name"],
                )
            else:
                layers[s["name"]] = FusedLinear(
                    s["in_channels"],
                    s["out_channels"],
                    s["activation"],
                    s["wide"],
                    s["flatten"],
                    s["weight_bits"],
                    s["bias"],
                    name=s["name"],
                )
        self.layers = nn.ModuleDict(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the flattened output of the last layer."""
        for layer in self.layers.values():
            x = layer(x)
        return x.reshape(x.shape[0], -1)

    def set_mode(self, mode: Mode) -> FloatOnlyNet:
        """Switch every layer's mode (see :func:`models.nn.layers.set_mode`)."""
        set_mode(self, mode)
        return self


def build_network(cfg: TrainConfig) -> FerNet | FloatOnlyNet:
    """Build the config's :class:`FerNet` with training-only dropout on the configured layers.

    Dropout is a forward pre-hook on the named layer (active in ``train()`` only), so the
    network's parameters and state dict are exactly FerNet's. Parameters are channels-last.

    Raises:
        SetupError: when ``dropout`` names a layer the network does not have.
    """
    net: FerNet | FloatOnlyNet = (
        FloatOnlyNet(cfg.network) if cfg.float_only else FerNet(cfg.network or None)
    )
    for name, p in cfg.dropout.items():
        if name not in net.layers:
            raise SetupError(f"dropout names layer {name!r}; layers are {list(net.layers)}")
        if p > 0:
            net.layers[name].register_forward_pre_hook(_dropout_hook(float(p)))
    with torch.no_grad():
        for param in net.parameters():
            if param.dim() == 4:
                param.data = param.data.contiguous(memory_format=torch.channels_last)
    return net


def compiled(net: nn.Module) -> nn.Module:
    """Return ``torch.compile(net)``: the same parameters, a compiled forward and backward.

    Inductor generates and builds C++ for the CPU, so a compiler must be on ``PATH``.

    Raises:
        SetupError: when no C++ compiler is found (one line: how to get one, or turn it off).
    """
    if not any(shutil.which(cxx) for cxx in ("c++", "g++", "clang++")):
        raise SetupError(
            "compile: true needs a C++ compiler for torch.compile: install one "
            "(apt-get install g++) or set compile: false in the phase"
        )
    return torch.compile(net)  # type: ignore[return-value]


def make_optimizer(net: nn.Module, pcfg: PhaseConfig) -> torch.optim.Optimizer:
    """Return the phase's optimizer; biases and batch-norm parameters get no weight decay."""
    decay = [p for p in net.parameters() if p.dim() > 1]
    no_decay = [p for p in net.parameters() if p.dim() <= 1]
    groups = [
        {"params": decay, "weight_decay": pcfg.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    if pcfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=pcfg.lr, momentum=pcfg.momentum, nesterov=True)
    if pcfg.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=pcfg.lr)
    raise SetupError(f"optimizer {pcfg.optimizer!r} must be one of {OPTIMIZERS}")


def make_scheduler(
    optimizer: torch.optim.Optimizer, pcfg: PhaseConfig, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LRScheduler | None:
    """Return a per-step LR scheduler over the whole phase (``None`` for ``constant``)."""
    total = max(1, pcfg.epochs * steps_per_epoch)
    if pcfg.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            max_lr=pcfg.lr,
            total_steps=total + 1,
            pct_start=pcfg.warmup_fraction,
            div_factor=25.0,
            final_div_factor=1e3,
        )
    if pcfg.schedule == "cosine":

        def factor(step: int) -> float:
            return 0.5 * (1.0 + math.cos(math.pi * min(step, total) / total))

        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    if pcfg.schedule == "constant":
        return None
    raise SetupError(f"schedule {pcfg.schedule!r} must be one of {SCHEDULES}")


def soft_cross_entropy(
    logits: torch.Tensor,
    target: torch.Tensor,
    label_smoothing: float,
    class_weights: torch.Tensor | None,
    labels: torch.Tensor,
) -> torch.Tensor:
    """Cross-entropy against soft targets (mixup), with label smoothing and class weights.

    Args:
        logits: ``(N, K)`` network outputs.
        target: ``(N, K)`` target distributions.
        label_smoothing: mix ``target`` with the uniform distribution by this share.
        class_weights: ``(K,)`` per-class loss weights or ``None``.
        labels: ``(N,)`` original hard labels (they pick each sample's class weight).
    """
    k = logits.shape[1]
    if label_smoothing > 0:
        target = target * (1.0 - label_smoothing) + label_smoothing / k
    per_sample = -(target * F.log_softmax(logits, dim=1)).sum(dim=1)
    if class_weights is None:
        return per_sample.mean()
    w = class_weights[labels]
    return (per_sample * w).sum() / w.sum()
