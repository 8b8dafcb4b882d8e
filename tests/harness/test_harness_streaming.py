import numpy as np
import pytest

from firmware.host.messages import InferFailure, InferResult
from harness.run.results import SampleRecord, percentiles, summarize
from harness.run.streaming import stream_samples


def Result(seq, status, outputs, cycles):  # noqa: N802 (the real reply type, retyped)
    return InferResult(seq, status, outputs, cycles, rtt_s=0.001)


Failure = InferFailure


class Client:
    """Answers golden+offset; raises for keys in `broken` (once each)."""

    def __init__(self, golden, broken=(), failures=(), offsets=None, dead_after=None):
        self.golden = golden
        self.broken = set(broken)
        self.failures = set(failures)
        self.offsets = offsets or {}
        self.dead_after = dead_after
        self.pings = 0

    def infer_stream(self, items, window=4):
        for key, _x in items:
            if self.dead_after is not None and key >= self.dead_after:
                raise TimeoutError("link dead")
            if key in self.broken:
                self.broken.discard(key)
                raise ConnectionError(f"link broke at {key}")
            if key in self.failures:
                yield Failure(key, "no reply", 3)
                continue
            yield Result(key, 0, self.golden[key] + self.offsets.get(key, 0), 1000 + key)

    def alive(self):
        self.pings += 1
        return self.dead_after is None


def templates(golden, labels):
    return [
        SampleRecord(
            index=i,
            id=f"s{i}",
            label=int(labels[i]),
            golden_outputs=[int(v) for v in golden[i]],
            golden_predicted=int(np.argmax(golden[i])),
        )
        for i in range(len(golden))
    ]


def setup(n=10):
    rng = np.random.default_rng(0)
    golden = rng.integers(-100, 100, size=(n, 7))
    labels = rng.integers(0, 7, size=n)
    return golden, labels, np.zeros((n, 1, 48, 48), np.int8)


def test_every_input_gets_a_record_in_order_and_sink_sees_it_at_once():
    golden, labels, x = setup()
    seen = []
    records = stream_samples(
        Client(golden, offsets={2: 5}), x, templates(golden, labels), seen.append, clock_hz=1e6
    )
    assert [r.index for r in records] == list(range(10)) and seen == records
    assert records[2].match is False and records[2].max_abs_diff == 5
    assert records[0].match and records[0].latency_us == 1000.0 and records[0].rtt_ms == 1.0


def test_link_break_is_recorded_resynced_and_resumed():
    golden, labels, x = setup()
    client = Client(golden, broken={3}, failures={6})
    records = stream_samples(client, x, templates(golden, labels), lambda r: None)
    assert len(records) == 10 and client.pings == 1
    assert records[3].status == "failed" and "link broke at 3" in records[3].error
    assert records[6].status == "failed" and records[6].error == "no reply after 3 attempts"
    assert all(r.status == "ok" for i, r in enumerate(records) if i not in (3, 6))


def test_dead_link_marks_the_rest_not_attempted():
    golden, labels, x = setup()
    records = stream_samples(
        Client(golden, dead_after=4),
        x,
        templates(golden, labels),
        lambda r: None,
        max_consecutive_failures=3,
    )
    assert len(records) == 10
    assert [r.status for r in records[:4]] == ["ok"] * 4
    assert all(r.status == "failed" for r in records[4:])
    assert records[9].error.startswith(
        "not attempted: board unreachable after 1 failed sample(s) and 0 recoveries"
    )


def test_dead_board_is_recovered_and_the_run_continues():
    golden, labels, x = setup()
    dead = Client(golden, dead_after=4)
    fresh = Client(golden)
    calls = []

    def recover():
        calls.append("recover")
        return fresh

    records = stream_samples(dead, x, templates(golden, labels), lambda r: None, recover=recover)
    assert calls == ["recover"], "ping failed, so the ladder goes straight to recovery"
    assert [r.status for r in records] == ["ok"] * 4 + ["failed"] + ["ok"] * 5


def test_failure_records_in_a_row_trigger_recovery_and_recovery_is_bounded():
    golden, labels, x = setup()
    client = Client(golden, failures=set(range(10)))  # every request fails after retries
    calls = []

    def recover():
        calls.append("recover")
        return client

    records = stream_samples(
        client,
        x,
        templates(golden, labels),
        lambda r: None,
        recover=recover,
        max_consecutive_failures=2,
        max_recoveries=2,
    )
    assert len(records) == 10 and calls == ["recover", "recover"]
    assert [r.error for r in records[:6]] == ["no reply after 3 attempts"] * 6
    assert all(
        r.error.startswith(
            "not attempted: board unreachable after 2 failed sample(s) and 2 recoveries"
        )
        for r in records[6:]
    )


def test_summary_counts():
    golden = np.eye(7, dtype=np.int64)[[0, 1, 2, 3]] * 10
    recs = templates(golden, np.array([0, 1, 2, 0]))
    client = Client(golden, failures={3}, offsets={1: np.array([0, 0, 50, 0, 0, 0, 0])})
    records = stream_samples(
        client, np.zeros((4, 1, 48, 48), np.int8), recs, lambda r: None, clock_hz=1e6
    )
    s = summarize(records, [str(i) for i in range(7)], simulated=True, wall_s=2.0)
    # sample 0 right, 1 mispredicted (offset moves argmax to 2), 2 right, 3 failed
    assert (s["samples"], s["matched_golden"], s["mismatched"], s["failed"]) == (4, 2, 1, 1)
    assert s["accuracy"] == 0.5 and s["golden_accuracy"] == 0.75
    assert s["confusion"][1][2] == 1 and s["confusion"][0][0] == 1
    assert s["per_class_accuracy"]["0"] == 0.5 and s["per_class_accuracy"]["6"] is None
    assert s["throughput_ips"] == 2.0 and s["latency_us"]["p50"] == pytest.approx(1001.0)


def test_percentiles():
    p = percentiles(list(range(101)))
    assert (p["p50"], p["p90"], p["p99"], p["mean"]) == (50.0, 90.0, 99.0, 50.0)
    assert percentiles([])["p50"] is None
