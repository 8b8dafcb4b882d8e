"""Raw stored values shown as words: clock kinds, flags, threshold sources."""

from __future__ import annotations

from pathlib import Path

from reports import write_report
from reports.common.labels import clock_kind_label, threshold_source_label, yes_no
from reports.sample_data import make_results

RAW = "model metadata publictest_int8_accuracy=0.6779 minus 0.1982"


def test_labels() -> None:
    assert clock_kind_label(1) == "simulated cycles"
    assert clock_kind_label("hardware_timer_us") == "hardware timer (µs)"
    assert clock_kind_label(9) == "unknown (9)" and clock_kind_label(None) is None
    assert (yes_no(True), yes_no(False), yes_no("False"), yes_no(None)) == ("yes", "no", "no", None)
    assert threshold_source_label(RAW) == (
        "model card: PublicTest int8 accuracy 67.79 % minus 19.82 pp"
    )
    assert threshold_source_label("model metadata latency_budget_us") == (
        "model card latency budget"
    )
    assert threshold_source_label("--accuracy-threshold") == "--accuracy-threshold"


def test_report_shows_no_raw_keys(tmp_path: Path) -> None:
    results = make_results(seed=5, accuracy_threshold=None)
    results["thresholds"] = {"accuracy": {"value": 0.48, "source": RAW}}
    results["identity"].update(clock_kind=1, flashed=True)
    results["dataset"]["generated"] = False
    html = write_report(results, tmp_path).read_text()
    assert "publictest_int8_accuracy" not in html and "PublicTest int8 accuracy 67.79 %" in html
    for raw, word in (
        ("clock kind", "simulated cycles"),
        ("flashed this run", "yes"),
        ("dataset generated", "no"),
    ):
        assert f"<dt>{raw}</dt><dd>{word}</dd>" in html, raw
