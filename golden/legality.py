"""Does a network fit the MAX78000? Every violated rule, each naming the layer and the rule.

:func:`check_layers` works on :class:`~golden.resources.LayerShape` descriptions (usable before
quantization, when ``output_shift`` is unknown); :func:`check_model` on a quantized model. Both
return the :class:`~golden.resources.ResourceReport` when the network is legal and raise
:class:`LegalityError` listing every violation otherwise. :func:`find_violations` returns the list
without raising. Limits and their sources are in :mod:`golden.limits`.

Two choices worth knowing: a flatten layer is checked against izer's flatten limits
(C*H*W <= 16,384, H*W <= 256, C <= 1024) rather than ai8x.py's ``Linear`` assertion
``in_features <= 1024`` (an ai8x-training export needs the stricter one); and per-processor
kernel memory is checked per layer (<= 768 words) and in total (64 x 768 words), not for a
particular processor allocation, which izer's YAML chooses.
"""

from __future__ import annotations

from golden import limits as lim
from golden.errors import FerhilError
from golden.format import QuantModel
from golden.resources import (
    LayerResources,
    LayerShape,
    ResourceReport,
    Shape3,
    compute_resources,
    shapes_from_model,
)


class LegalityError(FerhilError):
    """The network breaks MAX78000 rules; ``violations`` lists each, naming layer and rule."""

    def __init__(self, name: str, violations: list[str]) -> None:
        self.violations = list(violations)
        lines = "\n".join(f"  - {v}" for v in violations)
        super().__init__(
            f"{name} does not fit the MAX78000 ({len(violations)} problem"
            f"{'s' if len(violations) != 1 else ''}); change the network and re-export:\n{lines}"
        )


def _layer_rules(shape: LayerShape, is_last: bool) -> list[str]:
    where = f"layer {shape.name!r}"
    out: list[str] = []
    if shape.op == "conv2d":
        k = shape.kernel_size
        if k not in lim.CONV_KERNEL_SIZES:
            out.append(
                f"{where}: {k}x{k} kernels are not supported; the MAX78000 runs 1x1 or 3x3 "
                "convolutions"
            )
        if not 0 <= shape.pad <= lim.MAX_PAD:
            out.append(f"{where}: padding {shape.pad} is not supported; use 0, 1 or 2")
        elif k in lim.CONV_KERNEL_SIZES and shape.pad >= k:
            # izer (izer/izer.py) refuses a padding that is not smaller than the kernel.
            out.append(
                f"{where}: padding {shape.pad} needs a larger kernel; izer requires pad < kernel "
                f"size, so a {k}x{k} convolution may pad at most {k - 1}"
            )
        for label, n in (("input", shape.in_channels), ("output", shape.out_channels)):
            if n > lim.MAX_CHANNELS:
                out.append(f"{where}: {n} {label} channels exceed the limit of {lim.MAX_CHANNELS}")
    elif shape.op == "linear":
        if shape.pad:
            out.append(f"{where}: a linear layer cannot pad its input")
        if shape.out_channels > lim.MAX_LINEAR_FEATURES:
            out.append(
                f"{where}: {shape.out_channels} output features exceed the linear limit of "
                f"{lim.MAX_LINEAR_FEATURES}"
            )
        if not shape.flatten and shape.in_channels > lim.MAX_LINEAR_FEATURES:
            out.append(
                f"{where}: {shape.in_channels} input features exceed the linear limit of "
                f"{lim.MAX_LINEAR_FEATURES}"
            )
        if shape.flatten and shape.pool is not None:
            out.append(f"{where}: a flatten layer cannot also pool; pool in the previous layer")
    else:
        out.append(f"{where}: op {shape.op!r} is not supported; use conv2d or linear")
    if shape.pool is not None:
        kh, kw = shape.pool.kernel
        if not (1 <= kh <= lim.MAX_POOL_KERNEL and 1 <= kw <= lim.MAX_POOL_KERNEL):
            out.append(f"{where}: pool kernel {kh}x{kw} is not supported; each side must be 1..16")
        if not 1 <= shape.pool.stride <= lim.MAX_POOL_STRIDE:
            out.append(f"{where}: pool stride {shape.pool.stride} is not supported; use 1..16")
    if shape.has_bias and shape.out_channels > lim.MAX_BIAS_CHANNELS:
        out.append(
            f"{where}: bias is supported only for up to {lim.MAX_BIAS_CHANNELS} output channels, "
            f"this layer has {shape.out_channels}; drop the bias"
        )
    if shape.wide and not is_last:
        out.append(f"{where}: only the last layer may have a wide (32-bit) output")
    if shape.output_shift is not None and not shape.wide:
        s = shape.output_shift + 8 - shape.weight_bits
        if not lim.MIN_TOTAL_SHIFT <= s <= lim.MAX_TOTAL_SHIFT:
            out.append(
                f"{where}: total shift {s} (output_shift {shape.output_shift} + 8 - "
                f"{shape.weight_bits}-bit weights) is outside [-15, 15]; rescale the layer"
            )
    return out


