"""The runs the app shows: the user's result store and the store of runs started from the app.

The user's store (``--db``, default as for ``ferhil history``) is only read; when its SQLite
file does not exist it is not created. Runs started from the app are recorded in the app's own
store in its work folder (or in ``--db`` with ``--record-in-db``). A run id from a request is
only ever used as a key to look a run up in these stores.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.errors import NotFoundError
from app.verdict import run_verdict
from harness.store.location import display_url, sqlite_file
from harness.store.records import StoredRun
from harness.store.store import ResultStore
from models.training.metrics import classification_report

#: What a run id looks like (``20261129T195253Z-72641dd2``; imported runs keep theirs).
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$")


@dataclass(frozen=True)
class StoreRef:
    """One store the app reads: a label (``user`` or ``app``) and its URL."""

    label: str
    url: str


class Catalog:
    """Read access to the app's stores (the user's first, then the app's own)."""

    def __init__(self, stores: list[StoreRef]) -> None:
        self.refs = stores
        self._open: dict[str, ResultStore] = {}
        self._lock = threading.Lock()

    def _stores(self) -> Iterator[tuple[StoreRef, ResultStore]]:
        for ref in self.refs:
            file = sqlite_file(ref.url)
            if file is not None and not file.exists():
                continue  # never create the user's store by looking at it
            with self._lock:
                store = self._open.get(ref.url)
                if store is None:
                    store = self._open[ref.url] = ResultStore(ref.url)
            yield ref, store

    def describe(self) -> list[dict[str, Any]]:
        """The stores, password masked, and whether they exist yet."""
        out = []
        for ref in self.refs:
            file = sqlite_file(ref.url)
            exists = file is None or file.exists()
            out.append({"label": ref.label, "url": display_url(ref.url), "exists": exists})
        return out

    def runs(self) -> list[tuple[str, StoredRun]]:
        """Every run of every store, oldest first, with its store's label."""
        found = [(ref.label, run) for ref, store in self._stores() for run in store.runs()]
        return sorted(found, key=lambda item: (item[1].started, item[1].id))

    def locate(self, run_id: str) -> tuple[StoreRef, ResultStore, StoredRun]:
        """The store holding ``run_id`` and its row.

        Raises:
            NotFoundError: the id is malformed or no store holds it.
        """
        if RUN_ID.match(run_id or ""):
            for ref, store in self._stores():
                if store.has_run(run_id):
                    return ref, store, store.run(run_id)
        raise NotFoundError(f"no run {run_id!r} in the result stores; pick one from the runs list")

    def document(self, run_id: str, *, samples: bool = True) -> dict[str, Any]:
        """The ``results.json`` document of a stored run."""
        _, store, _ = self.locate(run_id)
        return store.results(run_id, samples=samples)

    def close(self) -> None:
        """Close every opened store."""
        with self._lock:
            for store in self._open.values():
                store.close()
            self._open.clear()


def run_row(label: str, run: StoredRun) -> dict[str, Any]:
    """The runs-list entry of a run (JSON-ready)."""
    row = run.to_json()
    row.pop("summary", None)
    row["store"] = label
    return row


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def run_details(document: dict[str, Any]) -> dict[str, Any]:
    """Summary, verdict, per-class precision/recall/F1, confusion and misclassified samples."""
    classes = list((document.get("dataset") or {}).get("classes") or [])
    samples = [s for s in document.get("samples") or [] if s.get("status") == "ok"]
    labels = np.array([int(s["label"]) for s in samples], dtype=np.int64)
    predicted = np.array([int(s["predicted"]) for s in samples], dtype=np.int64)
    metrics = classification_report(labels, predicted, classes) if classes else None
    wrong = [
        {
            "index": int(s["index"]),
            "id": s.get("id"),
            "label": classes[int(s["label"])] if classes else s["label"],
            "predicted": classes[int(s["predicted"])] if classes else s["predicted"],
            "match": bool(s.get("match")),
        }
        for s in samples
        if int(s["label"]) != int(s["predicted"])
    ]
    summary = document.get("summary") or {}
    return {
        "run": document.get("run") or {},
        "identity": document.get("identity") or {},
        "dataset": {k: v for k, v in (document.get("dataset") or {}).items() if k != "path"},
        "summary": {k: _clean(v) for k, v in summary.items() if k not in ("meter",)},
        "verdict": run_verdict(document),
        "classes": classes,
        "metrics": metrics,
        "misclassified": wrong,
        "failed": sum(1 for s in document.get("samples") or [] if s.get("status") != "ok"),
    }
