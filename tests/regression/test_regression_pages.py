"""history.html and comparison.html from the store; they open in headless Chromium cleanly.

The browser check reuses the reports helper's DevTools-pipe client
(``tests/reports/test_reports_chromium.py``), loaded by path.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from regression_testkit import results

from harness.regression.pages import write_pages
from harness.store.store import ResultStore

CHROMIUM_HELPERS = Path(__file__).resolve().parents[1] / "reports" / "test_reports_chromium.py"


def _stored(tmp_path: Path) -> ResultStore:
    store = ResultStore(f"sqlite:///{tmp_path / 'p.sqlite'}")
    store.import_results(results("a", version="1", started="2026-11-01T00:00:00Z", seed=1))
    store.import_results(
        results("b", version="2", started="2026-11-02T00:00:00Z", seed=2, accuracy=0.8)
    )
    store.import_results(results("c", version="3", started="2026-11-03T00:00:00Z", complete=False))
    return store


def test_pages_compare_newest_complete_run_with_its_baseline(tmp_path) -> None:
    with _stored(tmp_path) as store:
        pages = write_pages(store, tmp_path / "out", report="report.html")
    assert pages.target is not None and pages.target.id == "b"
    assert pages.baseline is not None and pages.baseline.run is not None
    assert pages.baseline.run.id == "a"
    links = pages.links()
    assert links == {"History": "history.html", "Comparison with baseline": "comparison.html"}
    history = pages.history.read_text()
    assert 'href="comparison.html"' in history and 'href="report.html"' in history
    assert 'href="history.html"' in pages.comparison.read_text()


def test_no_comparison_without_baseline(tmp_path) -> None:
    with ResultStore(f"sqlite:///{tmp_path / 'q.sqlite'}") as store:
        store.import_results(results("only", version="1"))
        pages = write_pages(store, tmp_path)
    assert pages.history is not None and pages.comparison is None
    assert not (tmp_path / "comparison.html").exists()


def _chromium_helpers() -> ModuleType:
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        pytest.skip("headless Chromium (/usr/bin/chromium) not installed")
    if not CHROMIUM_HELPERS.is_file():
        pytest.skip(f"the reports' Chromium helpers ({CHROMIUM_HELPERS}) are missing")
    spec = importlib.util.spec_from_file_location("ferhil_chromium_helpers", CHROMIUM_HELPERS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.chromium
def test_pages_open_in_chromium_without_console_errors(tmp_path) -> None:
    helpers = _chromium_helpers()
    with _stored(tmp_path) as store:
        pages = write_pages(store, tmp_path / "out")
    browser = helpers.DevToolsPipe(helpers.CHROMIUM, tmp_path / "profile")
    try:
        for page in (pages.history, pages.comparison):
            assert page is not None
            browser.load(page)
            browser.evaluate("1")  # drain pending events
            assert browser.errors() == [], page.name
            plots = browser.evaluate("document.querySelectorAll('figure.plot svg').length")
            assert plots >= 1, page.name
    finally:
        browser.close()
