"""Synthetic, internally consistent ``results.json`` dicts for tests and demos.

The dicts follow the results schema (:mod:`reports.results_doc`,
``docs/results.schema.json``): per-sample records are generated first and the summary is
derived from them, so counts, accuracies, the confusion matrix and latency percentiles agree
with the samples. Every figure is fake and the dicts say so (``simulated`` is true unless a
caller asks otherwise).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from golden.format import FER_CLASSES
from reports.results_doc import SCHEMA, SCHEMA_VERSION

FAILURE_REASONS: tuple[str, ...] = (
    "timeout: no reply to INFER seq {seq} within 2.0 s",
    "CRC mismatch on reply to seq {seq} after 3 retries",
)


def _fake_hash(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _outputs(rng: np.random.Generator, winner: int, classes: int) -> list[int]:
    out = rng.integers(-90, 40, size=classes)
    out[winner] = int(out.max()) + int(rng.integers(1, 30))
    return [int(v) for v in out]


def _sample(
    rng: np.random.Generator,
    data: tuple[int, float, int],
    index: int,
    accuracy: float,
    clock_hz: float,
) -> dict[str, Any]:
    classes = len(FER_CLASSES)
    label, difficulty, confused_with = data
    correct = difficulty + rng.normal(0.0, 0.05) < accuracy
    predicted = (
        label
        if correct
        else (confused_with if rng.random() < 0.8 else int(rng.integers(0, classes)))
    )
    outputs = _outputs(rng, predicted, classes)
    latency = float(rng.normal(2150.0, 25.0) + (rng.exponential(60.0) if rng.random() < 0.1 else 0))
    return {
        "index": index,
        "id": f"publictest/{index:05d}",
        "label": label,
        "predicted": predicted,
        "golden_predicted": predicted,
        "outputs": outputs,
        "golden_outputs": list(outputs),
        "match": True,
        "max_abs_diff": 0,
        "device_cycles": round(latency * clock_hz / 1e6),
        "latency_us": round(latency, 2),
        "rtt_ms": round(float(rng.normal(9.0, 0.6)), 3),
        "status": "ok",
        "error": None,
    }


def _dataset(name: str, n: int) -> list[tuple[int, float, int]]:
    """Label, difficulty and most-confused class per sample: fixed by the dataset name."""
    rng = np.random.default_rng(int(_fake_hash("labels", name)[:8], 16))
    classes = len(FER_CLASSES)
    labels = rng.choice(classes, size=n, p=[0.13, 0.02, 0.14, 0.25, 0.17, 0.11, 0.18])
    confused = (labels + rng.integers(1, classes, size=n)) % classes
    return [
        (int(a), float(b), int(c)) for a, b, c in zip(labels, rng.random(n), confused, strict=True)
    ]


def _mismatch(rng: np.random.Generator, sample: dict[str, Any]) -> None:
    golden = list(sample["outputs"])
    for pos in rng.choice(len(golden), size=2, replace=False):
        golden[int(pos)] += int(rng.choice([-3, -2, -1, 1, 2, 3]))
    sample["golden_outputs"] = golden
    sample["golden_predicted"] = int(np.argmax(golden))
    sample["match"] = False
    sample["max_abs_diff"] = int(np.max(np.abs(np.subtract(golden, sample["outputs"]))))


def _fail(rng: np.random.Generator, sample: dict[str, Any]) -> None:
    reason = FAILURE_REASONS[int(rng.integers(0, len(FAILURE_REASONS)))]
    sample.update(
        status="failed",
        error=reason.format(seq=sample["index"]),
        predicted=None,
        outputs=None,
        match=False,
        max_abs_diff=None,
        device_cycles=None,
        latency_us=None,
        rtt_ms=None,
    )


def summarize(
    samples: list[dict[str, Any]], classes: tuple[str, ...] = FER_CLASSES
) -> dict[str, Any]:
    """Derive the ``summary`` counts and metrics of a results dict from its samples."""
    ok = [s for s in samples if s["status"] == "ok"]
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    for s in ok:
        confusion[s["label"], s["predicted"]] += 1
    per_class = {
        name: (float(confusion[i, i] / confusion[i].sum()) if confusion[i].sum() else None)
        for i, name in enumerate(classes)
    }
    lat = np.array([s["latency_us"] for s in ok], dtype=float)
    rtt = np.array([s["rtt_ms"] for s in ok], dtype=float)

    def pct(values: np.ndarray, q: float) -> float | None:
        return float(np.percentile(values, q)) if values.size else None

    correct = sum(s["predicted"] == s["label"] for s in ok)
    golden_correct = sum(s["golden_predicted"] == s["label"] for s in ok)
    return {
        "samples": len(samples),
        "matched_golden": sum(s["match"] is True for s in ok),
        "mismatched": sum(s["match"] is False for s in ok),
        "failed": len(samples) - len(ok),
        "accuracy": correct / len(ok) if ok else None,
        "golden_accuracy": golden_correct / len(ok) if ok else None,
        "per_class_accuracy": per_class,
        "confusion": confusion.tolist(),
        "latency_us": {
            "p50": pct(lat, 50),
            "p90": pct(lat, 90),
            "p99": pct(lat, 99),
            "mean": float(lat.mean()) if lat.size else None,
        },
        "host_rtt_ms": {"p50": pct(rtt, 50), "p90": pct(rtt, 90), "p99": pct(rtt, 99)},
        "throughput_ips": round(1000.0 / float(rtt.mean()), 2) if rtt.size else None,
    }


def make_energy(rng: np.random.Generator, latency_us: float, n: int = 100) -> dict[str, Any]:
    """Return a fake ``energy`` section in the harness layout (``harness/meters/method/energy.py``).

    A BENCH window of ``n`` back-to-back inferences starts at the trigger (t = 0) with idle
    margins on both sides; the idle baseline is a separate record summarised in ``windows``.
    """
    interval, margin, idle_mw, active_mw = 40.96e-6, 0.05, 1.1, 18.5
    window = n * latency_us * 1e-6
    points = int((window + 2 * margin) / interval)
    t = -margin + np.arange(points) * interval
    inside = (t >= 0) & (t < window)
    ripple = 0.6 * np.sin(2 * np.pi * t / (latency_us * 1e-6))
    power = np.where(inside, active_mw + ripple, idle_mw) + rng.normal(0.0, 0.2, size=t.size)
    bins = max(1, -(-points // 2000))
    usable = (points // bins) * bins
    return {
        "trace": {
            "t_s": t[:usable].reshape(-1, bins).mean(axis=1).round(7).tolist(),
            "power_mw": power[:usable].reshape(-1, bins).mean(axis=1).round(5).tolist(),
        },
        "windows": {
            "trigger_s": 0.0,
            "trigger_marks": "start",
            "start_s": 0.0,
            "end_s": round(window, 7),
            "guard_s": 0.002,
            "device_window_s": round(window, 7),
            "device_cycles": round(window * 100e6),
            "idle": {"duration_s": 0.5, "power_mw": idle_mw},
            "sample_interval_s": interval,
            "points": points,
        },
    }


def make_results(
    seed: int = 0,
    *,
    n_samples: int = 150,
    accuracy: float = 0.62,
    n_mismatched: int = 3,
    n_failed: int = 2,
    model_name: str = "fercnn",
    model_version: str = "1",
    board_kind: str = "hostsim",
    simulated: bool = True,
    complete: bool = True,
    with_energy: bool = True,
    started: str = "2026-11-28T06:00:00+00:00",
    dataset_name: str = "fer2013-publictest-sample",
    accuracy_threshold: float | None = 0.55,
    failed_tests: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Build a realistic, self-consistent results dict.

    Args:
        seed: random seed of the predictions and timings; labels depend only on
            ``dataset_name``, so runs of different seeds compare sample by sample.
        n_samples: number of per-sample records.
        accuracy: probability that a sample is predicted correctly.
        n_mismatched: samples whose device outputs differ from the golden outputs.
        n_failed: samples with ``status == "failed"`` (and an error reason).
        model_name: identity.model_name.
        model_version: identity.model_version (the model hash is derived from it).
        board_kind: identity.board_kind.
        simulated: marks board and meter as simulated.
        complete: run.complete.
        with_energy: include energy figures and the ``energy`` trace section.
        started: run.started (ISO 8601); ``finished`` is two minutes later.
        dataset_name: dataset.name (the dataset hash is derived from it).
        accuracy_threshold: the ``thresholds.accuracy`` entry (as ``--accuracy-threshold``), or
            None for no threshold.
        failed_tests: test name -> failure message of the ``verdict`` block (the run's tests'
            outcomes); empty or ``None``: every test passed.

    Returns:
        A dict following the ``ferhil-results`` schema (:data:`SCHEMA_VERSION`).
    """
    rng = np.random.default_rng(seed)
    clock_hz = 100e6
    data = _dataset(dataset_name, n_samples)
    samples = [_sample(rng, data[i], i, accuracy, clock_hz) for i in range(n_samples)]
    picks = rng.choice(n_samples, size=min(n_samples, n_mismatched + n_failed), replace=False)
    for i in picks[:n_mismatched]:
        _mismatch(rng, samples[int(i)])
    for i in picks[n_mismatched:]:
        _fail(rng, samples[int(i)])
    summary = summarize(samples)
    meter: dict[str, Any] = {"simulated": simulated}
    summary.update(simulated=simulated, meter=meter)
    results: dict[str, Any] = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION}
    if accuracy_threshold is not None:
        source = "--accuracy-threshold"
        results["thresholds"] = {"accuracy": {"value": accuracy_threshold, "source": source}}
    if with_energy and summary["latency_us"]["p50"] is not None:
        energy = make_energy(rng, summary["latency_us"]["p50"])
        lat_s = summary["latency_us"]["p50"] * 1e-6
        summary.update(
            energy_n=100,
            energy_window_s=round(100 * lat_s, 6),
            energy_latency_us=round(lat_s * 1e6, 2),
            energy_device_latency_us=round(lat_s * 1e6, 2),
            energy_uj_per_inference=round((18.5 - 1.1) * lat_s * 1e3, 3),
            active_power_mw=18.5,
            idle_power_mw=1.1,
            energy_truth_uj_per_inference=round((18.5 - 1.1) * lat_s * 1e3 * 1.01, 3)
            if simulated
            else None,
        )
        meter.update(
            driver="sim" if simulated else "dmm6500",
            resource="TCPIP::127.0.0.1::5025::SOCKET"
            if simulated
            else "USB0::0x05E6::0x6500::INSTR",
            idn="ferhil,simulated-meter,0,1"
            if simulated
            else "KEITHLEY INSTRUMENTS,MODEL DMM6500,1,1",
        )
        results["energy"] = energy
    t0 = datetime.fromisoformat(started)
    model_hash = _fake_hash(model_name, model_version)
    results["run"] = {
        "id": f"{t0:%Y%m%dT%H%M%S}-{model_hash[:6]}",
        "started": started,
        "finished": (t0 + timedelta(minutes=2)).isoformat() if complete else None,
        "complete": complete,
        "git_sha": _fake_hash("git", seed)[:40],
        "ferhil_version": "0.1.0",
        "argv": ["ferhil", "run", "--model", model_name],
        "notes": [],
        "options": {"model": model_name, "board": board_kind},
    }
    results["identity"] = {
        "model_name": model_name,
        "model_version": model_version,
        "model_hash": model_hash,
        "firmware_hash": _fake_hash("fw", model_hash),
        "board": f"{board_kind}-0",
        "board_kind": board_kind,
        "board_id": "SIM-0001" if simulated else "0409170241a8",
        "probe": None if simulated else "DAPLink 0409170241a8",
        "simulated": simulated,
        "protocol_version": 1,
        "core_clock_hz": clock_hz,
        "clock_kind": 1 if simulated else 0,
        "latency_method": None,
        "cnn_backend": "portable" if simulated else "cnn",
        "selftest": None,
        "flashed": True,
        "toolchain": {"gcc": "12.2.1", "python": "3.11.2", "numpy": "2.1"},
    }
    results["dataset"] = {
        "name": dataset_name,
        "path": f"data/{dataset_name}.npz",
        "hash": _fake_hash("data", dataset_name),
        "samples_total": n_samples if complete else n_samples * 2,
        "samples_run": n_samples,
        "generated": False,
        "note": None,
        "classes": list(FER_CLASSES),
    }
    results["summary"] = summary
    results["samples"] = samples
    results["verdict"] = make_verdict(failed_tests, complete)
    summary["verdict"] = results["verdict"]["status"]
    return results


def make_verdict(failed_tests: dict[str, str] | None, complete: bool = True) -> dict[str, Any]:
    """A ``verdict`` block as the pytest plugin writes it (see ``harness/suite/verdict.py``)."""
    names = ["test_every_sample_answered", "test_device_outputs_match_golden"]
    failed = dict(failed_tests or {})
    tests = [
        {
            "test": n,
            "nodeid": f"hil/test_x.py::{n}",
            "outcome": "failed" if n in failed else "passed",
            "message": failed.get(n, ""),
        }
        for n in [*names, *(n for n in failed if n not in names)]
    ]
    status = "fail" if failed else ("pass" if complete else "incomplete")
    counts = {k: sum(t["outcome"] == k for t in tests) for k in ("passed", "failed", "skipped")}
    return {
        "status": status,
        "source": "pytest",
        "counts": counts | {"error": 0},
        "failed": [
            {"test": t["test"], "nodeid": t["nodeid"], "message": t["message"]}
            for t in tests
            if t["outcome"] == "failed"
        ],
        "tests": tests,
    }
