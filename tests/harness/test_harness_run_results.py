"""The results collector: typed additions, read-only views, completeness."""

import json

import pytest

from harness.run.results import SampleRecord
from harness.run.run_results import ResultsCollector
from reports.results_doc import ResultsDocumentError
from reports.sample_data import make_results


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
    document = {**make_results(n_samples=3), "summary": results.summary(["a"], False)}
    path = results.write_results(tmp_path, document)
    assert path == results.results_path
    assert json.loads(path.read_text())["summary"]["samples"] == 3


def test_write_results_refuses_a_document_off_the_schema(tmp_path):
    results = ResultsCollector()
    with pytest.raises(ResultsDocumentError):
        results.write_results(tmp_path, {"summary": results.summary(["a"], False)})
    assert results.results_path is None and not (tmp_path / "results.json").exists()


def test_summary_number_reads_added_figures_only():
    results = ResultsCollector()
    results.add_summary(energy_uj_per_inference=2, verdict="passed", illegal_model=True)
    assert results.summary_number("energy_uj_per_inference") == 2.0
    assert results.summary_number("verdict") is None  # not a number
    assert results.summary_number("illegal_model") is None  # a flag, not a figure
    assert results.summary_number("accuracy") is None  # computed, not added


def test_tta_summary_sits_beside_the_single_pass_with_added_figures():
    results = ResultsCollector()
    results.begin_stream([], planned=1)
    record = _record(0)
    record.extra.update(tta_outputs=[1, 0], tta_predicted=0, tta_match=True)
    results.add_record(record)
    results.add_summary(tta={"energy_uj_per_inference": 3.0})
    summary = results.summary(["a", "b"], simulated=True, tta="hflip")
    assert summary["tta"]["kind"] == "hflip" and summary["tta"]["matched_golden"] == 1
    assert summary["tta"]["energy_uj_per_inference"] == 3.0
    assert summary["samples"] == 1 and "energy_uj_per_inference" not in summary
    assert results.summary(["a", "b"], simulated=True)["tta"] == {"energy_uj_per_inference": 3.0}
