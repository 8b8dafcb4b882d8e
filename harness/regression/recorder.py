"""Record a HIL run in the store while it runs (a :mod:`harness.run.run_listener` listener).

:class:`StoreRecorder` receives the run's events:

* ``run_started``: the board is up and identified: the run row is created (``running``);
  a run that never got there is stored at ``results_written``, ``incomplete`` and without samples;
* ``sample_recorded``: one image's result: buffered and appended in batches (one transaction per
  batch, at least every :attr:`StoreRecorder.interval_s` seconds);
* ``results_written``: ``results.json`` is written: summary, remaining samples and the final
  status in one transaction; then ``history.html`` and ``comparison.html`` are written into the
  report folder and linked from ``report.html`` (``run.results.add_links``).

Database problems while samples stream do not stop the run (they are retried in the final
transaction and noted in the report); failing to create or finish the run row is an error.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from fixtures.datasets import Dataset
from golden.errors import FerhilError
from harness.regression.pages import write_pages
from harness.run.run_listener import ObservedRun, RunListener
from harness.store.errors import StoreError
from harness.store.location import db_url, display_url
from harness.store.store import ResultStore
from harness.suite.config import FerhilConfig

LOG = logging.getLogger("ferhil.store")

if TYPE_CHECKING:
    from harness.run.results import SampleRecord


def json_safe(value: Any) -> Any:
    """Return ``value`` with numpy scalars/arrays and paths turned into plain JSON values."""

    def plain(obj: Any) -> Any:
        if isinstance(obj, (np.ndarray, np.generic)):
            return obj.tolist()
        return str(obj)

    return json.loads(json.dumps(value, default=plain))


class StoreRecorder(RunListener):
    """Writes one run into the result store at ``url`` (see the module docstring)."""

    def __init__(
        self,
        url: str,
        *,
        baseline: str | None = None,
        batch: int = 64,
        interval_s: float = 2.0,
        pages: bool = True,
    ) -> None:
        self.url = url
        self.baseline = baseline
        self.batch = batch
        self.interval_s = interval_s
        self.pages = pages
        self.store: ResultStore | None = None
        self.run_id: str | None = None
        self._pending: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._append_error: str | None = None

    def run_started(self, run: ObservedRun) -> None:
        """Create the ``running`` row of ``run``."""
        self.store = ResultStore(self.url)
        self.run_id = self.store.begin_run(json_safe(run.document()))
        LOG.info("recording run %s in %s", self.run_id, display_url(self.url))

    def sample_recorded(self, run: ObservedRun, record: SampleRecord) -> None:
        """Buffer one sample; append the buffer when it is full or old enough."""
        self._pending.append(json_safe(record.to_json()))
        full = len(self._pending) >= self.batch
        if full or time.monotonic() - self._last_flush >= self.interval_s:
            self.flush(run)

    def flush(self, run: ObservedRun) -> None:
        """Append the buffered samples in one transaction (kept for later on failure)."""
        if self.store is None or self.run_id is None or not self._pending:
            return
        try:
            self.store.append_samples(self.run_id, self._pending)
        except StoreError as exc:
            if self._append_error is None:
                self._append_error = str(exc)
                run.results.add_note(
                    f"result store: appending samples failed (retried later): {exc}"
                )
                LOG.warning("appending samples to the result store failed (retried later): %s", exc)
            return
        finally:
            self._last_flush = time.monotonic()
        self._pending = []

    def results_written(self, run: ObservedRun, document: dict[str, Any]) -> None:
        """Finish the run row in one transaction, then write and link the regression pages.

        A run whose board never came up (no ``run_started``) is stored all the same, as an
        ``incomplete`` run without samples whose verdict block says why, so the lab's history shows
        the failed attempt rather than nothing.
        """
        if self.store is None or self.run_id is None:
            self.store = ResultStore(self.url)
            self.run_id = self.store.begin_run(document)
            LOG.info(
                "recording run %s (it never started) in %s", self.run_id, display_url(self.url)
            )
        self._pending = []  # the final transaction stores every sample of the document
        try:
            self.store.finish_run(self.run_id, document)
            if self.pages:
                self._write_pages(run)
        finally:
            self.store.close()

    def _write_pages(self, run: ObservedRun) -> None:
        assert self.store is not None
        images = None
        if run.test_set is not None and isinstance(run.test_set.dataset, Dataset):
            images = dict(enumerate(run.test_set.dataset.images))  # FER faces, not tensors
        try:
            pages = write_pages(
                self.store,
                run.report_dir,
                run_id=self.run_id,
                baseline=self.baseline,
                images=images,
                report="report.html",
            )
        except (FerhilError, OSError) as exc:
            message = f"result store: history/comparison pages not written: {exc}"
            run.results.add_note(message)
            LOG.warning(message)
            return
        run.results.add_links(pages.links())


def recorders_for(config: FerhilConfig) -> list[StoreRecorder]:
    """The listeners that record a run with ``config`` (none with ``--no-record``)."""
    if not config.record:
        return []
    url = db_url(config.db, config.report_dir)
    return [StoreRecorder(url, baseline=config.baseline)]


def describe_store(config: FerhilConfig) -> str:
    """Where runs of ``config`` are recorded, password masked (for the terminal summary)."""
    return display_url(db_url(config.db, config.report_dir))
