"""Result store round trips and transactional behaviour, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from regression_testkit import results

from harness.store.errors import StoreError
from harness.store.store import ResultStore
from harness.store.store import ResultStore as StoreClass


def _without_samples(doc):
    return {k: v for k, v in doc.items() if k != "samples"}


def test_live_run_round_trip(store: ResultStore) -> None:
    doc = results("run-a", n=30)
    begun = dict(doc, samples=[])
    begun["run"] = dict(doc["run"], complete=False)
    assert store.begin_run(begun) == "run-a"
    assert store.run("run-a").status == "running"
    assert store.append_samples("run-a", doc["samples"][:10]) == 10
    assert store.append_samples("run-a", doc["samples"][5:20]) == 10  # 5..9 already stored
    assert store.run("run-a").samples_recorded == 20
    finished = store.finish_run("run-a", doc)
    assert finished.status == "complete" and finished.complete
    assert finished.samples_recorded == 30  # the final transaction adds the missing ones
    back = store.results("run-a")
    assert back["samples"] == doc["samples"]
    assert back["summary"] == doc["summary"]
    for key in ("identity", "dataset", "energy"):
        assert back[key] == doc[key]
    assert back["run"]["complete"] is True and back["run"]["id"] == "run-a"
    row = store.run("run-a")
    assert row.model_version == doc["identity"]["model_version"]
    assert row.model_hash == doc["identity"]["model_hash"]
    assert row.firmware_hash == doc["identity"]["firmware_hash"]
    assert row.board_kind == "hostsim" and row.board_id == doc["identity"]["board_id"]
    assert row.dataset_hash == doc["dataset"]["hash"] and row.git_sha == doc["run"]["git_sha"]
    assert row.simulated is True and row.accuracy == pytest.approx(doc["summary"]["accuracy"])
    assert row.started.isoformat() == doc["run"]["started"]


def test_finished_run_cannot_be_written_again(store: ResultStore) -> None:
    doc = results("run-b")
    store.begin_run(doc)
    store.finish_run("run-b", doc)
    with pytest.raises(StoreError, match="already finished"):
        store.append_samples("run-b", doc["samples"][:1])
    with pytest.raises(StoreError, match="already finished"):
        store.finish_run("run-b", doc)
    with pytest.raises(StoreError, match="already in the result store"):
        store.begin_run(doc)
    with pytest.raises(StoreError, match="not in the result store"):
        store.append_samples("nope", doc["samples"][:1])


def test_interrupted_run_is_incomplete(store: ResultStore) -> None:
    doc = results("run-c", complete=False)
    store.begin_run(doc)
    assert store.finish_run("run-c", doc).status == "incomplete"
    assert [r.id for r in store.runs(complete_only=True)] == []
    assert store.results("run-c")["run"]["complete"] is False


def test_run_never_finished_stays_running_and_not_complete(store: ResultStore) -> None:
    doc = results("run-d")  # even a document that claims complete: finish never came
    store.begin_run(doc)
    store.append_samples("run-d", doc["samples"][:7])
    row = store.run("run-d")
    assert row.status == "running" and not row.complete and row.samples_recorded == 7
    assert store.runs(complete_only=True) == []
    assert store.results("run-d")["run"]["complete"] is False
    assert store.results("run-d")["summary"] == {}


def test_final_transaction_is_all_or_nothing(store: ResultStore, monkeypatch) -> None:
    doc = results("run-e", n=20)
    store.begin_run(doc)
    store.append_samples("run-e", doc["samples"][:5])

    def broken(session, run_id, records):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(StoreClass, "_add_samples", staticmethod(broken))
    with pytest.raises(StoreError, match=r"finishing run run-e.*disk full"):
        store.finish_run("run-e", doc)
    row = store.run("run-e")
    assert row.status == "running" and row.summary is None and row.samples_recorded == 5


def test_import_is_idempotent_by_run_id(store: ResultStore) -> None:
    doc = results("run-f", accuracy=0.5)
    assert store.import_results(doc) is True
    changed = results("run-f", accuracy=0.9, seed=3)
    assert store.import_results(changed) is False
    assert store.results("run-f")["summary"] == doc["summary"]
    assert store.run("run-f").source == "import" and store.run("run-f").samples_recorded == 40
    assert len(store.runs()) == 1


def test_runs_filter_and_order(store: ResultStore) -> None:
    store.import_results(results("late", started="2026-11-22T00:00:00+00:00"))
    store.import_results(results("early", started="2026-11-21T00:00:00+00:00"))
    store.import_results(results("other-board", board_kind="max78000fthr"))
    store.import_results(results("other-data", dataset="set-b"))
    assert [r.id for r in store.runs(board_kind="hostsim", dataset_hash=_hash("set-a"))] == [
        "early",
        "late",
    ]
    assert {r.id for r in store.runs(board_kind="max78000fthr")} == {"other-board"}


def _hash(dataset: str) -> str:
    return results("x", dataset=dataset)["dataset"]["hash"]


def test_not_a_results_document_is_rejected(store: ResultStore) -> None:
    with pytest.raises(StoreError, match="not a ferhil results document"):
        store.import_results({"schema": "something-else"})
    doc = results("x")
    del doc["run"]["id"]
    with pytest.raises(StoreError, match=r"no run\.id"):
        store.begin_run(doc)


def test_reopening_keeps_runs(store_url: str) -> None:
    with ResultStore(store_url) as first:
        first.import_results(results("kept"))
    with ResultStore(store_url) as second:
        assert [r.id for r in second.runs()] == ["kept"]


def test_other_schema_version_is_refused(store_url: str) -> None:
    from sqlalchemy import update

    from harness.store.schema import MetaTable

    with ResultStore(store_url) as first, first.engine.begin() as conn:
        conn.execute(update(MetaTable).values(value="99"))
    with pytest.raises(StoreError, match="schema version 99"):
        ResultStore(store_url)


def test_unreachable_database_says_what_to_check(tmp_path) -> None:
    url = f"postgresql+psycopg2://nobody@/ferhil?host={tmp_path}&port=1"
    with pytest.raises(StoreError, match=r"cannot open the result store .*--db"):
        ResultStore(url)
