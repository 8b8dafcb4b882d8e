"""Rendering of report.html, history.html and comparison.html (static checks on the HTML)."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from reports import ReportDataError, write_comparison, write_history, write_report
from reports.comparison.thumbnails import image_data_uri, to_uint8_image
from reports.sample_data import make_results

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//|file:)|url\(\s*["']?(?:https?:|//)|@import|<script|<link\b""",
    re.I,
)
XSS = "<script>alert(1)</script>"


def _page(path: Path) -> str:
    assert path.is_file()
    return path.read_text(encoding="utf-8")


def _assert_self_contained(html: str) -> None:
    assert EXTERNAL.search(html) is None, EXTERNAL.search(html)
    assert "Content-Security-Policy" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate element ids on the page"
    for svg in SVG.findall(html):
        ET.fromstring(svg)  # every inline plot is well-formed XML


def test_report_renders_all_sections(tmp_path: Path) -> None:
    why = "3 of 115 samples differ from golden (tolerance 0)"
    results = make_results(
        seed=4,
        n_samples=120,
        n_mismatched=3,
        n_failed=2,
        failed_tests={"test_device_outputs_match_golden": why},
    )
    path = write_report(results, tmp_path / "out", links={"History": "../history.html"})
    assert path == tmp_path / "out" / "report.html"
    html = _page(path)
    _assert_self_contained(html)
    summary = results["summary"]
    assert f"{summary['accuracy'] * 100:.1f} %" in html
    assert 'id="verdict"><span class="chip fail big">fail</span>' in html
    assert f"test_device_outputs_match_golden failed: {why}" in html
    for section in ("accuracy", "latency", "energy", "mismatches", "failures", "provenance"):
        assert f'<section id="{section}">' in html
    for plot in ("plot-confusion", "plot-per-class", "plot-latency", "plot-power"):
        assert f'<figure class="plot" id="{plot}"><svg' in html
    assert len(SVG.findall(html)) == 4
    for name in results["dataset"]["classes"]:
        assert f"<td>{name}</td>" in html
    for sample in results["samples"]:
        if sample["status"] == "failed":
            assert sample["error"] in html
    assert results["identity"]["model_hash"] in html and results["run"]["git_sha"] in html
    assert '<a class="ext" href="../history.html">History →</a>' in html
    assert 'id="simulated-banner"' in html and 'id="incomplete-banner"' not in html


def test_report_escapes_untrusted_text(tmp_path: Path) -> None:
    results = make_results(seed=6, n_mismatched=2, n_failed=2)
    results["identity"]["model_name"] = "<b>bold</b>"
    bad = [s for s in results["samples"] if s["status"] == "failed" or not s["match"]]
    for sample in bad:
        sample["id"] = XSS
    bad[0]["error"] = '<img src=x onerror="alert(2)">'
    results["dataset"]["classes"][0] = "<i>angry</i>"
    results["dataset"]["classes"][1] = "$\\frac{1}{$"  # would be broken mathtext
    html = _page(write_report(results, tmp_path))
    assert XSS not in html and "<b>bold</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    _assert_self_contained(html)


def test_incomplete_and_simulated_banners(tmp_path: Path) -> None:
    real = make_results(simulated=False, complete=True)
    html = _page(write_report(real, tmp_path / "real"))
    assert "SIMULATED" not in html and "INCOMPLETE RUN" not in html
    partial = make_results(simulated=False, complete=False)
    html = _page(write_report(partial, tmp_path / "partial"))
    assert 'id="incomplete-banner">INCOMPLETE RUN' in html
    assert 'chip incomplete big">incomplete' in html
    meter_only = copy.deepcopy(real)
    meter_only["summary"]["meter"]["simulated"] = True
    html = _page(write_report(meter_only, tmp_path / "meter"))
    assert 'id="simulated-banner">SIMULATED' in html and "simulated power meter" in html
    assert "simulated board" not in html


def _partial(n: int, failed: int, **summary: object) -> dict:
    results = make_results(
        n_samples=n, n_failed=failed, n_mismatched=0, complete=False, with_energy=False
    )
    results["summary"].update(summary)
    return results


