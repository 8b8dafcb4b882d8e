"""End to end through labgrid: a real coordinator and exporter, three hostsim places (ser2net)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness_testkit import generated_set
from labgrid_testkit import Lab, labgrid_lab, labgrid_skip_reason

from fixtures.paths import fer2013_file
from golden.zoo import load_model
from harness.devices.labgrid_place import PlaceLockedError
from harness.run.hil_run import HilRun
from harness.run.run_listener import RunListener
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

pytestmark = [pytest.mark.slow]

SAMPLES = 600


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    reason = labgrid_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    with labgrid_lab(load_model("fercnn-v2"), count=3) as running:
        yield running


def _run(lab: Lab, out: Path, listener: Any = None, limit: int = SAMPLES) -> dict[str, Any]:
    load_option_providers()
    cfg = FerhilConfig.defaults(
        place=",".join(lab.places),
        coordinator=lab.coordinator,
        model="fercnn-v2",
        # FER2013 PublicTest when it is there; else as many generated faces (a fresh clone)
        dataset=None
        if fer2013_file("publictest") is not None
        else str(generated_set(out.parent / "data", max(limit, SAMPLES))),
        limit=limit,
        report_dir=out,
        progress=False,
        sample_timeout=3.0,
    )
    run = HilRun(cfg)
    if listener is not None:
        run.add_listener(listener)
    try:
        run.prepare()
        run.start()
        run.stream()
    finally:
        run.finish()
    doc: dict[str, Any] = json.loads((out / "results.json").read_text())
    return doc


def test_place_locked_by_someone_else_is_refused(lab: Lab, tmp_path: Path) -> None:
    assert lab.client("-p", lab.places[0], "acquire", user="alice").returncode == 0
    try:
        with pytest.raises(PlaceLockedError, match=r"fthr-sim-1' is locked: .*alice"):
            _run(lab, tmp_path / "out")
        assert lab.acquired_by(lab.places[1]) is None, (
            "places acquired before the refusal are released"
        )
    finally:
        lab.client("-p", lab.places[0], "release", user="alice")


def test_ctrl_c_releases_every_place(lab: Lab, tmp_path: Path) -> None:
    class CtrlC(RunListener):
        def sample_recorded(self, run: HilRun, record: object) -> None:  # type: ignore[override]
            if len(run.records) == 20:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(lab, tmp_path / "out", CtrlC(), limit=90)
    assert all(lab.acquired_by(place) is None for place in lab.places), "released after Ctrl-C"
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert doc["run"]["complete"] is False and len(doc["samples"]) >= 20


def test_publictest_run_across_three_places(lab: Lab, tmp_path: Path) -> None:
    doc = _run(lab, tmp_path / "out")
    samples = doc["samples"]
    assert sorted(s["index"] for s in samples) == list(range(SAMPLES))
    assert all(s["status"] == "ok" and s["match"] for s in samples), [
        (s["index"], s["board"], s["error"]) for s in samples if not s["match"]
    ][:5]
    assert {s["board"] for s in samples} == set(lab.places), "each place took part"
    if fer2013_file("publictest") is not None:
        assert "publictest" in str(doc["dataset"]["path"]).lower(), doc["dataset"]
    assert all(lab.acquired_by(place) is None for place in lab.places), "places released"
    assert doc["boards"][0]["board_id"] == f"labgrid:{lab.places[0]}"


def test_killing_one_board_mid_run_accounts_for_every_sample_once(lab: Lab, tmp_path: Path) -> None:
    class KillSecond(RunListener):
        def sample_recorded(self, run: HilRun, record: object) -> None:  # type: ignore[override]
            if len(run.records) == SAMPLES // 4:
                lab.sims[1].proc.kill()

    doc = _run(lab, tmp_path / "out", KillSecond())
    samples = doc["samples"]
    assert sorted(s["index"] for s in samples) == list(range(SAMPLES)), "each sample exactly once"
    assert all(s["status"] == "ok" and s["match"] for s in samples)
    boards = doc["summary"]["boards"]
    assert boards[lab.places[1]]["taken_out"], boards[lab.places[1]]
    assert all(lab.acquired_by(place) is None for place in lab.places), "places released"