def _data_rules(res: LayerResources, first: bool) -> list[str]:
    where = f"layer {res.name!r}"
    out: list[str] = []
    shapes = [("input", res.input_shape), ("output", res.output_shape)]
    for label, (_c, h, w) in shapes:
        if max(h, w) > lim.MAX_ROW_COL:
            out.append(f"{where}: {label} of {h}x{w} exceeds {lim.MAX_ROW_COL} rows/columns")
    c, h, w = res.input_shape
    if first and not (c <= lim.CHW_MAX_CHANNELS and h * w <= lim.CHW_MAX_PIXELS):
        passes = -(-c // 64)
        if h * w * passes > lim.HWC_MAX_PIXELS:
            out.append(
                f"{where}: the {c}x{h}x{w} input does not fit data memory (CHW needs <= 16 "
                f"channels of <= {lim.CHW_MAX_PIXELS} pixels; HWC needs H*W*passes <= "
                f"{lim.HWC_MAX_PIXELS})"
            )
    if res.op == "linear" and res.pooled_shape[1] * res.pooled_shape[2] > 1:
        pc, ph, pw = res.pooled_shape
        if pc * ph * pw > lim.MAX_FLATTEN_FEATURES or ph * pw > lim.MAX_FLATTEN_PIXELS:
            out.append(
                f"{where}: flattening {pc}x{ph}x{pw} needs C*H*W <= {lim.MAX_FLATTEN_FEATURES} "
                f"and H*W <= {lim.MAX_FLATTEN_PIXELS}; pool more before the classifier"
            )
        if pc > lim.MAX_CHANNELS:
            out.append(f"{where}: flattening {pc} channels exceeds {lim.MAX_CHANNELS}")
    oc, oh, ow = res.output_shape
    passes = -(-oc // 64)
    if oh * ow * passes > lim.HWC_MAX_PIXELS:
        out.append(
            f"{where}: the {oc}x{oh}x{ow} output does not fit a 32 KiB data-memory instance "
            f"(HWC needs H*W*passes <= {lim.HWC_MAX_PIXELS}); pool earlier"
        )
    if res.kernel_words_per_processor > lim.KERNEL_WORDS_PER_PROCESSOR:
        out.append(
            f"{where}: needs {res.kernel_words_per_processor} kernel words per processor, more "
            f"than the {lim.KERNEL_WORDS_PER_PROCESSOR} a processor holds; use fewer channels"
        )
    return out


def find_violations(
    shapes: list[LayerShape], input_shape: Shape3
) -> tuple[ResourceReport, list[str]]:
    """Return the resource report and every rule the network breaks (empty when legal)."""
    violations: list[str] = []
    names = [s.name for s in shapes]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        violations.append(f"layer {dup!r}: layer names must be unique")
    if len(shapes) > lim.MAX_LAYERS:
        violations.append(f"network: {len(shapes)} layers exceed the limit of {lim.MAX_LAYERS}")
    if not shapes:
        violations.append("network: has no layers")
    for i, shape in enumerate(shapes):
        violations.extend(_layer_rules(shape, is_last=i == len(shapes) - 1))
    report = compute_resources(shapes, input_shape)
    violations.extend(report.shape_errors)
    for i, res in enumerate(report.layers):
        violations.extend(_data_rules(res, first=i == 0))
    if report.weight_bytes > lim.WEIGHT_MEMORY_BYTES:
        violations.append(
            f"network: weight memory {report.weight_bytes:,} bytes exceeds "
            f"{lim.WEIGHT_MEMORY_BYTES:,} bytes; use fewer or narrower weights"
        )
    words = sum(r.kernel_words_per_processor * r.processors for r in report.layers)
    capacity = lim.NUM_PROCESSORS * lim.KERNEL_WORDS_PER_PROCESSOR
    if words > capacity:
        violations.append(
            f"network: {words:,} kernel words exceed the {capacity:,} of 64 processors"
        )
    if report.bias_bytes > lim.BIAS_MEMORY_BYTES:
        violations.append(
            f"network: bias memory {report.bias_bytes:,} bytes exceeds "
            f"{lim.BIAS_MEMORY_BYTES:,} bytes; drop some biases"
        )
    return report, violations


def check_layers(
    shapes: list[LayerShape], input_shape: Shape3, *, name: str = "network"
) -> ResourceReport:
    """Check a layer stack against every MAX78000 rule.

    Args:
        shapes: the layers, in order.
        input_shape: ``(C, H, W)`` of the input.
        name: how to call the network in the error message.

    Returns:
        The resource report of the (legal) network.

    Raises:
        LegalityError: listing every violation.
    """
    report, violations = find_violations(shapes, input_shape)
    if violations:
        raise LegalityError(name, violations)
    return report


def check_model(model: QuantModel) -> ResourceReport:
    """Check a quantized model (shifts included) against every MAX78000 rule.

    Raises:
        LegalityError: listing every violation.
    """
    return check_layers(
        shapes_from_model(model), model.input_shape, name=f"model {model.name!r} v{model.version}"
    )


#: Help of the ``--allow-illegal`` switch (``ferhil run``/``predict`` option table, ``golden``).
ALLOW_ILLEGAL_HELP = (
    "compute a model that breaks MAX78000 rules anyway (results are labelled as such); "
    "by default such a model is refused"
)


class IllegalModelError(FerhilError):
    """A command was asked to compute a model the MAX78000 cannot run."""


def require_legal(model: QuantModel, allow_illegal: bool = False) -> list[str]:
    """Refuse an illegal model unless ``allow_illegal``; return its violations (empty: legal).

    Raises:
        IllegalModelError: one line naming the first problem, the count, and what to do.
    """
    _, violations = find_violations(shapes_from_model(model), model.input_shape)
    if violations and not allow_illegal:
        more = f" and {len(violations) - 1} more" if len(violations) > 1 else ""
        raise IllegalModelError(
            f"model {model.name!r} v{model.version} does not fit the MAX78000 "
            f"({violations[0]}{more}); see `ferhil inspect --model ...` for every problem, "
            "or pass --allow-illegal to compute it anyway"
        )
    return violations


def illegal_label(violations: list[str]) -> str:
    """Return the label of results computed for an illegal model (``""`` when legal)."""
    if not violations:
        return ""
    return (
        f"ILLEGAL MODEL (--allow-illegal): breaks {len(violations)} MAX78000 rule"
        f"{'s' if len(violations) != 1 else ''}, first: {violations[0]}"
    )
