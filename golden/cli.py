"""``ferhil inspect`` and ``ferhil golden``: look at a quantized model, run the golden reference."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from golden import graph
from golden.cost import CostReport, estimate_cost, estimate_layers
from golden.errors import FerhilError
from golden.format import QuantModel
from golden.graph import as_shape3
from golden.graph_legality import data_memory, graph_violations
from golden.inference import run_outputs
from golden.legality import ALLOW_ILLEGAL_HELP, find_violations, illegal_label, require_legal
from golden.limits import BIAS_MEMORY_BYTES, CNN_CLOCK_HZ, WEIGHT_MEMORY_BYTES
from golden.output_paths import output_file
from golden.resources import shapes_from_model
from golden.zoo import load_model, resolve_model_path


class GoldenCommandError(FerhilError):
    """A golden subcommand got unusable input; the message says what to pass."""


def register(subparsers: Any) -> None:
    """Add the ``inspect`` and ``golden`` subcommands to the ``ferhil`` parser."""
    p = subparsers.add_parser(
        "inspect",
        help="show a quantized model's layers, resources and simulated latency",
        description="Print the layer table, MAX78000 resource use, legality and the simulated "
        "latency of a quantized model.",
    )
    p.add_argument("--model", default=None, help="zoo name or .qmodel.npz path (default: newest)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_inspect)

    g = subparsers.add_parser(
        "golden",
        help="run the bit-exact golden model on an int8 input array",
        description="Run golden inference on X (int8-valued (N,C,H,W) / (N,C,L), or one "
        "sample without N) and write the last layer's int64 output (N,C,H,W) / (N,C,L) to Y "
        "(raw 32-bit values for a wide layer); --out-all also writes every output layer.",
    )
    g.add_argument("--model", default=None, help="zoo name or .qmodel.npz path (default: newest)")
    g.add_argument("--input", required=True, type=Path, help="input .npy (integer, -128..127)")
    g.add_argument("--out", required=True, type=Path, help="output .npy (int64)")
    g.add_argument("--allow-illegal", action="store_true", help=ALLOW_ILLEGAL_HELP)
    g.add_argument(
        "--out-all", type=Path, default=None, metavar="FILE.npz", help="every output layer"
    )
    g.set_defaults(func=cmd_golden)


def _layer_row(model: QuantModel, cost: CostReport, i: int) -> dict[str, Any]:
    layer = model.layers[i]
    res = cost.resources.layers[i] if i < len(cost.resources.layers) else None
    pool = layer.pool
    return {
        "name": layer.name,
        "op": layer.op + (" flatten" if layer.flatten else "") + (" wide" if layer.wide else ""),
        "input_shape": list(res.input_shape) if res else None,
        "output_shape": list(res.output_shape) if res else None,
        "kernel": layer.kernel_size if layer.op == "conv2d" else None,
        "pad": layer.pad,
        "pool": (
            f"{pool.kind}{pool.kernel[0]}x{pool.kernel[1]}/{pool.stride}"
            if pool is not None
            else None
        ),
        "activation": layer.activation,
        "weight_bits": layer.weight_bits,
        "output_shift": layer.output_shift,
        "macs": res.macs if res else None,
        "weight_bytes": res.weight_bytes if res else None,
        "bias_bytes": res.bias_bytes if res else None,
        "simulated_cycles": cost.layer_cycles[i] if i < len(cost.layer_cycles) else None,
    }


def inspect_model(model: QuantModel) -> dict[str, Any]:
    """Return everything ``ferhil inspect`` shows, as a JSON-serializable dict."""
    shape3 = as_shape3(model.input_shape)
    report, violations = find_violations(shapes_from_model(model), shape3)
    cost = estimate_layers(shapes_from_model(model), shape3)
    return {
        "name": model.name,
        "version": model.version,
        "hash": model.hash(),
        "short_hash": model.short_hash,
        "input_shape": list(model.input_shape),
        "input_mapping": model.input_mapping,
        "classes": list(model.classes),
        "wide_output": model.wide_output,
        "layers": [_layer_row(model, cost, i) for i in range(len(model.layers))],
        "total_macs": report.total_macs,
        "weight_bytes": report.weight_bytes,
        "weight_memory_capacity": WEIGHT_MEMORY_BYTES,
        "bias_bytes": report.bias_bytes,
        "bias_memory_capacity": BIAS_MEMORY_BYTES,
        "legal": not violations,
        "violations": violations,
        "simulated": {**cost.to_json(), "clock_hz": CNN_CLOCK_HZ},
        "metadata": model.metadata,
    }


def _fmt_shape(shape: list[int] | None) -> str:
    return "x".join(map(str, shape)) if shape else "?"


def format_inspection(info: dict[str, Any]) -> str:
    """Render :func:`inspect_model`'s dict as the human-readable table."""
    head = (
        f"{'layer':<10} {'op':<20} {'in -> out':<22} {'k/pad/pool':<18} {'act':<5} "
        f"{'bits':>4} {'shift':>5} {'MACs':>12} {'weights B':>10} {'bias B':>7}"
    )
    lines = [
        f"model {info['name']} v{info['version']}  hash {info['short_hash']}  input "
        f"{_fmt_shape(info['input_shape'])} ({info['input_mapping']})",
        head,
        "-" * len(head),
    ]
    for r in info["layers"]:
        shapes = f"{_fmt_shape(r['input_shape'])} -> {_fmt_shape(r['output_shape'])}"
        kpp = f"{r['kernel'] or '-'}/{r['pad']}/{r['pool'] or '-'}"
        lines.append(
            f"{r['name']:<10} {r['op']:<20} {shapes:<22} {kpp:<18} {r['activation']:<5} "
            f"{r['weight_bits']:>4} {r['output_shift']:>5} {r['macs'] or 0:>12,} "
            f"{r['weight_bytes'] or 0:>10,} {r['bias_bytes'] or 0:>7,}"
        )
    w, wc = info["weight_bytes"], info["weight_memory_capacity"]
    b, bc = info["bias_bytes"], info["bias_memory_capacity"]
    sim = info["simulated"]
    lines += [
        "-" * len(head),
        f"Weight memory: {w:,} bytes out of {wc:,} bytes total ({w * 100.0 / wc:.0f}%)",
        f"Bias memory: {b:,} bytes out of {bc:,} bytes total ({b * 100.0 / bc:.0f}%)",
        f"MACs per inference: {info['total_macs']:,}",
        f"Estimated latency (simulated, not measured): {sim['latency_us']:,.1f} us = "
        f"{sim['total_cycles']:,} cycles at {sim['clock_hz'] / 1e6:.0f} MHz",
        "Legality: " + ("OK, fits the MAX78000" if info["legal"] else "FAILS"),
    ]
    lines += [f"  - {v}" for v in info["violations"]]
    return "\n".join(lines)


