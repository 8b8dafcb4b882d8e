"""The owner of results.json: records, loader, and the checked-in JSON Schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from reports.results_doc import (
    SCHEMA,
    SCHEMA_FILE,
    SCHEMA_VERSION,
    ResultsDocument,
    ResultsDocumentError,
    check_results_document,
    load_results,
    load_results_file,
    results_json_schema,
    schema_text,
)
from reports.sample_data import make_results

REPO = Path(__file__).resolve().parents[2]


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_checked_in_schema_is_the_generated_one() -> None:
    assert (REPO / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text(), (
        "docs/results.schema.json is stale: regenerate it with "
        "python -c 'from reports.results_doc import schema_text; "
        'print(schema_text(), end="")\' > docs/results.schema.json'
    )
    schema = results_json_schema()
    assert schema["properties"]["schema"] == {"const": SCHEMA}
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert {"Summary", "Sample", "VerdictSection", "RegressionSection"} <= set(schema["$defs"])


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"complete": False}, {"with_energy": False, "simulated": False}, {"n_samples": 0}],
)
def test_sample_documents_validate_and_round_trip(kwargs: dict) -> None:
    doc = make_results(**kwargs)
    assert not list(validator().iter_errors(doc))
    typed = load_results(doc)
    assert not list(validator().iter_errors(typed.to_json()))
    assert load_results(typed.to_json()) == typed
    assert typed.classes == doc["dataset"]["classes"]


def test_schema_and_records_refuse_the_same_bad_documents() -> None:
    good = make_results(n_samples=5)
    cases = {
        "unknown key": lambda d: d["summary"].update(accuracy_threshold=0.5),
        "wrong type": lambda d: d["samples"][0].update(label="happy"),
        "bad status": lambda d: d["samples"][0].update(status="skipped"),
        "missing key": lambda d: d["run"].pop("started"),
        "bad verdict": lambda d: d["verdict"].update(status="PASS"),
    }
    for name, spoil in cases.items():
        doc = copy.deepcopy(good)
        spoil(doc)
        assert list(validator().iter_errors(doc)), name
        with pytest.raises(ResultsDocumentError) as info:
            load_results(doc)
        assert "\n" not in str(info.value) and "results.json" in str(info.value), name


def test_not_a_results_document_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ResultsDocumentError, match=r"not a ferhil results document.*ferhil run"):
        load_results({"schema": "something-else"})
    with pytest.raises(ResultsDocumentError, match="schema_version"):
        load_results({"schema": SCHEMA, "schema_version": "1"})
    path = tmp_path / "results.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ResultsDocumentError, match=r"cannot read .* as JSON"):
        load_results_file(path)
    path.write_text(json.dumps(make_results(n_samples=3)), encoding="utf-8")
    assert isinstance(load_results_file(path), ResultsDocument)


def test_writers_may_only_write_this_version() -> None:
    doc = make_results(n_samples=2)
    assert check_results_document(doc) is doc
    doc["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ResultsDocumentError, match="writes schema_version"):
        check_results_document(doc)


def test_typed_samples_know_ok_and_correct() -> None:
    doc = load_results(make_results(n_samples=30, n_failed=3))
    failed = [s for s in doc.samples if not s.ok]
    assert len(failed) == 3 and not any(s.correct for s in failed)
    assert all(s.correct == (s.predicted == s.label) for s in doc.samples if s.ok)
