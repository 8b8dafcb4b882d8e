"""Training-step speed of a network config on this CPU: fp32 against bf16, eager against compiled.

Usage: ``.venv/bin/python benchmarks/train_step.py [--config FILE] [--steps N] [--modes ...]``

Builds the config's network exactly as ``ferhil train`` does (channels-last parameters,
training-only dropout), in float or QAT mode, and times ``--steps`` SGD steps on random
128-image batches after two warm-up steps, for each mode:

* ``fp32``: plain float32 (what ``precision: fp32`` trains with),
* ``bf16``: the forward pass under CPU bf16 autocast (``precision: bf16``),
* ``fp32-compile`` / ``bf16-compile``: the same behind ``torch.compile``, as ``ferhil train``
  runs a float phase with ``compile: true`` (the compile time is printed apart; float phase
  only: QAT's quantizers compute their scales with numpy, which dynamo cannot trace).

Prints seconds per step, images/s, and the speed-up against the first mode, plus whether the
CPU has native bf16 (``avx512_bf16``/``amx_bf16``): without it bf16 is emulated and slow, which
is why ``precision: auto`` picks it only there. Loss values are printed too: bf16 must stay
close to fp32 (the step's exactness check; accuracy is checked by training).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.training.train import cpu_has_fast_bf16
from models.training.train_config import load_config
from models.training.train_setup import build_network

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "models/configs/fercnn-v5.yaml"
MODES = ("fp32", "bf16", "fp32-compile", "bf16-compile")


def time_mode(config: Path, mode: str, phase: str, steps: int, batch: int) -> dict[str, Any]:
    """Return ``{s_per_step, loss, compile_s}`` of ``steps`` timed SGD steps in ``mode``."""
    torch.manual_seed(0)
    net: Any = build_network(load_config(config)).set_mode(phase)  # type: ignore[arg-type]
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 1, 48, 48).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 7, (batch,))
    forward = torch.compile(net) if mode.endswith("-compile") else net
    bf16 = mode.startswith("bf16")

    def step() -> float:
        ctx = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
        with ctx:
            out = forward(x)
        loss = torch.nn.functional.cross_entropy(out.float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return float(loss.detach())

    start = time.perf_counter()
    loss = step()
    first = time.perf_counter() - start
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    per_step = (time.perf_counter() - start) / steps
    return {"s_per_step": per_step, "loss": loss, "compile_s": first - per_step}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="training config")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per mode")
    parser.add_argument("--batch", type=int, default=128, help="images per step")
    parser.add_argument("--phase", choices=("float", "qat"), default="float")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (ferhil: 2)")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=["fp32", "bf16"])
    args = parser.parse_args()
    if args.phase == "qat" and any(m.endswith("-compile") for m in args.modes):
        parser.error("the -compile modes are for --phase float only (QAT's quantizers use numpy)")
    torch.set_num_threads(args.threads)
    print(f"config {args.config}, phase {args.phase}, batch {args.batch}, {args.steps} steps")
    print(f"torch {torch.__version__}, {args.threads} threads, native bf16: {cpu_has_fast_bf16()}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work slows every mode)")
    base: float | None = None
    for mode in args.modes:
        r = time_mode(args.config, mode, args.phase, args.steps, args.batch)
        base = base or r["s_per_step"]
        extra = f", compile {r['compile_s']:.1f} s" if mode.endswith("-compile") else ""
        print(
            f"{mode:>13}: {r['s_per_step']:.3f} s/step, {args.batch / r['s_per_step']:7.1f} img/s,"
            f" x{base / r['s_per_step']:.2f} vs {args.modes[0]}, first loss {r['loss']:.4f}{extra}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
