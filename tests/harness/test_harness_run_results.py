"""The results collector: typed additions, read-only views, completeness."""

import json

import pytest

from harness.results import SampleRecord
from harness.run_results import ResultsCollector


def _record(index, status="ok"):
    return SampleRecord(
        index=index,
        id=f"s{index}",
        label=0,
        golden_outputs=[1, 0],
        golden_predicted=0,
        status=status,
        outputs=[1, 0] if status == "ok" else None,
        predicted=0 if status == "ok" else None,
        match=status == "ok",
    )


def test_typed_additions_land_in_summary_sections_and_thresholds():
    results = ResultsCollector()
    results.add_summary(verdict="passed", energy_uj_per_inference=1.5)
    results.add_section("energy", {"n": 10})
    results.record_threshold("accuracy", 0.6, "model card")
    results.record_threshold("latency_p99_us", 900.0, "--latency-budget-us")
    summary = results.summary(["a", "b"], simulated=True)
    assert summary["verdict"] == "passed" and summary["energy_uj_per_inference"] == 1.5
    assert results.section("energy") == {"n": 10}
    assert results.section("thresholds") == {
        "accuracy": {"value": 0.6, "source": "model card"},
        "latency_p99_us": {"value": 900.0, "source": "--latency-budget-us"},
    }
    assert results.section("regression") is None


def test_views_are_read_only():
    results = ResultsCollector()
    results.add_note("a")
    results.add_links({"console": "console.log"})
    with pytest.raises(AttributeError):
        results.notes.append("b")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        results.sections["energy"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        results.links["x"] = "y"  # type: ignore[index]
    assert results.notes == ("a",)


def test_notes_unique_and_links_kept_when_asked():
    results = ResultsCollector()
    results.add_notes(["prebuilt", "prebuilt", "other"], unique=True)
    results.add_links({"console": "console.log"})
    results.add_links({"console": "other.log"}, replace=False)
    assert results.notes == ("prebuilt", "other")
    assert results.links == {"console": "console.log"}


def test_stream_sorts_records_and_judges_the_floor(tmp_path):
    results = ResultsCollector()
    results.begin_stream([_record(0)], planned=3)
    results.add_record(_record(2, "failed"))
    results.add_record(_record(1))
    assert results.record_count == 3 and results.answered() == 2
    assert not results.answered_enough(None, 3)  # default floor: every image
    assert "incomplete: 2 of 3 images were answered" in results.notes[-1]
    assert results.answered_enough("2", 3)
    results.end_stream(1.5, complete=False)
    assert [r.index for r in results.records] == [0, 1, 2]
    assert results.stream_wall_s == 1.5 and results.planned == 3 and not results.complete
    path = results.write_results(tmp_path, {"summary": results.summary(["a"], False)})
    assert path == results.results_path
    assert json.loads(path.read_text())["summary"]["samples"] == 3