@pytest.mark.parametrize(
    "results",
    [
        _partial(0, 0),
        _partial(1, 1),
        _partial(3, 3, energy_partial={"stage": "idle"}),
    ],
    ids=["empty", "one-failure", "energy-partial"],
)
def test_partial_results_render_with_notes(tmp_path: Path, results: dict) -> None:
    html = _page(write_report(results, tmp_path))
    _assert_self_contained(html)
    assert "INCOMPLETE RUN" in html
    assert "No per-sample latencies recorded." in html
    assert "No confusion matrix" in html
    assert SVG.search(html) is None


def test_report_caps_long_tables(tmp_path: Path) -> None:
    results = make_results(seed=8, n_samples=200, n_mismatched=60, n_failed=0)
    html = _page(write_report(results, tmp_path))
    assert "Showing 50 of 60 mismatched samples" in html


def test_report_rejects_bad_input_and_unwritable_dir(tmp_path: Path) -> None:
    with pytest.raises(ReportDataError):
        write_report("results.json", tmp_path)  # type: ignore[arg-type]
    malformed = make_results()
    malformed["summary"]["accuracy"] = "?"
    with pytest.raises(ReportDataError, match=r"summary\.accuracy must be"):
        write_report(malformed, tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportDataError, match="writable"):
        write_report(make_results(n_samples=10), blocker / "sub")


def test_history_page(tmp_path: Path) -> None:
    runs = [
        make_results(seed=i, model_version=str(i), started=f"2026-11-1{i}T08:00:00+00:00")
        for i in range(1, 5)
    ]
    runs[1]["run"]["complete"] = False
    runs.append(make_results(seed=7, board_kind="max78000fthr", simulated=False))
    html = _page(write_history(runs, tmp_path, report_links={runs[0]["run"]["id"]: "r1.html"}))
    _assert_self_contained(html)
    assert len(SVG.findall(html)) == 2  # one trend panel per (board kind, dataset) group
    assert html.count('<tr class="incomplete">') == 1
    assert html.count('<tr class="complete">') == 4
    assert '<a href="r1.html">fercnn v1</a>' in html
    for run in runs:
        assert f"{run['summary']['accuracy'] * 100:.2f} %" in html
    empty = _page(write_history([], tmp_path / "empty"))
    assert "No runs recorded yet." in empty
    with pytest.raises(ReportDataError, match="list of results"):
        write_history(runs[0], tmp_path)  # type: ignore[arg-type]


def test_comparison_page_with_images(tmp_path: Path) -> None:
    base = make_results(seed=1, model_version="1", accuracy=0.5)
    new = make_results(seed=2, model_version="2", accuracy=0.7)
    new["samples"][0]["id"] = base["samples"][0]["id"] = XSS
    images = {i: np.full((48, 48), i % 256, dtype=np.uint8) for i in range(len(new["samples"]))}
    html = _page(write_comparison(base, new, tmp_path, images=images))
    _assert_self_contained(html)
    assert XSS not in html
    assert len(SVG.findall(html)) == 2  # per-class bars, confusion difference
    found = re.search(r"Changed predictions <span class=\"sub\">\((\d+)\)", html)
    assert found is not None
    changed = int(found[1])
    assert changed > 0
    section = html[html.index('<section id="changed">') :]
    assert section.count('<img class="face" src="data:image/png;base64,') == min(changed, 100)
    assert "fercnn v1 → fercnn v2" in html
    acc_delta = (new["summary"]["accuracy"] - base["summary"]["accuracy"]) * 100
    assert f"{'+' if acc_delta > 0 else '−'}{abs(acc_delta):.2f} pp" in html


def _flip(sample: dict, correct: bool) -> None:
    label = int(sample["label"])
    sample["status"], sample["error"] = "ok", None
    sample["predicted"] = label if correct else (label + 1) % 7


def test_comparison_lists_flipped_samples_both_ways_with_images(tmp_path: Path) -> None:
    base = make_results(seed=3, model_version="1")
    new = copy.deepcopy(base)
    new["run"]["id"] = "new-run"
    samples = base["samples"]
    for s_base, s_new in zip(samples, new["samples"], strict=True):  # nothing else flips
        _flip(s_base, True)
        _flip(s_new, True)
    _flip(new["samples"][0], False)  # right -> wrong
    new["samples"][1]["status"], new["samples"][1]["error"] = "failed", "timeout"  # right -> failed
    _flip(samples[2], False)  # wrong -> right
    images = {1: np.full((48, 48), 7, np.uint8), 2: np.full((48, 48), 9, np.uint8)}
    html = _page(write_comparison(base, new, tmp_path, images=images))
    lost = html[html.index('id="flipped-lost"') : html.index('id="flipped-gained"')]
    gained = html[html.index('id="flipped-gained"') : html.index('<section id="changed">')]
    assert lost.count('<li class="flip">') == 2 and gained.count('<li class="flip">') == 1
    assert samples[0]["id"] in lost and samples[1]["id"] in lost and samples[2]["id"] in gained
    assert lost.count("<img") == 1 and "no image" in lost  # sample 0 has no image given
    assert gained.count('<img class="face" src="' + image_data_uri(images[2]) + '"') == 1
    assert "→ failed" in lost
    assert "right → wrong 2 · wrong → right 1" in html


