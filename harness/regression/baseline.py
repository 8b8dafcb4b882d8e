"""Which stored run a new run is compared with (its baseline).

Default rule: among the *complete* runs measured on the same board kind and the same data set
(content hash), the runs of the newest model version that is earlier than the new run's version
(:func:`harness.regression.versions.version_key`); of those, the most recently started.
``--baseline`` overrides it with a run id or a model version (the newest complete run of that
version on the same board kind and data set).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.regression.errors import RegressionError
from harness.regression.versions import is_earlier, version_key
from harness.store.location import sqlite_file
from harness.store.records import StoredRun, run_columns
from harness.store.store import ResultStore


@dataclass(frozen=True)
class Lineage:
    """What a baseline must share with the new run, and the new run's own version and id."""

    run_id: str | None
    model_version: str | None
    board_kind: str | None
    dataset_hash: str | None

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> Lineage:
        """The lineage of a results document."""
        columns = run_columns(document)
        return cls(
            columns["id"], columns["model_version"], columns["board_kind"], columns["dataset_hash"]
        )

    def describe(self) -> str:
        """``board kind X, data set Y`` for messages."""
        return f"board kind {self.board_kind}, data set {(self.dataset_hash or '?')[:12]}"


@dataclass(frozen=True)
class BaselineChoice:
    """The chosen baseline (``None`` when there is none) and a sentence saying why."""

    run: StoredRun | None
    reason: str


def _same_lineage(run: StoredRun, lineage: Lineage) -> bool:
    return (
        run.complete
        and run.id != lineage.run_id
        and run.board_kind == lineage.board_kind
        and run.dataset_hash == lineage.dataset_hash
    )


def choose_baseline(
    runs: Sequence[StoredRun], lineage: Lineage, explicit: str | None = None
) -> BaselineChoice:
    """Pick the baseline of ``lineage`` among ``runs`` (see the module docstring).

    Raises:
        RegressionError: ``explicit`` names an incomplete run, or neither a run id nor a model
            version with a complete run on the same board kind and data set.
    """
    if explicit:
        return _explicit(runs, lineage, explicit)
    candidates = [
        r
        for r in runs
        if _same_lineage(r, lineage) and is_earlier(r.model_version, lineage.model_version)
    ]
    if not candidates:
        return BaselineChoice(
            None,
            f"no complete run of a model version earlier than {lineage.model_version} on "
            f"{lineage.describe()}",
        )
    best = max(candidates, key=lambda r: (version_key(r.model_version), r.started, r.id))
    return BaselineChoice(
        best,
        f"newest earlier model version {best.model_version} (run {best.id}) on "
        f"{lineage.describe()}",
    )


def _explicit(runs: Sequence[StoredRun], lineage: Lineage, wanted: str) -> BaselineChoice:
    by_id = [r for r in runs if r.id == wanted]
    if by_id:
        run = by_id[0]
        if not run.complete:
            raise RegressionError(
                f"--baseline {wanted}: that run is {run.status}, not complete; pick a complete run "
                "(`ferhil history` lists them)"
            )
        reason = f"run {run.id} named by --baseline"
        if run.board_kind != lineage.board_kind or run.dataset_hash != lineage.dataset_hash:
            reason += " (warning: other board kind or data set than the new run)"
        return BaselineChoice(run, reason)
    same = [r for r in runs if _same_lineage(r, lineage) and r.model_version == wanted]
    if same:
        run = max(same, key=lambda r: (r.started, r.id))
        return BaselineChoice(run, f"model version {wanted} named by --baseline (run {run.id})")
    versions = sorted(
        {str(r.model_version) for r in runs if _same_lineage(r, lineage)}, key=version_key
    )
    raise RegressionError(
        f"--baseline {wanted}: no run with that id and no complete run of that model version on "
        f"{lineage.describe()}; versions available there: {', '.join(versions) or 'none'}"
    )


def find_baseline(
    store: ResultStore, document: Mapping[str, Any], explicit: str | None = None
) -> BaselineChoice:
    """Pick the baseline of the run described by ``document`` from ``store``."""
    lineage = Lineage.of(document)
    runs = (
        store.runs()
        if explicit
        else store.runs(
            board_kind=lineage.board_kind, dataset_hash=lineage.dataset_hash, complete_only=True
        )
    )
    return choose_baseline(runs, lineage, explicit)


def find_baseline_at(
    url: str, document: Mapping[str, Any], explicit: str | None = None
) -> BaselineChoice:
    """Like :func:`find_baseline` for the store at ``url``; a missing SQLite file has no runs.

    Raises:
        RegressionError: ``explicit`` is given but the store does not exist.
    """
    file = sqlite_file(url)
    if file is not None and not file.exists():
        if explicit:
            raise RegressionError(f"--baseline {explicit}: there is no result store at {file}")
        return BaselineChoice(None, f"the result store {file} does not exist yet")
    with ResultStore(url) as store:
        return find_baseline(store, document, explicit)


def baseline_document_at(
    url: str, document: Mapping[str, Any], explicit: str | None = None
) -> tuple[BaselineChoice, dict[str, Any] | None]:
    """The baseline of ``document`` in the store at ``url`` and its full results (with samples).

    Raises:
        RegressionError: as :func:`find_baseline_at`.
    """
    choice = find_baseline_at(url, document, explicit)
    if choice.run is None:
        return choice, None
    with ResultStore(url) as store:
        return choice, store.results(choice.run.id)
