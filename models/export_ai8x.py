"""Export a quantized model for ADI's izer (``ai8xize.py``): checkpoint, network YAML, sample.

:func:`export_ai8x` writes into ``out_dir``:

``checkpoint.pth.tar``
    ``torch.save`` of ``{"arch", "epoch", "state_dict", "extras"}`` shaped like an
    ai8x-training quantized checkpoint (spec ``max78000-arithmetic.md`` §2.2, §3.6): per layer
    ``<L>.op.weight`` (the integer weights as float tensors), ``<L>.op.bias`` (stored bias =
    hardware bias ``* 2**(q-1)``, so izer's ``floor(stored / 2**(q-1))`` gives the hardware bias
    back exactly), ``<L>.output_shift``, ``<L>.weight_bits``, ``<L>.bias_bits`` (= ``q``, as
    ``quantize.py`` writes), ``<L>.quantize_activation`` (1), ``<L>.adjust_output_shift`` (0) and
    ``<L>.shift_quantile`` (1). ``extras["ferhil"]`` keeps the model name, version, classes,
    input shape/mapping and hash for :mod:`models.import_ai8x`.
``network.yaml``
    izer's network description (spec §3.4); processors and offsets from
    :mod:`models.ai8x_layout`. Every layer states ``quantization`` explicitly because some izer
    versions infer the weight width from the weight values (``izer/checkpoint.py``), and every
    conv layer states ``pad`` because izer's default is 1 (``izer/yamlcfg.py``). ``kernel_size``
    is omitted for ``mlp`` layers (izer refuses it there), and no per-layer ``name`` key is
    written (older izer versions reject unknown keys); names are in comments.
``sample_input.npy``
    int64 ``(C, H, W)`` in [-128, 127] for ``ai8xize.py --sample-input`` (spec §2.8).

izer rules verified by reading its source (cannot be run here): ``izer/checkpoint.py`` (keys,
``arch`` match, bias ``// 2**(weight_bits-1)``, total shift ``output_shift + 8 - q``),
``izer/yamlcfg.py`` (allowed keys, defaults), ``izer/izer.py`` and
``izer/backend/max7800x.py`` (processor counts, offsets, flatten, pad < kernel size).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from golden.format import QuantLayer, QuantModel
from models.ai8x_layout import Ai8xExportError, LayerPlacement, place_layers
from models.yaml_text import yaml_comment, yaml_entry

DATASET = "FER2013"
EPOCH = 0


@dataclass(frozen=True)
class Ai8xExport:
    """Paths written by :func:`export_ai8x`."""

    checkpoint: Path
    network_yaml: Path
    sample_input: Path


def arch_name(model: QuantModel) -> str:
    """Return the ``arch`` string (identifier characters only) used in checkpoint and YAML."""
    return re.sub(r"[^A-Za-z0-9_]", "_", model.name) or "ferhil"


def ai8x_state_dict(model: QuantModel) -> OrderedDict[str, torch.Tensor]:
    """Return the ai8x-style quantized ``state_dict`` of ``model`` (layer order kept)."""
    state: OrderedDict[str, torch.Tensor] = OrderedDict()
    for layer in model.layers:
        if "." in layer.name:
            raise Ai8xExportError(f"layer {layer.name!r}: names with '.' break izer's key parsing")
        q = layer.weight_bits
        key = layer.name
        state[f"{key}.op.weight"] = torch.from_numpy(layer.weights.astype(np.float32))
        if layer.bias is not None:
            stored = layer.bias.astype(np.float32) * float(2 ** (q - 1))
            state[f"{key}.op.bias"] = torch.from_numpy(stored)
        state[f"{key}.output_shift"] = torch.tensor([float(layer.output_shift)])
        state[f"{key}.weight_bits"] = torch.tensor([float(q)])
        state[f"{key}.bias_bits"] = torch.tensor([float(q)])
        state[f"{key}.quantize_activation"] = torch.tensor([1.0])
        state[f"{key}.adjust_output_shift"] = torch.tensor([0.0])
        state[f"{key}.shift_quantile"] = torch.tensor([1.0])
    return state


def _layer_yaml(layer: QuantLayer, place: LayerPlacement, first: bool) -> list[str]:
    lines = [
        "  "
        + yaml_comment(
            f"{layer.name}: {layer.op} {place.in_channels} -> {layer.out_channels}, "
            f"{layer.weight_bits}-bit, output_shift {layer.output_shift}"
        ),
        f"  - processors: 0x{place.processors:016x}",
    ]
    if first:
        lines += ["    data_format: HWC", f"    in_offset: 0x{place.in_offset:04x}"]
    lines.append(f"    out_offset: 0x{place.out_offset:04x}")
    if layer.op == "conv2d":
        k = layer.kernel_size
        lines += ["    op: conv2d", f"    kernel_size: {k}x{k}", f"    pad: {layer.pad}"]
    else:
        lines.append("    op: mlp")
        if layer.flatten:
            lines.append("    flatten: true")
    if layer.pool is not None:
        kh, kw = layer.pool.kernel
        size = str(kh) if kh == kw else f"[{kh}, {kw}]"
        pool_key = {"max": "max_pool", "avg": "avg_pool"}[layer.pool.kind]
        lines += [f"    {pool_key}: {size}", f"    pool_stride: {int(layer.pool.stride)}"]
    act = {"relu": "ReLU", "abs": "Abs", "none": "None"}[layer.activation]
    lines += [f"    activate: {act}", f"    quantization: {layer.weight_bits}"]
    if layer.wide:
        lines.append("    output_width: 32")
    return lines


def network_yaml(model: QuantModel, dataset: str = DATASET) -> str:
    """Return izer's network YAML for ``model`` (see the module docstring)."""
    placements = place_layers(model)
    lines = [
        "---",
        yaml_comment(
            f"izer network description of {model.name} v{model.version} "
            f"(model hash {model.short_hash}), written by ferhil"
        ),
        "# ai8xize.py --checkpoint-file checkpoint.pth.tar --config-file network.yaml "
        "--sample-input sample_input.npy --device MAX78000",
        yaml_entry("arch", arch_name(model)),
        yaml_entry("dataset", dataset),
        "layers:",
    ]
    for i, (layer, place) in enumerate(zip(model.layers, placements, strict=True)):
        lines += _layer_yaml(layer, place, first=i == 0)
    return "\n".join(lines) + "\n"


