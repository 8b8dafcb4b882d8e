"""Batched, seeded image augmentation for 48x48 grey faces (torch ops, fast on a CPU).

Every random draw comes from the ``torch.Generator`` passed in, so a batch augmented twice from
the same generator state is identical. Inputs and outputs are float tensors ``(N, 1, H, W)`` in
the training scale ``int8 / 128`` (``[-1, 127/128]``; see :mod:`golden.input_mapping`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

INPUT_MIN = -1.0
INPUT_MAX = 127.0 / 128.0


@dataclass(frozen=True)
class AugmentConfig:
    """Strength of each augmentation; 0 disables it.

    Attributes:
        hflip: probability of a horizontal flip.
        rotate_deg: maximum absolute rotation in degrees.
        scale: maximum relative zoom (0.1 = zoom in [0.9, 1.1]).
        shift: maximum shift as a fraction of the image side.
        brightness: maximum additive brightness change (input units).
        contrast: maximum relative contrast change (0.2 = factor in [0.8, 1.2]).
        erase_p: probability of random erasing (one rectangle filled with noise).
        erase_max_area: maximum erased fraction of the image.
        mixup_alpha: Beta(alpha, alpha) mixup; 0 disables.
        cutmix_p: probability that a batch uses cutmix instead of mixup.
    """

    hflip: float = 0.5
    rotate_deg: float = 10.0
    scale: float = 0.1
    shift: float = 0.1
    brightness: float = 0.15
    contrast: float = 0.25
    erase_p: float = 0.5
    erase_max_area: float = 0.2
    mixup_alpha: float = 0.0
    cutmix_p: float = 0.0


def _uniform(n: int, bound: float, gen: torch.Generator) -> torch.Tensor:
    return (torch.rand(n, generator=gen) * 2.0 - 1.0) * bound


def geometric(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """Apply a random flip, rotation, zoom and shift to each image (bilinear, edge padding)."""
    n = x.shape[0]
    angle = _uniform(n, math.radians(cfg.rotate_deg), gen)
    zoom = 1.0 + _uniform(n, cfg.scale, gen)
    flip = torch.where(torch.rand(n, generator=gen) < cfg.hflip, -1.0, 1.0)
    tx = _uniform(n, 2.0 * cfg.shift, gen)
    ty = _uniform(n, 2.0 * cfg.shift, gen)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        [torch.stack([cos * flip, -sin, tx], 1), torch.stack([sin * flip, cos, ty], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def photometric(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """Apply a random contrast (around each image's mean) and brightness change."""
    n = x.shape[0]
    c = (1.0 + _uniform(n, cfg.contrast, gen)).view(n, 1, 1, 1)
    b = _uniform(n, cfg.brightness, gen).view(n, 1, 1, 1)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * c + mean + b


def random_erase(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """Fill one random rectangle of some images with uniform noise."""
    n, _, h, w = x.shape
    area = torch.rand(n, generator=gen) * cfg.erase_max_area * h * w
    aspect = torch.exp(_uniform(n, math.log(3.0), gen))
    eh = torch.sqrt(area * aspect).clamp(1, h).long()
    ew = torch.sqrt(area / aspect).clamp(1, w).long()
    y0 = (torch.rand(n, generator=gen) * (h - eh + 1).float()).long()
    x0 = (torch.rand(n, generator=gen) * (w - ew + 1).float()).long()
    apply = torch.rand(n, generator=gen) < cfg.erase_p
    rows = torch.arange(h).view(1, h, 1)
    cols = torch.arange(w).view(1, 1, w)
    mask = (
        (rows >= y0.view(n, 1, 1))
        & (rows < (y0 + eh).view(n, 1, 1))
        & (cols >= x0.view(n, 1, 1))
        & (cols < (x0 + ew).view(n, 1, 1))
        & apply.view(n, 1, 1)
    ).unsqueeze(1)
    noise = torch.rand(x.shape, generator=gen) * (INPUT_MAX - INPUT_MIN) + INPUT_MIN
    return torch.where(mask, noise, x)


def augment_batch(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """Return an augmented copy of ``x`` (N,1,H,W), clamped to the input range."""
    if cfg.hflip or cfg.rotate_deg or cfg.scale or cfg.shift:
        x = geometric(x, cfg, gen)
    if cfg.brightness or cfg.contrast:
        x = photometric(x, cfg, gen)
    if cfg.erase_p:
        x = random_erase(x, cfg, gen)
    return x.clamp(INPUT_MIN, INPUT_MAX)


def mix_batch(
    x: torch.Tensor, y: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixup or cutmix ``x`` with a shuffled copy; ``y`` (N, classes) soft targets are mixed too.

    Returns the batch unchanged when ``mixup_alpha`` is 0.
    """
    if cfg.mixup_alpha <= 0:
        return x, y
    n, _, h, w = x.shape
    perm = torch.randperm(n, generator=gen)
    draw = int(torch.randint(0, 2**31 - 1, (1,), generator=gen))
    lam = float(np.random.default_rng(draw).beta(cfg.mixup_alpha, cfg.mixup_alpha))
    if float(torch.rand(1, generator=gen)) < cfg.cutmix_p:
        ch, cw = int(h * math.sqrt(1 - lam)), int(w * math.sqrt(1 - lam))
        cy = int(torch.randint(0, h - ch + 1, (1,), generator=gen))
        cx = int(torch.randint(0, w - cw + 1, (1,), generator=gen))
        x = x.clone()
        x[:, :, cy : cy + ch, cx : cx + cw] = x[perm, :, cy : cy + ch, cx : cx + cw]
        lam = 1.0 - (ch * cw) / (h * w)
    else:
        x = lam * x + (1 - lam) * x[perm]
    return x, lam * y + (1 - lam) * y[perm]
