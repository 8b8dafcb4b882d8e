"""Fixtures of the web-app tests: a store with two runs, the app's state and a live server.

Everything lives in temporary folders: the user's ``out/`` and result store are never touched.
The server is real (uvicorn on a free port of 127.0.0.1, in a thread: app.background).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from app_testkit import LiveServer, StoreRuns

from app.background import serve_in_thread
from app.config import ServeConfig
from app.state import AppState, build_state
from harness.store.store import ResultStore
from reports.sample_data import make_results


@pytest.fixture(scope="session")
def store_runs(tmp_path_factory: pytest.TempPathFactory) -> StoreRuns:
    folder = tmp_path_factory.mktemp("app-store")
    base = make_results(seed=1, model_version="1", n_samples=60, accuracy=0.7)
    new = make_results(
        seed=2, model_version="2", n_samples=60, accuracy=0.5, started="2026-11-28T07:00:00+00:00"
    )
    rng = np.random.default_rng(3)
    samples = new["samples"]
    archive = folder / "faces.npz"
    np.savez(
        archive,
        images=rng.integers(0, 256, (len(samples), 48, 48), dtype=np.uint8),
        labels=np.array([s["label"] for s in samples], dtype=np.int64),
        filenames=np.array([s["id"] for s in samples]),
    )
    for document in (base, new):
        document["dataset"]["path"] = str(archive)
    db = folder / "store.sqlite"
    with ResultStore(f"sqlite:///{db}") as store:
        store.import_results(base)
        store.import_results(new)
    return StoreRuns(db, base["run"]["id"], new["run"]["id"])


@pytest.fixture(scope="session")
def app_state(
    store_runs: StoreRuns, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppState]:
    state = build_state(
        ServeConfig(db=str(store_runs.db), work_dir=tmp_path_factory.mktemp("app-work"))
    )
    try:
        yield state
    finally:
        state.close()


@pytest.fixture(scope="session")
def server(app_state: AppState) -> Iterator[LiveServer]:
    with serve_in_thread(app_state) as url:
        yield LiveServer(url, app_state)
