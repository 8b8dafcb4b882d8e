"""The report, history and comparison pages of stored runs, rendered by :mod:`reports`.

Each page is rendered when it is first asked for and again only when the stored runs change,
into ``<work dir>/pages/`` (folder names the app assigns, never a name from a request):

* ``report.html``: :func:`reports.write_report` of the stored document, linked to the app, the
  history and, when the run has a baseline (:func:`harness.regression.baseline.find_baseline`,
  the harness's one baseline rule), the comparison;
* ``comparison.html``: :func:`harness.regression.pages.write_pages` (the run against its
  baseline, flipped samples shown with their faces);
* the history of every store, each run linked to its page in the app.

Pages are self-contained HTML (inline CSS, SVG, ``data:`` images).
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.catalog import Catalog
from app.gallery import Gallery
from harness.regression.baseline import find_baseline
from harness.regression.pages import COMPARISON_LABEL, HISTORY_LABEL, write_pages
from reports import write_history, write_report
from reports.html import COMPARISON_FILE, REPORT_FILE

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
        self._folders: dict[str, Path] = {}
        self._rendered: dict[tuple[str, str], tuple[object, ...]] = {}
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
            folder = self._folders.setdefault(run.id, self.folder / f"run{len(self._folders) + 1}")
            page = folder / name
            if self._rendered.get((run.id, name)) != state:
                folder.mkdir(parents=True, exist_ok=True)
                page.unlink(missing_ok=True)
                document = store.results(run.id)
                if name == REPORT_FILE:
                    links = {APP_LABEL: f"/runs/{run.id}", HISTORY_LABEL: "/history"}
                    if find_baseline(store, document, None).run is not None:
                        links[COMPARISON_LABEL] = COMPARISON_FILE
                    write_report(document, folder, links=links)
                else:
                    images = self.gallery.images(run.id, document)
                    write_pages(store, folder, run_id=run.id, images=images, report=REPORT_FILE)
                self._rendered[(run.id, name)] = state
        return page if page.is_file() else None

    def history(self) -> Path:
        """The history page of every stored run, each linked to its page in the app."""
        state = self._state()
        with self._lock:
            if self._history is None or self._history[0] != state:
                runs = self.catalog.runs()
                documents = [self.catalog.document(r.id, samples=False) for _, r in runs]
                links = {r.id: f"/runs/{r.id}" for _, r in runs}
                nav = {APP_LABEL: "/runs"}
                page = write_history(
                    documents, self.folder / "history", links=nav, report_links=links
                )
                self._history = (state, page)
            return self._history[1]
