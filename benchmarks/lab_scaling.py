"""Multi-board scaling: images/s of one run over 1, 2 and 3 hostsim boards at 921,600 baud.

Each scenario is one harness run (:class:`harness.run.hil_run.HilRun` with ``--board
hostsim[,hostsim[,hostsim]] --baud 921600``: real hostsim processes over real ptys, the real
protocol client, work stealing across the boards). The figure is the run's own
``summary.throughput_ips`` from results.json (images / streaming wall time); the speed-up is
relative to one board. Every sample must match golden. The default model is fercnn-v2 (light
enough that the 921,600-baud link, not this machine's CPUs, is the limit).

It also prints the CPU time the simulated boards spent per image and the ceiling that puts on
images/s on this host (CPUs / CPU per image): hostsim computes the CNN on the host's CPUs, so
on a small machine three boards at 921,600 baud (~39 img/s each) can be CPU-bound, not
link-bound.

``--model light`` takes a tiny random legal model (labelled SYNTHETIC; same 48x48 input, so
the same bytes on the wire) whose compute is negligible: it shows the scaling when the link
alone is the limit, whatever the host's CPUs.

Usage: .venv/bin/python benchmarks/lab_scaling.py [--model REF|light] [--limit N] [--boards 1,2,3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
from pathlib import Path

import numpy as np
from bench_model import pick_model

from fixtures.paths import fer2013_file
from golden.format import load, save
from golden.synthetic import random_legal_model
from harness.run.hil_run import HilRun
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

BAUD = 921600


def scenario(model: str, boards: int, limit: int, window: int, out: Path) -> dict:
    """Run one multi-board run; return its summary figures."""
    cfg = FerhilConfig.defaults(
        board=",".join(["hostsim"] * boards),
        model=model,
        baud=BAUD,
        limit=limit,
        report_dir=out,
        progress=False,
        window=window,
        sample_timeout=30.0,
    )
    run = HilRun(cfg, load_model=lambda ref: load(ref))
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    try:
        run.prepare()
        run.start()
        run.stream()
    finally:
        run.finish()
    board_cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu0  # reaped boards
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    summary = doc["summary"]
    per_board = summary.get("boards") or {doc["identity"]["board"]: {"samples": summary["samples"]}}
    return {
        "ips": summary["throughput_ips"],
        "images": summary["samples"],
        "matched": summary["matched_golden"],
        "failed": summary["failed"],
        "board_cpu_ms": 1e3 * board_cpu / max(1, summary["samples"]),
        "split": "/".join(str(b["samples"]) for b in per_board.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="fercnn-v2")
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--boards", default="1,2,3")
    parser.add_argument("--window", type=int, default=4)
    args = parser.parse_args()
    load_option_providers()
    if fer2013_file("publictest") is None:
        print("note: FER2013 not found; the runs use the generated stand-in set")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        if args.model == "light":
            model = random_legal_model(np.random.default_rng(5), max_layers=3, max_channels=8)
            label = "SYNTHETIC light model (random weights, negligible compute)"
        else:
            model, label = pick_model(args.model)
        path = str(save(model, scratch / "model.qmodel.npz"))
        print(f"model: {label}; boards: hostsim (SIMULATED) at {BAUD} baud; window {args.window}")
        cores = os.cpu_count() or 1
        load = os.getloadavg()[0]
        print(f"host: {cores} CPUs, load average {load:.1f} (the simulated boards compute on them)")
        print(
            f"{'boards':>6} {'images':>6} {'img/s':>8} {'speed-up':>8} {'golden':>10} "
            f"{'board CPU ms/img':>16} {'CPU ceiling img/s':>17} split"
        )
        base = None
        for n in [int(v) for v in args.boards.split(",")]:
            r = scenario(path, n, args.limit, args.window, scratch / f"run-{n}")
            base = base or (r["ips"] if n == 1 else None)
            speed = f"{r['ips'] / base:.2f}x" if base else "-"
            golden = f"{r['matched']}/{r['images']}"
            ceiling = 1e3 * cores / r["board_cpu_ms"] if r["board_cpu_ms"] else float("inf")
            # (the ceiling assumes every CPU is free for the boards; a loaded host gives less)
            print(
                f"{n:>6} {r['images']:>6} {r['ips']:>8.1f} {speed:>8} {golden:>10} "
                f"{r['board_cpu_ms']:>16.1f} {ceiling:>17.1f} {r['split']}"
            )
            if r["matched"] != r["images"]:
                print(f"  GOLDEN MISMATCH: {r['images'] - r['matched']}, {r['failed']} failed")


if __name__ == "__main__":
    main()
