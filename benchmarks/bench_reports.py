"""Time the report writers on full-size synthetic results and print the figures.

Run: ``.venv/bin/python benchmarks/bench_reports.py`` (no arguments; writes into a temp dir).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reports import write_comparison, write_history, write_report
from reports.sample_data import make_results


def timed(label: str, func: Callable[..., Path], *args: Any, **kwargs: Any) -> Path:
    start = time.perf_counter()
    path = func(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {elapsed * 1e3:8.0f} ms  {path.stat().st_size / 1024:8.0f} KiB")
    return path


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="ferhil-bench-reports-"))
    full = make_results(seed=1, n_samples=3589, n_mismatched=120, n_failed=40)
    base = make_results(seed=2, n_samples=3589, accuracy=0.55)
    runs = [
        make_results(
            seed=i,
            n_samples=200,
            model_version=str(i),
            started=f"2026-10-{i + 1:02d}T00:00:00+00:00",
        )
        for i in range(30)
    ]
    images = {i: np.full((48, 48), i % 256, np.uint8) for i in range(3589)}
    timed("report.html, 3589 samples, energy trace", write_report, full, out / "report")
    timed("history.html, 30 runs", write_history, runs, out / "history")
    timed(
        "comparison.html, 3589 samples, images",
        write_comparison,
        base,
        full,
        out / "cmp",
        images=images,
    )
    print(f"pages in {out}")


if __name__ == "__main__":
    main()
