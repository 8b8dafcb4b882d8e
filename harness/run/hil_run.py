"""One HIL run: model, test set, golden outputs, firmware, board, streaming, results, report.

:class:`HilRun` (the pytest plugin's ``ferhil_run`` fixture) is a facade over three parts:

* its inputs (:mod:`harness.run.hil_inputs`): identity, model, test set, inputs and golden (and
  ``--tta`` golden TTA) outputs, computed once by :meth:`prepare`;
* its bring-up strategy (:mod:`harness.run.bringup_strategy`, an explicit state machine:
  :mod:`harness.run.bringup_states`): :meth:`start` builds the firmware (cached by hash) and the
  board and brings it up (connect or flash, HELLO identity check); :meth:`recover` climbs the
  recovery ladder while streaming; :meth:`close` closes the board(s);
* its results collector (:mod:`harness.run.run_results`): :meth:`stream` streams every image
  into it and the journal (:mod:`harness.run.stream_pass`); :meth:`finish` writes ``results.json``
  and ``report.html`` and closes the board.

Tests and meters add to the results through ``run.results``; the rest is read-only properties.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from fixtures.datasets import CLASSES
from golden.format import QuantModel
from harness.devices.boards.base import Board, BoardSpec
from harness.devices.boards.registry import create_board
from harness.lab import multi_board
from harness.lab.board_pool import BoardPool
from harness.lab.multi_board import BoardView
from harness.run.bringup import DeviceSession
from harness.run.bringup_states import BringUpState
from harness.run.bringup_strategy import BringUpStrategy
from harness.run.faults import FaultPlan
from harness.run.firmware_image import build_firmware_image
from harness.run.hil_inputs import (
    RunIdentity,
    RunInputs,
    load_checked_model,
    with_golden,
    with_test_set,
)
from harness.run.results import SampleRecord
from harness.run.run_document import RunFacts, results_document
from harness.run.run_listener import RunListener
from harness.run.run_results import ResultsCollector
from harness.run.stream_pass import stream_pass
from harness.run.test_set import TestSet
from harness.run.tta import tta_kind
from harness.suite.config import FerhilConfig

LOG = logging.getLogger("ferhil.run")


def _default_client(transport: Any, timeout: float | None = None) -> Any:
    from firmware.host.client import AgentClient
    from harness.suite.config import option_default

    return AgentClient(
        transport, timeout=option_default("sample-timeout") if timeout is None else timeout
    )


def _default_load_model(ref: str | None) -> QuantModel:
    from golden.zoo import load_model

    return load_model(ref)


class HilRun:
    """One run: inputs, bring-up and results behind one facade (see the module docstring)."""

    def __init__(
        self,
        config: FerhilConfig,
        *,
        make_board: Callable[[BoardSpec], Board] = create_board,
        make_client: Callable[[Any], Any] = _default_client,
        load_model: Callable[[str | None], QuantModel] = _default_load_model,
        build: Callable[..., Any] = build_firmware_image,
        argv: list[str] | None = None,
        prepared: RunInputs | None = None,
    ) -> None:
        self._config = config
        self._report_dir = Path(config.report_dir)
        self._make_client = make_client
        self._load_model = load_model
        self._identity = RunIdentity.now(sys.argv if argv is None else argv)
        self._inputs = prepared
        self._results = ResultsCollector()
        self._bringup = BringUpStrategy(
            config,
            self._report_dir,
            self._results,
            make_board=make_board,
            client_factory=self._client_factory,
            build=build,
        )
        self._listeners: list[RunListener] = []  # observers, e.g. the result store's recorder

    # -- the parts and read-only views ----------------------------------------------------
    @property
    def results(self) -> ResultsCollector:
        """The results collector: what tests and meters add to (typed methods)."""
        return self._results

    @property
    def states(self) -> tuple[BringUpState, ...]:
        """Where the board(s) have been, the current state last (``bringup_states``)."""
        return self._bringup.machine.history

    @property
    def report_dir(self) -> Path:
        """The report folder."""
        return self._report_dir

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self._identity.run_id

    @property
    def model(self) -> QuantModel | None:
        """The model under test (``None`` before :meth:`prepare`)."""
        return self._inputs.model if self._inputs is not None else None

    @property
    def test_set(self) -> TestSet | None:
        """The test set (``None`` before it is chosen)."""
        return self._inputs.test_set if self._inputs is not None else None

    @property
    def golden(self) -> np.ndarray | None:
        """The golden outputs of the test set (``None`` before :meth:`prepare`)."""
        return self._inputs.golden if self._inputs is not None else None

    @property
    def device(self) -> DeviceSession | None:
        """The (primary) board's session once it is up."""
        return self._bringup.device

    @property
    def pool(self) -> BoardPool | None:
        """The boards of a multi-board run (``None`` for one board)."""
        return self._bringup.pool

    @property
    def artifact(self) -> Any:
        """The firmware build artifact (``None``: prebuilt or built by the board)."""
        return self._bringup.artifact

    @property
    def faults(self) -> FaultPlan | None:
        """The injected faults (``--inject``), if any."""
        return self._bringup.faults

    @property
    def records(self) -> tuple[SampleRecord, ...]:
        """The sample records so far (sorted by index once streaming ended)."""
        return self._results.records

    @property
    def notes(self) -> tuple[str, ...]:
        """The run's notes so far (add with ``results.add_note``)."""
        return self._results.notes

    @property
    def planned(self) -> int | None:
        """The images streaming covers (an xdist worker: its shard)."""
        return self._results.planned

    @property
    def complete(self) -> bool:
        """True when streaming ended and enough images were answered."""
        return self._results.complete

    def add_listener(self, listener: RunListener) -> None:
        """Add an observer of the run's events (:class:`~harness.run.run_listener.RunListener`)."""
        self._listeners.append(listener)

    # -- stages ---------------------------------------------------------------------------
    def prepare(self) -> None:
        """Load the model and the test set and compute the golden outputs."""
        self._inputs = load_checked_model(self._config, self._load_model)
        if self._inputs.illegal is not None:
            self._results.add_note(self._inputs.illegal)
            self._results.add_summary(illegal_model=True)
        self._inputs = with_test_set(self._inputs, self._config)
        assert self._inputs.test_set is not None
        if self._inputs.test_set.generated:
            self._results.add_note(self._inputs.test_set.note)
        self._inputs = with_golden(self._inputs, tta_kind(self._config))

    def start(self) -> DeviceSession:
        """Build the firmware, build the board and bring it up."""
        if self._inputs is None:
            self.prepare()
        assert self._inputs is not None
        self._report_dir.mkdir(parents=True, exist_ok=True)
        device = self._bringup.start(self._inputs.model)
        for listener in self._listeners:
            listener.run_started(self)
        return device

    def recover(self) -> Any:
        """Recovery ladder for a board that stopped answering; return the working client."""
        return self._bringup.recover(self._results.record_count)

    def _client_factory(self) -> Callable[[Any], Any]:
        if self._make_client is not _default_client:
            return self._make_client
        return lambda transport: _default_client(transport, self._config.sample_timeout)

    def clock_hz(self) -> float | None:
        """The clock that turns cycles into time: ``--clock-hz``, else the board's HELLO."""
        return self._bringup.clock_hz()

    def board_views(self) -> list[tuple[str, BoardView]]:
        """``(board name, view)`` per board that is up (one board: the run's own board)."""
        device = self.device
        name = device.board.facts.name if device is not None else "board"
        inputs = self._inputs.inputs if self._inputs is not None else None
        single = BoardView(name, device, self.model, inputs, self.clock_hz())
        return multi_board.board_views(self.pool, single, self._config.clock_hz)

    def stream(self, progress: AbstractContextManager[Any] | None = None) -> list[SampleRecord]:
        """Stream every image (:func:`harness.run.stream_pass.stream_pass`); write ``results.json``.

        ``progress`` wraps the streaming (e.g. capture disabled).
        """
        if self.device is None:
            self.start()
        assert self._inputs is not None

        def on_record(record: SampleRecord) -> None:
            for listener in self._listeners:
                listener.sample_recorded(self, record)

        stream_pass(
            self.run_id,
            self._inputs,
            self._bringup,
            self._results,
            self._config,
            self._report_dir,
            recover=self.recover,
            on_record=on_record,
            progress=progress,
        )
        self.write_results()
        return list(self._results.records)

    # -- results --------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        """Return the ``results.json`` document of what happened so far."""
        device = self.device
        simulated = bool(device.board.facts.simulated) if device else True
        classes = self._inputs.classes() if self._inputs is not None else list(CLASSES)
        facts = RunFacts(
            self._identity, self._config, self._inputs, device, self.artifact, self.clock_hz()
        )
        summary = self._results.summary(classes, simulated, tta_kind(self._config))
        document = results_document(facts, self._results, summary)
        return multi_board.add_pool_document(
            self.pool, self._bringup.lanes, self._results.records, document
        )

    def write_results(self) -> Path:
        """Write ``results.json`` into the report folder and return its path."""
        return self._results.write_results(self._report_dir, self.document())

    def write_report(self) -> Path | None:
        """Render ``report.html`` through :mod:`reports`."""
        if self._results.results_path is None:
            self.write_results()
        return self._results.write_report(self._report_dir)

    def finish(self) -> None:
        """Write results and report (also when the board never came up) and close the board."""
        try:
            if self._results.records or self.device is not None or self.model is not None:
                path = self.write_results()
                try:
                    document = json.loads(path.read_text(encoding="utf-8"))
                    for listener in self._listeners:
                        listener.results_written(self, document)
                finally:
                    self.write_report()
        finally:
            self.close()

    def close(self) -> None:
        """Close the board(s) and the console log (idempotent)."""
        self._bringup.close()
