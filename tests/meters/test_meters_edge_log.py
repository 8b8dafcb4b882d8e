"""Edge-log parsing, the simulated timeline and the sample integration of the simulated rail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.meters.errors import MeterError
from harness.meters.simulator.edge_log import (
    Edge,
    EdgeLogReader,
    Segment,
    Timeline,
    parse_edge_line,
)
from harness.meters.simulator.sim_signal import active_time_between


def test_parse_lines() -> None:
    assert parse_edge_line("10 20 0 1") == Edge(10, 20, "0", 1)
    assert parse_edge_line("  # comment") is None
    assert parse_edge_line("") is None
    with pytest.raises(MeterError, match="cannot read '10 20 0'"):
        parse_edge_line("10 20 0")
    with pytest.raises(MeterError, match="cannot read"):
        parse_edge_line("x 20 0 1")


def test_reader_returns_only_complete_new_lines(tmp_path: Path) -> None:
    path = tmp_path / "log"
    reader = EdgeLogReader(path)
    assert reader.read_new() == []  # missing file: nothing yet
    path.write_text("1 2 0 1\n3 4 0")
    assert reader.read_new() == [Edge(1, 2, "0", 1)]
    with path.open("a") as handle:
        handle.write(" 0\n")
    assert reader.read_new() == [Edge(3, 4, "0", 0)]
    path.write_text("5 6 0 1\n")  # the board restarted and truncated its log
    assert reader.read_new() == [Edge(5, 6, "0", 1)]


def test_timeline_uses_cycles_inside_windows_and_wall_time_between() -> None:
    # origin at 1 s monotonic; clock 1 MHz. Window 1 opens 0.5 s later (wall) and lasts
    # 200,000 cycles = 0.2 s simulated although the host took only 1 ms.
    tl = Timeline(origin_ns=1_000_000_000, clock_hz=1e6, pin="0", active_level=1)
    tl.add(Edge(1_500_000_000, 1000, "0", 1))
    tl.add(Edge(1_501_000_000, 201_000, "0", 0))
    tl.add(Edge(1_501_000_000, 201_000, "7", 1))  # another pin: ignored
    tl.add(Edge(1_600_000_000, 300_000, "0", 1))
    tl.add(Edge(1_600_000_000, 300_000, "0", 1))  # repeated level: ignored
    tl.add(Edge(1_700_000_000, 350_000, "0", 0))
    got = [(seg.start_s, seg.end_s, seg.active, seg.cycles) for seg in tl.segments]
    want = [
        (0.0, 0.5, False, 0),
        (0.5, 0.7, True, 200_000),
        (0.7, 0.799, False, 0),
        (0.799, 0.849, True, 50_000),
    ]
    assert [g[2:] for g in got] == [w[2:] for w in want]
    np.testing.assert_allclose([g[:2] for g in got], [w[:2] for w in want], atol=1e-12)
    assert [tau for _, tau in tl.ends] == [pytest.approx(0.7), pytest.approx(0.849)]
    assert tl.tau_at(1_800_000_000) == pytest.approx(0.949)
    tail = tl.segments_until(1.0)[-1]
    assert (tail.start_s, tail.end_s, tail.active) == (pytest.approx(0.849), 1.0, False)


def test_cycles_going_backwards_inside_a_window_is_an_error() -> None:
    tl = Timeline(origin_ns=0, clock_hz=1e6)
    tl.add(Edge(10, 500, "0", 1))
    with pytest.raises(MeterError, match="backwards"):
        tl.add(Edge(20, 100, "0", 0))


def test_active_time_between_integrates_exactly() -> None:
    segments = [
        Segment(0.0, 0.5, False, 0),
        Segment(0.5, 0.75, True, 1),
        Segment(0.75, 1.0, False, 0),
        Segment(1.0, 1.1, True, 1),
    ]
    tau = np.array([0.0, 0.6, 0.7, 1.05, 2.0])
    np.testing.assert_allclose(active_time_between(segments, tau), [0.1, 0.1, 0.1, 0.05])
    assert active_time_between([], tau).tolist() == [0.0] * 4