def inspect_graph(model: QuantModel) -> dict[str, Any]:
    """Return ``ferhil inspect``'s dict for a graph model: layers, inputs, shapes, memory, rules."""
    geo = graph.geometry(model.input_shape, model.layers)
    memory = data_memory(model)
    cost = estimate_cost(model)
    rows = []
    for layer, g, mem, res, cycles in zip(
        model.layers, geo, memory, cost.resources.layers, cost.layer_cycles, strict=True
    ):
        pool = layer.pool
        rows.append(
            {
                "name": layer.name,
                "inputs": list(layer.inputs) or ["(previous)"],
                "op": layer.op
                + (f" {layer.eltwise}x{layer.operands}" if layer.eltwise else "")
                + (" flatten" if layer.flatten else "")
                + (" wide" if layer.wide else "")
                + (" output" if layer.output else ""),
                "pool": f"{pool.kind}{pool.kernel[0]}x{pool.kernel[1]}/{pool.stride}"
                + ("" if layer.pool_first else " after")
                if pool
                else None,
                "input_shape": list(g.input_shape),
                "output_shape": list(g.output_shape),
                "weight_bits": layer.weight_bits if layer.has_weights else None,
                "data_bytes_per_instance": mem.bytes_per_instance,
                "macs": res.macs,
                "weight_bytes": res.weight_bytes,
                "bias_bytes": res.bias_bytes,
                "simulated_cycles": cycles,
            }
        )
    violations = graph_violations(model)
    return {
        "name": model.name,
        "version": model.version,
        "hash": model.hash(),
        "short_hash": model.short_hash,
        "input_shape": list(model.input_shape),
        "graph": rows,
        "outputs": {k: list(v) for k, v in model.output_shapes().items()},
        "resources": {
            "total_macs": cost.resources.total_macs,
            "weight_bytes": cost.resources.weight_bytes,
            "weight_memory_capacity": WEIGHT_MEMORY_BYTES,
            "bias_bytes": cost.resources.bias_bytes,
            "bias_memory_capacity": BIAS_MEMORY_BYTES,
        },
        "simulated": {**cost.to_json(), "clock_hz": CNN_CLOCK_HZ},
        "legal": not violations,
        "violations": violations,
        "metadata": model.metadata,
    }


