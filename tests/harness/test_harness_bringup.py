from pathlib import Path

import pytest

from firmware.host.agent_errors import AgentReplyError
from firmware.host.protocol import ErrorCode, MessageType
from harness.devices.boards.base import BoardFacts
from harness.devices.boards.fake import fake_hello
from harness.errors import DeviceIdentityError, HarnessError
from harness.run.bringup import ExpectedIdentity, bring_up, identity_mismatches

GOOD = ExpectedIdentity(model_hash="a" * 64, firmware_hash="f" * 64)


class Client:
    def __init__(self, hello):
        self._hello = hello

    def selftest(self):
        raise AgentReplyError(ErrorCode.UNKNOWN_COMMAND, MessageType.SELFTEST, 0, True, 0)

    def hello(self):
        if isinstance(self._hello, Exception):
            raise self._hello
        return self._hello


class Board:
    """Runs `running` until flashed; flashing makes it run `after_flash`."""

    def __init__(self, persistent, running, after_flash):
        self.facts = BoardFacts(
            name="b", kind="k", firmware_board="k", simulated=False, persistent=persistent
        )
        self.running = running
        self.after_flash = after_flash
        self.flashed = []
        self.closed = 0

    def flash(self, image):
        self.flashed.append(image)
        self.running = self.after_flash

    def connect(self):
        return self.running

    def close(self):
        self.closed += 1


def hello(model="a" * 64, firmware="f" * 64):
    return fake_hello(model_hash=model, firmware_hash=firmware)


def test_persistent_board_running_the_right_firmware_is_not_flashed():
    board = Board(True, hello(), hello())
    session = bring_up(board, Path("fw.elf"), GOOD, Client)
    assert not session.flashed and board.flashed == []


def test_mismatch_or_silence_triggers_flash():
    board = Board(True, hello(model="b" * 64), hello())
    assert bring_up(board, Path("fw.elf"), GOOD, Client).flashed
    board = Board(True, TimeoutError("no HELLO"), hello())
    assert bring_up(board, Path("fw.elf"), GOOD, Client).flashed
    assert board.flashed == [Path("fw.elf")]


def test_forced_flash_and_forbidden_flash():
    board = Board(True, hello(), hello())
    assert bring_up(board, Path("fw.elf"), GOOD, Client, flash=True).flashed
    board = Board(True, hello(firmware="0" * 64), hello())
    with pytest.raises(DeviceIdentityError, match="--no-flash forbids"):
        bring_up(board, Path("fw.elf"), GOOD, Client, flash=False)
    assert board.flashed == []


def test_simulated_board_is_always_launched():
    board = Board(False, None, hello())
    assert bring_up(board, Path("sim"), GOOD, Client).flashed


def test_wrong_image_after_flash_is_an_error():
    board = Board(True, hello(model="b" * 64), hello(model="c" * 64))
    with pytest.raises(DeviceIdentityError, match="does not contain the model under test"):
        bring_up(board, Path("fw.elf"), GOOD, Client)
    assert board.closed >= 1


def test_no_image_to_flash():
    board = Board(True, hello(model="b" * 64), hello())
    with pytest.raises(HarnessError, match="no firmware image was built"):
        bring_up(board, None, GOOD, Client)


def test_identity_without_firmware_hash_checks_the_model_only():
    expected = ExpectedIdentity(model_hash="A" * 64, firmware_hash=None)
    assert identity_mismatches(hello(firmware="0"), expected) == []
    assert identity_mismatches(hello(model="b" * 64), expected)[0].startswith("model hash bbbb")


@pytest.mark.parametrize("persistent", [False, True])
def test_failed_bring_up_closes_what_it_opened(persistent):
    # a simulator (not persistent) or a real board that never answers HELLO, even after flashing
    board = Board(persistent, TimeoutError("no HELLO"), TimeoutError("no HELLO"))
    with pytest.raises(TimeoutError):
        bring_up(board, Path("fw.elf"), GOOD, Client)
    assert board.closed >= 1 and board.flashed == [Path("fw.elf")]


def test_failed_connect_closes_the_board():
    class NoLink(Board):
        def connect(self):
            raise OSError("port vanished")

    board = NoLink(False, hello(), hello())
    with pytest.raises(OSError, match="port vanished"):
        bring_up(board, Path("fw.elf"), GOOD, Client)
    assert board.closed == 1
