"""pyOCD and OpenOCD flashers, faked at the pyOCD API boundary and the openocd executable."""

import os
import stat
import sys
import time
from types import SimpleNamespace

import pytest

from harness.errors import ConfigError, FlashError
from harness.flashers import FlasherSettings, create_flasher
from harness.flashers.openocd_flasher import OpenOcdFlasher
from harness.flashers.pyocd_flasher import PyOcdFlasher


class FakePyOcd:
    """Stands in for pyocd.core.helpers.ConnectHelper and pyocd.flash.file_programmer."""

    def __init__(self, probes, program_delay=0.0, program_error=None):
        self.probes = [
            SimpleNamespace(unique_id=u, description="DAPLink CMSIS-DAP") for u in probes
        ]
        self.program_delay = program_delay
        self.program_error = program_error
        self.calls = []
        fake = self

        class Session:
            def __init__(self, kwargs):
                self.kwargs = kwargs
                self.board = SimpleNamespace(target=SimpleNamespace(reset=self.reset))

            def reset(self):
                fake.calls.append(("reset",))

            def __enter__(self):
                fake.calls.append(("open",))
                return self

            def __exit__(self, *exc):
                fake.calls.append(("close",))

        class ConnectHelper:
            @staticmethod
            def get_all_connected_probes(blocking=True, unique_id=None, print_wait_message=True):
                assert blocking is False, "the flasher must never block waiting for a probe"
                return [p for p in fake.probes if unique_id is None or unique_id in p.unique_id]

            @staticmethod
            def session_with_chosen_probe(**kwargs):
                assert kwargs["blocking"] is False and kwargs["return_first"] is True
                fake.calls.append(("session", kwargs))
                matches = [p for p in fake.probes if kwargs["unique_id"] in p.unique_id]
                return Session(kwargs) if matches else None

        class FileProgrammer:
            def __init__(self, session, **kwargs):
                fake.calls.append(("programmer", kwargs))

            def program(self, path):
                if fake.program_delay:
                    time.sleep(fake.program_delay)
                if fake.program_error:
                    raise fake.program_error
                fake.calls.append(("program", path))

        self.ConnectHelper = ConnectHelper
        self.FileProgrammer = FileProgrammer


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "max78000.elf"
    path.write_bytes(b"\x7fELF fake")
    return path


@pytest.fixture
def pack(tmp_path):
    path = tmp_path / "Maxim.MAX78000.1.0.0.pack"
    path.write_bytes(b"PK")
    return path


def install(monkeypatch, fake):
    import pyocd.core.helpers
    import pyocd.flash.file_programmer

    monkeypatch.setattr(pyocd.core.helpers, "ConnectHelper", fake.ConnectHelper)
    monkeypatch.setattr(pyocd.flash.file_programmer, "FileProgrammer", fake.FileProgrammer)


def settings(pack, **kw):
    base = dict(pack=pack, probe_wait_s=0.0, timeout_s=5.0)
    base.update(kw)
    return FlasherSettings(**base)


def test_success_selects_probe_by_uid_and_passes_options(monkeypatch, image, pack):
    fake = FakePyOcd(["0444000011112222", "0444000033334444"])
    install(monkeypatch, fake)
    flasher = PyOcdFlasher(settings(pack, probe="3333", connect_mode="under-reset"))
    flasher.flash(image)
    assert flasher.probe == "0444000033334444"
    session = next(c[1] for c in fake.calls if c[0] == "session")
    assert session["unique_id"] == "0444000033334444"
    assert session["options"] == {
        "target_override": "max78000",
        "frequency": 4_000_000,
        "connect_mode": "under-reset",
        "pack": str(pack),
    }
    names = [c[0] for c in fake.calls]
    assert names == ["session", "open", "programmer", "program", "reset", "close"]
    assert ("program", str(image)) in fake.calls


def test_missing_probe_is_a_clear_error(monkeypatch, image, pack):
    install(monkeypatch, FakePyOcd([]))
    with pytest.raises(FlashError, match=r"no debug probe at all is connected"):
        PyOcdFlasher(settings(pack)).flash(image)
    install(monkeypatch, FakePyOcd(["0444000011112222"]))
    with pytest.raises(FlashError, match=r"matching unique id 'ffff'"):
        PyOcdFlasher(settings(pack, probe="ffff")).flash(image)


