"""pyOCD and OpenOCD flashers, faked at the pyOCD API boundary and the openocd executable."""

import json
import os
import stat
import sys
import time
import zipfile
from types import SimpleNamespace

import pytest

from harness.devices.flashers import FlasherSettings, create_flasher
from harness.devices.flashers.openocd_flasher import OpenOcdFlasher
from harness.devices.flashers.pyocd_flasher import PyOcdFlasher
from harness.devices.flashers.tcl import tcl_quote
from harness.errors import ConfigError, FlashError


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


PDSC = """<?xml version="1.0" encoding="UTF-8"?>
<package schemaVersion="1.4" xmlns:xs="http://www.w3.org/2001/XMLSchema-instance">
  <vendor>Maxim</vendor><name>{name}</name>
  <devices><family Dfamily="{name}" Dvendor="Maxim:23">
    <device Dname="{name}"><processor Dcore="Cortex-M4"/></device>
  </family></devices>
</package>
"""


def make_pack(path, device="MAX78000", pdsc=True):
    with zipfile.ZipFile(path, "w") as archive:
        if pdsc:
            archive.writestr(f"Maxim.{device}.pdsc", PDSC.format(name=device))
        archive.writestr("Flash/MAX78000.FLM", b"\0")
    return path


@pytest.fixture
def pack(tmp_path):
    return make_pack(tmp_path / "Maxim.MAX78000.1.0.0.pack")


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


FULL_SERIAL = "044400000e5d4a7e00000000000000000000000097969906"  # 48 hex, as on the FTHR
RECORD = "import json, os\njson.dump(sys.argv[1:], open(os.environ['FERHIL_OPENOCD_LOG'], 'w'))"


def fake_openocd(tmp_path, body, with_cfg=True):
    tools = tmp_path / "msdk" / "Tools" / "OpenOCD"
    (tools / "scripts" / "target").mkdir(parents=True)
    if with_cfg:
        (tools / "scripts" / "target" / "max78000.cfg").write_text("# ADI\n")
    exe = tools / "openocd"
    exe.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return {
        "MAXIM_PATH": str(tmp_path / "msdk"),
        "PATH": os.environ.get("PATH", ""),
        "FERHIL_OPENOCD_LOG": str(tmp_path / "argv.json"),
    }


def test_openocd_command_line_uses_msdk_scripts_and_full_adapter_serial(
    tmp_path, image, monkeypatch
):
    env = fake_openocd(tmp_path, RECORD)
    monkeypatch.setenv("FERHIL_OPENOCD_LOG", env["FERHIL_OPENOCD_LOG"])
    probes = lambda: [FULL_SERIAL, "0444000011112222"]  # noqa: E731
    flasher = OpenOcdFlasher(FlasherSettings(probe="97969906"), environ=env, list_probes=probes)
    flasher.flash(image)
    scripts = tmp_path / "msdk" / "Tools" / "OpenOCD" / "scripts"
    argv = json.loads((tmp_path / "argv.json").read_text())
    assert argv == [
        "-s",
        str(scripts),
        "-f",
        "interface/cmsis-dap.cfg",
        "-c",
        f'adapter serial "{FULL_SERIAL}"',
        "-f",
        "target/max78000.cfg",
        "-c",
        f'program "{image}" verify reset exit',
    ]


def test_openocd_probe_id_must_match_exactly_one_attached_probe(tmp_path, image):
    env = fake_openocd(tmp_path, "sys.exit(0)")
    probes = lambda: [FULL_SERIAL, "04440000aaaa"]  # noqa: E731
    with pytest.raises(FlashError, match=r"2 attached probes match '0444'"):
        OpenOcdFlasher(FlasherSettings(probe="0444"), env, probes).command(image)
    with pytest.raises(FlashError, match=r"no attached CMSIS-DAP probe has 'ffff'"):
        OpenOcdFlasher(FlasherSettings(probe="ffff"), env, probes).command(image)


