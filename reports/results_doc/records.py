"""The run, identity, dataset and sample records of ``results.json``.

Fields follow what the harness writes (``harness/run/run_document.py``, ``harness/run/results.py``,
``harness/lab/multi_board.py``, ``harness/lab/xdist_boards.py``, the result store's rebuilt
documents).
A field with a default may be absent; ``None`` is JSON ``null``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SampleStatus = Literal["ok", "failed"]


@dataclass(frozen=True)
class StoreOwner:
    """The process that writes a live run into the result store (``run.owner``)."""

    host: str
    pid: int
    start_ticks: int | None = None


@dataclass(frozen=True)
class RunInfo:
    """When and how the run happened (``run``)."""

    id: str
    started: str
    complete: bool
    finished: str | None = None
    git_sha: str | None = None
    ferhil_version: str | None = None
    argv: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    options: dict[str, str | None] = field(default_factory=dict)
    xdist_workers: list[str] | None = None
    store_status: str | None = None
    owner: StoreOwner | None = None


@dataclass(frozen=True)
class SelfTest:
    """The firmware's power-on self-test (``identity.selftest``)."""

    passed: bool
    cycles: int
    detail: int


@dataclass(frozen=True)
class Identity:
    """What was tested: model, firmware and board (``identity``)."""

    model_name: str | None = None
    model_version: str | None = None
    model_hash: str | None = None
    firmware_hash: str | None = None
    board: str | None = None
    board_kind: str | None = None
    board_id: str | None = None
    probe: str | None = None
    simulated: bool | None = None
    protocol_version: int | None = None
    core_clock_hz: float | None = None
    clock_kind: int | None = None
    latency_method: str | None = None
    cnn_backend: str | None = None
    selftest: SelfTest | None = None
    flashed: bool | None = None
    toolchain: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetInfo:
    """The test set (``dataset``)."""

    name: str | None = None
    path: str | None = None
    hash: str | None = None
    samples_total: int | None = None
    samples_run: int | None = None
    generated: bool | None = None
    note: str | None = None
    classes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sample:
    """The outcome of one image (``samples[]``, also one line of ``samples.jsonl``)."""

    index: int
    id: str
    label: int
    golden_outputs: list[int]
    golden_predicted: int
    status: SampleStatus
    outputs: list[int] | None = None
    predicted: int | None = None
    match: bool | None = None
    max_abs_diff: int | None = None
    device_cycles: int | None = None
    latency_us: float | None = None
    rtt_ms: float | None = None
    error: str | None = None
    board: str | None = None
    attempts: int | None = None
    # --tta (harness/run/tta.py): the TTA result beside the single pass.
    tta_golden_outputs: list[int] | None = None
    tta_golden_predicted: int | None = None
    tta_outputs: list[int] | None = None
    tta_predicted: int | None = None
    tta_match: bool | None = None
    tta_max_abs_diff: int | None = None
    tta_device_cycles: int | None = None
    tta_latency_us: float | None = None
    tta_error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the device answered this image."""
        return self.status == "ok"

    @property
    def correct(self) -> bool:
        """Answered, and the prediction equals the label."""
        return self.ok and self.predicted is not None and self.predicted == self.label
