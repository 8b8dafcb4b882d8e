"""Hostsim (SIMULATED board) inference throughput over the pseudo-terminal, checked vs golden.

Usage: ``.venv/bin/python benchmarks/hostsim_throughput.py [--model REF] [-n N] [--window W]``

Builds the hostsim firmware for the newest zoo model (or ``--model``; with an empty zoo it uses
``golden.synthetic.fer_like_model`` and says so), starts it on a pty, and streams N inputs
(FER2013 PublicTest images when present, else random) through ``AgentClient.infer_stream``.
Prints images/s for the pipelined stream and for one-at-a-time ``infer`` calls, plus whether
every output equals golden inference. The board is simulated: its cycle counts come from the
cost model, and images/s measures this host, not a MAX78000.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import serial

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import pick_model

from firmware.builder.build import build_firmware
from firmware.host.client import AgentClient
from firmware.host.messages import InferResult
from fixtures.paths import fer2013_file
from golden.format import QuantModel
from golden.inference import run
from golden.input_mapping import pixels_to_input


def pick_inputs(model: QuantModel, n: int) -> tuple[np.ndarray, str]:
    path = fer2013_file("publictest")
    if path is not None and tuple(model.input_shape) == (1, 48, 48):
        with np.load(path) as data:
            images = data["images"][:n]
        reps = -(-n // len(images))
        return np.tile(pixels_to_input(images), (reps, 1, 1, 1))[:n], "FER2013 PublicTest"
    rng = np.random.default_rng(0)
    return rng.integers(-128, 128, (n, *model.input_shape), dtype=np.int8), "RANDOM inputs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="zoo name or path (default: newest)")
    parser.add_argument("-n", type=int, default=500, help="inputs to stream")
    parser.add_argument("--window", type=int, default=8, help="requests in flight")
    args = parser.parse_args()

    model, model_desc = pick_model(args.model)
    x, input_desc = pick_inputs(model, args.n)
    artifact = build_firmware("hostsim", model)
    expected = run(model, x)
    proc = subprocess.Popen([str(artifact.path), "--pty"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    pty = proc.stdout.readline().strip()
    try:
        with AgentClient(serial.Serial(pty, 115200, timeout=0.05), timeout=10.0) as client:
            client.hello()
            start = time.perf_counter()
            results = list(client.infer_stream(enumerate(x), window=args.window))
            stream_s = time.perf_counter() - start
            k = min(100, len(x))
            start = time.perf_counter()
            for i in range(k):
                client.infer(i, x[i])
            single_s = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    ok = [r for r in results if isinstance(r, InferResult) and r.ok]
    got = np.stack([r.outputs for r in ok]) if ok else np.zeros((0, model.num_outputs))
    exact = len(ok) == len(x) and np.array_equal(got, expected)
    print("board: hostsim (SIMULATED MAX78000 on this host, pseudo-terminal transport)")
    print(f"model: {model_desc}; inputs: {input_desc}; firmware {artifact.firmware_hash[:16]}")
    print(
        f"streamed {len(x)} inputs (window {args.window}): {stream_s:.2f} s, "
        f"{len(x) / stream_s:.1f} images/s"
    )
    print(
        f"one at a time ({k} inputs): {k / single_s:.1f} images/s, "
        f"{single_s / k * 1000:.2f} ms round trip"
    )
    print(f"outputs equal golden: {exact} ({len(ok)}/{len(x)} answered)")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
