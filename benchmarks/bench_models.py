"""Time the models package on the default network and print the figures.

Run: ``.venv/bin/python benchmarks/bench_models.py`` (no arguments, no data needed). Prints the
float and QAT training step time (batch 128, 2 threads), FerNet "simulate" vs golden inference
on 256 images (checked equal), and the ai8x / ONNX export times.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from golden.inference import run
from models.export.export_ai8x import export_ai8x
from models.export.export_onnx import export_onnx
from models.nn.network import FerNet, to_quant_model


def step_time(net: FerNet, mode: str, steps: int = 5) -> float:
    net.set_mode(mode).train()  # type: ignore[arg-type]
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    x, y = torch.rand(128, 1, 48, 48) - 0.5, torch.randint(0, 7, (128,))
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))


def main() -> None:
    torch.set_num_threads(2)
    torch.manual_seed(0)
    net = FerNet()
    for mode in ("float", "qat"):
        print(f"{mode:<6} training step, batch 128: {step_time(net, mode) * 1e3:8.0f} ms")
    qmodel = to_quant_model(net.eval(), "bench", "0")
    x = np.random.default_rng(0).integers(-128, 128, (256, 1, 48, 48)).astype(np.int8)
    start = time.perf_counter()
    golden = run(qmodel, x)
    t_golden = time.perf_counter() - start
    start = time.perf_counter()
    sim = net.simulate(x)
    t_sim = time.perf_counter() - start
    assert np.array_equal(golden, sim)
    print(f"golden.inference.run, 256 images:   {t_golden * 1e3:8.0f} ms")
    print(f"FerNet simulate, 256 images:        {t_sim * 1e3:8.0f} ms (bit-exact: yes)")
    out = Path(tempfile.mkdtemp(prefix="ferhil-bench-models-"))
    start = time.perf_counter()
    export_ai8x(qmodel, out / "ai8x")
    print(f"export_ai8x:                        {(time.perf_counter() - start) * 1e3:8.0f} ms")
    start = time.perf_counter()
    result = export_onnx(qmodel, out / "model.onnx")
    print(
        f"export_onnx (+ onnxruntime check):  {(time.perf_counter() - start) * 1e3:8.0f} ms "
        f"(max abs diff {result.max_abs_diff:.2g})"
    )


if __name__ == "__main__":
    main()
