"""The on-disk format of a quantized model (``*.qmodel.npz``), version 2 (a graph).

A quantized model is everything the golden inference, the firmware synthesizer and the harness
need to compute exactly what the MAX78000 CNN accelerator computes. It is one ``numpy`` ``.npz``
archive (no pickle) with these members:

* ``meta``: a 0-d unicode array holding a JSON object::

      {"format": "ferhil-qmodel", "format_version": 1,
       "name": "fercnn", "version": "2", "input_shape": [1, 48, 48],
       "classes": ["angry", ...], "input_mapping": "pixel_minus_128",
       "layers": [{"name": "conv1", "op": "conv2d", "weight_bits": 8, "output_shift": -1,
                   "activation": "relu", "pad": 1, "pool": {"kind": "max", "kernel": [2, 2],
                   "stride": 2}, "flatten": false, "wide": false, "has_bias": true}, ...],
       "metadata": {...free-form, not part of the hash...}}

* ``L<i>.weights``: int8 weights of layer *i*; conv2d ``(out, in, k, k)``, conv1d
  ``(out, in, k)``, convtranspose2d ``(out, in, 3, 3)`` (the *effective* stride-1 kernel izer
  computes: torch's ``(in, out, 3, 3)`` flipped in both spatial axes and transposed), linear
  ``(out, in)``; absent for a passthrough (``op: none``) layer.
  Values lie in the signed ``weight_bits`` range (1-bit weights are ``{-1, 0}``).
* ``L<i>.bias``: int8 *hardware* bias of layer *i* (the value in the bias register; the
  accelerator adds ``128 * bias`` to the accumulator), present when ``has_bias``.

Version 2 makes the model a graph (see :mod:`golden.graph`): each layer may name its ``inputs``
(``"input"`` = the network input, else earlier layers; empty = the previous layer), and may add
``eltwise`` (``add``/``sub``/``xor``/``or`` over ``operands`` equal channel groups of its
concatenated inputs, ``pool_first``), ``output`` (one of several outputs), ``output_pad``
(convtranspose2d) and ``hw`` (izer placement: processors, offsets, ``write_gap``, streaming...;
kept, checked, not hashed). Version-1 files load unchanged (:func:`load` migrates them), and a
model that version 1 could express keeps its version-1 hash, so zoo models keep their ids.

The arithmetic these fields define is in :mod:`golden.arithmetic` and
``docs/max78000-arithmetic.md`` (section 2). The model hash covers every field that
changes a computed output (layers, weights, biases, input shape and input mapping) and nothing
else, so renaming a model or editing its metadata keeps its hash. The name and version are the
only other fields compiled into the firmware; HELLO reports them and bring-up checks them beside
the hash (``harness.run.bringup.ExpectedIdentity``). Every name is checked on load and save by
:mod:`golden.identifiers` (letters, digits, ``_``, ``-``), so names are data, never code.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from golden import graph
from golden.errors import FerhilError
from golden.identifiers import check_name, check_version

FORMAT_NAME = "ferhil-qmodel"
FORMAT_VERSION = 2
#: Format versions :func:`load` reads (older ones are migrated).
READABLE_VERSIONS = (1, 2)
FILE_SUFFIX = ".qmodel.npz"

Op = Literal["conv2d", "conv1d", "convtranspose2d", "linear", "none"]
Activation = Literal["none", "relu", "abs"]
PoolKind = Literal["max", "avg"]

OPS: tuple[str, ...] = ("conv2d", "conv1d", "convtranspose2d", "linear", "none")
ELTWISE_OPS: tuple[str, ...] = ("add", "sub", "xor", "or")
#: The name that refers to the network input in ``QuantLayer.inputs``.
INPUT_NAME = "input"
_WEIGHT_NDIM = {"conv2d": 4, "conv1d": 3, "convtranspose2d": 4, "linear": 2}
ACTIVATIONS: tuple[str, ...] = ("none", "relu", "abs")
POOL_KINDS: tuple[str, ...] = ("max", "avg")
WEIGHT_BITS: tuple[int, ...] = (8, 4, 2, 1)
FER_CLASSES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


class ModelFormatError(FerhilError, ValueError):
    """A quantized model file or object is malformed; the message says what to fix."""


def weight_range(bits: int) -> tuple[int, int]:
    """Return the inclusive integer range of a ``bits``-wide weight on the MAX78000."""
    if bits == 1:
        return -1, 0
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


@dataclass(frozen=True)
class Pool:
    """Pooling applied in flight to the layer input, before the operator.

    Attributes:
        kind: ``"max"`` or ``"avg"`` (average truncates toward zero).
        kernel: window ``(height, width)``, each 1..16.
        stride: the same stride in both dimensions, 1..16.
    """

    kind: PoolKind
    kernel: tuple[int, int]
    stride: int

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form stored in ``meta``."""
        return {"kind": self.kind, "kernel": list(self.kernel), "stride": self.stride}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pool:
        """Build a pool from its JSON form."""
        kh, kw = (int(v) for v in data["kernel"])
        return cls(kind=data["kind"], kernel=(kh, kw), stride=int(data["stride"]))

    def validate(self, where: str) -> None:
        """Check the kind and that kernel and stride are positive.

        Raises:
            ModelFormatError: naming ``where`` (the layer) and the field.
        """
        if self.kind not in POOL_KINDS:
            raise ModelFormatError(f"{where}: pool kind {self.kind!r} is not one of {POOL_KINDS}")
        if min(self.kernel) < 1 or self.stride < 1:
            raise ModelFormatError(
                f"{where}: pool kernel {list(self.kernel)} and stride {self.stride} must be >= 1"
            )


