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
    input shape/mapping and hash for :mod:`models.export.import_ai8x`.
``network.yaml``
    izer's network description (spec §3.4); processors and offsets from
    :mod:`models.export.ai8x_layout`. Every layer states ``quantization`` explicitly because some
    izer
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
from typing import Any

import numpy as np
import torch
import yaml

from golden.format import INPUT_NAME, QuantModel
from models.export.ai8x_layout import Ai8xExportError
from models.export.ai8x_placement import Placement, place_graph

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
    """Return the ai8x-style quantized ``state_dict`` of ``model`` (layer order kept).

    Passthrough layers have no entries (izer skips them when it matches weights to layers);
    convtranspose2d weights go back to torch's ``(in, out, 3, 3)`` layout.
    """
    state: OrderedDict[str, torch.Tensor] = OrderedDict()
    for layer in model.layers:
        if "." in layer.name:
            raise Ai8xExportError(f"layer {layer.name!r}: names with '.' break izer's key parsing")
        if not layer.has_weights:
            continue
        q = layer.weight_bits
        key = layer.name
        w = layer.weights
        if layer.op == "convtranspose2d":
            w = np.flip(w.swapaxes(0, 1), axis=(2, 3))
        state[f"{key}.op.weight"] = torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32))
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


_OPS = {
    "conv2d": "conv2d",
    "conv1d": "conv1d",
    "convtranspose2d": "convtranspose2d",
    "linear": "mlp",
    "none": "passthrough",
}
_ACT = {"relu": "ReLU", "abs": "Abs", "none": "None"}


def _layer_dict(
    model: QuantModel, i: int, place: Placement, names: dict[str, int]
) -> dict[str, Any]:
    """Return izer's YAML mapping of layer ``i`` (keys in izer's documented order)."""
    layer = model.layers[i]
    d: dict[str, Any] = {
        "processors": place.processors,
        "output_processors": place.output_processors,
    }
    if i == 0:
        d["data_format"] = "HWC"
    d["in_offset"] = place.in_offset
    d["out_offset"] = place.out_offset
    if layer.inputs:
        d["in_sequences"] = [-1 if n == INPUT_NAME else names[n] for n in layer.inputs]
    d["op"] = _OPS[layer.op]
    if layer.eltwise is not None:
        d["eltwise"] = layer.eltwise
        d["operands"] = layer.operands
        d["pool_first"] = layer.pool_first
    if layer.op in ("conv2d", "convtranspose2d"):
        d["kernel_size"] = f"{layer.kernel_size}x{layer.kernel_size}"
    elif layer.op == "conv1d":
        d["kernel_size"] = layer.kernel_size
    if layer.op != "linear":
        d["pad"] = layer.pad
    if layer.op == "convtranspose2d":
        d["output_pad"] = layer.output_pad
    if layer.flatten:
        d["flatten"] = True
    if layer.pool is not None:
        kh, kw = layer.pool.kernel
        d[f"{layer.pool.kind}_pool"] = kh if kh == kw or layer.op == "conv1d" else [kh, kw]
        d["pool_stride"] = layer.pool.stride
    if layer.has_weights:
        d["activate"] = _ACT[layer.activation]
        d["quantization"] = layer.weight_bits
    if layer.wide:
        d["output_width"] = 32
    if place.write_gap:
        d["write_gap"] = place.write_gap
    if layer.output:
        d["output"] = True
    return d


def network_yaml(model: QuantModel, dataset: str = DATASET) -> str:
    """Return izer's network YAML for ``model`` (see the module docstring).

    The document is built as data and written by :func:`emit_yaml`, the one place YAML text is
    produced, so names from the model never become YAML syntax.
    """
    for layer in model.layers:
        if layer.op in ("conv2d", "conv1d", "convtranspose2d") and layer.pad >= layer.kernel_size:
            raise Ai8xExportError(
                f"layer {layer.name!r}: pad {layer.pad} >= kernel size {layer.kernel_size}; izer "
                "refuses it (izer/izer.py); use pad 0 for 1x1 convolutions"
            )
    places = place_graph(model)
    names = {layer.name: i for i, layer in enumerate(model.layers)}
    doc: dict[str, Any] = {
        "arch": arch_name(model),
        "dataset": dataset,
        "layers": [_layer_dict(model, i, p, names) for i, p in enumerate(places)],
    }
    header = (
        f"izer network description of model hash {model.short_hash}, written by ferhil\n"
        "ai8xize.py --checkpoint-file checkpoint.pth.tar --config-file network.yaml "
        "--sample-input sample_input.npy --device MAX78000"
    )
    return emit_yaml(doc, header)


def emit_yaml(doc: dict[str, Any], comment: str = "") -> str:
    """Serialize ``doc`` as YAML (``yaml.safe_dump``), with ``comment`` lines on top."""
    lines = ["---"] + [f"# {line}" for line in comment.splitlines()]
    body = yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, allow_unicode=False)
    return "\n".join(lines) + "\n" + body


def export_ai8x(
    model: QuantModel, out_dir: str | Path, sample_input: np.ndarray | None = None
) -> Ai8xExport:
    """Write ``checkpoint.pth.tar``, ``network.yaml`` and ``sample_input.npy`` to ``out_dir``.

    Args:
        model: the quantized model.
        out_dir: target folder (created).
        sample_input: int8-valued ``(C, H, W)`` (or ``(1, C, H, W)``) known-answer input; ``None``
            uses :func:`models.export.sample_input.default_sample_input`.

    Raises:
        Ai8xExportError: when the model does not fit the export layout or the sample is wrong.
    """
    model.validate()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if sample_input is None:
        from models.export.sample_input import default_sample_input

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
