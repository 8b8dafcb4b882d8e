"""Network configurations: a list of layer dicts (YAML-friendly) describing a ``FerNet``.

A configuration is a mapping::

    input_shape: [1, 48, 48]
    classes: [angry, disgust, fear, happy, sad, surprise, neutral]
    layers:
      - {name: conv1, op: conv2d, out_channels: 16, kernel_size: 3, pad: 1,
         pool: null, batchnorm: true, activation: relu, weight_bits: 8, bias: true}
      - {name: conv2, op: conv2d, out_channels: 32, pool: {kind: max, kernel: 2, stride: 2}}
      - {name: fc, op: linear, out_channels: 7, flatten: true, wide: true, activation: none}

Input channels/features are inferred from the previous layer. Omitted keys take the defaults
in :data:`CONV_DEFAULTS` / :data:`LINEAR_DEFAULTS`; ``dropout`` (training only, applied to the
layer input in float/QAT mode, never in simulate mode or the quantized model) defaults to 0.
:func:`layer_shapes` propagates ``(C, H, W)`` through the layers and refuses configurations
whose shapes do not fit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from golden.format import FER_CLASSES
from models.nn.layer_rules import IllegalLayerError, parse_pool

CONV_DEFAULTS: dict[str, Any] = {
    "kernel_size": 3,
    "pad": 1,
    "pool": None,
    "batchnorm": True,
    "activation": "relu",
    "weight_bits": 8,
    "bias": True,
    "dropout": 0.0,
}
LINEAR_DEFAULTS: dict[str, Any] = {
    "activation": "none",
    "flatten": False,
    "wide": False,
    "weight_bits": 8,
    "bias": True,
    "dropout": 0.0,
}


@dataclass(frozen=True)
class ShapedLayer:
    """A layer spec with its defaults filled in and its input/output shapes.

    Attributes:
        spec: the complete layer dict (``name``, ``op``, ``in_channels``, ``out_channels``...).
        in_shape: ``(C, H, W)`` entering the layer (before pooling).
        out_shape: ``(C, H, W)`` leaving it (``(O, 1, 1)`` for linear).
    """

    spec: dict[str, Any]
    in_shape: tuple[int, int, int]
    out_shape: tuple[int, int, int]


def default_network_config() -> dict[str, Any]:
    """Return the default FER CNN: 1x48x48 -> 7 classes, VGG-like, about 19.5 M MACs.

    conv 1->16 @48 | pool2, 16->32 @24 | 32->32 @24 | pool2, 32->64 @12 | 64->64 @12 |
    pool2, 64->128 @6 | pool2, 128->64 @3 | flatten 576 -> linear 7 (wide). All 3x3, pad 1,
    batch-norm + ReLU, 8-bit; about 221 K weight bytes of the 432 KiB weight memory.
    """
    mp2 = {"kind": "max", "kernel": 2, "stride": 2}
    chans = [(16, None), (32, mp2), (32, None), (64, mp2), (64, None), (128, mp2), (64, mp2)]
    layers: list[dict[str, Any]] = [
        {"name": f"conv{i + 1}", "op": "conv2d", "out_channels": c, "pool": p}
        for i, (c, p) in enumerate(chans)
    ]
    layers.append(
        {
            "name": "fc",
            "op": "linear",
            "out_channels": len(FER_CLASSES),
            "flatten": True,
            "wide": True,
            "activation": "none",
        }
    )
    return {"input_shape": [1, 48, 48], "classes": list(FER_CLASSES), "layers": layers}


def load_network_config(path: str | Path) -> dict[str, Any]:
    """Read a network configuration from a YAML file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise IllegalLayerError(f"no network configuration at {path}")
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or "layers" not in data:
        raise IllegalLayerError(f"{path}: a network configuration needs a 'layers:' list")
    return data


def layer_shapes(config: Mapping[str, Any]) -> list[ShapedLayer]:
    """Fill in defaults and propagate shapes through ``config['layers']``.

    Raises:
        IllegalLayerError: for an unknown op, a missing output size, a window that does not fit
            or a linear layer on spatial data without ``flatten``.
    """
    c, h, w = (int(v) for v in config.get("input_shape", (1, 48, 48)))
    shaped: list[ShapedLayer] = []
    for i, raw in enumerate(config["layers"]):
        spec = copy.deepcopy(dict(raw))
        name = str(spec.setdefault("name", f"layer{i + 1}"))
        op = spec.get("op", "conv2d")
        if "out_features" in spec:
            spec["out_channels"] = spec.pop("out_features")
        if "out_channels" not in spec:
            raise IllegalLayerError(f"layer {name!r}: give out_channels")
        out = int(spec["out_channels"])
        in_shape = (c, h, w)
        if op == "conv2d":
            spec = {**CONV_DEFAULTS, **spec}
            pool = parse_pool(name, spec["pool"])
            if pool is not None:
                (kh, kw), s = pool.kernel, pool.stride
                if h < kh or w < kw:
                    raise IllegalLayerError(f"layer {name!r}: pool {kh}x{kw} larger than {h}x{w}")
                h, w = (h - kh) // s + 1, (w - kw) // s + 1
                spec["pool"] = pool.to_json()
            k, pad = int(spec["kernel_size"]), int(spec["pad"])
            h, w = h + 2 * pad - k + 1, w + 2 * pad - k + 1
            if h < 1 or w < 1:
                raise IllegalLayerError(f"layer {name!r}: kernel {k} / pad {pad} do not fit")
            spec["in_channels"] = c
            c = out
        elif op == "linear":
            spec = {**LINEAR_DEFAULTS, **spec}
            if "pool" in spec and spec["pool"] is not None:
                raise IllegalLayerError(
                    f"layer {name!r}: a linear layer cannot pool; pool in the conv layer before"
                )
            spec.pop("pool", None)
            if (h, w) != (1, 1) and not spec["flatten"]:
                raise IllegalLayerError(
                    f"layer {name!r}: a linear layer on {c}x{h}x{w} data needs flatten: true"
                )
            spec["in_channels"] = c * h * w
            c, h, w = out, 1, 1
        else:
            raise IllegalLayerError(f"layer {name!r}: op {op!r} must be 'conv2d' or 'linear'")
        spec["op"] = op
        shaped.append(ShapedLayer(spec=spec, in_shape=in_shape, out_shape=(c, h, w)))
    return shaped
