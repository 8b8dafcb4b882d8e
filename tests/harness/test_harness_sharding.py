"""One test set across several boards: work stealing, boards taken out, board groups."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from harness_testkit import generated_set, saved_model, small_model

from golden.format import load
from golden.inference import run as golden_run
from harness.devices.boards.base import BoardSpec
from harness.devices.boards.fake import FakeAgentClient, FakeBoard
from harness.devices.boards.group import board_names, board_specs
from harness.devices.boards.registry import BOARD_KINDS
from harness.errors import ConfigError, TransportError
from harness.lab.sharding import Lane, WorkQueue, chunk_size, stream_sharded
from harness.run.hil_run import HilRun
from harness.run.results import SampleRecord
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers


def _set(n: int, seed: int = 0) -> tuple[Any, np.ndarray, list[SampleRecord]]:
    model = small_model(seed=4)
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, size=(n, 1, 48, 48), dtype=np.int64).astype(np.int8)
    gold = golden_run(model, x)
    templates = [
        SampleRecord(i, f"s{i}", 0, [int(v) for v in gold[i]], int(np.argmax(gold[i])))
        for i in range(n)
    ]
    return model, x, templates


class SlowClient(FakeAgentClient):
    """A fake agent that takes ``delay_s`` per request."""

    delay_s: float = 0.0

    def infer_stream(self, items, window=4):  # type: ignore[no-untyped-def]
        for reply in super().infer_stream(items, window):
            time.sleep(self.delay_s)
            yield reply


def _client(model: Any, delay_s: float = 0.0, die_after: int | None = None) -> SlowClient:
    client = SlowClient(model, "f" * 64, die_after=die_after)
    client.delay_s = delay_s
    return client


def _dead() -> Any:
    raise TransportError("the board does not come back")


def test_every_sample_once_and_slow_board_takes_less() -> None:
    model, x, templates = _set(120)
    lanes = [
        Lane("fast-1", _client(model), _dead, 50e6),
        Lane("fast-2", _client(model), _dead, 50e6),
        Lane("slow", _client(model, delay_s=0.02), _dead, 50e6),
    ]
    seen: list[SampleRecord] = []
    records = stream_sharded(lanes, x, templates, seen.append, window=4)
    assert [r.index for r in records] == list(range(120))
    assert Counter(r.index for r in seen) == Counter(range(120))
    assert all(r.status == "ok" and r.match for r in records)
    boards = Counter(r.extra["board"] for r in records)
    assert set(boards) == {"fast-1", "fast-2", "slow"}
    assert boards["slow"] < min(boards["fast-1"], boards["fast-2"]), boards
    assert all(lane.retired is None for lane in lanes)


def test_dead_board_is_taken_out_and_its_samples_go_to_the_others() -> None:
    model, x, templates = _set(150)
    dying = Lane("dying", _client(model, die_after=10), _dead, 50e6)
    lanes = [
        Lane("a", _client(model, 0.001), _dead),
        dying,
        Lane("b", _client(model, 0.001), _dead),
    ]
    records = stream_sharded(lanes, x, templates, lambda r: None, window=4, max_recoveries=1)
    assert [r.index for r in records] == list(range(150)), "every sample exactly once"
    assert all(r.status == "ok" and r.match for r in records), [r.error for r in records][:3]
    assert dying.retired is not None
    assert dying.recoveries == 1 and dying.requeued, "ladder climbed, samples handed back"
    by_dying = [r for r in records if r.extra["board"] == "dying"]
    assert 0 < len(by_dying) <= 10
    assert not {r.index for r in by_dying} & set(dying.requeued)


def test_every_board_out_records_the_rest_as_failed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ferhil")
    model, x, templates = _set(40)
    lanes = [
        Lane("x", _client(model, die_after=5), _dead),
        Lane("y", _client(model, die_after=3), _dead),
    ]
    records = stream_sharded(lanes, x, templates, lambda r: None, window=2)
    assert [r.index for r in records] == list(range(40))
    ok = [r for r in records if r.status == "ok"]
    assert len(ok) == 8
    failed = [r for r in records if r.status != "ok"]
    assert all("every board is out" in (r.error or "") for r in failed)
    logged = [r.getMessage() for r in caplog.records if r.name == "ferhil.sharding"]
    assert any(m.startswith("board x taken out of the run") for m in logged), logged
    assert any("32 sample(s) not attempted: every board is out" in m for m in logged), logged


def test_work_queue_waits_for_handed_back_work() -> None:
    queue = WorkQueue(range(4))
    first = queue.take(4)
    assert first == [0, 1, 2, 3] and queue.remaining() == 0
    queue.done([2, 3])
    assert queue.take(8) == [2, 3]
    queue.done()
    assert queue.take(8) == []
    assert chunk_size(1000, 3, 4) == 32 and chunk_size(10, 3, 4) == 4


def _lab(tmp_path: Path, kind: str = "fake", extra: str = "") -> Path:
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "boards:\n"
        + "".join(f"  sim-{i}:\n    kind: {kind}\n    baud: 921600\n" for i in (1, 2, 3))
        + "groups:\n  rack: [sim-1, sim-2, sim-3]\n"
        + extra
    )
    return lab


def test_board_names_lists_groups_and_duplicates(tmp_path: Path) -> None:
    load_option_providers()
    lab = _lab(tmp_path)
    assert board_names({"board": "a, b"}) == ["a", "b"]
    assert board_names({"board": "rack", "lab": lab}) == ["sim-1", "sim-2", "sim-3"]
    specs = board_specs({"board": "fake,fake"}, tmp_path)
    assert [s.name for s in specs] == ["fake-1", "fake-2"]
    assert specs[0].gpio_log == tmp_path / "gpio-fake-1.log"
    specs = board_specs({"board": "sim-1,sim-3", "lab": lab})
    assert [(s.name, s.kind, s.baud) for s in specs] == [
        ("sim-1", "fake", 921600),
        ("sim-3", "fake", 921600),
    ]
    with pytest.raises(ConfigError, match="named twice"):
        board_names({"board": "sim-1,sim-1", "lab": lab})
    with pytest.raises(ConfigError, match="--port"):
        board_specs({"board": "fake,fake", "port": "/dev/ttyACM0"})
    with pytest.raises(ConfigError, match="empty name"):
        board_names({"board": "a,,b"})


class DyingBoard(FakeBoard):
    """A fake board that stops answering after 7 requests and cannot be relaunched."""

    def __init__(self, spec: BoardSpec) -> None:
        super().__init__(spec, die_after=7)

    def flash(self, image: Path) -> None:
        if self.launches:
            raise TransportError("the board is gone")
        super().flash(image)


def test_hil_run_over_a_lab_group_with_one_dying_board(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_option_providers()
    monkeypatch.setitem(BOARD_KINDS, "fake-dying", DyingBoard)
    lab = tmp_path / "lab.yaml"
    lab.write_text(
        "boards:\n  sim-1: {kind: fake}\n  sim-2: {kind: fake-dying}\n  sim-3: {kind: fake}\n"
    )
    cfg = FerhilConfig.defaults(
        board="sim-1,sim-2,sim-3",
        lab=lab,
        model=str(saved_model(tmp_path)),
        dataset=str(generated_set(tmp_path, 90)),
        limit=90,
        report_dir=tmp_path / "out",
        progress=False,
    )
    run = HilRun(cfg, load_model=lambda ref: load(ref))
    run.prepare()
    run.start()
    assert run.pool is not None
    boards = [m.board for m in run.pool.members]
    run.stream()
    run.finish()
    assert all(getattr(b, "launches", 0) == 1 for b in boards), "each board flashed once"
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    samples = doc["samples"]
    assert sorted(s["index"] for s in samples) == list(range(90))
    assert all(s["status"] == "ok" and s["match"] for s in samples)
    assert {s["board"] for s in samples} == {"sim-1", "sim-2", "sim-3"}
    per_board = doc["summary"]["boards"]
    assert sum(b["samples"] for b in per_board.values()) == 90
    assert per_board["sim-2"]["taken_out"] and per_board["sim-2"]["handed_back"] > 0
    assert per_board["sim-1"]["agreement"] == 1.0 and per_board["sim-1"]["throughput_ips"] > 0
    assert per_board["sim-1"]["latency_us"]["p50"] > 0
    assert doc["identity"]["board"] == "sim-1,sim-2,sim-3"
    assert [b["board"] for b in doc["boards"]] == ["sim-1", "sim-2", "sim-3"]
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="boards"' in html and "sim-2" in html and "handed back" in html
    lines = (tmp_path / "out" / "samples.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert sorted(e["index"] for e in entries if "index" in e) == list(range(90))  # + header
