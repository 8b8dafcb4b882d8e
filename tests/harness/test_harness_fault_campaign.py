"""A small fault campaign on the real hostsim board: every sample accounted, none silently
wrong, none duplicated; a dead or hung board is brought back within the configured timeouts."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from harness_testkit import saved_model

from golden.format import load
from harness.run.fault_audit import ArrivalClock, account
from harness.run.faults import FaultPlan
from harness.run.hil_run import HilRun
from harness.run.test_set import generated_dataset
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build hostsim"),
]

TIMEOUT_S = 0.5
ATTEMPTS = 3  # AgentClient's default


def _campaign(tmp_path: Path, inject: str, n: int) -> tuple[HilRun, ArrivalClock]:
    load_option_providers()
    ds = generated_dataset(n, seed=11)
    data = tmp_path / "set.npz"
    np.savez(data, images=ds.images, labels=ds.labels)
    cfg = FerhilConfig.defaults(
        board="hostsim", model=str(saved_model(tmp_path, seed=5)), dataset=str(data),
        report_dir=tmp_path / "out", progress=False, window=4, sample_timeout=TIMEOUT_S,
        inject=inject,
    )  # fmt: skip
    run = HilRun(cfg, load_model=load)
    clock = ArrivalClock()
    run.add_listener(clock)
    try:
        run.prepare()
        run.start()
        run.stream()
    finally:
        run.finish()
    return run, clock


def test_link_faults_leave_every_sample_accounted_and_none_wrong(tmp_path: Path) -> None:
    inject = "drop=0.03,flip=0.03,stall=0.02:0.3s,reset=0.02,seed=3"
    run, clock = _campaign(tmp_path, inject, 120)
    samples = [r.to_json() for r in run.records]
    result = account(samples, 120, recovery_s=clock.recovery_times())
    assert result.all_accounted and result.silently_wrong == 0 and result.duplicated == 0
    assert result.results >= 110  # the retries recovered nearly everything
    assert run.faults is not None and sum(run.faults.counts.values()) >= 10, run.faults.counts
    assert any(n.startswith("fault injection (seed 3)") for n in run.notes)
    assert result.recovery_max() is not None
    assert result.recovery_max() <= 2 * ATTEMPTS * TIMEOUT_S + 1.0


@pytest.mark.parametrize("fault", ["die-after=40", "hang-after=40"])
def test_dead_or_hung_board_recovers_within_the_timeouts(tmp_path: Path, fault: str) -> None:
    run, clock = _campaign(tmp_path, fault, 60)
    result = account([r.to_json() for r in run.records], 60, recovery_s=clock.recovery_times())
    assert result.all_accounted and result.silently_wrong == 0
    assert result.results >= 52  # only the requests in flight when it died are lost
    assert any("board brought up again" in n for n in run.notes), run.notes
    assert result.recovery_max() is not None
    # detection takes ATTEMPTS timeouts; reset + relaunch must fit in the same again
    assert result.recovery_max() <= 2 * ATTEMPTS * TIMEOUT_S + 1.0, result.recovery_s


def test_fault_plan_parsing_and_seeded_determinism() -> None:
    plan = FaultPlan.parse("drop=0.5,flip=0.25,stall=0.1:250ms,reset=0.01,seed=9,die-after=7")
    assert (plan.drop, plan.flip, plan.stall, plan.stall_s) == (0.5, 0.25, 0.1, 0.25)
    assert plan.sim_args() == ("--die-after", "7")

    class Sink:
        def __init__(self) -> None:
            self.data = b""

        def write(self, data: bytes) -> None:
            self.data += data

    outs = []
    for _ in range(2):
        again = FaultPlan.parse("drop=0.3,flip=0.3,seed=9")
        again.armed = True
        sink = Sink()
        link = again.wrap(sink)
        for _ in range(50):
            link.write(bytes(range(1, 200)))
        outs.append(sink.data)
    assert outs[0] == outs[1] and outs[0] != bytes(range(1, 200)) * 50  # same seed, same faults
    assert 0 < again.counts["drop"] < 50 and 0 < again.counts["flip"] < 50
    for bad in ("drop=2", "bogus=1", "stall=0.1:0s", "die-after=0", "drop"):
        with pytest.raises(Exception, match="--inject"):
            FaultPlan.parse(bad)
