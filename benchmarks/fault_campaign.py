"""Fault campaign on hostsim: every sample accounted, none silently wrong, none duplicated.

Runs the harness's own streaming (harness.run.hil_run.HilRun, the real hostsim board over a pty)
under fault mixes: link faults through ``--inject`` (drops, bit flips, stalls, injected
resets), a board that dies or hangs (hostsim ``--die-after``/``--hang-after``), and a
``ferhil run`` killed with SIGKILL (and SIGTERM) mid-stream, then ``--resume``-d. Per mix it
prints: samples accounted (exactly one result or failure record), silently wrong (``ok`` but
not the golden outputs), duplicated, failure records, recovery time p50 / max (a recovery
episode runs from the last clean result before a fault to the first clean one after it; for
the kill mixes, from the kill to the resumed run's first result), and the bound: 2 x the time
the configuration allows to declare one sample lost (attempts x --sample-timeout).

Usage: .venv/bin/python benchmarks/fault_campaign.py [--model REF] [--samples N]
       [--timeout S] [--seed N] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_model import pick_model

from golden.format import load, save
from harness.run.fault_audit import Accounting, ArrivalClock, account
from harness.run.hil_run import HilRun
from harness.run.test_set import generated_dataset
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

REPO = Path(__file__).resolve().parents[1]
ATTEMPTS = 3  # firmware.host.client.DEFAULT_ATTEMPTS

LINK_MIXES: dict[str, str] = {
    "clean": "",
    "drop 1%": "drop=0.01",
    "flip 1%": "flip=0.01",
    "drop+flip 2%": "drop=0.02,flip=0.02",
    "stall 2% x 1s": "stall=0.02:1s",
    "stall 1% x 3s": "stall=0.01:3s",
    "reset 2%": "reset=0.02",
    "all link faults": "drop=0.01,flip=0.01,stall=0.01:0.5s,reset=0.01",
    "board kill": "die-after=150",
    "board hang": "hang-after=150",
    "board hang + link faults": "hang-after=200,drop=0.01,flip=0.01,reset=0.01",
}
KILL_MIXES: dict[str, tuple[signal.Signals, str]] = {
    "harness SIGKILL + resume": (signal.SIGKILL, ""),
    "harness SIGTERM + resume": (signal.SIGTERM, ""),
    "SIGKILL + link faults + resume": (signal.SIGKILL, "drop=0.01,flip=0.01,reset=0.01"),
}


def link_mix(
    model: str, data: Path, inject: str, seed: int, timeout: float, out: Path
) -> Accounting:
    """One in-process run under ``inject``; return its accounting."""
    cfg = FerhilConfig.defaults(
        board="hostsim", model=model, dataset=str(data), report_dir=out, progress=False,
        window=4, sample_timeout=timeout, inject=f"{inject},seed={seed}" if inject else None,
    )  # fmt: skip
    run = HilRun(cfg, load_model=load)
    clock = ArrivalClock()
    run.add_listener(clock)
    try:
        run.prepare()
        run.start()
        run.stream()
    finally:
        run.finish()
    assert run.golden is not None
    golden = {i: [int(v) for v in row] for i, row in enumerate(run.golden)}
    samples = [r.to_json() for r in run.records]
    return account(samples, len(golden), golden, clock.recovery_times())


def _journal_records(path: Path) -> int:
    n = 0
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            n += '"index"' in line and line.endswith("}")
    return n


def kill_mix(
    model: str, data: Path, n: int, sig: signal.Signals, inject: str, timeout: float, out: Path
) -> Accounting:
    """``ferhil run`` killed with ``sig`` after a third of the samples, then ``--resume``."""
    argv = [
        sys.executable, "-m", "ferhil.cli", "run", "--model", model, "--dataset", str(data),
        "--report-dir", str(out), "--db", str(out.parent / f"{out.name}.sqlite"),
        "--no-progress", "--sample-timeout", str(timeout),
        *(["--inject", inject] if inject else []),
    ]  # fmt: skip
    tail = ["--", "-q", "-k", "golden"]
    env = {k: v for k, v in os.environ.items() if k not in ("FERHIL_DB", "FERHIL_INJECT")}
    proc = subprocess.Popen(
        argv + tail, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    journal = out / "samples.jsonl"
    try:
        while _journal_records(journal) < n // 3:
            if proc.poll() is not None:
                raise RuntimeError("the run ended before it could be killed")
            time.sleep(0.05)
        killed_at = time.monotonic()
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    before = _journal_records(journal)
    resumed = subprocess.Popen(
        [*argv, "--resume", *tail], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    first_new = None
    while resumed.poll() is None:
        if first_new is None and _journal_records(journal) > before:
            first_new = time.monotonic()
        time.sleep(0.02)
    doc = json.loads((out / "results.json").read_text())
    recovery = [first_new - killed_at] if first_new is not None else []
    return account(doc["samples"], n, None, recovery)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="zoo name or .qmodel.npz (default: newest zoo model)")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=1.0, help="--sample-timeout (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="run the mixes whose name contains this text")
    args = parser.parse_args()
    load_option_providers()
    bound = 2 * ATTEMPTS * args.timeout
    with tempfile.TemporaryDirectory(prefix="ferhil-faults-") as tmp:
        scratch = Path(tmp)
        model, description = pick_model(args.model)
        model_file = str(save(model, scratch / "model.qmodel.npz"))
        ds = generated_dataset(args.samples, seed=args.seed)
        data = scratch / "set.npz"
        np.savez(data, images=ds.images, labels=ds.labels)
        print(f"model: {description}")
        print(f"hostsim (SIMULATED board), {args.samples} generated images per mix, "
              f"--sample-timeout {args.timeout:g} s x {ATTEMPTS} attempts; "
              f"recovery bound 2 x {ATTEMPTS} x {args.timeout:g} s = {bound:g} s")  # fmt: skip
        header = (f"{'mix':34} {'accounted':>11} {'wrong':>5} {'dup':>4} {'failed':>6} "
                  f"{'episodes':>8} {'rec p50 s':>9} {'rec max s':>9}  within bound")  # fmt: skip
        print(header)
        print("-" * len(header))
        ok_all = True
        mixes: list[tuple[str, object]] = [*LINK_MIXES.items(), *KILL_MIXES.items()]
        for i, (name, spec) in enumerate(mixes):
            if args.only and args.only not in name:
                continue
            out = scratch / f"mix{i}"
            t0 = time.monotonic()
            if isinstance(spec, str):
                result = link_mix(model_file, data, spec, args.seed + i, args.timeout, out)
            else:
                sig, inject = spec  # type: ignore[misc]
                if inject:
                    inject = f"{inject},seed={args.seed + i}"
                result = kill_mix(model_file, data, args.samples, sig, inject, args.timeout, out)
            worst = result.recovery_max()
            restart = not isinstance(spec, str)  # a new process: startup, not the link's timeouts
            within = worst is None or worst <= bound or restart
            verdict = "n/a (restart)" if restart else ("yes" if within else "NO")
            good = result.all_accounted and result.silently_wrong == 0 and within
            ok_all &= good
            print(
                f"{name:34} {result.accounted:>5}/{result.samples:<5} {result.silently_wrong:>5} "
                f"{result.duplicated:>4} {result.failures:>6} {len(result.recovery_s):>8} "
                f"{_fmt(result.recovery_p50()):>9} {_fmt(worst):>9}  "
                f"{verdict}{'' if good else '  <-- FAIL'}"
                f"   ({time.monotonic() - t0:.0f} s)",
                flush=True,
            )
    print("target: 100% accounted, 0 wrong, 0 duplicated, recovery within the bound: "
          + ("met" if ok_all else "NOT met"))  # fmt: skip
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
