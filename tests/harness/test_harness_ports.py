"""Serial ports by probe USB serial number, pyserial URL or path (faked pyserial port lists)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pytest
import serial.tools.list_ports
from serial.tools.list_ports_common import ListPortInfo

from harness.cli import doctor
from harness.devices.ports import port_of_probe, probe_port_map, resolve_port
from harness.devices.transports import open_transport
from harness.errors import ConfigError


def _port(device: str, serial_number: str | None, vid: int = 0x0D28, pid: int = 0x0204) -> Any:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial_number
    info.description = f"DAPLink CMSIS-DAP {serial_number}"
    info.hwid = f"USB VID:PID={vid:04X}:{pid:04X} SER={serial_number}"
    return info


LAB = [
    _port("/dev/ttyACM0", "04440001A1B2C3D4"),
    _port("/dev/ttyACM1", "04440001FFEE0011"),
    _port("/dev/ttyUSB0", "A50285BI", vid=0x0403, pid=0x6001),  # an FTDI cable
]


def _lister(ports: Sequence[Any] = LAB) -> Any:
    return lambda: list(ports)


def test_probe_id_names_its_tty() -> None:
    assert port_of_probe("04440001a1b2c3d4", LAB) == "/dev/ttyACM0"  # case-insensitive
    assert port_of_probe("FFEE", LAB) == "/dev/ttyACM1"  # a unique part
    assert resolve_port(None, "A1B2C3D4", _lister()) == "/dev/ttyACM0"
    assert resolve_port("probe:FFEE0011", None, _lister()) == "/dev/ttyACM1"
    with pytest.raises(ConfigError, match="matches several ports"):
        port_of_probe("04440001", LAB)
    with pytest.raises(ConfigError, match=r"no serial port belongs to probe '0999'.*ttyACM0"):
        port_of_probe("0999", LAB)


def test_urls_and_paths_are_used_as_given() -> None:
    for port in ("rfc2217://10.0.0.7:3001", "socket://127.0.0.1:5555", "hwgrep://FFEE", "COM5"):
        assert resolve_port(port, "A1B2", _lister()) == port


def test_without_port_or_probe_only_a_single_daplink_is_taken() -> None:
    assert resolve_port(None, None, _lister(LAB[:1] + LAB[2:])) == "/dev/ttyACM0"
    with pytest.raises(ConfigError, match=r"ttyACM0.*ttyACM1"):
        resolve_port(None, None, _lister())


def test_doctor_lists_each_probe_with_its_port(monkeypatch: pytest.MonkeyPatch) -> None:
    helpers = pytest.importorskip("pyocd.core.helpers")

    class Probe:
        def __init__(self, uid: str) -> None:
            self.unique_id, self.description = uid, "Maxim DAPLink CMSIS-DAP"

    probes = [Probe("04440001A1B2C3D4"), Probe("04440001FFEE0011"), Probe("0444000199990000")]
    monkeypatch.setattr(
        helpers.ConnectHelper, "get_all_connected_probes", staticmethod(lambda **_: probes)
    )
    monkeypatch.setattr(serial.tools.list_ports, "comports", _lister())
    check = doctor.check_probes()
    assert check.ok
    assert "04440001A1B2C3D4 (Maxim DAPLink CMSIS-DAP) port /dev/ttyACM0" in check.detail
    assert "04440001FFEE0011 (Maxim DAPLink CMSIS-DAP) port /dev/ttyACM1" in check.detail
    assert "0444000199990000 (Maxim DAPLink CMSIS-DAP) port no matching port" in check.detail
    assert probe_port_map(["A50285BI"], LAB) == {"A50285BI": "/dev/ttyUSB0"}


def test_hwgrep_and_loop_urls_open_real_links(monkeypatch: pytest.MonkeyPatch) -> None:
    master, slave = os.openpty()
    try:
        pty = _port(os.ttyname(slave), "04440001CAFE0001")
        monkeypatch.setattr(serial.tools.list_ports, "comports", lambda *a, **k: [pty])
        link = open_transport("hwgrep://CAFE0001", baud=921600, timeout=1.0)
        try:
            os.write(master, b"hello")
            assert link.read(5) == b"hello"
        finally:
            link.close()
    finally:
        os.close(master)
        os.close(slave)
    loop = open_transport("loop://", baud=115200, timeout=0.5)
    loop.write(b"ping")
    assert loop.read(4) == b"ping"
    loop.close()
