"""Read an izer checkpoint + network YAML back into a :class:`golden.format.QuantModel`.

Follows what izer does with the same two files (``izer/checkpoint.py``, ``izer/yamlcfg.py``; spec
``max78000-arithmetic.md`` §2.3, §3.4):

* layers are the checkpoint's ``*.weight`` keys in order, matched one to one with the YAML
  ``layers`` (only ``conv2d`` and ``mlp``/``linear``/``fc`` sequential layers are supported);
* weight width ``q``: the YAML ``quantization``, else the checkpoint ``<L>.weight_bits``, else 8;
* hardware bias ``floor(int(stored) / 2**(wb - 1))`` with ``wb`` the checkpoint ``weight_bits``
  (izer's floor rule; exact for checkpoints written by :mod:`models.export_ai8x`);
* ``output_shift``: the YAML value if given, else the checkpoint's, else 0 (izer adds the implicit
  ``8 - q`` itself; the golden format stores the checkpoint value);
* YAML defaults: ``pad`` 1 for conv2d, ``activate`` None, ``pool_stride`` = pool size.

Model name, version, classes and input shape come from ``extras["ferhil"]`` when present
(checkpoints written by ferhil), else from the arguments / ``arch`` / FER defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from golden.errors import FerhilError
from golden.format import FER_CLASSES, Pool, QuantLayer, QuantModel
from golden.input_mapping import DEFAULT_MAPPING

SUPPORTED_OPS = {"conv2d": "conv2d", "mlp": "linear", "linear": "linear", "fc": "linear"}
UNSUPPORTED_KEYS = ("in_sequences", "eltwise", "operands", "streaming", "conv_groups", "groups")


class Ai8xImportError(FerhilError, ValueError):
    """The checkpoint/YAML pair cannot be read as a sequential MAX78000 model."""


def _scalar(state: dict[str, torch.Tensor], key: str) -> int | None:
    if key not in state:
        return None
    return int(np.asarray(state[key].numpy()).reshape(-1)[0])


def _pool(spec: dict[str, Any]) -> Pool | None:
    for kind in ("max", "avg"):
        val = spec.get(f"{kind}_pool")
        if val is None:
            continue
        kh, kw = (int(val), int(val)) if not isinstance(val, list) else (int(val[0]), int(val[1]))
        stride = spec.get("pool_stride", kh)
        stride = int(stride[0] if isinstance(stride, list) else stride)
        return Pool(kind=kind, kernel=(kh, kw), stride=stride)
    return None


def _layer(name: str, spec: dict[str, Any], state: dict[str, torch.Tensor], key: str) -> QuantLayer:
    op_name = str(spec.get("op", spec.get("operation", spec.get("operator", "conv2d")))).lower()
    if op_name not in SUPPORTED_OPS or any(k in spec for k in UNSUPPORTED_KEYS):
        raise Ai8xImportError(f"layer {name!r}: only sequential conv2d / mlp layers are supported")
    op = SUPPORTED_OPS[op_name]
    weights = state[key].numpy().astype(np.int64)
    ckpt_bits = _scalar(state, f"{name}.weight_bits")
    q = int(spec.get("quantization", ckpt_bits or 8))
    bias_key = key[: -len("weight")] + "bias"
    bias = None
    if bias_key in state:
        wb = ckpt_bits or 8
        bias = state[bias_key].numpy().astype(np.int64) // 2 ** (wb - 1)
        if bias.min() < -128 or bias.max() > 127:
            raise Ai8xImportError(f"layer {name!r}: bias does not fit 8 bits after izer's rule")
    shift = spec.get("output_shift", _scalar(state, f"{name}.output_shift") or 0)
    act = str(spec.get("activate", spec.get("activation", "none"))).lower()
    return QuantLayer(
        name=name,
        op=op,  # type: ignore[arg-type]
        weights=weights.astype(np.int8),
        bias=None if bias is None else bias.astype(np.int8),
        weight_bits=q,
        output_shift=int(shift),
        activation=act,  # type: ignore[arg-type]
        pad=int(spec.get("pad", 1)) if op == "conv2d" else 0,
        pool=_pool(spec),
        flatten=bool(spec.get("flatten", False)),
        wide=int(spec.get("output_width", 8)) == 32,
    )


def _input_shape(extras: dict[str, Any], yaml_path: Path) -> tuple[int, int, int]:
    raw: Any = extras.get("input_shape")
    if raw is None:
        sample = yaml_path.with_name("sample_input.npy")
        raw = np.load(sample).shape if sample.is_file() else (1, 48, 48)
    c, h, w = (int(v) for v in raw)
    return c, h, w


def import_ai8x(
    checkpoint: str | Path,
    network_yaml: str | Path,
    *,
    input_shape: tuple[int, int, int] | None = None,
    classes: tuple[str, ...] | None = None,
) -> QuantModel:
    """Read ``checkpoint`` + ``network_yaml`` into a validated :class:`QuantModel`.

    Args:
        checkpoint: an ai8x quantized checkpoint (``torch.save`` of a dict with ``state_dict``).
        network_yaml: izer's network YAML.
        input_shape: ``(C, H, W)``; default: ferhil extras, else ``sample_input.npy`` next to the
            YAML, else ``(1, 48, 48)``.
        classes: class names; default: ferhil extras, else the FER classes (7 outputs) or
            ``class0..``.

    Raises:
        Ai8xImportError: for unreadable files, layer-count mismatch or unsupported layers.
    """
    try:
        ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
        cfg = yaml.safe_load(Path(network_yaml).read_text())
    except (OSError, RuntimeError, yaml.YAMLError) as exc:
        raise Ai8xImportError(f"cannot read {checkpoint} / {network_yaml}: {exc}") from exc
    state: dict[str, torch.Tensor] = ckpt["state_dict"]
    if cfg.get("arch") and str(ckpt.get("arch", "")).lower() != str(cfg["arch"]).lower():
        raise Ai8xImportError(f"YAML arch {cfg['arch']!r} != checkpoint arch {ckpt.get('arch')!r}")
    weight_keys = [k for k in state if k.rsplit(".", 2)[-1] == "weight"]
    specs = cfg.get("layers") or []
    if len(weight_keys) != len(specs):
        raise Ai8xImportError(
            f"{len(specs)} YAML layers but {len(weight_keys)} weight tensors in the checkpoint"
        )
    layers = []
    for key, spec in zip(weight_keys, specs, strict=True):
        name = key[: -len(".weight")].removesuffix(".op")
        layers.append(_layer(name, spec, state, key))
    extras = (ckpt.get("extras") or {}).get("ferhil", {})
    if input_shape is None:
        input_shape = _input_shape(extras, Path(network_yaml))
    n_out = layers[-1].out_channels
    if classes is None:
        classes = tuple(extras.get("classes") or ())
        if len(classes) != n_out:
            classes = FER_CLASSES if n_out == 7 else tuple(f"class{i}" for i in range(n_out))
    model = QuantModel(
        name=str(extras.get("name", ckpt.get("arch", "imported"))),
        version=str(extras.get("version", "1")),
        input_shape=input_shape,
        classes=classes,
        input_mapping=str(extras.get("input_mapping", DEFAULT_MAPPING)),
        layers=layers,
        metadata={"imported_from": str(checkpoint)},
    )
    model.validate()
    return model
