"""One writer process of the concurrent-store test: a whole HIL run (fake board) into ``--db``.

Usage: python store_writer.py DB_URL REPORT_DIR SEED SAMPLES BARRIER_DIR WRITERS

Every writer imports everything, then waits until all ``WRITERS`` have touched a file in
``BARRIER_DIR``, so they open the (empty) store and write at the same moment.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))

from harness_testkit import generated_set, saved_model

from golden.format import load
from harness.regression.recorder import recorders_for
from harness.run.hil_run import HilRun
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers


def barrier(folder: Path, name: str, parties: int, timeout_s: float = 300.0) -> None:
    """Wait until ``parties`` writers have arrived."""
    (folder / name).touch()
    deadline = time.monotonic() + timeout_s
    while len(list(folder.iterdir())) < parties:
        if time.monotonic() > deadline:
            raise TimeoutError("the other writers did not start")
        time.sleep(0.01)


def main(url: str, report_dir: str, seed: int, samples: int) -> None:
    load_option_providers()
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)
    cfg = FerhilConfig.defaults(
        board="fake,fake",
        model=str(saved_model(out, seed=seed)),
        dataset=str(generated_set(out, samples, seed=seed)),
        limit=samples,
        report_dir=out,
        progress=False,
        db=url,
    )
    run = HilRun(cfg, load_model=lambda ref: load(ref))
    barrier(Path(sys.argv[5]), f"w{seed}", int(sys.argv[6]))
    for recorder in recorders_for(cfg):
        run.add_listener(recorder)
    try:
        run.prepare()
        run.start()
        run.stream()
    finally:
        run.finish()
    print(run.run_id)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
