"""Time the result store on a full-size run and print the figures.

Run: ``.venv/bin/python benchmarks/store_throughput.py [--db URL]`` (default: a temporary SQLite
file). Records one synthetic run of 3589 samples (the FER2013 PublicTest size) the way the
recorder does (begin, batches of 64, finish), then imports 20 such runs, lists them, picks a
baseline and rebuilds one results document; prints the time of each step.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

from harness.regression.baseline import find_baseline
from harness.store.store import ResultStore
from reports.sample_data import make_results

SAMPLES = 3589
BATCH = 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="SQLAlchemy URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        template = make_results(seed=1, n_samples=SAMPLES)
        with ResultStore(url) as store:
            doc = copy.deepcopy(template)
            doc["run"]["id"] = f"bench-live-{time.time_ns()}"
            t0 = time.perf_counter()
            store.begin_run(doc)
            t1 = time.perf_counter()
            for start in range(0, SAMPLES, BATCH):
                store.append_samples(doc["run"]["id"], doc["samples"][start : start + BATCH])
            t2 = time.perf_counter()
            store.finish_run(doc["run"]["id"], doc)
            t3 = time.perf_counter()
            batches = (SAMPLES + BATCH - 1) // BATCH
            print(f"store: {url.split('://')[0]}")
            print(f"begin_run:      {1e3 * (t1 - t0):8.1f} ms")
            print(
                f"append_samples: {1e3 * (t2 - t1):8.1f} ms for {SAMPLES} samples in {batches} "
                f"transactions ({1e3 * (t2 - t1) / batches:.2f} ms each, "
                f"{SAMPLES / (t2 - t1):,.0f} samples/s)"
            )
            print(f"finish_run:     {1e3 * (t3 - t2):8.1f} ms")
            t4 = time.perf_counter()
            for i in range(20):
                other = copy.deepcopy(template)
                other["run"]["id"] = f"bench-import-{i}-{time.time_ns()}"
                other["identity"]["model_version"] = str(i + 2)
                store.import_results(other)
            t5 = time.perf_counter()
            runs = store.runs()
            t6 = time.perf_counter()
            choice = find_baseline(store, template)
            t7 = time.perf_counter()
            store.results(runs[-1].id)
            t8 = time.perf_counter()
            print(f"import 20 runs: {1e3 * (t5 - t4):8.1f} ms ({1e3 * (t5 - t4) / 20:.1f} ms/run)")
            print(f"list {len(runs)} runs:   {1e3 * (t6 - t5):8.1f} ms")
            print(f"find_baseline:  {1e3 * (t7 - t6):8.1f} ms ({choice.reason[:40]}...)")
            print(f"rebuild 1 run:  {1e3 * (t8 - t7):8.1f} ms ({SAMPLES} samples)")


if __name__ == "__main__":
    main()
