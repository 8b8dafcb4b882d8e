"""The multi-board stages of a :class:`~harness.hil_run.HilRun` (``--board a,b,c``).

:func:`start_pool` builds every board, makes its firmware image and brings the boards up in
parallel (:class:`~harness.board_pool.BoardPool`); :func:`pool_streamer` streams the test set
across them with work stealing (:func:`harness.sharding.stream_sharded`);
:func:`add_pool_document` adds the per-board figures to ``results.json``: ``summary.boards``
(per board: samples, agreement with golden, throughput, latency and host round trip) and the
``boards`` block (identity, flashed, errors, recoveries). Latency statistics are per board,
since boards differ; ``summary.latency_us`` stays the statistic over every sample.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from harness.board_pool import BoardPool, PoolMember
from harness.boards.base import Board, Capability
from harness.boards.group import board_specs
from harness.bringup import DeviceSession, ExpectedIdentity
from harness.results import SampleRecord, percentiles
from harness.sharding import Lane, stream_sharded

LOG = logging.getLogger("ferhil.boards")

if TYPE_CHECKING:
    from harness.hil_run import HilRun


def start_pool(run: HilRun) -> DeviceSession:
    """Build, flash (once each) and bring up every board of ``run``; return the primary session.

    Raises:
        HarnessError: when no board comes up.
    """
    assert run.model is not None
    members: list[PoolMember] = []
    boards: list[Board] = []
    try:
        for spec in board_specs(run.config, run.report_dir):
            boards.append(run._make_board(spec))
            image, firmware_hash = run._firmware(boards[-1])
            board = boards[-1]
            make_client = (
                board.make_client if board.has(Capability.OWN_CLIENT) else run._client_factory()
            )
            expected = ExpectedIdentity(run.model.hash(), firmware_hash)
            members.append(PoolMember(boards[-1], image, expected, make_client))
    except BaseException:  # e.g. a labgrid place locked by someone else: free what we hold
        for board in boards:
            board.close()
        raise
    run.notes[:] = list(dict.fromkeys(run.notes))  # one note per image, not per board
    LOG.info("bringing up %d board(s): %s", len(boards), ", ".join(b.facts.name for b in boards))
    run.pool = BoardPool(members)
    run.notes.extend(run.pool.bring_up(run.config.flash))
    run.device = run.pool.primary()
    run._expected = members[0].expected
    return run.device


def pool_streamer(run: HilRun) -> Callable[..., list[SampleRecord]]:
    """A stand-in for :func:`harness.streaming.stream_samples` that streams across the pool.

    It takes the same arguments; the single-board ones (client, clock, recovery) are replaced by
    each board's own.
    """

    def stream(
        _client: Any,
        inputs: np.ndarray,
        templates: Sequence[SampleRecord],
        sink: Callable[[SampleRecord], None],
        *,
        window: int = 4,
        tolerance: int = 0,
        on_progress: Callable[[int], None] | None = None,
        tta: bool = False,
        **_single_board: Any,
    ) -> list[SampleRecord]:
        assert run.pool is not None
        run.lanes = run.pool.lanes(run.config.clock_hz)
        return stream_sharded(
            run.lanes,
            inputs,
            templates,
            sink,
            window=window,
            tolerance=tolerance,
            on_progress=on_progress,
            tta=tta,
        )

    return stream


def board_summary(
    records: Sequence[SampleRecord], lanes: Sequence[Lane], names: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Per-board figures of ``records`` (by their ``board`` tag) for ``summary.boards``."""
    by_lane = {lane.name: lane for lane in lanes}
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        mine = [r for r in records if r.extra.get("board") == name]
        ok = [r for r in mine if r.status == "ok"]
        lane = by_lane.get(name)
        busy = lane.busy_s if lane is not None else 0.0
        out[name] = {
            "samples": len(mine),
            "ok": len(ok),
            "matched_golden": sum(1 for r in mine if r.match),
            "failed": len(mine) - len(ok),
            "agreement": (sum(1 for r in mine if r.match) / len(mine)) if mine else None,
            "throughput_ips": (len(mine) / busy) if busy else None,
            "busy_s": busy,
            "latency_us": percentiles([r.latency_us for r in ok if r.latency_us is not None]),
            "host_rtt_ms": percentiles([r.rtt_ms for r in ok if r.rtt_ms is not None]),
            "taken_out": lane.retired if lane is not None else "not brought up",
            "recoveries": lane.recoveries if lane is not None else 0,
            "handed_back": len(lane.requeued) if lane is not None else 0,
        }
    return out


def add_pool_document(run: HilRun, document: dict[str, Any]) -> dict[str, Any]:
    """Add the per-board figures and identities of a multi-board run to ``document``."""
    if run.pool is None:
        return document
    names = [m.name for m in run.pool.members]
    boards = board_summary(run.records, run.lanes, names)
    for name, energy in (document["summary"].get("energy_by_board") or {}).items():
        if name in boards:
            boards[name]["energy_uj_per_inference"] = energy.get("energy_uj_per_inference")
    document["summary"]["boards"] = boards
    document["boards"] = run.pool.describe()
    identity = document["identity"]
    identity["board"] = ",".join(names)
    flashed = [row["flashed"] for row in document["boards"] if row["flashed"] is not None]
    identity["flashed"] = all(flashed)
    return document


class BoardView:
    """One board of a run seen as a single-board run (``device``, ``clock_hz()``, model, inputs).

    Per-board measurements (energy) take it where they take a run.
    """

    def __init__(self, run: HilRun, session: DeviceSession, clock_hz: float | None) -> None:
        self.device = session
        self.model = run.model
        self.inputs = run.inputs
        self._clock_hz = clock_hz

    def clock_hz(self) -> float | None:
        """The board's clock (``--clock-hz`` or its HELLO)."""
        return self._clock_hz


def board_views(run: HilRun) -> list[tuple[str, Any]]:
    """``(board name, run-like view)`` per board that is up; ``[(board, run)]`` for one board."""
    if run.pool is None:
        name = run.device.board.facts.name if run.device is not None else "board"
        return [(name, run)]
    override = run.config.clock_hz
    return [
        (m.name, BoardView(run, m.session, m.clock_hz(override)))
        for m in run.pool.up()
        if m.session is not None
    ]
