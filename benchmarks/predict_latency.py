"""Wall time of ``ferhil predict IMAGE`` (a fresh process each time; target < 2 s).

Writes two test images (a 640x480 colour JPEG and a 48x48 grey PNG) to a temporary folder,
runs ``ferhil predict`` on them N times as a subprocess and prints the median and worst wall
time, then checks in a fresh interpreter that the predict path never imports torch.

Usage: .venv/bin/python benchmarks/predict_latency.py [--model REF] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

FERHIL = Path(sys.executable).with_name("ferhil")
TARGET_S = 2.0

CHECK_NO_TORCH = """
import sys
from ferhil.cli import main
code = main(["predict", *sys.argv[1:]])
print("TORCH_IMPORTED" if "torch" in sys.modules else "TORCH_NOT_IMPORTED")
sys.exit(code)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        big = Path(tmp) / "photo.jpg"
        small = Path(tmp) / "face.png"
        Image.fromarray(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)).save(big)
        Image.fromarray(rng.integers(0, 256, (48, 48), dtype=np.uint8)).save(small)
        argv = [str(big), str(small)] + (["--model", args.model] if args.model else [])
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            done = subprocess.run(
                [str(FERHIL), "predict", *argv], capture_output=True, text=True, check=False
            )
            times.append(time.perf_counter() - t0)
            if done.returncode != 0:
                sys.exit(f"ferhil predict failed:\n{done.stderr}")
        print(done.stdout)
        check = subprocess.run(
            [sys.executable, "-c", CHECK_NO_TORCH, *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        torch_line = check.stdout.strip().splitlines()[-1] if check.stdout else check.stderr
    med, worst = statistics.median(times), max(times)
    verdict = "OK" if worst < TARGET_S else "OVER TARGET"
    print(
        f"ferhil predict (2 images), {args.runs} cold runs: median {med:.3f} s, "
        f"worst {worst:.3f} s (target < {TARGET_S:g} s: {verdict}); {torch_line}"
    )


if __name__ == "__main__":
    main()