def export_ai8x(
    model: QuantModel, out_dir: str | Path, sample_input: np.ndarray | None = None
) -> Ai8xExport:
    """Write ``checkpoint.pth.tar``, ``network.yaml`` and ``sample_input.npy`` to ``out_dir``.

    Args:
        model: the quantized model.
        out_dir: target folder (created).
        sample_input: int8-valued ``(C, H, W)`` (or ``(1, C, H, W)``) known-answer input; ``None``
            uses :func:`models.sample_input.default_sample_input`.

    Raises:
        Ai8xExportError: when the model does not fit the export layout or the sample is wrong.
    """
    model.validate()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if sample_input is None:
        from models.sample_input import default_sample_input

        sample_input = default_sample_input(model.input_shape)
    sample = np.asarray(sample_input).astype(np.int64).reshape(model.input_shape)
    if sample.min() < -128 or sample.max() > 127:
        raise Ai8xExportError("sample_input must hold int8 values in [-128, 127]")
    yaml_text = network_yaml(model)
    checkpoint = {
        "arch": arch_name(model),
        "epoch": EPOCH,
        "state_dict": ai8x_state_dict(model),
        "extras": {
            "ferhil": {
                "name": model.name,
                "version": model.version,
                "classes": list(model.classes),
                "input_shape": list(model.input_shape),
                "input_mapping": model.input_mapping,
                "model_hash": model.hash(),
            }
        },
    }
    paths = Ai8xExport(out / "checkpoint.pth.tar", out / "network.yaml", out / "sample_input.npy")
    torch.save(checkpoint, paths.checkpoint)
    paths.network_yaml.write_text(yaml_text)
    np.save(paths.sample_input, sample)
    return paths
