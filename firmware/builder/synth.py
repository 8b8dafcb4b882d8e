"""C synthesis: turn a :class:`~golden.format.QuantModel` into the portable firmware sources.

:func:`synthesize` renders the jinja2 templates in ``firmware/templates`` into four files:

* ``model_info.h``: identity (hash, id, name, version), shapes, simulated cycles and MACs;
* ``weights.h``: packed weight rows (:mod:`firmware.builder.weight_packing`) and int8 biases,
  ``const``
  so they live in flash on the boards;
* ``cnn.h`` / ``cnn.c``: ADI-shaped ``cnn_*`` API running the layer table on
  ``firmware/c/kernels.c`` with static buffers sized by :mod:`firmware.builder.model_plan`.

The simulated cycle count comes from ``golden.cost.estimate_cycles``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from firmware.builder.c_literals import c_comment, c_string
from firmware.builder.model_plan import LayerPlan, ModelPlan, plan_model
from firmware.builder.synth_graph import graph_context
from firmware.builder.weight_packing import pack_rows, row_bytes
from golden.format import QuantModel
from golden.graph import as_shape3

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
#: Generated file name -> template name.
GENERATED_FILES: dict[str, str] = {
    "model_info.h": "model_info.h.j2",
    "weights.h": "weights.h.j2",
    "cnn.h": "cnn.h.j2",
    "cnn.c": "cnn.c.j2",
    "selftest.c": "selftest.c.j2",
}
_ACTIVATIONS = {"none": "FERHIL_ACT_NONE", "relu": "FERHIL_ACT_RELU", "abs": "FERHIL_ACT_ABS"}
_POOLS = {None: "CNN_POOL_NONE", "max": "CNN_POOL_MAX", "avg": "CNN_POOL_AVG"}
_BYTES_PER_LINE = 24


@dataclass(frozen=True)
class SynthesizedSources:
    """The generated C sources of one model.

    Attributes:
        files: file name -> text.
        plan: the geometry and buffer sizes used (``None`` for a graph model).
        model_hash: the model's SHA-256 hex.
    """

    files: dict[str, str]
    plan: ModelPlan | None
    model_hash: str

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write every file into ``out_dir`` (created if needed); return the paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, text in self.files.items():
            path = out / name
            path.write_text(text)
            paths.append(path)
        return paths


def _c_bytes(data: bytes | np.ndarray, signed: bool = False) -> str:
    values = np.frombuffer(bytes(data), np.int8 if signed else np.uint8).tolist()
    fmt = "{:d}" if signed else "0x{:02x}"
    lines = []
    for start in range(0, len(values), _BYTES_PER_LINE):
        chunk = values[start : start + _BYTES_PER_LINE]
        lines.append("    " + ", ".join(fmt.format(v) for v in chunk) + ",")
    return "\n".join(lines)


def _layer_context(lp: LayerPlan) -> dict[str, Any]:
    layer = lp.layer
    pool = layer.pool
    packed = pack_rows(layer.weights, layer.weight_bits)
    return {
        "index": lp.index,
        "name": c_comment(layer.name),
        "op": "CNN_OP_CONV2D" if layer.op == "conv2d" else "CNN_OP_LINEAR",
        "shape": "x".join(str(d) for d in layer.weights.shape),
        "in_shape": "x".join(map(str, lp.in_shape)),
        "out_shape": "x".join(map(str, lp.out_shape)),
        "ic": lp.in_shape[0],
        "ih": lp.in_shape[1],
        "iw": lp.in_shape[2],
        "pc": lp.pooled_shape[0] if layer.op == "conv2d" else lp.row_count,
        "ph": lp.pooled_shape[1],
        "pw": lp.pooled_shape[2],
        "out_c": layer.out_channels,
        "out": layer.out_channels,
        "kernel": layer.kernel_size,
        "pad": layer.pad if layer.op == "conv2d" else 0,
        "bits": layer.weight_bits,
        "round_shift": lp.round_shift,
        "activation": _ACTIVATIONS[layer.activation],
        "wide": int(layer.wide),
        "bias_ref": f"cnn_bias_{lp.index}" if layer.bias is not None else "NULL",
        "pool": _POOLS[pool.kind if pool else None],
        "pool_kh": pool.kernel[0] if pool else 0,
        "pool_kw": pool.kernel[1] if pool else 0,
        "pool_stride": pool.stride if pool else 0,
        "row_bytes": row_bytes(lp.row_count, layer.weight_bits),
        "size": len(packed),
        "weights_text": _c_bytes(packed),
        "bias_text": _c_bytes(layer.bias.astype(np.int8).tobytes(), signed=True)
        if layer.bias is not None
        else None,
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["c_string"] = c_string
    env.filters["c_comment"] = c_comment
    return env


def kat_input(model: QuantModel) -> np.ndarray:
    """Return the deterministic int8 ``(C, H, W)`` known-answer input built into every image.

    Fixed-seed values over the whole int8 range: the same on every machine (it keys the build
    cache) and it excites every channel. izer gets the same input (``--sample-input``).
    """
    rng = np.random.default_rng(0x5E1F7E57)
    return rng.integers(-128, 128, size=model.input_shape, dtype=np.int64).astype(np.int8)


def kat_expected(model: QuantModel) -> np.ndarray:
    """Return the golden model's raw outputs (int64) for :func:`kat_input`."""
    from golden.inference import run

    return np.asarray(run(model, kat_input(model).astype(np.int64))[0]).reshape(-1)


