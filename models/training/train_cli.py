"""``ferhil train`` and ``ferhil eval`` subcommands (registered by :mod:`models.cli`)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from golden.errors import FerhilError
from golden.tta import TTA_KINDS


def _cmd_train(args: argparse.Namespace) -> int:
    from golden.identifiers import child_path
    from golden.output_paths import output_dir
    from models.training.train import train
    from models.training.train_config import load_config

    cfg = load_config(args.config)
    out = (
        output_dir(args.out, "--out")
        if args.out
        else child_path(Path("runs"), cfg.zoo_name or cfg.name, "zoo name")
    )
    result = train(cfg, out, resume=args.resume, max_steps=args.max_steps)
    if not result.finished:
        words = ["ferhil", "train", "--config", str(args.config), "--out", str(out)]
        again = shlex.join(words + (["--zoo", str(args.zoo)] if args.zoo else []))
        print(f"stopped; continue with: {again} --resume")
        return 0
    if args.no_export or cfg.float_only:
        return 0
    from models.training.zoo_export import export_run

    path = export_run(result, cfg, zoo_root=Path(args.zoo) if args.zoo else None)
    print(f"exported {path}")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from models.training.evaluate import evaluate_model, format_report

    report = evaluate_model(args.model, args.data, tta=bool(args.tta), limit=args.limit)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print(format_report(report))
    return 0


def register(subparsers: Any) -> None:
    """Add ``train`` and ``eval`` to the ``ferhil`` sub-command parser."""
    p = subparsers.add_parser("train", help="train a FER model (float, then QAT) and export it")
    p.add_argument("--config", required=True, help="training config, models/configs/*.yaml")
    p.add_argument("--out", help="run folder (default runs/<zoo_name>)")
    p.add_argument("--resume", action="store_true", help="continue from the run's checkpoint")
    p.add_argument("--max-steps", type=int, default=None, help="stop after N steps (checkpoint)")
    p.add_argument("--no-export", action="store_true", help="do not write to the model zoo")
    p.add_argument(
        "--zoo",
        help="zoo root the new entry is written to (default models/zoo or $FERHIL_ZOO); "
        "init_from and distill teachers are looked up in $FERHIL_ZOO (else models/zoo) or "
        "given as folder paths",
    )
    p.set_defaults(func=_cmd_train)

    e = subparsers.add_parser("eval", help="float and integer (golden) accuracy of a model")
    e.add_argument("--model", default=None, help="zoo name or .qmodel.npz (default: newest)")
    e.add_argument("--data", default="fer2013:publictest", help="npz/csv/folder or fer2013:<split>")
    e.add_argument("--json", action="store_true", help="print JSON")
    e.add_argument(
        "--tta",
        nargs="?",
        const="hflip",
        choices=TTA_KINDS,
        default=None,
        help="also report test-time augmentation beside the single pass (hflip, the default "
        "kind: the device's integer rule, golden/tta.py)",
    )
    e.add_argument("--limit", type=int, default=None, help="evaluate the first N samples only")
    e.set_defaults(func=_cmd_eval)


def main(argv: list[str] | None = None) -> int:
    """Run ``train``/``eval`` without ``ferhil`` (``python -m models.training.train_cli``)."""
    parser = argparse.ArgumentParser(prog="ferhil")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except FerhilError as exc:
        print(f"ferhil {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
