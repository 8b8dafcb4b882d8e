"""The Board base class: the life cycle written once, and declared capabilities."""

from pathlib import Path

import numpy as np
import pytest
from harness_testkit import saved_model

from firmware.host.messages import BenchResult, HelloInfo, InferResult
from golden.format import load
from harness.devices.boards.base import Board, BoardFacts, BoardSpec, Capability
from harness.devices.boards.fake import FakeBoard
from harness.devices.boards.hostsim import HostsimBoard
from harness.devices.boards.max78000fthr import Max78000FthrBoard
from harness.devices.boards.qemu import QemuBoard
from harness.errors import HarnessError


class Link:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def write(self, data: bytes) -> int:
        return len(data)

    def read(self, size: int = 1) -> bytes:
        return b""

    def close(self) -> None:
        self.log.append("link closed")


class Recording(Board):
    """Records the hooks the base calls."""

    def __init__(self) -> None:
        spec = BoardSpec(name="r", kind="r")
        super().__init__(spec, BoardFacts("r", "r", "r", simulated=True, persistent=False))
        self.log: list[str] = []

    def _program(self, image: Path) -> None:
        self.log.append(f"program {image.name}")

    def _open_link(self) -> Link:
        self.log.append("open")
        return Link(self.log)

    def _stop(self) -> None:
        self.log.append("stop")

    def _release(self) -> None:
        self.log.append("release")


def test_life_cycle_runs_the_hooks_in_order() -> None:
    board = Recording()
    board.flash(Path("fw.elf"))
    assert board.connect() is board.connect(), "connect opens the link once"
    board.flash(Path("fw2.elf"))  # closes the link and stops what runs first
    board.close()
    assert board.log == [
        "stop", "program fw.elf", "open",
        "link closed", "stop", "program fw2.elf",
        "stop", "release",
    ]  # fmt: skip
    assert board.link is None


def test_missing_capability_is_a_clear_error() -> None:
    board = Recording()
    assert not any(board.has(c) for c in Capability)
    with pytest.raises(HarnessError, match="lacks capability own-client"):
        board.make_client(Link([]))
    with pytest.raises(HarnessError, match="lacks capability builds-own-image"):
        board.build_image(None)  # type: ignore[arg-type]
    assert board.gpio_log() is None


def test_every_board_kind_declares_its_capabilities(tmp_path: Path) -> None:
    log = tmp_path / "gpio.log"
    fake = FakeBoard(BoardSpec(name="f", kind="fake", gpio_log=log))
    assert fake.has(Capability.OWN_CLIENT) and fake.has(Capability.BUILDS_OWN_IMAGE)
    assert not fake.has(Capability.GPIO_LOG) and not fake.has(Capability.PERSISTENT)
    hostsim = HostsimBoard(BoardSpec(name="h", kind="hostsim", gpio_log=log))
    assert hostsim.has(Capability.GPIO_LOG) and hostsim.gpio_log() == log
    assert not hostsim.has(Capability.OWN_CLIENT)
    assert not HostsimBoard(BoardSpec(name="h", kind="hostsim")).has(Capability.GPIO_LOG)
    qemu = QemuBoard(BoardSpec(name="q", kind="qemu", gpio_log=log))
    assert not qemu.has(Capability.GPIO_LOG) and qemu.gpio_log() is None
    fthr = Max78000FthrBoard(BoardSpec(name="b", kind="max78000fthr", probe="0444"))
    assert fthr.has(Capability.PERSISTENT) and not fthr.has(Capability.BUILDS_OWN_IMAGE)


def test_fake_board_speaks_the_real_message_types(tmp_path: Path) -> None:
    model = load(saved_model(tmp_path))
    board = FakeBoard(BoardSpec(name="f", kind="fake"))
    image, _ = board.build_image(model)
    board.flash(image)
    client = board.make_client(board.connect())
    hello = client.hello()
    assert isinstance(hello, HelloInfo) and hello.model_hash == model.hash()
    x = np.zeros(model.input_shape, np.int8)
    (reply,) = client.infer_stream([(0, x)])
    assert isinstance(reply, InferResult) and reply.ok and reply.seq == 0
    assert isinstance(client.infer(client.allocate_seq(), x), InferResult)
    bench = client.bench(4)
    assert isinstance(bench, BenchResult) and bench.iterations == 4
    board.close()
    assert board.model is None and board.link is None
