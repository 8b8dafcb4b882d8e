"""Transports and boards against real ptys, sockets and stand-in simulator processes."""

import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from serial.tools.list_ports_common import ListPortInfo

from harness.devices.boards import BoardSpec, create_board
from harness.devices.boards import max78000fthr as fthr_module
from harness.devices.boards import qemu as qemu_module
from harness.devices.boards.hostsim import HostsimBoard
from harness.devices.boards.qemu import QemuBoard
from harness.devices.transports import open_transport, scheme_of
from harness.errors import ConfigError, TransportError

ECHO_SIM = """
import os, pty, sys, tty
master, slave = pty.openpty()
tty.setraw(slave)
with open(sys.argv[0] + ".argv", "w") as f:
    f.write(" ".join(sys.argv[1:]))
print(os.ttyname(slave), flush=True)
while True:
    try:
        data = os.read(master, 4096)
    except OSError:
        break
    if not data:
        break
    os.write(master, data)
"""


def read_exactly(link, n, timeout=3.0):
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < n and time.monotonic() < deadline:
        data += link.read(n - len(data))
    return data


@pytest.fixture
def echo_server():
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                while data := conn.recv(4096):
                    conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


def test_serial_transport_on_a_pty():
    master, slave = os.openpty()
    link = open_transport(os.ttyname(slave), baud=115200, timeout=1.0)
    try:
        payload = bytes(range(256))
        os.write(master, payload)
        assert read_exactly(link, 256) == payload
        link.write(b"\x00abc")
        assert os.read(master, 4) == b"\x00abc"
    finally:
        link.close()
        os.close(master)
        os.close(slave)


def test_socket_transport(echo_server):
    link = open_transport(f"socket://127.0.0.1:{echo_server}", timeout=1.0)
    link.write(b"\x00\xffping")
    assert read_exactly(link, 6) == b"\x00\xffping"
    link.close()


def test_absent_port_retries_then_fails_clearly(tmp_path):
    start = time.monotonic()
    with pytest.raises(TransportError, match=r"cannot open .*ttyACM9.*ferhil doctor"):
        open_transport(str(tmp_path / "ttyACM9"), wait_s=0.3)
    assert time.monotonic() - start >= 0.3
    with pytest.raises(TransportError, match=r"no transport for 'nope://x'"):
        open_transport("nope://x")
    assert scheme_of("/dev/ttyACM0") == "serial" and scheme_of("socket://h:1") == "socket"


def fake_sim(tmp_path, body=ECHO_SIM):
    exe = tmp_path / "hostsim"
    exe.write_text(f"#!{sys.executable}\n{body}")
    exe.chmod(0o755)
    return exe


def test_hostsim_launches_connects_and_stops(tmp_path):
    exe = fake_sim(tmp_path)
    spec = BoardSpec(
        name="hostsim", kind="hostsim", baud=921600, gpio_log=tmp_path / "g.log", read_timeout_s=1.0
    )
    board = create_board(spec)
    assert isinstance(board, HostsimBoard) and board.facts.simulated
    assert not board.facts.persistent and board.facts.firmware_board == "hostsim"
    with pytest.raises(TransportError, match=r"not running"):
        board.connect()
    board.flash(exe)
    try:
        argv = Path(str(exe) + ".argv").read_text().split()
        assert argv == ["--pty", "--baud", "921600", "--gpio-log", str(tmp_path / "g.log")]
        link = board.connect()
        link.write(b"hello\x00")
        assert read_exactly(link, 6) == b"hello\x00"
        proc = board.process.proc
    finally:
        board.close()
    assert proc.poll() is not None, "close() must stop the simulator"


def test_hostsim_that_never_announces_is_an_error(tmp_path):
    exe = fake_sim(tmp_path, "import sys\nsys.exit(3)\n")
    board = HostsimBoard(BoardSpec(name="hostsim", kind="hostsim"))
    with pytest.raises(TransportError, match=r"did not announce its link"):
        board.flash(exe)
    with pytest.raises(TransportError, match=r"does not exist"):
        board.flash(tmp_path / "missing")


def test_qemu_board_uses_launcher_socket(tmp_path, monkeypatch, echo_server):
    calls = []

    class Handle:  # QemuProcess's API: url, close()
        url = f"socket://127.0.0.1:{echo_server}"

        def close(self):
            calls.append("stop")

    def start_qemu(elf, icount_shift, **kwargs):
        calls.append((Path(elf).name, icount_shift))
        return Handle()

    monkeypatch.setattr(qemu_module.qemu_launch, "start_qemu", start_qemu)
    elf = tmp_path / "app.elf"
    elf.write_bytes(b"elf")
    board = QemuBoard(
        BoardSpec(name="qemu", kind="qemu", read_timeout_s=1.0, gpio_log=tmp_path / "g.log")
    )
    assert board.spec.gpio_log is None and board.facts.firmware_board == "qemu_mps2_an386"
    board.flash(elf)
    link = board.connect()
    link.write(b"abc")
    assert read_exactly(link, 3) == b"abc"
    board.close()
    assert calls == [("app.elf", 7), "stop"]


class RecordingFlasher:
    name = "fake"

    def __init__(self):
        self.images = []

    def flash(self, image):
        self.images.append(image)


def test_fthr_port_resolution(monkeypatch):
    board = create_board(BoardSpec(name="fthr", kind="max78000fthr", probe="0444"))
    assert board.facts.persistent and not board.facts.simulated
    assert board.facts.probe == "openocd:0444"  # ADI's OpenOCD is the FTHR default
    monkeypatch.setattr(fthr_module.list_ports, "comports", lambda: [])
    with pytest.raises(ConfigError, match=r"no serial port belongs to probe '0444'"):
        board.port()
    acm = ListPortInfo("/dev/ttyACM3", skip_link_detection=True)
    acm.vid, acm.pid, acm.serial_number = 0x0D28, 0x0204, "04440001A1B2C3D4"
    monkeypatch.setattr(fthr_module.list_ports, "comports", lambda: [acm])
    assert board.port() == "/dev/ttyACM3"


def test_fthr_flash_closes_console_then_programs(tmp_path):
    master, slave = os.openpty()
    try:
        board = create_board(
            BoardSpec(
                name="fthr",
                kind="max78000fthr",
                flasher="openocd",
                port=os.ttyname(slave),
                read_timeout_s=0.5,
            )
        )
        board.flasher = RecordingFlasher()
        link = board.connect()
        assert board.connect() is link
        board.flash(tmp_path / "max78000.elf")
        assert board.flasher.images == [tmp_path / "max78000.elf"]
        assert board.link is None, "the console is reopened after programming"
        board.close()
    finally:
        os.close(master)
        os.close(slave)


def test_unknown_kind():
    with pytest.raises(ConfigError, match=r"unknown board kind 'stm32'"):
        create_board(BoardSpec(name="x", kind="stm32"))
