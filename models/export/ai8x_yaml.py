"""Read izer's network YAML in every spelling izer accepts into normalized layer specs.

Follows ``izer/yamlcfg.py``: the operator key is ``op``, ``operation``, ``operator`` or
``convolution`` (case-insensitive: ``Conv2d``, ``conv1d``, ``ConvTranspose2d``, ``MLP``/``Linear``/
``FC``, ``None``/``Passthrough``, ``Add``/``Sub``/``Xor``/``Or`` and their ``Bitwise`` forms);
``activate`` or ``activation`` (``ReLU``/``Abs``/``None``); ``kernel_size`` as ``3x3``, ``1x1`` or
an integer; pools as an int or a list; ``pool_stride`` as an int or a list (default **1**, as izer);
``pad`` default 1 for convolutions and 0 otherwise; ``quantization`` 1/2/4/8; ``output_width`` 8/32;
``eltwise`` + ``operands`` (2..16); ``pool_first``; ``in_sequences`` (layer indices, ``-1`` = input,
or layer names); ``output``; ``flatten``; ``name``. Placement keys (``processors``,
``output_processors``, offsets, ``write_gap``, ``streaming``, ``data_format``...) are kept in
``hw``. Keys that change the data flow in ways ferhil does not model (``next_sequence``,
``buffer_shift``, ``conv_groups`` > 1, ``dilation`` > 1, ``bypass``...) are refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from golden.errors import FerhilError
from golden.format import Pool

OPS = {
    "conv2d": ("conv2d", None),
    "conv1d": ("conv1d", None),
    "convtranspose2d": ("convtranspose2d", None),
    "linear": ("linear", None),
    "fc": ("linear", None),
    "mlp": ("linear", None),
    "none": ("none", None),
    "passthrough": ("none", None),
    "add": ("none", "add"),
    "sub": ("none", "sub"),
    "or": ("none", "or"),
    "bitwiseor": ("none", "or"),
    "bitwise_or": ("none", "or"),
    "xor": ("none", "xor"),
    "bitwisexor": ("none", "xor"),
    "bitwise_xor": ("none", "xor"),
}
OP_KEYS = ("op", "operation", "operator", "convolution")
HW_KEYS = (
    "processors", "output_processors", "in_offset", "out_offset", "write_gap", "streaming",
    "data_format", "in_dim", "in_channels", "out_channels", "bias_group", "bias_quadrant",
    "calcx4", "readahead", "tcalc", "snoop_sequence",
)  # fmt: skip
REFUSED_KEYS = (
    "next_sequence", "simulated_sequence", "buffer_shift", "buffer_insert", "weight_source",
    "bypass", "in_crop", "in_skip", "read_gap", "in_channel_skip", "sequence", "pool_dilation",
)  # fmt: skip


class Ai8xYamlError(FerhilError, ValueError):
    """The network YAML uses something ferhil cannot express; the message names layer and key."""


@dataclass
class LayerSpec:
    """One YAML layer, normalized (see the module docstring for defaults)."""

    index: int
    name: str | None
    op: str
    eltwise: str | None = None
    operands: int = 1
    kernel: int | None = None
    pad: int = 0
    pool: Pool | None = None
    pool_first: bool = True
    activation: str = "none"
    quantization: int | None = None
    output_shift: int | None = None
    wide: bool = False
    flatten: bool = False
    output: bool = False
    in_sequences: list[int | str] | None = None
    output_pad: int = 1
    hw: dict[str, Any] = field(default_factory=dict)


def _pair(val: Any) -> tuple[int, int]:
    if isinstance(val, list):
        return int(val[0]), int(val[-1])
    return int(val), int(val)


def _kernel(val: Any, where: str) -> int:
    text = str(val).lower()
    if "x" in text:
        a, b = text.split("x", 1)
        if a != b and b != "1":
            raise Ai8xYamlError(f"{where}: kernel_size {val!r} must be square (1x1, 3x3)")
        return int(a)
    return int(text)


def _pool(ll: dict[str, Any], op: str) -> Pool | None:
    for kind in ("max", "avg"):
        if f"{kind}_pool" not in ll:
            continue
        kh, kw = _pair(ll[f"{kind}_pool"])
        sh, _sw = _pair(ll.get("pool_stride", 1))
        if op == "conv1d":
            kw = 1
        return Pool(kind=kind, kernel=(kh, kw), stride=sh)
    return None


def parse_layer(i: int, ll: dict[str, Any]) -> LayerSpec:
    """Normalize YAML layer ``i``.

    Raises:
        Ai8xYamlError: an unknown or unsupported key or value, naming the layer.
    """
    where = f"YAML layer {i}" + (f" ({ll['name']!r})" if "name" in ll else "")
    keys = [k for k in OP_KEYS if k in ll]
    if len(keys) > 1:
        raise Ai8xYamlError(f"{where}: give only one of {keys}")
    raw = str(ll[keys[0]]).lower() if keys else "conv2d"
    if raw not in OPS:
        raise Ai8xYamlError(f"{where}: operator {raw!r} is not one of {sorted(OPS)}")
    op, elt = OPS[raw]
    for key in REFUSED_KEYS:
        if key in ll:
            raise Ai8xYamlError(f"{where}: `{key}` is not supported by ferhil's golden model")
    if int(ll.get("conv_groups", ll.get("groups", 1))) != 1 or _pair(ll.get("dilation", 1)) != (
        1,
        1,
    ):
        raise Ai8xYamlError(f"{where}: grouped or dilated convolutions are MAX78002-only")
    if "eltwise" in ll:
        elt = OPS.get(str(ll["eltwise"]).lower(), (None, None))[1]
        if elt is None:
            raise Ai8xYamlError(f"{where}: eltwise {ll['eltwise']!r} is not add/sub/xor/or")
    operands = int(ll.get("operands", 2 if elt else 1))
    act = str(ll.get("activate", ll.get("activation", "none"))).lower()
    if act not in ("none", "relu", "abs"):
        raise Ai8xYamlError(f"{where}: activation {act!r} is not ReLU, Abs or None")
    q = ll.get("quantization")
    if isinstance(q, str):
        raise Ai8xYamlError(f"{where}: binary weights ({q!r}) are not supported on the MAX78000")
    stride = _pair(ll.get("stride", 2 if op == "convtranspose2d" else 1))[0]
    if stride != (2 if op == "convtranspose2d" else 1):
        raise Ai8xYamlError(f"{where}: stride {stride} is not supported")
    return LayerSpec(
        index=i,
        name=str(ll["name"]) if "name" in ll else None,
        op=op,
        eltwise=elt,
        operands=operands,
        kernel=_kernel(ll["kernel_size"], where) if "kernel_size" in ll else None,
        pad=int(ll.get("pad", 1 if op in ("conv2d", "conv1d", "convtranspose2d") else 0)),
        pool=_pool(ll, op),
        pool_first=bool(ll.get("pool_first", True)),
        activation=act,
        quantization=None if q is None else int(q),
        output_shift=None if ll.get("output_shift") is None else int(ll["output_shift"]),
        wide=int(ll.get("output_width", 8)) == 32,
        flatten=bool(ll.get("flatten", False)),
        output=bool(ll.get("output", False)),
        in_sequences=None
        if ll.get("in_sequences") is None
        else list(
            ll["in_sequences"] if isinstance(ll["in_sequences"], list) else [ll["in_sequences"]]
        ),
        output_pad=int(ll.get("output_pad", 1)),
        hw={k: ll[k] for k in HW_KEYS if k in ll},
    )


def parse_network(cfg: Any) -> list[LayerSpec]:
    """Return the normalized layer specs of a loaded izer network YAML.

    Raises:
        Ai8xYamlError: for a document that is not an izer network description.
    """
    if not isinstance(cfg, dict) or not isinstance(cfg.get("layers"), list) or not cfg["layers"]:
        raise Ai8xYamlError("the network YAML needs a non-empty `layers` list (izer's format)")
    return [parse_layer(i, dict(ll)) for i, ll in enumerate(cfg["layers"])]