def _kat_context(model: QuantModel) -> dict[str, str]:
    expected = kat_expected(model)
    lines = [
        ", ".join(str(int(v)) for v in expected[i : i + 8]) + ","
        for i in range(0, len(expected), 8)
    ]
    return {
        "kat_input_text": _c_bytes(kat_input(model).tobytes(), signed=True),
        "kat_expected_text": "\n".join("    " + ln for ln in lines),
    }


def estimate_model_cycles(model: QuantModel) -> int:
    """Return the simulated cycles of one inference from ``golden.cost.estimate_cycles``."""
    from golden.cost import estimate_cycles  # golden.cost is the single cost model

    return int(estimate_cycles(model))


def synthesize(model: QuantModel, *, model_cycles: int | None = None) -> SynthesizedSources:
    """Render the portable firmware sources of ``model``.

    Args:
        model: the quantized model.
        model_cycles: simulated cycles per inference; defaults to ``golden.cost``'s estimate.

    Returns:
        The generated files, keyed by file name.

    Raises:
        ModelFormatError: when a field or name of the model is invalid (see
            :mod:`golden.identifiers`).
        SynthesisError: when the portable backend cannot run the model exactly.
    """
    if not model.is_v1():
        return _synthesize_graph(model, model_cycles)
    plan = plan_model(model)  # validates the model, names included
    model_hash = model.hash()
    c, h, w = model.input_shape
    cycles = estimate_model_cycles(model) if model_cycles is None else int(model_cycles)
    context: dict[str, Any] = {
        "model_hash": model_hash,
        "model_name": model.name,
        "model_version": model.version,
        "model_name_comment": c_comment(f"model {model.name} v{model.version}"),
        "input_c": c,
        "input_h": h,
        "input_w": w,
        "num_outputs": plan.num_outputs,
        "wide": plan.wide_output,
        "num_layers": len(plan.layers),
        "model_cycles": max(cycles, 0),
        "model_macs": plan.macs,
        "act_buffer_size": plan.act_buffer_size,
        "scratch_weights": plan.scratch_weights,
        "acc_plane": plan.acc_plane,
        "layers": [_layer_context(lp) for lp in plan.layers],
        **_kat_context(model),
    }
    env = _environment()
    files = {name: env.get_template(tpl).render(**context) for name, tpl in GENERATED_FILES.items()}
    return SynthesizedSources(files=files, plan=plan, model_hash=model_hash)


def _synthesize_graph(model: QuantModel, model_cycles: int | None) -> SynthesizedSources:
    """Render a graph model with ``cnn_graph.c.j2`` (see :mod:`firmware.builder.synth_graph`)."""
    ctx = graph_context(model, _c_bytes, c_comment)
    c, h, w = as_shape3(model.input_shape)
    cycles = estimate_model_cycles(model) if model_cycles is None else int(model_cycles)
    context: dict[str, Any] = {
        **ctx,
        "model_hash": model.hash(),
        "model_name": model.name,
        "model_version": model.version,
        "model_name_comment": c_comment(f"model {model.name} v{model.version}"),
        "input_c": c,
        "input_h": h,
        "input_w": w,
        "wide": model.wide_output,
        "num_layers": len(model.layers),
        "model_cycles": max(cycles, 0),
        "layers": ctx["weight_layers"],
        **_kat_context(model),
    }
    env = _environment()
    files = {
        name: env.get_template("cnn_graph.c.j2" if name == "cnn.c" else tpl).render(**context)
        for name, tpl in GENERATED_FILES.items()
    }
    return SynthesizedSources(files=files, plan=None, model_hash=context["model_hash"])