def test_comparison_warns_about_different_datasets(tmp_path: Path) -> None:
    base = make_results(seed=1, dataset_name="a")
    new = make_results(seed=1, dataset_name="b", complete=False)
    html = _page(write_comparison(base, new, tmp_path))
    assert "different datasets" in html and "INCOMPLETE RUN" in html
    empty = make_results(n_samples=0, complete=False, with_energy=False)
    html = _page(write_comparison(empty, empty, tmp_path / "empty"))
    assert "No sample changed its prediction" in html


def test_thumbnails() -> None:
    signed = np.full((48, 48), -128, dtype=np.int8)
    assert (to_uint8_image(signed) == 0).all()
    assert to_uint8_image(np.zeros((1, 48, 48), np.uint8)).shape == (48, 48)
    assert image_data_uri(np.zeros((48, 48), np.uint8)).startswith("data:image/png;base64,")
    with pytest.raises(ReportDataError, match="dtype"):
        to_uint8_image(np.zeros((48, 48), np.float32))
    with pytest.raises(ReportDataError, match="shape"):
        to_uint8_image(np.zeros((2, 48, 48), np.uint8))


def test_deterministic_latency_gets_a_narrow_bin() -> None:
    from reports.run.plots_run import latency_bins

    edges = latency_bins(np.full(30, 990.88))
    assert len(edges) == 2 and edges[0] < 990.88 < edges[1] and edges[1] - edges[0] < 5
    spread = latency_bins(np.linspace(1000, 2000, 500))
    assert 3 <= len(spread) <= 61 and spread[0] == 1000 and spread[-1] == 2000


def test_harness_shaped_energy_section_renders(tmp_path: Path) -> None:
    """The layout harness/meters/method/energy.py writes: one BENCH window marked by its end."""
    results = make_results(seed=3)
    windows = results["energy"]["windows"]
    length = windows["end_s"] - windows["start_s"]
    trace = results["energy"]["trace"]
    trace["t_s"] = [t - length for t in trace["t_s"]]
    windows.update(trigger_marks="end", start_s=-length, end_s=0.0)
    results["energy"]["sim_energy_model"] = {"idle_power_w": 0.02, "seed": 0}
    html = _page(write_report(results, tmp_path))
    _assert_self_contained(html)
    assert 'id="plot-power"><svg' in html
    assert "<dt>trigger marks window</dt><dd>end</dd>" in html
    assert "<dt>simulation model: idle power w</dt><dd>0.02</dd>" in html


def test_reports_html_facade() -> None:
    import importlib

    html = importlib.import_module("reports.html")
    assert html.write_report is write_report
    assert html.write_history is write_history and html.write_comparison is write_comparison


def test_top_confusions() -> None:
    from reports.run.report_page import top_confusions

    matrix = np.array([[5, 2, 0], [7, 1, 1], [0, 2, 9]])
    assert top_confusions(matrix, ["a", "b", "c"], 2) == [("b", "a", 7), ("a", "b", 2)]
    assert top_confusions(np.eye(3, dtype=int), ["a", "b", "c"]) == []
    assert top_confusions(None, []) == []


def test_mismatch_vectors_have_separators_and_meter_labels_are_words(tmp_path: Path) -> None:
    results = make_results(seed=4, n_samples=40, n_mismatched=1, n_failed=0)
    bad = next(s for s in results["samples"] if s.get("match") is False)
    bad["outputs"], bad["golden_outputs"] = [15410, -4813, 9442], [15410, -4812, 9442]
    html = write_report(results, tmp_path / "r").read_text()
    assert '[<span>15410</span>, <span class="diff">-4813</span>, <span>9442</span>]' in html
    assert "15,410-4,8139,442" not in html
    assert "identity (*IDN?)" in html and "<dt>idn</dt>" not in html
