"""How a run gets its board(s) up, keeps them up and closes them (states: :mod:`bringup_states`).

:class:`BringUpStrategy` builds the board (or the boards of ``--board a,b,c``, through
:mod:`harness.lab.multi_board`), makes the firmware image (cached by hash), brings the board up
(connect or flash, HELLO identity check: :func:`harness.run.bringup.bring_up`), climbs the recovery
ladder when the board stops answering (:func:`harness.run.bringup.recover_session`) and closes it.
Each step is a transition of its :class:`~harness.run.bringup_states.BringUpMachine`, so a stage
called out of order is refused with a clear error. What the steps note (prebuilt firmware,
boards left out, recoveries) goes to the run's :class:`~harness.run.run_results.ResultsCollector`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from golden.format import QuantModel
from harness.devices.boards.base import Board, BoardSpec, Capability
from harness.devices.boards.group import board_specs, is_multi_board
from harness.devices.boards.selection import board_spec
from harness.lab import multi_board
from harness.lab.board_pool import BoardPool
from harness.lab.sharding import Lane
from harness.run.bringup import DeviceSession, ExpectedIdentity, bring_up, recover_session
from harness.run.bringup_states import BringUpMachine, BringUpState
from harness.run.console_log import (
    CONSOLE_FILE,
    CONSOLE_LINK,
    ConsoleSplitter,
    ConsoleTap,
    open_console,
)
from harness.run.faults import FaultPlan
from harness.run.firmware_image import FirmwareImage, firmware_image
from harness.run.run_results import ResultsCollector
from harness.run.streaming import stream_samples
from harness.suite.config import FerhilConfig

LOG = logging.getLogger("ferhil.run")

ClientMaker = Callable[[Any], Any]

_S = BringUpState


class BringUpStrategy:
    """The board side of one run (see the module docstring)."""

    def __init__(
        self,
        config: FerhilConfig,
        report_dir: Path,
        results: ResultsCollector,
        *,
        make_board: Callable[[BoardSpec], Board],
        client_factory: Callable[[], ClientMaker],
        build: Callable[..., Any],
    ) -> None:
        self._config = config
        self._report_dir = report_dir
        self._results = results
        self._make_board = make_board
        self._client_factory = client_factory
        self._build = build
        self.machine = BringUpMachine(config.board or "board")
        self._device: DeviceSession | None = None
        self._pool: BoardPool | None = None
        self._lanes: list[Lane] = []
        self._image: Path | None = None
        self._expected: ExpectedIdentity | None = None
        self._board_client: ClientMaker | None = None
        self._artifact: Any = None
        self._faults: FaultPlan | None = None
        self._console: ConsoleSplitter | None = None

    # -- read-only views ------------------------------------------------------------------
    @property
    def state(self) -> BringUpState:
        """Where the board(s) are."""
        return self.machine.state

    @property
    def device(self) -> DeviceSession | None:
        """The (primary) board's session once it is up."""
        return self._device

    @property
    def pool(self) -> BoardPool | None:
        """The boards of a multi-board run (``None`` for one board)."""
        return self._pool

    @property
    def lanes(self) -> list[Lane]:
        """The streaming lanes of a multi-board run (after streaming started)."""
        return list(self._lanes)

    @property
    def artifact(self) -> Any:
        """The firmware build artifact (``None``: prebuilt or built by the board)."""
        return self._artifact

    @property
    def faults(self) -> FaultPlan | None:
        """The injected faults (``--inject``), if any."""
        return self._faults

    # -- bring-up -------------------------------------------------------------------------
    def start(self, model: QuantModel) -> DeviceSession:
        """Build the firmware and the board(s) and bring them up: ``pending`` -> ``identified``.

        Raises:
            IllegalTransitionError: when the board was already started (or closed).
        """
        self.machine.require(_S.BUILT)
        try:
            if is_multi_board(self._config):
                return self._start_pool(model)
            return self._start_one(model)
        except BaseException as exc:
            self.machine.fail(f"{type(exc).__name__}; the error follows")
            raise

    def _start_one(self, model: QuantModel) -> DeviceSession:
        spec = board_spec(self._config, gpio_log=self._report_dir / "gpio.log")
        if self._config.inject:
            self._faults = FaultPlan.parse(self._config.inject)
            spec = replace(spec, sim_args=self._faults.sim_args())
        board = self._make_board(spec)
        made = self._firmware(board, model)
        self._results.add_notes(made.notes)
        image = self._image = made.path
        self.machine.to(_S.BUILT, f"firmware {image or '(none needed)'}")
        self._expected = ExpectedIdentity(
            model.hash(), made.firmware_hash, model.name, model.version
        )
        client = (
            board.make_client
            if board.has(Capability.OWN_CLIENT)
            else self._console_client(self._client_factory())
        )
        if self._faults is not None:
            client = self._faults.wrap_factory(client)
        self._board_client = client
        LOG.info("board %s: firmware %s; bringing it up", spec.name, image or "(none needed)")
        self._device = bring_up(board, image, self._expected, client, flash=self._config.flash)
        self.machine.to(_S.FLASHED, "programmed" if self._device.flashed else "already running it")
        LOG.info(
            "board %s up (flashed: %s); HELLO %s",
            spec.name,
            self._device.flashed,
            self._device.hello,
        )
        if self._faults is not None:
            self._faults.armed = True  # bring-up ran on a clean link
        try:  # up front: a window smaller than one frame answers nothing
            self._device.client.check_rx_window()
        except BaseException:
            self._device.close()
            raise
        self.machine.to(_S.IDENTIFIED, "HELLO matches; receive window checked")
        return self._device

    def _start_pool(self, model: QuantModel) -> DeviceSession:
        specs = board_specs(self._config, self._report_dir)
        self._pool, notes = multi_board.build_pool(
            specs,
            self._make_board,
            lambda board: self._firmware(board, model),
            self._client_factory,
            model.hash(),
        )
        self._results.add_notes(notes, unique=True)  # one note per image, not per board
        self.machine.to(_S.BUILT, f"{len(specs)} board(s)")
        self._results.add_notes(self._pool.bring_up(self._config.flash))
        self.machine.to(_S.FLASHED, f"{len(self._pool.up())} of {len(specs)} board(s) up")
        self._device = self._pool.primary()
        self._expected = self._pool.members[0].expected
        self.machine.to(_S.IDENTIFIED, "HELLO matches on every board that is up")
        return self._device

    def _firmware(self, board: Board, model: QuantModel) -> FirmwareImage:
        made = firmware_image(board, model, self._config, self._build)
        self._artifact = made.artifact
        return made

    def _console_client(self, factory: ClientMaker) -> ClientMaker:
        """``factory`` reading through a :class:`ConsoleTap` that keeps the board's console."""
        if self._console is None:
            self._console, _ = open_console(self._report_dir)
            self._results.add_links({CONSOLE_LINK: CONSOLE_FILE}, replace=False)
        console = self._console
        return lambda transport: factory(ConsoleTap(transport, console))

    def clock_hz(self) -> float | None:
        """The clock that turns cycles into time: ``--clock-hz``, else the board's HELLO."""
        override = self._config.clock_hz
        if override:
            return float(override)
        if self._device is not None:
            value = self._device.hello.core_clock_hz
            return float(value) if value else None
        return None

    # -- streaming ------------------------------------------------------------------------
    def begin_stream(self) -> Callable[..., Any]:
        """Enter ``streaming``; return the streamer (:func:`stream_samples` or the pool's)."""
        self.machine.to(_S.STREAMING)
        if self._pool is None:
            return stream_samples
        return multi_board.pool_streamer(self._pool, self._config.clock_hz, self._set_lanes)

    def _set_lanes(self, lanes: list[Lane]) -> None:
        self._lanes = lanes

    def end_stream(self, streamed: bool) -> None:
        """Leave streaming: ``streamed`` when the pass ended, else ``failed`` (it raised)."""
        if not streamed:
            self.machine.fail("streaming was interrupted")
        elif self.machine.state in (_S.STREAMING, _S.RECOVERED):
            self.machine.to(_S.STREAMED)

    def recover(self, after: int) -> Any:
        """Recovery ladder for a board that stopped answering after ``after`` samples.

        Returns:
            The working client of the recovered board.
        """
        assert self._device is not None and self._expected is not None
        assert self._board_client is not None
        try:
            self._device, note = recover_session(
                self._device, self._image, self._expected, self._board_client
            )
        except BaseException as exc:
            self.machine.fail(f"recovery failed with {type(exc).__name__}")
            raise
        self.machine.to(_S.RECOVERED, note)
        self._results.add_note(f"after sample {after}: {note}")
        LOG.warning("after sample %d: %s", after, note)
        return self._device.client

    # -- close ----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the board(s) and the console log (idempotent)."""
        try:
            if self._pool is not None:
                self._pool.close()
            elif self._device is not None:
                self._device.close()
            if self._console is not None:
                self._console.close()
                self._console.sink.close()
        finally:
            if self.machine.state is not _S.CLOSED:
                self.machine.to(_S.CLOSED)