@dataclass
class QuantLayer:
    """One accelerator layer: inputs, pooling and element-wise op, operator, requantization.

    Attributes:
        name: a unique layer name (``conv1``, ``fc``...).
        op: ``"conv2d"`` (1x1 or 3x3, stride 1), ``"conv1d"`` (kernel 1..9), ``"convtranspose2d"``
            (3x3, stride 2), ``"linear"`` or ``"none"`` (passthrough: pooling / element-wise only).
        weights: int8 array, see the module docstring; ``(0,)`` for a passthrough layer.
        bias: int8 hardware bias register values ``(out,)`` or ``None``.
        weight_bits: 8, 4, 2 or 1.
        output_shift: the checkpoint's per-layer ``output_shift``; the total shift applied is
            ``output_shift + 8 - weight_bits``.
        activation: ``"none"``, ``"relu"`` or ``"abs"``.
        pad: zero padding (0..2) on every side of the pooled input (conv2d, conv1d; for
            convtranspose2d the transposed convolution's padding).
        pool: in-flight pooling before the operator, or ``None`` (1-D data: kernel ``(k, 1)``).
        flatten: linear only; the input ``(C, H, W)`` is flattened in C-major order.
        wide: 32-bit output (the raw accumulator); needs ``activation == "none"``.
        inputs: layer names (or ``"input"``) whose outputs are concatenated along channels to form
            this layer's input; empty means the previous layer (the network input for the first).
        eltwise: ``"add"``, ``"sub"``, ``"xor"``, ``"or"`` or ``None``.
        operands: element-wise operand count (2..16; the input splits into this many equal
            channel groups); 1 without ``eltwise``.
        pool_first: pool each operand before the element-wise op (izer's default), else after.
        output_pad: convtranspose2d output padding (izer: 1).
        output: this layer is one of the model's outputs (the last layer always is).
        hw: izer placement and scheduling keys (processors, offsets, write_gap, streaming...); kept
            and checked, never part of the hash.
    """

    name: str
    op: Op
    weights: np.ndarray
    bias: np.ndarray | None
    weight_bits: int
    output_shift: int
    activation: Activation = "none"
    pad: int = 0
    pool: Pool | None = None
    flatten: bool = False
    wide: bool = False
    inputs: tuple[str, ...] = ()
    eltwise: str | None = None
    operands: int = 1
    pool_first: bool = True
    output_pad: int = 1
    output: bool = False
    hw: dict[str, Any] = field(default_factory=dict)

    @property
    def has_weights(self) -> bool:
        """False for a passthrough (``op == "none"``) layer."""
        return self.op != "none"

    @property
    def out_channels(self) -> int:
        """Number of output channels (or features); 0 for passthrough (see golden.graph)."""
        return int(self.weights.shape[0]) if self.has_weights else 0

    @property
    def in_channels(self) -> int:
        """Number of input channels (or flattened features for linear)."""
        return int(self.weights.shape[1]) if self.has_weights else 0

    @property
    def kernel_size(self) -> int:
        """Kernel side for conv2d/convtranspose2d, kernel length for conv1d, 1 otherwise."""
        if self.op in ("conv2d", "convtranspose2d", "conv1d"):
            return int(self.weights.shape[2])
        return 1

    def is_v1(self) -> bool:
        """True when format version 1 could express this layer (sequential conv2d/linear)."""
        return (
            self.op in ("conv2d", "linear")
            and not self.inputs
            and self.eltwise is None
            and self.operands == 1
            and self.pool_first
            and self.output_pad == 1
            and not self.output
        )

    def meta_v1(self) -> dict[str, Any]:
        """Return the version-1 JSON metadata (the hash core of version-1-expressible layers)."""
        return {
            "name": self.name,
            "op": self.op,
            "weight_bits": int(self.weight_bits),
            "output_shift": int(self.output_shift),
            "activation": self.activation,
            "pad": int(self.pad),
            "pool": self.pool.to_json() if self.pool else None,
            "flatten": bool(self.flatten),
            "wide": bool(self.wide),
            "has_bias": self.bias is not None,
        }

    def meta(self, with_hw: bool = True) -> dict[str, Any]:
        """Return the JSON metadata of this layer (everything but the arrays)."""
        out = self.meta_v1()
        out.update(
            inputs=list(self.inputs),
            eltwise=self.eltwise,
            operands=int(self.operands),
            pool_first=bool(self.pool_first),
            output_pad=int(self.output_pad),
            output=bool(self.output),
        )
        if with_hw:
            out["hw"] = dict(self.hw)
        return out

    def validate(self) -> None:
        """Check field types and value ranges (not MAX78000 resource limits).

        Raises:
            ModelFormatError: naming the layer and the field that is wrong.
        """
        check_name(self.name, "layer name")
        where = f"layer {self.name!r}"
        if self.op not in OPS:
            raise ModelFormatError(f"{where}: op {self.op!r} is not one of {OPS}")
        if self.activation not in ACTIVATIONS:
            raise ModelFormatError(f"{where}: activation {self.activation!r} not in {ACTIVATIONS}")
        if self.weight_bits not in WEIGHT_BITS:
            raise ModelFormatError(f"{where}: weight_bits {self.weight_bits} not in {WEIGHT_BITS}")
        if self.eltwise is not None and self.eltwise not in ELTWISE_OPS:
            raise ModelFormatError(f"{where}: eltwise {self.eltwise!r} not in {ELTWISE_OPS}")
        if (self.eltwise is None) != (self.operands == 1) or not 1 <= self.operands <= 16:
            raise ModelFormatError(
                f"{where}: an element-wise layer needs 2..16 operands, other layers 1; got "
                f"eltwise {self.eltwise!r} with {self.operands} operands"
            )
        if self.has_weights:
            ndim = _WEIGHT_NDIM[self.op]
            if self.weights.ndim != ndim:
                raise ModelFormatError(
                    f"{where}: {self.op} weights need {ndim} dimensions, got {self.weights.shape}"
                )
            if ndim == 4 and self.weights.shape[2] != self.weights.shape[3]:
                raise ModelFormatError(f"{where}: kernel must be square, got {self.weights.shape}")
        elif self.weights.size or self.bias is not None:
            raise ModelFormatError(f"{where}: a passthrough layer has no weights or bias")
        lo, hi = weight_range(self.weight_bits)
        if self.weights.size and (self.weights.min() < lo or self.weights.max() > hi):
            raise ModelFormatError(
                f"{where}: weights must lie in [{lo}, {hi}] for {self.weight_bits}-bit layers"
            )
        if self.bias is not None:
            if self.bias.shape != (self.out_channels,):
                raise ModelFormatError(f"{where}: bias shape {self.bias.shape} != (out,)")
            if self.bias.size and (self.bias.min() < -128 or self.bias.max() > 127):
                raise ModelFormatError(f"{where}: bias must be int8 [-128, 127]")
        if self.wide and self.activation != "none":
            raise ModelFormatError(f"{where}: a wide (32-bit) layer cannot have an activation")
        if self.pad < 0:
            raise ModelFormatError(f"{where}: pad {self.pad} is negative; use 0, 1 or 2")
        if self.pool is not None:
            self.pool.validate(where)