def format_graph(info: dict[str, Any]) -> str:
    """Draw :func:`inspect_graph`'s dict as text: one line per layer with its inputs."""
    lines = [
        f"model {info['name']} v{info['version']}  hash {info['short_hash']}  input "
        f"{_fmt_shape(info['input_shape'])}",
        f"{'layer':<14} {'<- inputs':<22} {'op':<26} {'pool':<14} {'in -> out':<24} "
        f"{'bits':>4} {'mem B':>7} {'MACs':>11} {'weight B':>9}",
    ]
    for r in info["graph"]:
        shapes = f"{_fmt_shape(r['input_shape'])} -> {_fmt_shape(r['output_shape'])}"
        lines.append(
            f"{r['name']:<14} {'<- ' + ', '.join(r['inputs']):<22} {r['op']:<26} "
            f"{r['pool'] or '-':<14} {shapes:<24} {r['weight_bits'] or '-':>4} "
            f"{r['data_bytes_per_instance']:>7,} {r['macs']:>11,} {r['weight_bytes']:>9,}"
        )
    outs = ", ".join(f"{k} {_fmt_shape(v)}" for k, v in info["outputs"].items())
    res, sim = info["resources"], info["simulated"]
    lines += [
        f"outputs: {outs}",
        f"MACs {res['total_macs']:,}; weights {res['weight_bytes']:,} of "
        f"{res['weight_memory_capacity']:,} B; biases {res['bias_bytes']:,} of "
        f"{res['bias_memory_capacity']:,} B",
        f"simulated latency {sim['latency_us']:.1f} us ({sim['total_cycles']:,} cycles at "
        f"{sim['clock_hz'] / 1e6:g} MHz; an estimate, not a measurement)",
        "Legality: " + ("OK" if info["legal"] else "FAILS"),
    ]
    lines += [f"  - {v}" for v in info["violations"]]
    return "\n".join(lines)


def cmd_inspect(args: argparse.Namespace) -> int:
    """``ferhil inspect``: exit 0 for a legal model, 1 when it breaks MAX78000 rules."""
    model = load_model(args.model)
    if not model.is_v1():
        info = inspect_graph(model)
        info["path"] = str(resolve_model_path(args.model))
        print(json.dumps(info, indent=2, default=str) if args.json else format_graph(info))
        return 0 if info["legal"] else 1
    info = inspect_model(model)
    info["path"] = str(resolve_model_path(args.model))
    if args.json:
        print(json.dumps(info, indent=2, default=str))
    else:
        print(f"file {info['path']}")
        print(format_inspection(info))
    return 0 if info["legal"] else 1


def read_input_array(path: Path) -> np.ndarray:
    """Load an integer int8-valued ``.npy`` array, with a clear error when it is not one."""
    if not path.is_file():
        raise GoldenCommandError(f"input file {path} does not exist")
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise GoldenCommandError(f"{path} is not a numpy .npy array ({exc})") from exc
    if x.dtype == np.bool_ or not np.issubdtype(x.dtype, np.integer):
        raise GoldenCommandError(
            f"{path} holds {x.dtype} values; the golden model needs integers in [-128, 127] "
            "(map uint8 pixels with golden.input_mapping.pixels_to_input)"
        )
    if x.size and (int(x.min()) < -128 or int(x.max()) > 127):
        raise GoldenCommandError(
            f"{path} holds values in [{int(x.min())}, {int(x.max())}]; the golden model needs "
            "int8 values in [-128, 127] (pixels map with p - 128)"
        )
    result: np.ndarray = x
    return result


def cmd_golden(args: argparse.Namespace) -> int:
    """``ferhil golden``: run golden inference and write the raw outputs."""
    out = output_file(args.out, "--out", ".npy")
    model = load_model(args.model)
    label = illegal_label(require_legal(model, args.allow_illegal))
    x = read_input_array(args.input)
    outs = run_outputs(model, x)
    y = list(outs.values())[-1]
    with out.open("wb") as fh:  # np.save(path) would append .npy to another name
        np.save(fh, y)
    if args.out_all is not None:
        out_all = output_file(args.out_all, "--out-all", ".npz")
        with out_all.open("wb") as fh:
            np.savez(fh, **outs)  # type: ignore[arg-type]
    kind = "32-bit accumulators" if model.wide_output else "int8 values"
    print(
        f"golden {model.name} v{model.version} ({model.short_hash}): {y.shape[0]} inputs -> "
        f"{out} int64 {y.shape} ({kind})",
        file=sys.stdout,
    )
    if label:
        print(label, file=sys.stdout)
    return 0
