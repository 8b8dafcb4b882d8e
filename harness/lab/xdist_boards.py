"""Boards shared out among pytest-xdist workers, and the workers' results merged into one.

Under ``pytest -n N`` the HIL suite runs on every worker (``--dist each``, set by the plugin
for runs of ``hil/``), but the boards are not duplicated: worker ``gwK`` gets the boards
``names[K::N]`` of ``--board`` (one board per worker when there are as many boards as workers;
a worker with more than one runs them as a multi-board pool) and streams its own shard of the
test set (image ``i`` goes to worker ``i % W``, ``W`` = workers with a board). A worker without
a board skips the HIL tests, saying why. Workers write into ``<report-dir>/gwK`` and do not
record into the result store; at the end the controller merges every worker's
``results.json`` into one ``<report-dir>/results.json`` (and ``report.html``), records that one
run in the store and prints one summary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.devices.boards.group import board_names
from harness.run.results import SampleRecord, summarize, write_results_json
from harness.run.sample_log import RESULTS_FILE
from harness.suite.config import FerhilConfig

SHARD_KEY = "xdist-shard"


def worker_config(
    config: FerhilConfig, worker: str, workers: int
) -> tuple[FerhilConfig, str | None]:
    """Return the worker's config (its boards, its shard) and a skip reason if it has none."""
    names = board_names(config)
    index = int(worker.removeprefix("gw") or 0)
    with_board = min(workers, len(names))
    config = config.replace(record=False)  # the controller records the merged run
    if index >= with_board:
        return config, (
            f"xdist worker {worker} has no board: the run has {len(names)} board(s) "
            f"({', '.join(names)}) for {workers} workers; run with -n {len(names)} or add boards"
        )
    mine = names[index::workers]
    return config.replace(board=",".join(mine), xdist_shard=f"{index}/{with_board}"), None


def shard_indices(indices: Sequence[int], shard: str | None) -> list[int]:
    """The part of ``indices`` of shard ``"K/W"`` (all of them without a shard)."""
    if not shard:
        return list(indices)
    k, w = (int(v) for v in shard.split("/"))
    return [i for i in indices if i % w == k]


def _records(samples: Sequence[Mapping[str, Any]]) -> list[SampleRecord]:
    known = set(SampleRecord.__dataclass_fields__) - {"extra"}
    out = []
    for data in samples:
        record = SampleRecord(**{k: v for k, v in data.items() if k in known})
        record.extra = {k: v for k, v in data.items() if k not in known}
        out.append(record)
    return out


def _board_rows(doc: Mapping[str, Any], label: str) -> dict[str, Any]:
    summary = doc["summary"]
    if summary.get("boards"):
        return dict(summary["boards"])
    return {
        label: {
            key: summary.get(key)
            for key in ("samples", "matched_golden", "failed", "throughput_ips", "latency_us")
        }
        | {"host_rtt_ms": summary.get("host_rtt_ms")}
    }


def merge_documents(docs: Sequence[dict[str, Any]], workers: Sequence[str]) -> dict[str, Any]:
    """One results document from the workers' documents (samples, summary, per-board rows).

    Boards of one kind on several workers (``--board hostsim,hostsim``) are told apart by
    worker: ``hostsim@gw0``, ``hostsim@gw1``.
    """
    merged = json.loads(json.dumps(docs[0]))
    boards = [str(d["identity"].get("board")) for d in docs]
    labels = [
        f"{b}@{w}" if boards.count(b) > 1 else b for b, w in zip(boards, workers, strict=True)
    ]
    samples: list[dict[str, Any]] = []
    for doc, label in zip(docs, labels, strict=True):
        samples += [{"board": label, **s} for s in doc["samples"]]
    samples.sort(key=lambda s: s["index"])
    records = _records(samples)
    walls = [
        d["summary"]["samples"] / d["summary"]["throughput_ips"]
        for d in docs
        if d["summary"].get("throughput_ips")
    ]
    classes = merged["dataset"].get("classes") or []
    summary = summarize(
        records, classes, bool(merged["summary"].get("simulated")), max(walls, default=0) or None
    )
    summary["boards"] = {}
    for doc, label in zip(docs, labels, strict=True):
        summary["boards"].update(_board_rows(doc, label))
    merged["summary"] = summary
    merged["samples"] = [r.to_json() for r in records]
    merged["run"]["complete"] = all(d["run"].get("complete") for d in docs)
    merged["run"]["notes"] = [n for d in docs for n in d["run"].get("notes", [])]
    merged["run"]["xdist_workers"] = [d["run"]["id"] for d in docs]
    merged["identity"]["board"] = ",".join(labels)
    merged["dataset"]["samples_run"] = len(records)
    result: dict[str, Any] = merged
    return result


def merge_worker_results(report_dir: Path, since: float = 0.0) -> Path | None:
    """Merge ``<report_dir>/gw*/results.json`` written after ``since`` (epoch seconds)."""
    paths = sorted(Path(report_dir).glob(f"gw*/{RESULTS_FILE}"))
    paths = [p for p in paths if p.stat().st_mtime >= since]  # not a stale earlier run's
    found = [(p.parent.name, json.loads(p.read_text(encoding="utf-8"))) for p in paths]
    found = [(worker, doc) for worker, doc in found if doc.get("samples")]
    if not found:
        return None
    merged = merge_documents([d for _, d in found], [w for w, _ in found])
    return write_results_json(Path(report_dir) / RESULTS_FILE, merged)


def finish_controller(
    config: FerhilConfig, since: float = 0.0
) -> tuple[Path | None, Path | None, str | None]:
    """Merge this session's worker results; render the report; record the run.

    Only results written after ``since`` (the session start) count; the run is recorded unless
    ``--no-record``.

    Returns:
        ``(results.json, report.html, store note)``; ``None`` parts when not written.
    """
    report_dir = Path(config.report_dir)
    results = merge_worker_results(report_dir, since)
    if results is None:
        return None, None, None
    document = json.loads(results.read_text(encoding="utf-8"))
    report = None
    try:
        from reports.html import write_report
    except ModuleNotFoundError:
        pass
    else:
        report = Path(write_report(document, report_dir))
    note = None
    if config.record:
        from harness.store.location import db_url, display_url
        from harness.store.store import ResultStore

        url = db_url(config.db, report_dir)
        with ResultStore(url) as store:
            store.import_results(document)
        note = f"recorded run {document['run']['id']} in {display_url(url)}"
    return results, report, note