@dataclass
class QuantModel:
    """A quantized network for the MAX78000, as read and written by :func:`save`/:func:`load`.

    Attributes:
        name: model family name (``fercnn``).
        version: model version string; versions of one name sort numerically when they are
            integers or dotted integers (``"3"``, ``"1.2"``).
        input_shape: ``(C, H, W)`` (or ``(C, L)`` for 1-D models) of the int8 input tensor.
        classes: class names, one per output channel of the last layer (may be empty).
        input_mapping: name of the pixel-to-int8 mapping (see :mod:`golden.input_mapping`).
        layers: the accelerator layers, in the order they run.
        metadata: free-form provenance (training run, accuracy...). Not hashed.
    """

    name: str
    version: str
    input_shape: tuple[int, ...]
    classes: tuple[str, ...]
    input_mapping: str
    layers: list[QuantLayer]
    metadata: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        """Check every layer, the graph and the model-level fields.

        Raises:
            ModelFormatError: naming what is wrong.
        """
        check_name(self.name, "model name")
        check_version(self.version, "model version")
        check_name(self.input_mapping, "input mapping")
        for i, cls_name in enumerate(self.classes):
            check_name(cls_name, f"class {i} name")
        if len(self.input_shape) not in (2, 3) or min(self.input_shape) < 1:
            raise ModelFormatError(
                f"input_shape must be (C, H, W) or (C, L), got {self.input_shape}"
            )
        if not self.layers:
            raise ModelFormatError("a model needs at least one layer")
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names) or INPUT_NAME in names:
            raise ModelFormatError(
                f"layer names must be unique and not {INPUT_NAME!r}, got {names}"
            )
        for layer in self.layers:
            layer.validate()
        try:
            geo = graph.geometry(self.input_shape, self.layers)
        except graph.GraphError as exc:
            raise ModelFormatError(str(exc)) from exc
        out_c = geo[-1].output_shape[0]
        if self.classes and out_c != len(self.classes):
            raise ModelFormatError(
                f"the last layer has {out_c} output channels but "
                f"{len(self.classes)} classes are named"
            )

    def output_shapes(self) -> dict[str, tuple[int, ...]]:
        """Return ``{layer name: output shape}`` of every output layer (1-D models: ``(C, L)``)."""
        geo = graph.geometry(self.input_shape, self.layers)
        out: dict[str, tuple[int, ...]] = {}
        for i in graph.output_indices(self.layers):
            shape = geo[i].output_shape
            out[self.layers[i].name] = shape[:2] if self.is_1d and shape[2] == 1 else shape
        return out

    @property
    def is_1d(self) -> bool:
        """True for a model with ``(C, L)`` input."""
        return len(self.input_shape) == 2

    @property
    def num_outputs(self) -> int:
        """Number of values the last layer produces."""
        c, h, w = graph.geometry(self.input_shape, self.layers)[-1].output_shape
        return c * h * w

    @property
    def wide_output(self) -> bool:
        """True when the last layer emits 32-bit accumulators."""
        return self.layers[-1].wide

    def is_v1(self) -> bool:
        """True when format version 1 could express this model (sequential conv2d/linear)."""
        return len(self.input_shape) == 3 and all(layer.is_v1() for layer in self.layers)

    def _graph_core(self) -> list[dict[str, Any]]:
        """Layer metadata for the hash, with names replaced by layer indices (names are labels)."""
        core = []
        for layer, srcs in zip(self.layers, graph.sources(self.layers), strict=True):
            meta = layer.meta(with_hw=False)
            del meta["name"]
            meta["inputs"] = list(srcs) if layer.inputs else []
            core.append(meta)
        return core

    def hash(self) -> str:
        """Return the SHA-256 (hex) of everything that determines the computed outputs.

        A model version 1 could express hashes exactly as version 1 did, so migrated models keep
        their ids; placement (``hw``) and names of the model are never hashed.
        """
        h = hashlib.sha256()
        v1 = self.is_v1()
        core = {
            "format_version": 1 if v1 else FORMAT_VERSION,
            "input_shape": list(self.input_shape),
            "input_mapping": self.input_mapping,
            "layers": [layer.meta_v1() for layer in self.layers] if v1 else self._graph_core(),
        }
        h.update(json.dumps(core, sort_keys=True).encode())
        for layer in self.layers:
            h.update(np.ascontiguousarray(layer.weights, dtype=np.int8).tobytes())
            if layer.bias is not None:
                h.update(np.ascontiguousarray(layer.bias, dtype=np.int8).tobytes())
        return h.hexdigest()

    @property
    def short_hash(self) -> str:
        """First 16 hex digits of :meth:`hash` (the 64-bit id the firmware reports)."""
        return self.hash()[:16]


