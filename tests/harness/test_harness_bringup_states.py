"""The bring-up state machine of a run: legal transitions are logged, others are refused."""

import logging

import pytest
from harness_testkit import saved_model

from golden.format import load
from harness.devices.boards.fake import FakeBoard
from harness.run.bringup_states import (
    BringUpMachine,
    BringUpState,
    IllegalTransitionError,
    allowed,
)
from harness.run.hil_run import HilRun
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

S = BringUpState


def test_a_whole_run_with_a_recovery_is_a_legal_path(caplog):
    machine = BringUpMachine("fthr")
    path = [
        S.BUILT,
        S.FLASHED,
        S.IDENTIFIED,
        S.STREAMING,
        S.RECOVERED,
        S.RECOVERED,
        S.STREAMED,
        S.STREAMING,
        S.STREAMED,
        S.CLOSED,
    ]
    with caplog.at_level(logging.INFO, logger="ferhil.bringup"):
        for state in path:
            machine.to(state, "why")
    assert machine.state is S.CLOSED
    assert machine.history == (S.PENDING, *path)
    logged = [r.getMessage() for r in caplog.records if r.name == "ferhil.bringup"]
    assert logged[0] == "fthr: pending -> built (why)"
    assert logged[-1] == "fthr: streamed -> closed (why)"
    assert len(logged) == len(path)


@pytest.mark.parametrize(
    ("before", "target"),
    [
        ([], S.STREAMING),  # streaming before the board is up
        ([], S.IDENTIFIED),
        ([S.BUILT], S.IDENTIFIED),  # identified without running the firmware
        ([S.BUILT, S.FLASHED, S.IDENTIFIED], S.RECOVERED),  # recovered while not streaming
        ([S.BUILT, S.FLASHED, S.IDENTIFIED], S.BUILT),  # started twice
        ([S.FAILED], S.BUILT),  # failed is only ever closed
        ([S.FAILED], S.STREAMING),
        ([S.CLOSED], S.FAILED),  # closed is final
        ([S.CLOSED], S.CLOSED),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(before, target):
    machine = BringUpMachine("b")
    for state in before:
        machine.to(state)
    current = machine.state
    with pytest.raises(IllegalTransitionError, match=rf"cannot go from {current.value} to "):
        machine.to(target)
    assert machine.state is current and machine.history[-1] is current


def test_every_live_state_may_fail_or_close():
    for state in S:
        if state is S.CLOSED:
            assert allowed(state) == frozenset()
        elif state is S.FAILED:
            assert allowed(state) == {S.CLOSED}
        else:
            assert {S.FAILED, S.CLOSED} <= allowed(state)


def test_fail_is_a_no_op_once_failed_or_closed():
    machine = BringUpMachine("b")
    machine.fail("no port")
    machine.fail("again")
    machine.to(S.CLOSED)
    machine.fail("after close")
    assert machine.history == (S.PENDING, S.FAILED, S.CLOSED)


def _run(tmp_path, make_board, limit=12):
    load_option_providers()
    cfg = FerhilConfig.defaults(
        board="fake",
        model=str(saved_model(tmp_path)),
        limit=limit,
        report_dir=tmp_path / "r",
        progress=False,
    )
    return HilRun(cfg, make_board=make_board, load_model=load)


def test_a_run_goes_through_the_states_and_a_second_start_is_refused(tmp_path):
    run = _run(tmp_path, lambda spec: FakeBoard(spec, die_after=4))
    run.prepare()
    run.start()
    assert run.states[-1] is S.IDENTIFIED
    with pytest.raises(IllegalTransitionError, match="from identified to built"):
        run.start()
    run.stream()
    run.finish()
    assert run.states[-1] is S.CLOSED
    assert run.states == (
        S.PENDING,
        S.BUILT,
        S.FLASHED,
        S.IDENTIFIED,
        S.STREAMING,
        S.RECOVERED,
        S.STREAMED,
        S.CLOSED,
    )


def test_a_failed_start_ends_failed_then_closed(tmp_path):
    def no_board(spec):
        raise OSError("no such port")

    run = _run(tmp_path, no_board)
    with pytest.raises(OSError, match="no such port"):
        run.start()
    assert run.states[-1] is S.FAILED
    run.finish()
    assert run.states == (S.PENDING, S.FAILED, S.CLOSED)
