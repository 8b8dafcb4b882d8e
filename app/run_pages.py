"""The report, history and comparison pages of stored runs, rendered by :mod:`reports`.

A run's pages are written into ``<work dir>/pages/<n>/`` (``n`` a counter the app assigns, never
a name from a request) by :func:`harness.regression.pages.write_pages` (comparison with the
baseline, the one baseline rule of the harness) and :func:`reports.write_report`, and rendered
again only when the stored runs change. The app's history page covers every store and links each
run to its page in the app. Pages are self-contained HTML (inline CSS, SVG, ``data:`` images).
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.catalog import Catalog
from app.gallery import Gallery
from harness.regression.pages import COMPARISON_LABEL, HISTORY_LABEL, write_pages
from reports import write_history, write_report
from reports.html import COMPARISON_FILE, HISTORY_FILE, REPORT_FILE

#: The pages of a run the app serves (an allow-list of file names).
RUN_PAGES = (REPORT_FILE, COMPARISON_FILE)
APP_LABEL = "ferhil app"


class RunPages:
    """Renders and caches the pages (matplotlib is not thread-safe: one render at a time)."""

    def __init__(self, catalog: Catalog, gallery: Gallery, folder: Path) -> None:
        self.catalog = catalog
        self.gallery = gallery
        self.folder = folder
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[tuple[object, ...], Path]] = {}
        self._history: tuple[tuple[object, ...], Path] | None = None

    def _state(self) -> tuple[object, ...]:
        return tuple((r.id, r.status, r.updated) for _, r in self.catalog.runs())

    def run_page(self, run_id: str, name: str) -> Path | None:
        """The file of page ``name`` (from :data:`RUN_PAGES`) of ``run_id``; None if absent."""
        if name not in RUN_PAGES:
            return None
        _, store, run = self.catalog.locate(run_id)
        state = self._state()
        with self._lock:
            cached = self._runs.get(run.id)
            if cached is None or cached[0] != state:
                folder = cached[1] if cached else self.folder / f"run{len(self._runs) + 1}"
                folder.mkdir(parents=True, exist_ok=True)
                for old in RUN_PAGES:
                    (folder / old).unlink(missing_ok=True)
                document = store.results(run.id)
                images = self.gallery.images(run.id, document)
                pages = write_pages(store, folder, run_id=run.id, images=images, report=REPORT_FILE)
                links = {APP_LABEL: f"/runs/{run.id}", HISTORY_LABEL: "/history"}
                if pages.comparison is not None:
                    links[COMPARISON_LABEL] = COMPARISON_FILE
                write_report(document, folder, links=links)
                (folder / HISTORY_FILE).unlink(missing_ok=True)  # the app's history replaces it
                self._runs[run.id] = (state, folder)
                cached = self._runs[run.id]
        page = cached[1] / name
        return page if page.is_file() else None

    def history(self) -> Path:
        """The history page of every stored run, each linked to its page in the app."""
        state = self._state()
        with self._lock:
            if self._history is None or self._history[0] != state:
                runs = self.catalog.runs()
                documents = [self.catalog.document(r.id, samples=False) for _, r in runs]
                links = {r.id: f"/runs/{r.id}" for _, r in runs}
                folder = self.folder / "history"
                nav = {APP_LABEL: "/runs"}
                page = write_history(documents, folder, links=nav, report_links=links)
                self._history = (state, page)
            return self._history[1]
