"""Baseline selection: version order, lineage, completeness, --baseline."""

from __future__ import annotations

import pytest
from regression_testkit import results

from harness.regression.baseline import Lineage, choose_baseline, find_baseline
from harness.regression.errors import RegressionError
from harness.regression.versions import is_earlier, version_key
from harness.store.store import ResultStore


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("2", "10"), ("1.9", "1.10"), ("1", "1.0.1"), ("v2", "3"), ("9", "1.2rc1"), ("b2", "b10")],
)
def test_version_order(lower: str, higher: str) -> None:
    assert version_key(lower) < version_key(higher)
    assert is_earlier(lower, higher) and not is_earlier(higher, lower)


def test_equal_versions_are_not_earlier() -> None:
    assert not is_earlier("3", "3") and not is_earlier("1.0", "1.0")


def _store(tmp_path, docs) -> ResultStore:
    store = ResultStore(f"sqlite:///{tmp_path / 'b.sqlite'}")
    for doc in docs:
        store.import_results(doc)
    return store


def _day(n: int) -> str:
    return f"2026-11-{n:02d}T00:00:00+00:00"


def test_newest_earlier_version_wins_not_newest_run(tmp_path) -> None:
    docs = [
        results("v9-old", version="9", started=_day(1)),
        results("v10-first", version="10", started=_day(2)),
        results("v10-rerun", version="10", started=_day(3)),
        results("v2-late", version="2", started=_day(9)),  # rerun of an old version, newest run
        results("v12", version="12", started=_day(4)),  # later version: never a baseline
    ]
    with _store(tmp_path, docs) as store:
        choice = find_baseline(store, results("new", version="11", started=_day(10)))
    assert choice.run is not None and choice.run.id == "v10-rerun"
    assert "newest earlier model version 10" in choice.reason


def test_only_complete_runs_of_same_board_kind_and_dataset(tmp_path) -> None:
    docs = [
        results("good", version="1", started=_day(1)),
        results("incomplete", version="2", started=_day(2), complete=False),
        results("other-board", version="2", started=_day(3), board_kind="max78000fthr"),
        results("other-data", version="2", started=_day(4), dataset="set-b"),
    ]
    with _store(tmp_path, docs) as store:
        running = results("running", version="2", started=_day(5))
        store.begin_run(running)  # begun, never finished
        choice = find_baseline(store, results("new", version="3", started=_day(6)))
    assert choice.run is not None and choice.run.id == "good"


def test_no_baseline_says_why(tmp_path) -> None:
    with _store(tmp_path, [results("v5", version="5")]) as store:
        choice = find_baseline(store, results("new", version="1"))
    assert choice.run is None
    assert "no complete run of a model version earlier than 1" in choice.reason


def test_explicit_run_id_and_version(tmp_path) -> None:
    docs = [
        results("a", version="1", started=_day(1)),
        results("b", version="1", started=_day(2)),
        results("c", version="2", started=_day(3)),
        results("bad", version="2", started=_day(4), complete=False),
        results("far", version="1", started=_day(5), board_kind="max78000fthr"),
    ]
    new = results("new", version="3", started=_day(6))
    with _store(tmp_path, docs) as store:
        assert find_baseline(store, new, "a").run.id == "a"
        assert find_baseline(store, new, "1").run.id == "b"  # newest run of version 1 here
        far = find_baseline(store, new, "far")
        assert far.run.id == "far" and "warning" in far.reason
        with pytest.raises(RegressionError, match="incomplete, not complete"):
            find_baseline(store, new, "bad")
        with pytest.raises(RegressionError, match="versions available there: 1, 2"):
            find_baseline(store, new, "7")


def test_choose_baseline_excludes_the_run_itself(tmp_path) -> None:
    with _store(tmp_path, [results("self", version="1")]) as store:
        runs = store.runs()
    lineage = Lineage("self", "2", "hostsim", runs[0].dataset_hash)
    assert choose_baseline(runs, lineage).run is None
