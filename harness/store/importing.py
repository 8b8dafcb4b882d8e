"""Import ``results.json`` files (CI artifacts of older runs) into the result store.

A path is a ``results.json``-like file or a folder searched recursively for ``results.json``.
Importing is idempotent by run id: a run already stored is reported and left unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.store.errors import StoreError
from harness.store.store import ResultStore

RESULTS_NAME = "results.json"


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file: ``imported``, ``present`` (already stored)."""

    path: Path
    run_id: str
    outcome: str


def results_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the ``results.json`` files below them (sorted).

    Raises:
        StoreError: a path does not exist, or a folder holds no ``results.json``.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.rglob(RESULTS_NAME))
            if not found:
                raise StoreError(f"{path} holds no {RESULTS_NAME} (searched recursively)")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise StoreError(f"{path} does not exist; pass results.json files or folders")
    return files


def import_paths(store: ResultStore, paths: Iterable[Path]) -> list[ImportOutcome]:
    """Import every results file found under ``paths`` (each in its own transaction).

    Raises:
        StoreError: a file is not JSON or not a ferhil results document (nothing after it is
            imported; files before it stay imported, since each is complete on its own).
    """
    outcomes = []
    for path in results_files(paths):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"cannot read {path} as JSON: {exc}") from exc
        try:
            added = store.import_results(document)
        except StoreError as exc:
            raise StoreError(f"{path}: {exc}") from exc
        run_id = str(document["run"]["id"])
        outcomes.append(ImportOutcome(path, run_id, "imported" if added else "present"))
    return outcomes