def test_several_probes_need_a_uid(monkeypatch, image, pack):
    install(monkeypatch, FakePyOcd(["0444000011112222", "0444000033334444"]))
    with pytest.raises(FlashError, match=r"2 debug probes match; pass --probe UID"):
        PyOcdFlasher(settings(pack)).flash(image)


def test_missing_pack_says_how_to_get_it(monkeypatch, image, tmp_path):
    fake = FakePyOcd(["0444000011112222"])
    install(monkeypatch, fake)
    with pytest.raises(FlashError, match=r"no built-in 'max78000' target.*--pack FILE"):
        PyOcdFlasher(settings(None)).flash(image)
    with pytest.raises(FlashError, match=r"does not exist"):
        PyOcdFlasher(settings(tmp_path / "missing.pack")).flash(image)
    assert fake.calls == [], "the probe must not be touched without a usable target"


def test_builtin_target_needs_no_pack(monkeypatch, image):
    install(monkeypatch, FakePyOcd(["0444000011112222"]))
    PyOcdFlasher(settings(None, target="max32660")).flash(image)


def test_timeout_never_waits_forever(monkeypatch, image, pack):
    install(monkeypatch, FakePyOcd(["0444000011112222"], program_delay=2.0))
    start = time.monotonic()
    with pytest.raises(FlashError, match=r"did not finish programming within 0.3 s"):
        PyOcdFlasher(settings(pack, timeout_s=0.3)).flash(image)
    assert time.monotonic() - start < 1.5


def test_pyocd_errors_are_wrapped_with_recovery_hint(monkeypatch, image, pack):
    install(
        monkeypatch, FakePyOcd(["0444000011112222"], program_error=RuntimeError("cannot read IDR"))
    )
    with pytest.raises(FlashError, match=r"cannot read IDR.*under-reset"):
        PyOcdFlasher(settings(pack)).flash(image)


def test_missing_image(pack, tmp_path):
    with pytest.raises(FlashError, match=r"does not exist; build it first"):
        PyOcdFlasher(settings(pack)).flash(tmp_path / "none.elf")


def test_registry():
    assert isinstance(create_flasher("openocd", FlasherSettings()), OpenOcdFlasher)
    with pytest.raises(ConfigError, match=r"known: openocd, pyocd"):
        create_flasher("jlink", FlasherSettings())


def fake_openocd(tmp_path, body):
    tools = tmp_path / "msdk" / "Tools" / "OpenOCD"
    (tools / "scripts").mkdir(parents=True)
    exe = tools / "openocd"
    exe.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return {"MAXIM_PATH": str(tmp_path / "msdk"), "PATH": os.environ.get("PATH", "")}


def test_openocd_command_line_uses_msdk_scripts_and_adapter_serial(tmp_path, image):
    env = fake_openocd(tmp_path, "sys.exit(0)")
    flasher = OpenOcdFlasher(FlasherSettings(probe="04440001"), environ=env)
    cmd = flasher.command(image)
    scripts = tmp_path / "msdk" / "Tools" / "OpenOCD" / "scripts"
    assert cmd[1:] == [
        "-s",
        str(scripts),
        "-f",
        "interface/cmsis-dap.cfg",
        "-c",
        "adapter serial 04440001",
        "-f",
        "target/max78000.cfg",
        "-c",
        f"program {image} verify reset exit",
    ]
    flasher.flash(image)


def test_openocd_failure_timeout_and_absence(tmp_path, image):
    env = fake_openocd(
        tmp_path, "print('Error: unable to find a matching CMSIS-DAP device')\nsys.exit(1)"
    )
    with pytest.raises(FlashError, match=r"(?s)exited with code 1.*CMSIS-DAP"):
        OpenOcdFlasher(FlasherSettings(), environ=env).flash(image)
    env = fake_openocd(tmp_path / "slow", "time.sleep(10)")
    with pytest.raises(FlashError, match=r"did not finish within 0.5 s"):
        OpenOcdFlasher(FlasherSettings(timeout_s=0.5), environ=env).flash(image)
    with pytest.raises(FlashError, match=r"openocd was not found.*MAXIM_PATH"):
        OpenOcdFlasher(FlasherSettings(), environ={"PATH": ""}).command(image)