def save(model: QuantModel, path: str | Path) -> Path:
    """Validate ``model`` and write it to ``path`` (``.qmodel.npz`` is appended if missing).

    Returns:
        The path written.
    """
    model.validate()
    path = Path(path)
    if not path.name.endswith(FILE_SUFFIX):
        path = path.with_name(path.name + FILE_SUFFIX)
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "name": model.name,
        "version": model.version,
        "input_shape": list(model.input_shape),
        "classes": list(model.classes),
        "input_mapping": model.input_mapping,
        "layers": [layer.meta() for layer in model.layers],
        "metadata": model.metadata,
    }
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    for i, layer in enumerate(model.layers):
        if layer.has_weights:
            arrays[f"L{i}.weights"] = np.ascontiguousarray(layer.weights, dtype=np.int8)
        if layer.bias is not None:
            arrays[f"L{i}.bias"] = np.ascontiguousarray(layer.bias, dtype=np.int8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
    return path


def _int8(array: np.ndarray, what: str) -> np.ndarray:
    """Return ``array`` as int8; refuse non-integers and values a cast would wrap."""
    if array.dtype.kind not in "iu":
        raise ModelFormatError(f"{what} holds {array.dtype} values; weights and biases are int8")
    if array.size and (int(array.min()) < -128 or int(array.max()) > 127):
        raise ModelFormatError(f"{what} holds values outside int8 [-128, 127]")
    return array.astype(np.int8)


def load(path: str | Path) -> QuantModel:
    """Read and validate a quantized model file.

    Raises:
        ModelFormatError: when the file is missing, not a ferhil quantized model, or of a format
            version this code does not read.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFormatError(f"no quantized model at {path}: give a zoo name or a .qmodel.npz")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"][()]))
            arrays = {k: data[k] for k in data.files if k != "meta"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFormatError(
            f"{path} is not a ferhil quantized model ({type(exc).__name__}: {exc}); "
            "re-export it or give a zoo name"
        ) from exc
    if not isinstance(meta, dict):
        raise ModelFormatError(
            f"{path}: the model metadata is a JSON {type(meta).__name__}, not an object; "
            "re-export the model"
        )
    if meta.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{path}: format {meta.get('format')!r} is not {FORMAT_NAME!r}")
    if meta.get("format_version") not in READABLE_VERSIONS:
        raise ModelFormatError(
            f"{path}: format version {meta.get('format_version')} is not one of "
            f"{READABLE_VERSIONS}; upgrade ferhil or re-export the model"
        )
    try:
        layers = [_layer_from_meta(i, lm, arrays) for i, lm in enumerate(meta["layers"])]
        model = QuantModel(
            name=meta["name"],
            version=str(meta["version"]),
            input_shape=tuple(int(v) for v in meta["input_shape"]),
            classes=tuple(meta["classes"]),
            input_mapping=meta["input_mapping"],
            layers=layers,
            metadata=meta.get("metadata", {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ModelFormatError(
            f"{path}: incomplete or malformed model ({exc!r}); re-export the model"
        ) from exc
    model.validate()
    return model


def _layer_from_meta(i: int, lm: dict[str, Any], arrays: dict[str, np.ndarray]) -> QuantLayer:
    """Build layer ``i`` from its JSON metadata; version-1 entries get the version-2 defaults."""
    weights = arrays.get(f"L{i}.weights")
    if weights is None and lm["op"] != "none":
        raise KeyError(f"L{i}.weights")
    return QuantLayer(
        name=lm["name"],
        op=lm["op"],
        weights=np.zeros(0, np.int8) if weights is None else _int8(weights, f"L{i}.weights"),
        bias=_int8(arrays[f"L{i}.bias"], f"L{i}.bias") if lm["has_bias"] else None,
        weight_bits=int(lm["weight_bits"]),
        output_shift=int(lm["output_shift"]),
        activation=lm["activation"],
        pad=int(lm["pad"]),
        pool=Pool.from_json(lm["pool"]) if lm["pool"] else None,
        flatten=bool(lm["flatten"]),
        wide=bool(lm["wide"]),
        inputs=tuple(str(v) for v in lm.get("inputs", ())),
        eltwise=lm.get("eltwise"),
        operands=int(lm.get("operands", 1)),
        pool_first=bool(lm.get("pool_first", True)),
        output_pad=int(lm.get("output_pad", 1)),
        output=bool(lm.get("output", False)),
        hw=dict(lm.get("hw", {})),
    )
