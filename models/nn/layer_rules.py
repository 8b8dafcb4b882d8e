"""Constructor-time MAX78000 rules for the fused PyTorch layers (spec §1.2).

The layers in :mod:`models.nn.layers` call these checks so that an illegal network fails when it is
built, with a message naming the layer, the rule and what to do instead, long before training.
Network-wide limits (layer count, weight memory, flatten size) are checked by
:mod:`golden.legality` when a :class:`models.nn.network.FerNet` is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from golden.errors import FerhilError
from golden.format import ACTIVATIONS, POOL_KINDS, WEIGHT_BITS, Pool

MAX_CHANNELS = 1024
MAX_POOL = 16
KERNEL_SIZES = (1, 3)
MAX_PAD = 2


class IllegalLayerError(FerhilError, ValueError):
    """A layer cannot run on the MAX78000; the message names the rule and the fix."""


def _where(name: str, kind: str) -> str:
    return f"{kind} {name!r}" if name else kind


def check_conv_args(
    name: str,
    in_ch: int,
    out_ch: int,
    kernel_size: Any,
    pad: int,
    stride: Any,
    groups: int,
    dilation: Any,
) -> int:
    """Check the convolution arguments and return the (square) kernel side.

    Raises:
        IllegalLayerError: naming the rule the arguments break.
    """
    where = _where(name, "conv layer")
    if stride not in (1, (1, 1), [1, 1]):
        raise IllegalLayerError(
            f"{where}: the MAX78000 has no stride-{stride} convolution (izer fixes stride to 1); "
            "downsample with a pooling layer instead (pool kernel/stride <= 16)"
        )
    if groups != 1:
        raise IllegalLayerError(
            f"{where}: groups={groups} (depthwise/grouped convolution) is MAX78002-only; the "
            "MAX78000 needs groups=1; use a full 1x1 or 3x3 convolution"
        )
    if dilation not in (1, (1, 1), [1, 1]):
        raise IllegalLayerError(f"{where}: dilation must be 1 on the MAX78000, got {dilation}")
    k = kernel_size
    if isinstance(k, tuple | list):
        if len(k) != 2 or k[0] != k[1]:
            raise IllegalLayerError(f"{where}: kernel {k} must be square, 1x1 or 3x3")
        k = k[0]
    if k not in KERNEL_SIZES:
        raise IllegalLayerError(
            f"{where}: a {k}x{k} kernel is not supported; the MAX78000 runs 1x1 and 3x3 "
            "convolutions only (stack two 3x3 layers to cover a 5x5 field)"
        )
    if not 0 <= pad <= MAX_PAD:
        raise IllegalLayerError(f"{where}: pad {pad} is outside the hardware's 0..2")
    if pad >= k:
        raise IllegalLayerError(
            f"{where}: pad {pad} must be smaller than the {k}x{k} kernel (izer refuses it); "
            "use pad 0 for 1x1 kernels"
        )
    check_channels(where, in_ch, out_ch)
    return int(k)


def check_channels(where: str, n_in: int, n_out: int) -> None:
    """Check that a layer has 1..1024 input and output channels/features."""
    for what, n in (("input", n_in), ("output", n_out)):
        if not 1 <= n <= MAX_CHANNELS:
            raise IllegalLayerError(
                f"{where}: {n} {what} channels; the MAX78000 allows 1..{MAX_CHANNELS} per layer"
            )


def check_activation(name: str, activation: Any) -> str:
    """Return the activation name; reject activations the hardware lacks (LeakyReLU, ...).

    Accepts ``"relu"``, ``"abs"``, ``"none"`` (any case), ``None``, ``nn.ReLU``, ``nn.Identity``.
    """
    where = _where(name, "layer")
    if activation is None or isinstance(activation, nn.Identity):
        return "none"
    if isinstance(activation, nn.ReLU):
        return "relu"
    if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
        return activation.lower()
    shown = type(activation).__name__ if isinstance(activation, nn.Module) else repr(activation)
    raise IllegalLayerError(
        f"{where}: activation {shown} does not exist on the MAX78000, which has only ReLU, Abs "
        "or none (8-bit saturating); use 'relu', 'abs' or 'none'"
    )


def check_weight_bits(name: str, bits: int) -> int:
    """Check that the weight width is 8, 4, 2 or 1."""
    if bits not in WEIGHT_BITS:
        raise IllegalLayerError(
            f"{_where(name, 'layer')}: weight_bits {bits} unsupported; use one of {WEIGHT_BITS}"
        )
    return int(bits)


def parse_pool(name: str, spec: Pool | Mapping[str, Any] | None) -> Pool | None:
    """Turn a pool spec (``Pool``, ``{"kind", "kernel", "stride"}`` or ``None``) into a Pool.

    ``kernel`` may be an int or ``[kh, kw]``; ``stride`` defaults to the kernel height.

    Raises:
        IllegalLayerError: for an unknown kind, or kernel/stride outside 1..16.
    """
    if spec is None:
        return None
    where = _where(name, "layer")
    kind: str
    if isinstance(spec, Pool):
        kind, kernel, stride = spec.kind, spec.kernel, spec.stride
    else:
        kind = str(spec.get("kind", "max"))
        raw = spec.get("kernel", 2)
        kernel = (int(raw), int(raw)) if isinstance(raw, int) else (int(raw[0]), int(raw[1]))
        stride = int(spec.get("stride", kernel[0]))
    if kind not in POOL_KINDS:
        raise IllegalLayerError(f"{where}: pool kind {kind!r} must be one of {POOL_KINDS}")
    if not all(1 <= k <= MAX_POOL for k in kernel) or not 1 <= stride <= MAX_POOL:
        raise IllegalLayerError(
            f"{where}: pool kernel {kernel} / stride {stride} outside the hardware's 1..16"
        )
    return Pool(kind=kind, kernel=kernel, stride=stride)  # type: ignore[arg-type]
