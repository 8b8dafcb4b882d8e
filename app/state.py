"""Everything the app holds while it runs: model, scorer, stores, pages, live runs."""

from __future__ import annotations

import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.board_session import BoardSession
from app.catalog import Catalog, StoreRef
from app.config import ServeConfig
from app.gallery import Gallery
from app.live import LiveRuns
from app.run_pages import RunPages
from app.scoring import Scorer
from golden.format import QuantModel, load
from golden.zoo import list_zoo, resolve_model_path
from harness.store.location import db_url, sqlite_url

APP_DB_FILE = "ferhil-app-results.sqlite"


@dataclass
class AppState:
    """The app's parts (built by :func:`build_state`, closed by :meth:`close`)."""

    config: ServeConfig
    work_dir: Path
    own_work_dir: bool
    model: QuantModel
    model_path: Path
    scorer: Scorer
    catalog: Catalog
    gallery: Gallery
    pages: RunPages
    live: LiveRuns

    def zoo_names(self) -> list[str]:
        """The zoo models a run can be started with."""
        return [entry.name for entry in list_zoo()]

    def warm_up(self) -> None:
        """Score a blank face once (first torch call, board bring-up) and load the detector."""
        from app.faces import detect_boxes

        self.scorer.score([np.full((48, 48), 128, np.uint8)])
        detect_boxes(np.full((96, 96), 128, np.uint8))

    def close(self) -> None:
        """Stop live runs, close the board and the stores, remove a temporary work folder."""
        try:
            self.live.close()
            if self.scorer.board is not None:
                self.scorer.board.close()
            self.catalog.close()
        finally:
            if self.own_work_dir:
                shutil.rmtree(self.work_dir, ignore_errors=True)


@functools.lru_cache(maxsize=1)
def default_test_set_size() -> int:
    """Images in the test set a run uses by default (FER2013 PublicTest or the generated set)."""
    from harness.run.test_set import select_test_set

    return int(select_test_set(None).samples_total)


def build_state(config: ServeConfig) -> AppState:
    """Load the model (and float weights), open the stores and prepare the work folder.

    Raises:
        golden.zoo.ZooError: the model reference does not resolve.
        harness.errors.ConfigError: ``--db`` is not a database URL.
    """
    own = config.work_dir is None
    work_dir = config.work_dir or Path(tempfile.mkdtemp(prefix="ferhil-serve-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    model_path = resolve_model_path(config.model)
    model = load(model_path)
    board = None
    if config.board:
        options = {"lab": config.lab} if config.lab else {}
        board = BoardSession(config.board, model, work_dir / "board", options)
    user_db = db_url(config.db)
    app_db = user_db if config.record_in_db else sqlite_url(work_dir / APP_DB_FILE)
    refs = [StoreRef("user", user_db)]
    if app_db != user_db:
        refs.append(StoreRef("app", app_db))
    catalog = Catalog(refs)
    gallery = Gallery()
    live = LiveRuns(
        work_dir / "runs",
        app_db,
        config.run_board,
        config.lab,
        on_start=board.lend if board else lambda: None,
        on_end=board.take_back if board else lambda: None,
    )
    return AppState(
        config=config,
        work_dir=work_dir,
        own_work_dir=own,
        model=model,
        model_path=model_path,
        scorer=Scorer(model, model_path, board),
        catalog=catalog,
        gallery=gallery,
        pages=RunPages(catalog, gallery, work_dir / "pages"),
        live=live,
    )
