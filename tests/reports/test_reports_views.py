"""Views behind the report pages: derived figures, verdict, tables, energy, history, comparison."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from golden.errors import FerhilError
from reports.common.coerce import ReportDataError, as_float, as_int, dig
from reports.common.formatting import fmt_num, fmt_pct, fmt_signed, fmt_time
from reports.common.metric_delta import MetricDelta
from reports.common.run_view import class_rows, confusion_matrix, decide_verdict, run_view
from reports.common.sample_tables import failure_reasons, failure_rows, mismatch_rows
from reports.comparison.comparison_view import (
    changed_samples,
    class_deltas,
    confusion_delta,
    metric_deltas,
)
from reports.history.history_view import group_runs
from reports.results_doc import load_results
from reports.run.energy_view import energy_view
from reports.sample_data import make_results


def _ok(results: dict) -> list[dict]:
    return [s for s in results["samples"] if s["status"] == "ok"]


def test_sample_data_summary_agrees_with_samples() -> None:
    results = make_results(seed=3, n_samples=80, n_mismatched=4, n_failed=3)
    ok = _ok(results)
    summary = results["summary"]
    assert summary["samples"] == 80
    assert summary["failed"] == 80 - len(ok) == 3
    assert summary["mismatched"] == sum(s["outputs"] != s["golden_outputs"] for s in ok) == 4
    assert summary["accuracy"] == pytest.approx(
        sum(s["predicted"] == s["label"] for s in ok) / len(ok)
    )
    assert sum(map(sum, summary["confusion"])) == len(ok)


def test_view_derives_missing_summary_from_samples() -> None:
    results = make_results(seed=1, n_samples=60)
    view = run_view(copy.deepcopy(results))  # the summary agrees with the samples
    ok = _ok(results)
    assert view.accuracy == pytest.approx(sum(s["predicted"] == s["label"] for s in ok) / len(ok))
    assert view.counts == {
        "samples": 60,
        "matched_golden": sum(s["match"] is True for s in ok),
        "mismatched": sum(s["match"] is False for s in ok),
        "failed": 60 - len(ok),
    }
    lat = [s["latency_us"] for s in ok]
    assert view.latency_us["p50"] == pytest.approx(float(np.median(lat)))
    matrix = confusion_matrix(view)
    assert matrix is not None
    for label, pred in ((s["label"], s["predicted"]) for s in ok[:10]):
        assert matrix[label, pred] >= 1
    assert matrix.sum() == len(ok)
    rows = {r.name: r for r in class_rows(view)}
    happy = [s for s in ok if s["label"] == 3]
    assert rows["happy"].support == len(happy)
    assert rows["happy"].device == pytest.approx(
        sum(s["predicted"] == 3 for s in happy) / len(happy)
    )


def test_view_of_empty_and_malformed_results() -> None:
    empty = make_results(n_samples=0, complete=False, with_energy=False)
    empty["summary"]["confusion"] = []  # a run that stopped before its model was loaded
    view = run_view(empty)
    assert view.accuracy is None
    assert view.samples == []
    assert confusion_matrix(view) is None
    assert not view.complete
    assert decide_verdict(view).status == "incomplete"
    with pytest.raises(ReportDataError, match=r"results\.json"):
        run_view([1, 2])
    with pytest.raises(FerhilError, match="schema"):
        run_view({"schema": "something-else"})
    malformed = make_results()
    malformed["summary"]["accuracy"] = "high"
    with pytest.raises(ReportDataError, match=r"summary\.accuracy must be"):
        run_view(malformed)
    newer = make_results()
    newer["schema_version"] = 99
    newer["summary"]["a_future_figure"] = 1.0
    assert run_view(newer).warnings


def test_verdict_is_the_recorded_test_verdict_never_recomputed() -> None:
    clean = make_results(n_mismatched=0, n_failed=0, accuracy=0.9, accuracy_threshold=0.5)
    assert decide_verdict(run_view(clean)).status == "pass"
    low = copy.deepcopy(clean)
    low["thresholds"]["accuracy"]["value"] = 0.99  # the page must not judge the run itself
    assert decide_verdict(run_view(low)).status == "pass"
    failing = make_results(failed_tests={"test_accuracy_reaches_threshold": "accuracy 0.5 < 0.6"})
    verdict = decide_verdict(run_view(failing))
    assert verdict.status == "fail"
    assert verdict.reasons == ["test_accuracy_reaches_threshold failed: accuracy 0.5 < 0.6"]
    unjudged = copy.deepcopy(clean)
    del unjudged["verdict"]
    verdict = decide_verdict(run_view(unjudged))
    assert verdict.status == "not judged" and "no test verdict" in verdict.reasons[0]


def test_simulated_flags() -> None:
    real = make_results(simulated=False)
    assert not run_view(real).simulated
    meter_only = copy.deepcopy(real)
    meter_only["summary"]["meter"]["simulated"] = True
    view = run_view(meter_only)
    assert view.meter_simulated and not view.board_simulated and view.simulated


def test_mismatch_and_failure_tables() -> None:
    results = make_results(seed=5, n_samples=100, n_mismatched=6, n_failed=4)
    classes = results["dataset"]["classes"]
    samples = load_results(results).samples
    table = mismatch_rows(samples, classes, cap=4)
    assert table.total == 6 and len(table.rows) == 4 and table.hidden == 2
    diffs = [r.max_abs_diff for r in table.rows]
    assert diffs == sorted(diffs, reverse=True)
    first = table.rows[0]
    assert any(c.differs for c in first.cells)
    assert max(abs(c.device - c.golden) for c in first.cells) == first.max_abs_diff
    failures = failure_rows(samples, classes)
    assert failures.total == 4 and all(r.error for r in failures.rows)
    reasons = failure_reasons(failures.rows)
    assert sum(count for _, count in reasons) == 4
    assert all(not any(ch.isdigit() for ch in reason) for reason, _ in reasons)


def test_energy_windows_and_triggers_layouts() -> None:
    results = make_results(seed=2)
    energy = energy_view(run_view(results))
    assert energy is not None and energy.has_trace
    windows = results["energy"]["windows"]
    assert energy.t_s.size == len(results["energy"]["trace"]["t_s"])
    assert energy.active == [(windows["start_s"], windows["end_s"])]
    assert energy.triggers == [windows["trigger_s"]]
    assert energy.baseline_mw == windows["idle"]["power_mw"]
    lo, hi = windows["start_s"] - windows["guard_s"], windows["end_s"] + windows["guard_s"]
    assert energy.integration == (lo, hi)
    assert all(b <= lo or a >= hi for a, b in energy.idle) and len(energy.idle) == 2
    expected = (
        results["summary"]["energy_uj_per_inference"]
        / results["summary"]["energy_truth_uj_per_inference"]
        - 1
    )
    assert energy.truth_error == pytest.approx(expected)
    assert ("inferences in window", "100") in energy.details
    assert energy_view(run_view(make_results(with_energy=False))) is None


def test_history_groups_and_baselines_skip_incomplete_runs() -> None:
    runs = [
        make_results(seed=i, model_version=str(i), started=f"2026-11-2{i}T00:00:00+00:00")
        for i in range(1, 5)
    ]
    runs[2]["run"]["complete"] = False  # v3 incomplete
    runs.append(make_results(seed=9, board_kind="max78000fthr", simulated=False))
    groups = group_runs(list(reversed(runs)))
    assert [(g.board_kind, len(g.points)) for g in groups] == [("hostsim", 4), ("max78000fthr", 1)]
    points = groups[0].points
    assert [p.version_label for p in points] == ["v1", "v2", "v3", "v4"]
    assert points[0].baseline is None
    assert points[2].baseline is points[1]
    assert points[3].baseline is points[1]  # v3 is incomplete, never a baseline
    change = points[3].change("accuracy")
    assert change.delta == pytest.approx(
        runs[3]["summary"]["accuracy"] - runs[1]["summary"]["accuracy"]
    )
    with pytest.raises(ReportDataError, match=r"runs\[1\]"):
        group_runs([runs[0], "nope"])  # type: ignore[list-item]


def test_metric_delta_directions() -> None:
    assert MetricDelta("acc", 0.5, 0.6, "pct", True).direction == "better"
    assert MetricDelta("lat", 100.0, 120.0, "us", False).direction == "worse"
    assert MetricDelta("lat", 100.0, 100.5, "us", False, 1.0).direction == "same"
    assert MetricDelta("e", None, 1.0, "uj", False).direction == "n/a"


def test_comparison_deltas_and_changed_samples() -> None:
    base = make_results(seed=1, accuracy=0.55)
    new = make_results(seed=2, accuracy=0.70)
    b_view, n_view = run_view(base), run_view(new)
    rows = {m.name: m for m in metric_deltas(b_view, n_view)}
    expected = new["summary"]["accuracy"] - base["summary"]["accuracy"]
    assert rows["accuracy"].delta == pytest.approx(expected)
    assert rows["accuracy"].direction == ("better" if expected > 0 else "worse")
    delta = confusion_delta(b_view, n_view)
    assert delta is not None
    assert (delta == np.array(new["summary"]["confusion"]) - base["summary"]["confusion"]).all()
    assert len(class_deltas(b_view, n_view)) == 7
    images = {i: np.full((48, 48), i, dtype=np.uint8) for i in range(len(new["samples"]))}
    changed, counts = changed_samples(b_view, n_view, images)
    by_id = {s["id"]: s for s in base["samples"]}
    expected_ids = {
        s["id"]
        for s in new["samples"]
        if (s["status"] == "ok") != (by_id[s["id"]]["status"] == "ok")
        or (s["status"] == "ok" and s["predicted"] != by_id[s["id"]]["predicted"])
    }
    assert {r.sample_id for r in changed.rows} == expected_ids
    assert sum(counts.values()) == len(expected_ids)
    assert all(
        r.image_uri and r.image_uri.startswith("data:image/png;base64,") for r in changed.rows
    )
    for row in changed.rows:
        if row.kind == "fixed":
            assert row.new == row.label != row.base


def test_coerce_and_formatting() -> None:
    assert as_float(True) is None and as_float(float("nan")) is None and as_float(2) == 2.0
    assert as_int(3.0) == 3 and as_int(3.5) is None
    assert dig({"a": {"b": 1}}, "a", "b") == 1 and dig({"a": 1}, "a", "b") is None
    assert fmt_num(12345) == "12,345" and fmt_num(None) == "—"
    assert fmt_pct(0.625) == "62.5 %"
    assert fmt_signed(-0.0123, 2, 100, " pp") == "−1.23 pp"
    assert fmt_signed(0.0) == "±0.0"
    assert fmt_time("2026-11-28T06:00:00+00:00") == "2026-11-28 06:00:00 UTC"
    assert fmt_time("yesterday") == "yesterday"


def test_thresholds_from_summary_sections_and_options() -> None:
    results = make_results(n_mismatched=0, n_failed=0, accuracy_threshold=None)
    results["summary"]["latency_us"]["p99"] = 3000.0
    results["run"]["options"] = {"accuracy-threshold": "0.99", "latency-budget-us": None}
    view = run_view(results)
    assert (view.threshold, view.threshold_source) == (0.99, "--accuracy-threshold")
    assert view.latency_budget_us is None
    results["thresholds"] = {
        "accuracy": {"value": 0.1, "source": "model metadata accuracy_threshold"},
        "latency_p99_us": {"value": 2500.0, "source": "--latency-budget-us"},
        "energy_uj_per_inference": {"value": 1.0, "source": "--energy-budget-uj"},
    }
    view = run_view(results)
    assert (view.threshold, view.threshold_source) == (0.1, "model card accuracy threshold")
    assert view.latency_budget_us == 2500.0 and view.energy_budget_uj == 1.0


def test_notes_from_run_and_dataset() -> None:
    results = make_results()
    results["run"]["notes"] = ["prebuilt firmware x.elf (firmware hash not checked)"]
    results["dataset"].update(note="small generated set", generated=True)
    notes = run_view(results).notes
    assert notes[0].startswith("prebuilt firmware") and "small generated set" in notes
    assert any("not meaningful" in n for n in notes)


def test_reports_never_imports_upper_layers() -> None:
    import subprocess
    import sys

    code = (
        "import sys, reports, reports.html, reports.sample_data;"
        "up = ('harness', 'firmware', 'models');"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in up);"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_tta_view_only_when_the_run_had_tta():
    from reports.results_doc import Percentiles, Summary, TtaSummary
    from reports.run.tta_view import tta_view

    base = Summary(
        samples=200,
        matched_golden=200,
        mismatched=0,
        failed=0,
        accuracy=0.7,
        golden_accuracy=0.7,
        per_class_accuracy={},
        confusion=[],
        latency_us=Percentiles(),
        host_rtt_ms=Percentiles(),
        simulated=True,
    )
    assert tta_view(base) is None
    tta = TtaSummary(
        kind="hflip",
        samples=200,
        answered=200,
        matched_golden=199,
        mismatched=1,
        accuracy=0.725,
        golden_accuracy=0.725,
        latency_us=Percentiles(p50=3402.8, mean=3402.8),
        latency_ratio=2.0,
    )
    view = tta_view(replace(base, tta=tta))
    assert view is not None and view.label == "TTA (hflip)" and view.origin == "simulated board"
    assert view.accuracy == 0.725 and view.matched_golden == 199 and view.mismatched == 1
    assert view.latency_us["p50"] == 3402.8 and view.latency_us["p99"] is None
    assert view.energy_uj_per_inference is None and view.latency_ratio == 2.0
