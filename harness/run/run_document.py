"""Assemble the ``results.json`` document (layout owned by :mod:`reports.results_doc`)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata
from typing import Any

from fixtures.paths import REPO_ROOT
from harness.run.bringup import DeviceSession
from harness.run.hil_inputs import RunIdentity, RunInputs
from harness.run.run_results import ResultsCollector
from harness.suite.config import FerhilConfig
from reports.results_doc import SCHEMA, SCHEMA_VERSION


@dataclass(frozen=True)
class RunFacts:
    """What ``results.json`` says about a run besides its results.

    Attributes:
        identity: the run's id, start time and command line.
        options: the resolved option values.
        inputs: the model and test set (``None`` when the model was never loaded).
        device: the (primary) board's session (``None`` when no board came up).
        artifact: the firmware build artifact (``None``: prebuilt or built by the board).
        clock_hz: the clock that turns cycles into time (``None``: unknown).
    """

    identity: RunIdentity
    options: FerhilConfig
    inputs: RunInputs | None
    device: DeviceSession | None
    artifact: Any
    clock_hz: float | None


@lru_cache(maxsize=1)
def git_sha() -> str | None:
    """Return the checkout's HEAD commit, or ``None`` outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def ferhil_version() -> str | None:
    """Return the installed ferhil version."""
    try:
        return metadata.version("ferhil")
    except metadata.PackageNotFoundError:
        return None


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _identity(run: RunFacts) -> dict[str, Any]:
    model = run.inputs.model if run.inputs is not None else None
    device = run.device
    hello = device.hello if device is not None else None
    facts = device.board.facts if device is not None else None
    manifest = run.artifact.manifest if run.artifact is not None else {}
    return {
        "model_name": model.name if model else None,
        "model_version": model.version if model else None,
        "model_hash": model.hash() if model else None,
        "firmware_hash": (
            hello.firmware_hash if hello is not None else manifest.get("firmware_hash")
        ),
        "board": facts.name if facts else run.options.board,
        "board_kind": facts.kind if facts else None,
        "board_id": facts.board_id if facts else None,
        "probe": facts.probe if facts else None,
        "simulated": facts.simulated if facts else None,
        "protocol_version": hello.protocol_version if hello is not None else None,
        "core_clock_hz": run.clock_hz,
        "clock_kind": hello.clock_kind if hello is not None else None,
        "latency_method": latency_method(hello.clock_kind) if hello is not None else None,
        "cnn_backend": manifest.get("backend"),
        "selftest": _selftest_entry(device.selftest if device is not None else None),
        "flashed": device.flashed if device is not None else None,
        "toolchain": manifest.get("toolchain", {}),
    }


#: How each HELLO clock_kind measures the on-device latency (results.json ``latency_method``).
LATENCY_METHODS: dict[int, str] = {
    0: "core cycle counter (DWT CYCCNT) around cnn_start..cnn_wait",
    1: "simulated: golden cost model cycles (hostsim)",
    2: "simulated: QEMU instruction count (-icount, SysTick)",
    3: "hardware timer running while the core sleeps (izer --timer 0: TMR0 stopwatch cnn_time, "
    "set in CNN_ISR; microseconds scaled to core_clock_hz)",
}


def latency_method(clock_kind: Any) -> str | None:
    """Return the words for HELLO's ``clock_kind`` (None when unknown)."""
    return LATENCY_METHODS.get(int(clock_kind)) if clock_kind is not None else None


def _selftest_entry(result: Any) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"passed": bool(result.passed), "cycles": int(result.cycles), "detail": result.detail}


def results_document(
    run: RunFacts, results: ResultsCollector, summary: dict[str, Any]
) -> dict[str, Any]:
    """Return the full ``results.json`` object of ``run`` with ``results`` and ``summary``."""
    ts = run.inputs.test_set if run.inputs is not None else None
    classes = list(run.inputs.model.classes) if run.inputs is not None else []
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "run": {
            "id": run.identity.run_id,
            "started": _iso(run.identity.started),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "complete": results.complete,
            "git_sha": git_sha(),
            "ferhil_version": ferhil_version(),
            "argv": list(run.identity.argv),
            "notes": list(results.notes),
            "options": {k: (str(v) if v is not None else None) for k, v in run.options.items()},
        },
        "identity": _identity(run),
        "dataset": {
            "name": ts.dataset.name if ts else None,
            "path": ts.path if ts else None,
            "hash": ts.dataset.hash if ts else None,
            "samples_total": ts.samples_total if ts else None,
            "samples_run": len(ts.dataset.labels) if ts else None,
            "generated": ts.generated if ts else None,
            "note": ts.note if ts else None,
            "classes": classes,
        },
        "summary": summary,
        "samples": [r.to_json() for r in results.records],
    }
    document.update(results.sections)
    return document
