"""Read one of izer's own test configurations (``tests/*.yaml`` with ``arch: test``).

izer runs these without a checkpoint (``izer/sampleweight.py``): the weights are the arrays stored
one after another in ``tests/weights_<dataset>.npy`` (or ``tests/<weights>.npy``), one per layer
with an operator, re-quantized to the layer's ``quantization`` by an arithmetic right shift of
``needed_bits - quantization`` where ``needed_bits = max(fls(|min'|), fls(|max'|)) + 2`` (``min'``
and ``max'`` are moved one toward zero when negative); the biases (already in hardware units) are
the arrays in ``tests/bias_<bias>.npy``; the sample input is ``tests/sample_<dataset>.npy``. The
rest is the network YAML, read as :mod:`models.export.import_ai8x` reads it, so the golden model of
a
test configuration can be compared with izer's output for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from golden.format import QuantModel
from models.export.ai8x_yaml import parse_network
from models.export.import_ai8x import Ai8xImportError, build_layers


@dataclass(frozen=True)
class IzerTestConfig:
    """A test configuration and the files izer reads for it."""

    network_yaml: Path
    weights: Path
    bias: Path | None
    sample: Path


def _fls(v: int) -> int:
    return v.bit_length() - 1 if v > 0 else -1


def _requantize(w: np.ndarray, quant: int) -> np.ndarray:
    hi, lo = int(w.max()), int(w.min())
    hi = hi + 1 if hi < 0 else hi
    lo = lo + 1 if lo < 0 else lo
    need = max(_fls(abs(lo)), _fls(abs(hi))) + 2
    return w >> (need - quant) if need > quant else w


def _arrays(path: Path) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    with path.open("rb") as fh:
        while True:
            try:
                out.append(np.load(fh, allow_pickle=False))
            except (ValueError, EOFError, OSError):
                return out


def find_files(network_yaml: Path) -> tuple[dict[str, Any], IzerTestConfig | None]:
    """Return the parsed YAML and its files, or ``None`` when it is not a complete test config."""
    cfg = yaml.safe_load(network_yaml.read_text(encoding="utf-8"))
    if not isinstance(cfg, dict) or str(cfg.get("arch")) != "test":
        return cfg, None
    tests = network_yaml.parent
    dataset = str(cfg.get("dataset", "")).lower()
    weights = tests / (f"{cfg['weights']}.npy" if "weights" in cfg else f"weights_{dataset}.npy")
    bias = tests / f"bias_{cfg['bias']}.npy" if "bias" in cfg else None
    sample = tests / f"sample_{dataset}.npy"
    if not weights.is_file() or not sample.is_file() or (bias is not None and not bias.is_file()):
        return cfg, None
    return cfg, IzerTestConfig(network_yaml, weights, bias, sample)


def import_test_config(files: IzerTestConfig, cfg: dict[str, Any]) -> QuantModel:
    """Build the golden model izer simulates for a test configuration.

    Raises:
        Ai8xImportError / Ai8xYamlError: the configuration uses what ferhil does not model.
    """
    specs = parse_network(cfg)
    weights = _arrays(files.weights)
    if len(weights) == 1:  # one stacked array: layer i is element i of its first axis
        weights = list(weights[0])
    biases = _arrays(files.bias) if files.bias is not None else []
    state: dict[str, torch.Tensor] = {}
    k = 0
    for spec in specs:
        if spec.op == "none":
            continue
        if k >= len(weights):
            raise Ai8xImportError(f"{files.weights.name} holds only {len(weights)} layers")
        w = _requantize(weights[k].astype(np.int64), spec.quantization or 8)
        if spec.op == "linear":
            w = w.reshape(w.shape[0], -1)
        elif spec.op == "conv1d":
            w = w.reshape(w.shape[0], w.shape[1], -1)
        if spec.op == "convtranspose2d":  # stored as izer computes with; undo build_layers' flip
            w = np.flip(w.swapaxes(0, 1), axis=(2, 3))
        state[f"L{k}.op.weight"] = torch.from_numpy(np.ascontiguousarray(w))
        if k < len(biases):
            state[f"L{k}.op.bias"] = torch.from_numpy(biases[k].astype(np.int64) * 128)
        k += 1
    layers = build_layers(specs, state)
    sample = np.load(files.sample, allow_pickle=False)
    model = QuantModel("izer-test", "1", tuple(sample.shape), (), "none", layers)
    model.validate()
    return model
