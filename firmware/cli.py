"""``ferhil build``: synthesize and compile the test-agent firmware of a board for a model."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from firmware.builder.board_specs import board_names
from firmware.builder.build import build_firmware
from firmware.builder.msdk import BACKENDS
from golden.output_paths import output_dir
from golden.zoo import load_model


def register(subparsers: Any) -> None:
    """Add the ``build`` subcommand to the ``ferhil`` parser."""
    p = subparsers.add_parser(
        "build",
        help="build the test-agent firmware of a board for a model",
        description="Generate the model's C sources, compile the agent firmware for BOARD and "
        "print the artifact path and its manifest. Builds are cached by firmware hash under "
        "build/firmware/ ($FERHIL_BUILD_DIR).",
    )
    p.add_argument(
        "--board",
        required=True,
        help=f"board name ({', '.join(board_names())}), as `ferhil run --board` takes it",
    )
    p.add_argument("--model", default=None, help="zoo name or .qmodel.npz path (default: newest)")
    p.add_argument("--out", type=Path, default=None, help="also copy the firmware into DIR")
    p.add_argument("--force", action="store_true", help="rebuild even if the cache has it")
    p.add_argument("--cache-dir", type=Path, default=None, help="build cache root")
    p.add_argument("--maxim-path", default=None, help="MSDK root (max78000fthr; $MAXIM_PATH)")
    p.add_argument(
        "--adi-cnn-dir", default=None, help="ai8xize.py output to use ADI's accelerator code"
    )
    p.add_argument("--baud", type=int, default=None, help="UART baud rate (max78000fthr)")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="max78000fthr CNN backend: accelerator (default: izer's code, weights in the CNN's "
        "memory) or portable (ferhil's kernels on the Cortex-M4; small models only)",
    )
    p.set_defaults(func=cmd_build)


def cmd_build(args: argparse.Namespace) -> int:
    """Run ``ferhil build``; prints the artifact path, then the manifest as JSON."""
    out_dir = output_dir(args.out, "--out") if args.out is not None else None
    model = load_model(args.model)
    opts: dict[str, Any] = {}
    if args.maxim_path:
        opts["maxim_path"] = args.maxim_path
    if args.adi_cnn_dir:
        opts["adi_cnn_dir"] = args.adi_cnn_dir
    if args.baud:
        opts["uart_baud"] = args.baud
    if args.backend:
        opts["backend"] = args.backend
    if getattr(args, "izer", None):
        opts["izer"] = args.izer
    if getattr(args, "ai8x_exporter", None) is not None and args.board.replace("-", "_") == (
        "max78000fthr"
    ):
        opts["ai8x_exporter"] = args.ai8x_exporter
    artifact = build_firmware(args.board, model, cache_dir=args.cache_dir, force=args.force, **opts)
    path = artifact.path
    if out_dir is not None:
        path = out_dir / artifact.path.name
        shutil.copy2(artifact.path, path)
        for key in ("hex", "map"):  # MSDK builds: the HEX image and the linker map
            if artifact.manifest.get(key):
                shutil.copy2(artifact.path.parent.parent / artifact.manifest[key], out_dir)
        (out_dir / "manifest.json").write_text(json.dumps(artifact.manifest, indent=2) + "\n")
    print(path)
    print(json.dumps({**artifact.manifest, "cached": artifact.cached}, indent=2, sort_keys=True))
    return 0
