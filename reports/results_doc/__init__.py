"""The owner of ``results.json``: schema name and version, typed records, loader, JSON Schema.

Writers (``harness``) check a document with :func:`check_results_document` before writing it;
readers (``reports``, the result store, ``app``) load it with :func:`load_results` or
:func:`load_results_file` and read the typed :class:`ResultsDocument`. The JSON Schema
``docs/results.schema.json`` is generated from the records (:func:`schema_text`). Imports
nothing but the standard library and :mod:`reports.common.coerce`'s error type.
"""

from reports.results_doc.codec import ResultsDocumentError
from reports.results_doc.document import (
    SCHEMA,
    SCHEMA_FILE,
    SCHEMA_VERSION,
    LoadedResults,
    ResultsDocument,
    check_results_document,
    load_results,
    load_results_file,
    read_results,
    results_json_schema,
    schema_text,
)
from reports.results_doc.records import DatasetInfo, Identity, RunInfo, Sample, SelfTest
from reports.results_doc.sections import (
    BoardEntry,
    EnergySection,
    EnergyWindows,
    RegressionCheck,
    RegressionSection,
    Threshold,
    VerdictSection,
)
from reports.results_doc.summary import (
    BoardSummary,
    EnergyFigures,
    Percentiles,
    Summary,
    TtaSummary,
)

__all__ = [
    "SCHEMA",
    "SCHEMA_FILE",
    "SCHEMA_VERSION",
    "BoardEntry",
    "BoardSummary",
    "DatasetInfo",
    "EnergyFigures",
    "EnergySection",
    "EnergyWindows",
    "Identity",
    "LoadedResults",
    "Percentiles",
    "RegressionCheck",
    "RegressionSection",
    "ResultsDocument",
    "ResultsDocumentError",
    "RunInfo",
    "Sample",
    "SelfTest",
    "Summary",
    "Threshold",
    "TtaSummary",
    "VerdictSection",
    "check_results_document",
    "load_results",
    "load_results_file",
    "read_results",
    "results_json_schema",
    "schema_text",
]
