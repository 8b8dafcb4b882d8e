"""``ferhil export``: write a quantized model for ADI's izer (ai8x) or as ONNX.

``train`` and ``eval`` live in :mod:`models.train_cli`; ``ferhil.cli`` registers both modules.
"""

from __future__ import annotations

import argparse
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
        from models.export_ai8x import export_ai8x

        paths = export_ai8x(model, out)
        written = [paths.checkpoint, paths.network_yaml, paths.sample_input]
        print(
            "izer: ai8xize.py --checkpoint-file checkpoint.pth.tar --config-file network.yaml "
            "--sample-input sample_input.npy --device MAX78000"
        )
    else:
        from models.export_onnx import export_onnx

        result = export_onnx(model, out / "model.onnx")
        written = [result.path]
        print(f"onnxruntime vs torch: max abs diff {result.max_abs_diff:.3g}")
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


def register(subparsers: Any) -> None:
    """Add ``export`` to the ``ferhil`` parser."""
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
