"""``ferhil export``: write a quantized model for ADI's izer (ai8x) or as ONNX.

``train`` and ``eval`` live in :mod:`models.training.train_cli`; ``ferhil.cli`` registers both
modules.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from golden.output_paths import output_dir
from golden.zoo import load_model

FORMATS: tuple[str, ...] = ("ai8x", "onnx")


def cmd_export(args: argparse.Namespace) -> int:
    """Export a zoo model for ADI's izer (``ai8x``) or as ONNX; print the files written."""
    model = load_model(args.model)
    out = output_dir(args.out, "--out")
    print(f"model {model.name} v{model.version} (hash {model.short_hash})")
    if args.format == "ai8x":
        from models.export.export_ai8x import export_ai8x

        paths = export_ai8x(model, out)
        written = [paths.checkpoint, paths.network_yaml, paths.sample_input]
        print(
            "izer: ai8xize.py --checkpoint-file checkpoint.pth.tar --config-file network.yaml "
            "--sample-input sample_input.npy --device MAX78000"
        )
    else:
        from models.export.export_onnx import export_onnx

        result = export_onnx(model, out / "model.onnx")
        written = [result.path]
        print(f"onnxruntime vs torch: max abs diff {result.max_abs_diff:.3g}")
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


def parse_shape(text: str) -> tuple[int, ...]:
    """Parse ``C,H,W`` or ``C,L`` (also ``CxHxW``) into a tuple of positive ints."""
    parts = text.replace("x", ",").split(",")
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not C,H,W or C,L (positive integers)")
    return shape


def cmd_import_ai8x(args: argparse.Namespace) -> int:
    """``ferhil import-ai8x``: read an ai8x checkpoint + izer YAML, write a .qmodel.npz."""
    from golden.format import save
    from models.export.import_ai8x import import_ai8x

    model = import_ai8x(args.checkpoint, args.network_yaml, input_shape=args.input_shape)
    path = save(model, args.out)
    outs = ", ".join(f"{k} {'x'.join(map(str, v))}" for k, v in model.output_shapes().items())
    print(
        f"imported {model.name} ({len(model.layers)} layers, input "
        f"{'x'.join(map(str, model.input_shape))}, outputs {outs}) hash {model.short_hash} "
        f"-> {path}"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``export`` and ``import-ai8x`` to the ``ferhil`` parser."""
    i = subparsers.add_parser(
        "import-ai8x",
        help="import an ai8x-training checkpoint + izer network YAML as a quantized model",
        description="Read CHECKPOINT (loaded with torch weights_only=True) and NETWORK_YAML "
        "(any spelling izer accepts) into a ferhil .qmodel.npz.",
    )
    i.add_argument("checkpoint", type=Path, help="ai8x quantized checkpoint (*.pth.tar)")
    i.add_argument("network_yaml", type=Path, help="izer network YAML")
    i.add_argument(
        "--input-shape",
        type=parse_shape,
        default=None,
        metavar="C,H,W|C,L",
        help="input shape (default: from a ferhil checkpoint or sample_input.npy beside the YAML)",
    )
    i.add_argument("--out", required=True, type=Path, help="output MODEL.qmodel.npz")
    i.set_defaults(func=cmd_import_ai8x)

    p = subparsers.add_parser(
        "export",
        help="export a quantized model for ADI's izer (ai8x) or as ONNX",
        description="Write DIR/checkpoint.pth.tar, DIR/network.yaml and DIR/sample_input.npy "
        "(--format ai8x) or DIR/model.onnx (--format onnx).",
    )
    p.add_argument("--model", default=None, help="zoo name or .qmodel.npz path (default: newest)")
    p.add_argument("--format", required=True, choices=FORMATS, help="export format")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=cmd_export)
