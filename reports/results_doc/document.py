"""The whole ``results.json`` document: :class:`ResultsDocument`, its loader and its JSON Schema.

Every writer checks its document here before writing (:func:`check_results_document`), every
reader loads through :func:`load_results` / :func:`load_results_file`. The JSON Schema
(``docs/results.schema.json``) is generated from these records by :func:`results_json_schema`;
a test keeps the checked-in file equal to it.

Version policy: ``schema_version`` is :data:`SCHEMA_VERSION` (1). A document of a newer
version is read leniently (keys this version does not know are ignored, with a warning); an
older or missing version, or another ``schema``, is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reports.results_doc.codec import (
    ResultsDocumentError,
    decode_record,
    encode,
    json_schema,
    record_schema,
)
from reports.results_doc.records import DatasetInfo, Identity, RunInfo, Sample
from reports.results_doc.sections import (
    BoardEntry,
    EnergySection,
    RegressionSection,
    Threshold,
    VerdictSection,
)
from reports.results_doc.summary import Summary

SCHEMA = "ferhil-results"
SCHEMA_VERSION = 1
SCHEMA_FILE = "docs/results.schema.json"


@dataclass(frozen=True)
class ResultsDocument:
    """One HIL run: the ``results.json`` document (schema ``ferhil-results``)."""

    schema: str
    schema_version: int
    run: RunInfo
    identity: Identity
    dataset: DatasetInfo
    summary: Summary
    samples: list[Sample] = field(default_factory=list)
    thresholds: dict[str, Threshold] = field(default_factory=dict)
    energy: EnergySection | None = None
    verdict: VerdictSection | None = None
    regression: RegressionSection | None = None
    boards: list[BoardEntry] | None = None

    @staticmethod
    def from_json(data: Any) -> ResultsDocument:
        """Read a document (see :func:`load_results`)."""
        return load_results(data)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this document (every field, ``None`` as ``null``)."""
        data: dict[str, Any] = encode(self)
        return data

    @property
    def classes(self) -> list[str]:
        """The class names, in label order."""
        return list(self.dataset.classes)


@dataclass(frozen=True)
class LoadedResults:
    """A read document and what the reader should tell about it."""

    document: ResultsDocument
    warnings: list[str]


def _header(data: Any, what: str) -> int:
    if not isinstance(data, Mapping):
        raise ResultsDocumentError(
            f"{what} must be a results.json object, got {type(data).__name__}; pass "
            "json.load(open('results.json')) of a file written by `ferhil run`"
        )
    schema, version = data.get("schema"), data.get("schema_version")
    if schema != SCHEMA:
        raise ResultsDocumentError(
            f"{what} is not a ferhil results document (schema {schema!r}, expected {SCHEMA!r}); "
            "pass the results.json written by `ferhil run`"
        )
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ResultsDocumentError(
            f"{what} has no valid schema_version ({version!r}); pass the results.json written "
            "by `ferhil run`"
        )
    return version


def read_results(data: Any, what: str = "results") -> LoadedResults:
    """Read ``data`` as a results document, with warnings for a newer schema version.

    Raises:
        ResultsDocumentError: ``data`` is not a ``ferhil-results`` document of a known layout.
    """
    version = _header(data, what)
    strict = version <= SCHEMA_VERSION
    warnings = []
    if not strict:
        warnings.append(
            f"results schema version {version} is newer than this ferhil ({SCHEMA_VERSION}); "
            "fields it does not know are not shown"
        )
    return LoadedResults(decode_record(ResultsDocument, dict(data), what, strict), warnings)


def load_results(data: Any, what: str = "results") -> ResultsDocument:
    """Return the :class:`ResultsDocument` of a dict loaded from ``results.json``.

    Raises:
        ResultsDocumentError: ``data`` is not a ``ferhil-results`` document of a known layout
            (one line naming the offending key).
    """
    return read_results(data, what).document


def load_results_file(path: Path | str) -> ResultsDocument:
    """Read and check a ``results.json`` file.

    Raises:
        ResultsDocumentError: the file cannot be read, is not JSON or not a results document.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsDocumentError(f"cannot read {path} as JSON: {exc}") from exc
    return load_results(data, what=str(path))


def check_results_document(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return ``document`` (plain JSON values) after checking it against the records.

    Writers call this on what they are about to write.

    Raises:
        ResultsDocumentError: the document does not follow the schema (a writer's bug).
    """
    version = _header(document, "results document")
    if version != SCHEMA_VERSION:
        raise ResultsDocumentError(
            f"results document: this ferhil writes schema_version {SCHEMA_VERSION}, not "
            f"{version}; build the document with reports.results_doc.SCHEMA_VERSION"
        )
    decode_record(ResultsDocument, dict(document), "results")
    return document


def results_json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of ``results.json``, built from the records."""
    defs: dict[str, Any] = {}
    root = record_schema(ResultsDocument, defs)
    root["properties"]["schema"] = {"const": SCHEMA}
    root["properties"]["schema_version"] = {"const": SCHEMA_VERSION}
    json_schema(ResultsDocument, defs)
    defs.pop(ResultsDocument.__name__, None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://ferhil.invalid/results.schema.json",
        "title": f"{SCHEMA} v{SCHEMA_VERSION} (results.json)",
        "description": (
            "Generated from reports/results_doc by results_json_schema(); do not edit by hand."
        ),
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The text of ``docs/results.schema.json`` (what the checked-in file must equal)."""
    return json.dumps(results_json_schema(), indent=1) + "\n"
