"""Read an ai8x checkpoint + izer network YAML into a :class:`golden.format.QuantModel` graph.

Follows what izer does with the same two files (``izer/checkpoint.py``, ``izer/yamlcfg.py``; spec
``max78000-arithmetic.md`` §2.3, §3.4):

* the checkpoint is read with ``weights_only=True`` (:mod:`models.export.ai8x_checkpoint`);
* YAML layers in every izer spelling (:mod:`models.export.ai8x_yaml`); each layer with an operator
  takes
  the next ``*.weight`` tensor of the checkpoint in order, passthrough / element-wise layers take
  none, and extra tensors after the last one are ignored (izer does the same);
* weight width ``q``: the YAML ``quantization``, else the checkpoint ``<L>.weight_bits``, else 8;
* hardware bias ``floor(stored / 2**(wb - 1))`` with ``wb`` the checkpoint ``weight_bits``;
* ``output_shift``: the YAML value, else the checkpoint's, else 0;
* ConvTranspose2d weights ``(in, out, 3, 3)`` are flipped and transposed into the stride-1
  kernel izer computes with; ``in_sequences`` become layer ``inputs``.

The input shape comes from the ``input_shape`` argument, else ``extras["ferhil"]`` (checkpoints
written by ferhil), else ``sample_input.npy`` beside the YAML, else a clear error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from golden.errors import FerhilError
from golden.format import FER_CLASSES, INPUT_NAME, ModelFormatError, QuantLayer, QuantModel
from golden.input_mapping import DEFAULT_MAPPING
from models.export.ai8x_checkpoint import load_checkpoint, scalar
from models.export.ai8x_yaml import LayerSpec, parse_network

WEIGHT_NDIM = {"conv2d": 4, "convtranspose2d": 4, "conv1d": 3, "linear": 2}


class Ai8xImportError(FerhilError, ValueError):
    """The checkpoint/YAML pair cannot be read as a MAX78000 model; the message says why."""


def _key_name(key: str) -> str:
    name = key[: -len(".weight")].removesuffix(".op")
    return name.removeprefix("module.").replace(".", "_")


def _weights(spec: LayerSpec, name: str, state: dict[str, Any], key: str) -> QuantLayer:
    where = f"layer {name!r}"
    w = state[key].numpy().astype(np.int64)
    if w.ndim != WEIGHT_NDIM[spec.op]:
        raise Ai8xImportError(
            f"{where}: {spec.op} needs {WEIGHT_NDIM[spec.op]}-D weights, got {w.shape}"
        )
    if spec.op == "convtranspose2d":
        w = np.flip(w, axis=(2, 3)).swapaxes(0, 1)
    prefix = key[: -len("weight")]
    layer_prefix = prefix.removesuffix("op.")
    ckpt_bits = scalar(state, f"{layer_prefix}weight_bits")
    q = spec.quantization or ckpt_bits or 8
    lo, hi = (-1, 0) if q == 1 else (-(1 << (q - 1)), (1 << (q - 1)) - 1)
    if w.size and (w.min() < lo or w.max() > hi):
        raise Ai8xImportError(f"{where}: weights [{w.min()}, {w.max()}] do not fit {q} bits")
    if spec.kernel is not None and w.ndim > 2 and w.shape[2] != spec.kernel:
        raise Ai8xImportError(f"{where}: YAML kernel_size {spec.kernel} != weights {w.shape}")
    bias = None
    if f"{prefix}bias" in state:
        wb = ckpt_bits or 8
        bias = np.floor(state[f"{prefix}bias"].numpy().astype(np.float64) / 2 ** (wb - 1))
        if bias.min() < -128 or bias.max() > 127:
            raise Ai8xImportError(f"{where}: bias does not fit 8 bits after izer's rule")
    shift = spec.output_shift
    if shift is None:
        shift = scalar(state, f"{layer_prefix}output_shift") or 0
    return QuantLayer(
        name=name,
        op=spec.op,  # type: ignore[arg-type]
        weights=w.astype(np.int8),
        bias=None if bias is None else bias.astype(np.int8),
        weight_bits=int(q),
        output_shift=int(shift),
        pad=spec.pad,
    )


def build_layers(specs: list[LayerSpec], state: dict[str, Any]) -> list[QuantLayer]:
    """Match YAML layers with checkpoint weights and build the golden layers.

    Raises:
        Ai8xImportError: for too few weights or an inconsistent layer.
    """
    keys = [k for k in state if k.rsplit(".", 1)[-1] == "weight" and state[k].ndim > 1]
    need = sum(1 for s in specs if s.op != "none")
    if len(keys) < need:
        raise Ai8xImportError(
            f"the YAML has {need} layers with weights but the checkpoint only {len(keys)} "
            "weight tensors; do the two files belong together?"
        )
    names: list[str] = []
    layers: list[QuantLayer] = []
    it = iter(keys)
    for spec in specs:
        if spec.op == "none":
            name = spec.name or f"layer{spec.index}"
            layer = QuantLayer(name, "none", np.zeros(0, np.int8), None, 8, 0)
        else:
            key = next(it)
            name = spec.name or _key_name(key)
            layer = _weights(spec, name, state, key)
        if name in names or name == INPUT_NAME:
            name = f"{name}_{spec.index}"
        layer.name = name
        names.append(name)
        layer.activation = spec.activation  # type: ignore[assignment]
        layer.pool, layer.flatten, layer.wide = spec.pool, spec.flatten, spec.wide
        layer.eltwise, layer.operands, layer.pool_first = (
            spec.eltwise,
            spec.operands,
            spec.pool_first,
        )
        layer.output, layer.output_pad, layer.hw = spec.output, spec.output_pad, spec.hw
        if spec.op == "none" and spec.pad:
            raise Ai8xImportError(f"layer {name!r}: a passthrough layer cannot pad")
        if spec.in_sequences is not None:
            layer.inputs = tuple(_input_name(v, spec, specs, names) for v in spec.in_sequences)
        layers.append(layer)
    return layers


def _input_name(ref: int | str, spec: LayerSpec, specs: list[LayerSpec], names: list[str]) -> str:
    if isinstance(ref, str):
        if ref.lower() == INPUT_NAME:
            return INPUT_NAME
        for s in specs[: spec.index]:
            if s.name == ref:
                return names[s.index]
        raise Ai8xImportError(f"layer {names[-1]!r}: in_sequences names unknown layer {ref!r}")
    if ref == -1:
        return INPUT_NAME
    if not 0 <= ref < spec.index:
        raise Ai8xImportError(f"layer {names[-1]!r}: in_sequences {ref} is not an earlier layer")
    return names[ref]


def _input_shape(extras: dict[str, Any], yaml_path: Path) -> tuple[int, ...]:
    raw: Any = extras.get("input_shape")
    if raw is None:
        sample = yaml_path.with_name("sample_input.npy")
        if not sample.is_file():
            raise Ai8xImportError(
                "the input shape is unknown: pass --input-shape C,H,W (or C,L for 1-D models)"
            )
        raw = np.load(sample, allow_pickle=False).shape
    return tuple(int(v) for v in raw)


def import_ai8x(
    checkpoint: str | Path,
    network_yaml: str | Path,
    *,
    input_shape: tuple[int, ...] | None = None,
    classes: tuple[str, ...] | None = None,
) -> QuantModel:
    """Read ``checkpoint`` + ``network_yaml`` into a validated :class:`QuantModel`.

    Args:
        checkpoint: an ai8x quantized checkpoint (``torch.save`` of a dict with ``state_dict``).
        network_yaml: izer's network YAML.
        input_shape: ``(C, H, W)`` or ``(C, L)``; default: see the module docstring.
        classes: class names; default: ferhil extras, else ``class0..``.

    Raises:
        Ai8xImportError: for unreadable files, mismatched files or unsupported layers.
    """
    ckpt = load_checkpoint(checkpoint)
    try:
        cfg = yaml.safe_load(Path(network_yaml).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise Ai8xImportError(f"cannot read {network_yaml}: {exc}") from exc
    state: dict[str, Any] = ckpt["state_dict"]
    arch = str(cfg.get("arch", "")) if isinstance(cfg, dict) else ""
    if arch and str(ckpt.get("arch", "")).lower() != arch.lower():
        raise Ai8xImportError(f"YAML arch {arch!r} != checkpoint arch {ckpt.get('arch')!r}")
    layers = build_layers(parse_network(cfg), state)
    extras = (ckpt.get("extras") or {}).get("ferhil", {})
    shape = tuple(input_shape) if input_shape else _input_shape(extras, Path(network_yaml))
    model = QuantModel(
        name=str(extras.get("name", ckpt.get("arch", "imported"))),
        version=str(extras.get("version", "1")),
        input_shape=shape,
        classes=(),
        input_mapping=str(extras.get("input_mapping", DEFAULT_MAPPING)),
        layers=layers,
        metadata={"imported_from": str(checkpoint), "arch": arch, "dataset": cfg.get("dataset")},
    )
    try:
        model.validate()
    except ModelFormatError as exc:
        raise Ai8xImportError(f"{network_yaml}: {exc}") from exc
    n_out = model.output_shapes()[layers[-1].name][0]
    if classes is None:
        classes = tuple(extras.get("classes") or ())
        if len(classes) != n_out:
            classes = FER_CLASSES if n_out == 7 else tuple(f"class{i}" for i in range(n_out))
    model.classes = tuple(classes)
    model.validate()
    return model
