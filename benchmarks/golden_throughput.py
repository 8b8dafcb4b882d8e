"""Golden-inference throughput over FER2013 PublicTest (target: 3,589 images in < 10 s).

Usage: ``.venv/bin/python benchmarks/golden_throughput.py [--model REF] [--repeat N]``

Uses the newest zoo model (``models/zoo/*/model.qmodel.npz``) unless ``--model`` is given; with
an empty zoo it uses ``golden.synthetic.fer_like_model`` (random weights, realistic size) and
says so. Images come from ``fixtures.paths.fer2013_file("publictest")``; without the archive it
uses 3,589 random images and says so. Prints images/s, seconds, MACs/image and the verdict.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import pick_model

from fixtures.paths import fer2013_file
from golden.inference import run
from golden.input_mapping import pixels_to_input
from golden.resources import model_resources

TARGET_S = 10.0
PUBLICTEST_SIZE = 3589


def pick_images() -> tuple[np.ndarray, str]:
    path = fer2013_file("publictest")
    if path is not None:
        with np.load(path) as data:
            return data["images"], f"FER2013 PublicTest {path}"
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (PUBLICTEST_SIZE, 48, 48)).astype(np.uint8)
    return images, "RANDOM images (FER2013 PublicTest archive not found)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="zoo name or path (default: newest)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    args = parser.parse_args()
    model, model_desc = pick_model(args.model)
    images, data_desc = pick_images()
    x = pixels_to_input(images, model.input_mapping)
    macs = model_resources(model).total_macs
    load_before = os.getloadavg()[0]
    times, cpu = [], []
    for _ in range(max(1, args.repeat)):
        start, cpu_start = time.perf_counter(), time.process_time()
        out = run(model, x)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    best = min(times)
    print(f"model:        {model_desc}")
    print(f"data:         {data_desc}")
    print(
        f"machine:      {os.cpu_count()} CPUs, load average {load_before:.1f} before the runs "
        "(other processes share the CPUs)"
    )
    print(f"runs (wall):  {', '.join(f'{t:.2f}s' for t in times)}")
    print(f"runs (CPU):   {', '.join(f'{t:.2f}s' for t in cpu)} CPU-seconds of this process")
    print(f"images:       {x.shape[0]:,} -> outputs {out.shape} {out.dtype}")
    print(f"MACs/image:   {macs:,}")
    print(f"total:        {best:.2f} s (best of {len(times)})")
    print(
        f"throughput:   {x.shape[0] / best:,.0f} images/s "
        f"({macs * x.shape[0] / best / 1e9:.1f} GMAC/s)"
    )
    met = best < TARGET_S
    print(
        f"target:       {PUBLICTEST_SIZE:,} images in < {TARGET_S:.0f} s: "
        f"{'MET' if met else 'NOT MET'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
