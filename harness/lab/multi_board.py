"""The multi-board stages of a HIL run (``--board a,b,c``).

:func:`build_pool` builds every board and makes its firmware image (the boards are then brought
up in parallel by :class:`~harness.lab.board_pool.BoardPool`); :func:`pool_streamer` streams the
test
set across them with work stealing (:func:`harness.lab.sharding.stream_sharded`);
:func:`add_pool_document` adds the per-board figures to ``results.json``: ``summary.boards``
(per board: samples, agreement with golden, throughput, latency and host round trip) and the
``boards`` block (identity, flashed, errors, recoveries). Latency statistics are per board,
since boards differ; ``summary.latency_us`` stays the statistic over every sample.
:func:`board_views` gives each board that is up as a :class:`BoardView` (per-board energy).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from golden.format import QuantModel
from harness.devices.boards.base import Board, BoardSpec, Capability
from harness.lab.board_pool import BoardPool, PoolMember
from harness.lab.sharding import Lane, stream_sharded
from harness.run.bringup import DeviceSession, ExpectedIdentity
from harness.run.firmware_image import FirmwareImage
from harness.run.results import SampleRecord, percentiles

LOG = logging.getLogger("ferhil.boards")


def build_pool(
    specs: Sequence[BoardSpec],
    make_board: Callable[[BoardSpec], Board],
    make_image: Callable[[Board], FirmwareImage],
    client_factory: Callable[[], Callable[[Any], Any]],
    model_hash: str,
) -> tuple[BoardPool, list[str]]:
    """Build every board of ``specs`` and its firmware image (not brought up yet).

    Returns:
        The pool and the images' notes (each once).

    Raises:
        Exception: a board's or a build's own error; every board built so far is closed.
    """
    members: list[PoolMember] = []
    boards: list[Board] = []
    notes: list[str] = []
    try:
        for spec in specs:
            boards.append(make_board(spec))
            made = make_image(boards[-1])
            notes.extend(made.notes)
            board = boards[-1]
            make_client = (
                board.make_client if board.has(Capability.OWN_CLIENT) else client_factory()
            )
            expected = ExpectedIdentity(model_hash, made.firmware_hash)
            members.append(PoolMember(boards[-1], made.path, expected, make_client))
    except BaseException:  # e.g. a labgrid place locked by someone else: free what we hold
        for board in boards:
            board.close()
        raise
    LOG.info("bringing up %d board(s): %s", len(boards), ", ".join(b.facts.name for b in boards))
    return BoardPool(members), list(dict.fromkeys(notes))


def pool_streamer(
    pool: BoardPool, clock_override: float | None, on_lanes: Callable[[list[Lane]], None]
) -> Callable[..., list[SampleRecord]]:
    """A stand-in for :func:`harness.run.streaming.stream_samples` that streams across ``pool``.

    It takes the same arguments; the single-board ones (client, clock, recovery) are replaced by
    each board's own. ``on_lanes`` receives the lanes before streaming starts.
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
        lanes = pool.lanes(clock_override)
        on_lanes(lanes)
        return stream_sharded(
            lanes,
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


def add_pool_document(
    pool: BoardPool | None,
    lanes: Sequence[Lane],
    records: Sequence[SampleRecord],
    document: dict[str, Any],
) -> dict[str, Any]:
    """Add the per-board figures and identities of a multi-board run to ``document``."""
    if pool is None:
        return document
    names = [m.name for m in pool.members]
    boards = board_summary(records, lanes, names)
    for name, energy in (document["summary"].get("energy_by_board") or {}).items():
        if name in boards:
            boards[name]["energy_uj_per_inference"] = energy.get("energy_uj_per_inference")
    document["summary"]["boards"] = boards
    document["boards"] = pool.describe()
    identity = document["identity"]
    identity["board"] = ",".join(names)
    flashed = [row["flashed"] for row in document["boards"] if row["flashed"] is not None]
    identity["flashed"] = all(flashed)
    return document


@dataclass(frozen=True)
class BoardView:
    """One board of a run seen as a single-board run (``device``, ``clock_hz()``, model, inputs).

    Per-board measurements (energy) take it.

    Attributes:
        name: the board's name.
        device: its session (``None``: the board is not up).
        model: the model under test.
        inputs: the run's model inputs (``None`` before the test set is loaded).
        clock: the board's clock (``--clock-hz`` or its HELLO).
    """

    name: str
    device: DeviceSession | None
    model: QuantModel | None
    inputs: np.ndarray | None
    clock: float | None

    def clock_hz(self) -> float | None:
        """The board's clock (``--clock-hz`` or its HELLO)."""
        return self.clock


def board_views(
    pool: BoardPool | None, single: BoardView, clock_override: float | None
) -> list[tuple[str, BoardView]]:
    """``(board name, view)`` per board that is up; ``[(name, single)]`` for one board."""
    if pool is None:
        return [(single.name, single)]
    return [
        (m.name, replace(single, name=m.name, device=m.session, clock=m.clock_hz(clock_override)))
        for m in pool.up()
        if m.session is not None
    ]
