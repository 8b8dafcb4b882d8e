"""The result store logs what it does on ``ferhil.store``."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from regression_testkit import results

from harness.store.store import ResultStore


def test_store_logs_open_start_finish_and_import(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ferhil")
    doc = results("run-log", n=5)
    begun = dict(doc, samples=[])
    begun["run"] = dict(doc["run"], complete=False)
    with ResultStore(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        store.begin_run(begun)
        store.finish_run("run-log", doc)
        assert store.import_results(doc) is False
    messages = [r.getMessage() for r in caplog.records if r.name == "ferhil.store"]
    assert messages[0].startswith("opened result store ") and "store.sqlite" in messages[0]
    assert "store: run run-log started" in messages
    assert "store: run run-log finished as complete" in messages
    assert "store: run run-log already stored; import skipped" in messages
