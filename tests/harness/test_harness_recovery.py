"""The recovery ladder of a whole run: a board that stops answering is relaunched."""

import json

from harness_testkit import saved_model

from golden.format import load
from harness.devices.boards.fake import FakeBoard
from harness.run.hil_run import HilRun
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers


def test_dead_board_is_relaunched_and_no_sample_is_lost(tmp_path):
    load_option_providers()
    boards = []

    def make_board(spec):
        boards.append(FakeBoard(spec, die_after=5))
        return boards[-1]

    cfg = FerhilConfig.defaults(
        board="fake",
        model=str(saved_model(tmp_path)),
        limit=20,
        report_dir=tmp_path / "r",
        progress=False,
    )
    run = HilRun(cfg, make_board=make_board, load_model=load)
    run.prepare()
    run.start()
    records = run.stream()
    run.finish()
    assert len(records) == 20 and boards[0].launches == 2
    assert [r.index for r in records if r.status != "ok"] == [5]
    assert "stopped answering" in records[5].error
    assert all(r.match for r in records if r.status == "ok")
    notes = json.loads((tmp_path / "r" / "results.json").read_text())["run"]["notes"]
    assert any("after sample 6: board brought up again (reset failed" in n for n in notes)
