"""One HIL run: model, test set, golden outputs, firmware, board, streaming, results, report.

:class:`HilRun` is what the pytest plugin's ``ferhil_run`` fixture holds. Its stages:

1. :meth:`prepare`: load the model (``golden.zoo.load_model``), choose the test set, compute every
   golden output once, vectorised (``golden.inference.run``);
2. :meth:`start`: build the firmware (cached by hash), build the board, bring it up (connect or
   flash, HELLO identity check);
3. :meth:`stream`: stream every image (pipelined), appending each record to ``samples.jsonl``;
4. :meth:`finish`: write ``results.json`` and ``report.html``, close the board.

Other code adds to the results before :meth:`finish` with :meth:`add_summary` (e.g. energy
figures) and :meth:`add_section` (e.g. the ``energy`` block).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from fixtures.datasets import CLASSES
from golden.format import QuantModel
from golden.legality import illegal_label, require_legal
from harness import multi_board
from harness.answered_floor import answered_floor
from harness.board_pool import BoardPool
from harness.boards.base import Board, BoardSpec, Capability
from harness.boards.group import is_multi_board
from harness.boards.registry import create_board
from harness.boards.selection import board_spec
from harness.bringup import (
    DeviceSession,
    ExpectedIdentity,
    bring_up,
    recover_session,
)
from harness.config import FerhilConfig
from harness.console_log import (
    CONSOLE_FILE,
    CONSOLE_LINK,
    ConsoleSplitter,
    ConsoleTap,
    open_console,
)
from harness.faults import FaultPlan
from harness.firmware_image import build_firmware_image, firmware_image
from harness.journal import SampleJournal, resumable, set_aside
from harness.progress import progress_bar
from harness.results import SampleRecord, summarize, write_results_json
from harness.run_document import results_document
from harness.run_inputs import run_classes, run_inputs
from harness.run_listener import RunListener
from harness.sample_log import RESULTS_FILE, SAMPLES_FILE
from harness.streaming import stream_samples
from harness.test_set import TestSet, select_test_set
from harness.tta import add_golden, golden_tta_outputs, tta_kind, tta_summary
from harness.xdist_boards import SHARD_KEY, shard_indices

LOG = logging.getLogger("ferhil.run")


def _default_client(transport: Any, timeout: float | None = None) -> Any:
    from firmware.client import AgentClient
    from harness.config import option_default

    return AgentClient(
        transport, timeout=option_default("sample-timeout") if timeout is None else timeout
    )


def _default_load_model(ref: str | None) -> QuantModel:
    from golden.zoo import load_model

    return load_model(ref)


class HilRun:
    """State and stages of one run (see the module docstring)."""

    def __init__(
        self,
        config: FerhilConfig,
        *,
        make_board: Callable[[BoardSpec], Board] = create_board,
        make_client: Callable[[Any], Any] = _default_client,
        load_model: Callable[[str | None], QuantModel] = _default_load_model,
        build: Callable[..., Any] = build_firmware_image,
        argv: list[str] | None = None,
    ) -> None:
        self.config = config
        self.report_dir = Path(config["report-dir"])
        self._make_board = make_board
        self._make_client = make_client
        self._load_model = load_model
        self._build = build
        self.argv = list(sys.argv if argv is None else argv)
        self.started = time.time()
        self.run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.started)) + (
            f"-{uuid.uuid4().hex[:8]}"
        )
        self.model: QuantModel | None = None
        self.test_set: TestSet | None = None
        self.inputs: np.ndarray | None = None
        self.golden: np.ndarray | None = None
        self.golden_tta: np.ndarray | None = None  # --tta: golden TTA outputs (harness.tta)
        self.artifact: Any = None
        self.device: DeviceSession | None = None
        self._image: Path | None = None
        self._expected: ExpectedIdentity | None = None
        self._board_client: Callable[[Any], Any] = self._make_client
        self.records: list[SampleRecord] = []
        self.stream_wall_s: float | None = None
        self.complete = False
        self.notes: list[str] = []
        self.extra_summary: dict[str, Any] = {}
        self.sections: dict[str, Any] = {}
        # Observers (e.g. harness.regression.recorder.StoreRecorder), see RunListener; the
        # links they add are rendered into report.html.
        self.listeners: list[RunListener] = []
        self.report_links: dict[str, str] = {}
        self.results_path: Path | None = None
        self.report_path: Path | None = None
        self.faults: FaultPlan | None = None
        self._console: ConsoleSplitter | None = None
        self.pool: BoardPool | None = None  # several boards (harness.multi_board)
        self.planned: int | None = None  # images this run streams (an xdist worker: its shard)
        self.lanes: list[Any] = []

    # -- stages ---------------------------------------------------------------------------
    def prepare(self) -> None:
        """Load the model and the test set and compute the golden outputs."""
        self.model = self._load_model(self.config.get("model"))
        violations = require_legal(self.model, bool(self.config.get("allow-illegal")))
        if violations:
            self.notes.append(illegal_label(violations))
            self.extra_summary["illegal_model"] = True
        self.test_set = select_test_set(self.config.get("dataset"), self.config.get("limit"))
        if self.test_set.generated:
            self.notes.append(self.test_set.note)
        self.inputs = run_inputs(self.test_set.dataset, self.model)
        from golden.inference import run as golden_run

        self.golden = np.asarray(golden_run(self.model, self.inputs), dtype=np.int64)
        if tta_kind(self.config):
            self.golden_tta = golden_tta_outputs(self.model, self.inputs, self.golden)
        LOG.info(
            "model %s v%s (%s); test set: %s, %d images; golden outputs computed",
            self.model.name,
            self.model.version,
            self.model.hash()[:12],
            self.test_set.note,
            len(self.test_set.dataset.labels),
        )

    def start(self) -> DeviceSession:
        """Build the firmware, build the board and bring it up."""
        if self.model is None:
            self.prepare()
        assert self.model is not None
        self.report_dir.mkdir(parents=True, exist_ok=True)
        if is_multi_board(self.config):
            self.device = multi_board.start_pool(self)
            self._run_started()
            return self.device
        spec = board_spec(self.config, gpio_log=self.report_dir / "gpio.log")
        if self.config.get("inject"):
            self.faults = FaultPlan.parse(str(self.config.get("inject")))
            spec = replace(spec, sim_args=self.faults.sim_args())
        board = self._make_board(spec)
        image, firmware_hash = self._firmware(board)
        self._image = image
        self._expected = ExpectedIdentity(
            self.model.hash(), firmware_hash, self.model.name, self.model.version
        )
        self._board_client = (
            board.make_client
            if board.has(Capability.OWN_CLIENT)
            else self._console_client(self._client_factory())
        )
        if self.faults is not None:
            self._board_client = self.faults.wrap_factory(self._board_client)
        LOG.info("board %s: firmware %s; bringing it up", spec.name, image or "(none needed)")
        self.device = bring_up(
            board, image, self._expected, self._board_client, flash=self.config.get("flash")
        )
        LOG.info(
            "board %s up (flashed: %s); HELLO %s", spec.name, self.device.flashed, self.device.hello
        )
        if self.faults is not None:
            self.faults.armed = True  # bring-up ran on a clean link
        try:  # up front: a window smaller than one frame answers nothing
            self.device.client.check_rx_window()
        except BaseException:
            self.device.close()
            raise
        self._run_started()
        return self.device

    def recover(self) -> Any:
        """Recovery ladder for a board that stopped answering; return the working client."""
        assert self.device is not None and self._expected is not None
        self.device, note = recover_session(
            self.device, self._image, self._expected, self._board_client
        )
        self.notes.append(f"after sample {len(self.records)}: {note}")
        LOG.warning("after sample %d: %s", len(self.records), note)
        return self.device.client

    def _run_started(self) -> None:
        """Tell every listener (:class:`RunListener`) that the board is up."""
        for listener in self.listeners:
            listener.run_started(self)

    def _console_client(self, factory: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``factory`` reading through a :class:`ConsoleTap` that keeps the board's console."""
        if self._console is None:
            self._console, _ = open_console(self.report_dir)
            self.report_links.setdefault(CONSOLE_LINK, CONSOLE_FILE)
        console = self._console
        return lambda transport: factory(ConsoleTap(transport, console))

    def _client_factory(self) -> Callable[[Any], Any]:
        if self._make_client is not _default_client:
            return self._make_client
        timeout = self.config.sample_timeout
        return lambda transport: _default_client(transport, timeout)

    def _firmware(self, board: Board) -> tuple[Path | None, str | None]:
        assert self.model is not None
        image = firmware_image(board, self.model, self.config, self._build)
        self.artifact = image.artifact
        self.notes.extend(image.notes)
        return image.path, image.firmware_hash

    def clock_hz(self) -> float | None:
        """The clock that turns cycles into time: ``--clock-hz``, else the board's HELLO."""
        override = self.config.get("clock-hz")
        if override:
            return float(override)
        if self.device is not None:
            value = self.device.hello.core_clock_hz
            return float(value) if value else None
        return None

    def templates(self) -> list[SampleRecord]:
        """One empty record per image with its label and golden outputs."""
        assert self.test_set is not None and self.golden is not None
        ds = self.test_set.dataset
        records = [
            SampleRecord(
                index=i,
                id=ds.ids[i],
                label=int(ds.labels[i]),
                golden_outputs=[int(v) for v in self.golden[i]],
                golden_predicted=int(np.argmax(self.golden[i])),
            )
            for i in range(len(ds.labels))
        ]
        if self.golden_tta is not None:
            add_golden(records, self.golden_tta)
        return records

    def stream(self, progress: AbstractContextManager[Any] | None = None) -> list[SampleRecord]:
        """Stream every image; ``progress`` wraps the streaming (e.g. capture disabled).

        Each record is appended to the journal (``samples.jsonl``, :mod:`harness.journal`)
        as it arrives; with ``--resume`` the journal's successful samples are kept.
        """
        if self.device is None:
            self.start()
        assert self.device is not None and self.inputs is not None
        self.report_dir.mkdir(parents=True, exist_ok=True)
        templates = self.templates()
        identity = self.journal_identity(len(templates))
        self.records = self._resumed(identity)
        todo = sorted(set(range(len(templates))) - {r.index for r in self.records})
        todo = shard_indices(todo, self.config.get(SHARD_KEY))  # this xdist worker's part
        self.planned = len(self.records) + len(todo)
        journal = SampleJournal(self.report_dir / SAMPLES_FILE, {"run_id": self.run_id, **identity})

        def sink(record: SampleRecord) -> None:
            self.records.append(record)
            journal.append(record)
            for listener in self.listeners:
                listener.sample_recorded(self, record)

        streamed = False
        with (
            progress or contextlib.nullcontext(),
            progress_bar(len(todo), self.config.get("progress", True)) as bar,
        ):
            t0 = time.perf_counter()
            stream = multi_board.pool_streamer(self) if self.pool is not None else stream_samples
            try:
                stream(
                    self.device.client,
                    self.inputs[todo],
                    [templates[i] for i in todo],
                    sink,
                    window=int(self.config.get("window") or 4),
                    clock_hz=self.clock_hz(),
                    tolerance=int(self.config.get("golden-tolerance") or 0),
                    recover=self.recover,
                    on_progress=lambda n: bar(n),
                    tta=self.golden_tta is not None,
                )
                streamed = True
            finally:
                self.stream_wall_s = time.perf_counter() - t0
                LOG.info(
                    "streamed %d of %d samples in %.2f s (complete: %s)",
                    len(self.records),
                    len(templates),
                    self.stream_wall_s,
                    self.complete,
                )
                self.records.sort(key=lambda r: r.index)
                self.complete = streamed and self._answered_enough(self.planned)
                journal.close(self.complete)
                if self.faults is not None:
                    self.notes.append(self.faults.describe())
        self.write_results()
        return self.records

    def journal_identity(self, total: int) -> dict[str, Any]:
        """What a journal segment must share with this run to be resumed by it."""
        assert self.device is not None and self.model is not None and self.test_set is not None
        identity: dict[str, Any] = {
            "model_hash": self.model.hash(),
            "firmware_hash": self.device.hello.firmware_hash,
            "dataset_hash": self.test_set.dataset.hash,
            "samples_run": total,
        }
        if self.golden_tta is not None:  # records with TTA fields resume only a --tta run
            identity["tta"] = tta_kind(self.config)
        return identity

    def _answered_enough(self, total: int) -> bool:
        """True when at least the ``--min-answered`` floor of the images was answered."""
        answered = sum(1 for r in self.records if r.status == "ok")
        floor = answered_floor(self.config.get("min-answered"), total)
        if answered >= floor:
            return True
        self.notes.append(
            f"incomplete: {answered} of {total} images were answered, fewer than the floor "
            f"{floor} (--min-answered); the run is not complete and is never a baseline"
        )
        return False

    def _resumed(self, identity: dict[str, Any]) -> list[SampleRecord]:
        """The journal's kept samples with ``--resume``; else set an unfinished journal aside."""
        total = int(identity["samples_run"])
        if self.config.get("resume"):
            kept = resumable(self.report_dir, identity)
            if kept is not None:
                self.notes.append(
                    f"resumed an interrupted run: kept {len(kept)} of {total} samples"
                )
                return kept
            self.notes.append(
                "--resume: the journal in the report folder is of another model, firmware or "
                "data set; nothing was kept"
            )
        moved = set_aside(self.report_dir)
        if moved is not None:
            self.notes.append(f"an unfinished journal was kept as {moved.name}")
        elif (self.report_dir / SAMPLES_FILE).exists():
            (self.report_dir / SAMPLES_FILE).unlink()  # a finished run's journal
        return []

    # -- results --------------------------------------------------------------------------
    def add_summary(self, **values: Any) -> None:
        """Add keys to the ``summary`` block (energy figures, for example)."""
        self.extra_summary.update(values)

    def add_section(self, name: str, value: Any) -> None:
        """Add a top-level block to ``results.json`` (``energy``, for example)."""
        self.sections[name] = value

    def record_threshold(self, key: str, value: float, source: str) -> None:
        """Record a pass/fail threshold and where it came from (``thresholds`` block)."""
        self.sections.setdefault("thresholds", {})[key] = {"value": value, "source": source}

    def document(self) -> dict[str, Any]:
        """Return the ``results.json`` document of what happened so far."""
        simulated = bool(self.device.board.facts.simulated) if self.device else True
        ds = self.test_set.dataset if self.test_set is not None else None
        classes = run_classes(self.model, ds) if self.model is not None else list(CLASSES)
        summary = summarize(self.records, classes, simulated, self.stream_wall_s)
        extra = dict(self.extra_summary)
        kind = tta_kind(self.config)
        if kind:  # beside the single pass; hil/test_tta.py adds its energy figures
            single_mean = summary["latency_us"]["mean"]
            block = tta_summary(self.records, kind, simulated, single_mean)
            summary["tta"] = {**block, **extra.pop("tta", {})}
        summary.update(extra)
        return multi_board.add_pool_document(self, results_document(self, summary))

    def write_results(self) -> Path:
        """Write ``results.json`` into the report folder and return its path."""
        self.results_path = write_results_json(self.report_dir / RESULTS_FILE, self.document())
        return self.results_path

    def write_report(self) -> Path | None:
        """Render ``report.html`` through :mod:`reports` (``None`` when it is unavailable)."""
        if self.results_path is None:
            self.write_results()
        from reports import html

        document = json.loads((self.report_dir / RESULTS_FILE).read_text(encoding="utf-8"))
        links = {"links": dict(self.report_links)} if self.report_links else {}
        self.report_path = Path(html.write_report(document, self.report_dir, **links))
        LOG.info("wrote %s", self.report_path)
        return self.report_path

    def finish(self) -> None:
        """Write results and report (also when the board never came up) and close the board."""
        try:
            if self.records or self.device is not None or self.model is not None:
                path = self.write_results()
                try:
                    document = json.loads(path.read_text(encoding="utf-8"))
                    for listener in self.listeners:
                        listener.results_written(self, document)
                finally:
                    self.write_report()
        finally:
            self.close()

    def close(self) -> None:
        """Close the board(s) and the console log (idempotent)."""
        if self.pool is not None:
            self.pool.close()
        elif self.device is not None:
            self.device.close()
        if self._console is not None:
            self._console.close()
            self._console.sink.close()
