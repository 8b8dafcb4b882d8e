"""Instructions per inference of the zoo model on the QEMU Cortex-M4 board (mps2-an386).

Usage: ``.venv/bin/python benchmarks/qemu_instructions.py [--model REF] [-n N] [--shift S]``

Builds the ``qemu_mps2_an386`` firmware (portable kernels, arm-none-eabi-gcc), runs N inputs
under ``-icount shift=S`` and converts the firmware's SysTick counts into executed instructions
(instructions = ticks x 40 / 2**S). These are emulated Cortex-M4 *instructions*, not cycles of a
real MAX78000 (whose CNN accelerator would run the model); they measure the portable kernels'
cost. Also prints the image size, the wall time per inference and whether outputs equal golden.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
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
from firmware.builder.model_plan import plan_model
from firmware.host.client import AgentClient
from golden.inference import run

launch = importlib.import_module("firmware.boards.qemu_mps2_an386.launch")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="zoo name or path (default: newest)")
    parser.add_argument("-n", type=int, default=5, help="inferences to measure")
    parser.add_argument("--shift", type=int, default=3, help="-icount shift (0..10)")
    args = parser.parse_args()
    for tool in ("qemu-system-arm", "arm-none-eabi-gcc"):
        if shutil.which(tool) is None:
            print(f"SKIPPED: {tool} is not installed")
            return 0
    model, model_desc = pick_model(args.model)
    artifact = build_firmware("qemu_mps2_an386", model)
    size = subprocess.run(
        ["arm-none-eabi-size", str(artifact.path)], capture_output=True, text=True, check=False
    ).stdout.strip()
    rng = np.random.default_rng(0)
    x = rng.integers(-128, 128, (args.n, *model.input_shape), dtype=np.int8)
    expected = run(model, x)
    instructions = []
    exact = True
    qemu = launch.start_qemu(artifact.path, icount_shift=args.shift)
    try:
        with AgentClient(serial.serial_for_url(qemu.url, timeout=0.05), timeout=120.0) as client:
            client.hello()
            start = time.perf_counter()
            for i in range(args.n):
                result = client.infer(i, x[i])
                exact &= bool(np.array_equal(result.outputs, expected[i]))
                instructions.append(qemu.ticks_to_instructions(result.cycles))
            wall = (time.perf_counter() - start) / args.n
    finally:
        qemu.close()
    macs = plan_model(model).macs
    mean = float(np.mean(instructions))
    print("board: qemu_mps2_an386 (EMULATED Cortex-M4, -icount instruction counting)")
    print(f"model: {model_desc}; {macs:,} MACs/inference; firmware {artifact.firmware_hash[:16]}")
    print(size)
    print(
        f"instructions/inference: mean {mean:,.0f} (min {min(instructions):,.0f}, "
        f"max {max(instructions):,.0f}, n={args.n}, icount shift={args.shift})"
    )
    print(f"instructions/MAC: {mean / max(macs, 1):.2f}; wall time {wall * 1000:.0f} ms/inference")
    print(f"outputs equal golden: {exact}")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