def test_openocd_paths_are_tcl_quoted(tmp_path):
    env = fake_openocd(tmp_path, "sys.exit(0)")
    image = tmp_path / 'my [fw] $HOME "x" {y}.elf'
    image.write_bytes(b"x")
    cmd = OpenOcdFlasher(FlasherSettings(), env).command(image)
    program = cmd[-1]
    assert program.startswith('program "') and program.endswith('" verify reset exit')
    assert "\\[fw\\]" in program and "\\$HOME" in program and '\\"x\\"' in program
    assert tcl_quote("a\\b") == '"a\\\\b"'
    with pytest.raises(FlashError, match="control characters"):
        tcl_quote("a\nb")


def test_openocd_without_max78000_scripts_is_refused(tmp_path, image):
    env = fake_openocd(tmp_path, "sys.exit(0)", with_cfg=False)
    with pytest.raises(FlashError, match=r"no target/max78000.cfg.*ADI's fork"):
        OpenOcdFlasher(FlasherSettings(), env).command(image)


def test_openocd_on_path_needs_its_max78000_cfg(tmp_path, image):
    bindir = tmp_path / "usr" / "bin"
    bindir.mkdir(parents=True)
    exe = bindir / "openocd"
    exe.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(0)\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": str(bindir)}
    with pytest.raises(FlashError, match=r"mainline OpenOCD"):
        OpenOcdFlasher(FlasherSettings(), env).command(image)
    target = tmp_path / "usr" / "share" / "openocd" / "scripts" / "target"
    target.mkdir(parents=True)
    (target / "max78000.cfg").write_text("# ADI fork\n")
    cmd = OpenOcdFlasher(FlasherSettings(), env).command(image)
    assert cmd[:3] == [str(exe), "-s", str(target.parent)]


def test_fthr_default_flasher_is_openocd():
    from harness.devices.boards.max78000fthr import DEFAULT_FLASHER

    assert DEFAULT_FLASHER == "openocd"


def test_openocd_failure_timeout_and_absence(tmp_path, image):
    env = fake_openocd(
        tmp_path, "print('Error: unable to find a matching CMSIS-DAP device')\nsys.exit(1)"
    )
    with pytest.raises(FlashError, match=r"(?s)exited with code 1.*CMSIS-DAP.*low-power lock-out"):
        OpenOcdFlasher(FlasherSettings(), environ=env).flash(image)
    env = fake_openocd(tmp_path / "slow", "time.sleep(10)")
    with pytest.raises(FlashError, match=r"did not finish within 0.5 s"):
        OpenOcdFlasher(FlasherSettings(timeout_s=0.5), environ=env).flash(image)
    with pytest.raises(FlashError, match=r"openocd was not found.*MAXIM_PATH"):
        OpenOcdFlasher(FlasherSettings(), environ={"PATH": ""}).command(image)


def test_pack_must_describe_the_target(monkeypatch, image, tmp_path):
    install(monkeypatch, FakePyOcd(["0444"]))
    other = make_pack(tmp_path / "Maxim.MAX32670.pack", device="MAX32670")
    with pytest.raises(FlashError, match=r"describes MAX32670, not 'max78000'"):
        PyOcdFlasher(settings(other)).flash(image)
    empty = make_pack(tmp_path / "nopdsc.pack", pdsc=False)
    with pytest.raises(FlashError, match=r"holds no .pdsc"):
        PyOcdFlasher(settings(empty)).flash(image)
    junk = tmp_path / "junk.pack"
    junk.write_bytes(b"PK not a zip")
    with pytest.raises(FlashError, match=r"not a readable pack"):
        PyOcdFlasher(settings(junk)).flash(image)


def test_target_from_pyocd_pack_cache_needs_no_pack_file(monkeypatch, image):
    import pyocd.target.pack.pack_target as pack_target

    fake = FakePyOcd(["0444"])
    install(monkeypatch, fake)
    device = SimpleNamespace(part_number="MAX78000")
    monkeypatch.setattr(
        pack_target.ManagedPacks, "get_installed_targets", staticmethod(lambda: [device])
    )
    PyOcdFlasher(settings(None)).flash(image)
    assert ("program", str(image)) in fake.calls
