"""Shared pieces of the training tests: a tiny legal network and a learnable synthetic set."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TINY_NET = {
    "input_shape": [1, 48, 48],
    "classes": ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"],
    "layers": [
        {"name": "conv1", "op": "conv2d", "out_channels": 8},
        {
            "name": "conv2",
            "op": "conv2d",
            "out_channels": 16,
            "pool": {"kind": "max", "kernel": 4, "stride": 4},
        },
        {
            "name": "conv3",
            "op": "conv2d",
            "out_channels": 16,
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
    ],
}


def synthetic_npz(path: Path, n: int, seed: int) -> Path:
    """Images whose brightness pattern depends on the class, so a tiny net can learn a bit."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 7, n)
    base = rng.integers(0, 60, (n, 48, 48))
    rows = (np.arange(48) // 7)[None, :, None]
    images = np.clip(base + 150 * (rows == labels[:, None, None]), 0, 255).astype(np.uint8)
    np.savez(path, images=images, labels=labels)
    return path
