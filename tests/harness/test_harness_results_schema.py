"""Documents the harness writes follow docs/results.schema.json (single and multi-board runs)."""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from harness_testkit import saved_model

from golden.format import load
from harness.run.hil_run import HilRun
from harness.run.results import write_results_json
from harness.store.store import ResultStore
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers
from reports.results_doc import SCHEMA_FILE, ResultsDocumentError, load_results

REPO = Path(__file__).resolve().parents[2]


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / SCHEMA_FILE).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _run(tmp_path: Path, board: str) -> dict:
    load_option_providers()
    cfg = FerhilConfig.defaults(
        board=board,
        model=str(saved_model(tmp_path)),
        limit=12,
        report_dir=tmp_path / "r",
        progress=False,
    )
    run = HilRun(cfg, load_model=load)
    try:
        run.prepare()
        run.start()
        run.stream()
    finally:
        run.finish()
    return json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "board",
    [
        "fake",
        "fake,fake",
        pytest.param(
            "hostsim",
            marks=pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc"),
        ),
        pytest.param(
            "hostsim,hostsim",
            marks=pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc"),
        ),
    ],
)
def test_written_results_follow_the_schema(tmp_path: Path, board: str) -> None:
    doc = _run(tmp_path, board)
    errors = [e.message for e in _validator().iter_errors(doc)]
    assert not errors, errors[:3]
    typed = load_results(doc)
    assert len(typed.samples) == 12
    if "," in board:
        assert typed.boards is not None and typed.summary.boards is not None
        assert {s.board for s in typed.samples} <= set(typed.summary.boards)
    with ResultStore(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        store.import_results(doc)
        rebuilt = store.results(typed.run.id)
    assert not [e.message for e in _validator().iter_errors(rebuilt)]


def test_writer_refuses_a_document_off_the_schema(tmp_path: Path) -> None:
    doc = _run(tmp_path, "fake")
    doc["summary"]["latency_us"]["p42"] = 1.0
    with pytest.raises(ResultsDocumentError, match=r"summary\.latency_us has unknown key 'p42'"):
        write_results_json(tmp_path / "again.json", doc)
    assert not (tmp_path / "again.json").exists()
