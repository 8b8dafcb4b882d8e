"""``ferhil doctor``: what this machine can run, and the exact fix for what is missing.

Every check is bounded in time (probe and VISA discovery run in a worker thread with a
timeout; pyOCD is asked with ``blocking=False``), so doctor never hangs on a stuck USB device.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DISCOVERY_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Check:
    """One line of the doctor's table.

    Attributes:
        name: what was checked.
        ok: whether it is usable.
        detail: version, path or what was found.
        fix: the exact step that makes it usable (empty when ok).
        required: whether the default simulated HIL run needs it.
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = False


def _version(cmd: list[str]) -> str | None:
    exe = shutil.which(cmd[0])
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [exe, *cmd[1:]], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return f"{exe} (no version)"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return f"{lines[0] if lines else 'unknown version'} ({exe})"


def _tool(name: str, cmd: list[str], fix: str, required: bool = False) -> Check:
    found = _version(cmd)
    return Check(name, found is not None, found or "not found", "" if found else fix, required)


def _bounded(work: Callable[[], Any]) -> tuple[Any, str | None]:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except Exception as exc:
            box["error"] = f"{type(exc).__name__}: {exc}"

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(DISCOVERY_TIMEOUT_S)
    if worker.is_alive():
        return None, f"no answer within {DISCOVERY_TIMEOUT_S:g} s"
    return box.get("value"), box.get("error")


def check_msdk() -> Check:
    """ADI's MSDK: where (MAXIM_PATH), its version, and whether a MAX78000FTHR build can run."""
    from firmware.builder.msdk import MsdkOptions, msdk_version, require_msdk
    from firmware.builder.toolchains import ToolchainMissingError

    maxim = os.environ.get("MAXIM_PATH")
    if not maxim:
        return Check(
            "MSDK (MAXIM_PATH)",
            False,
            "MAXIM_PATH is not set",
            "install ADI's MSDK (https://github.com/analogdevicesinc/msdk) and "
            "`export MAXIM_PATH=/path/to/msdk`",
        )
    try:
        root = require_msdk(MsdkOptions(maxim_path=Path(maxim), adi_cnn_dir=None))
    except ToolchainMissingError as exc:
        return Check("MSDK (MAXIM_PATH)", False, maxim, str(exc))
    return Check("MSDK (MAXIM_PATH)", True, f"{root}, version {msdk_version(root)}, usable")


def check_izer() -> Check:
    """ADI's izer (ai8x-synthesis): where, its version, and whether its Python runs it."""
    from firmware.builder.izer import IzerMissingError, find_izer

    try:
        install = find_izer(None)
    except IzerMissingError as exc:
        return Check("izer (FERHIL_IZER)", False, "not configured", str(exc))
    try:
        done = subprocess.run(
            [str(install.python), "-c", "import torch, numpy, yaml"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        usable = done.returncode == 0
        why = (done.stderr.strip().splitlines() or ["?"])[-1]
    except (OSError, subprocess.TimeoutExpired) as exc:
        usable, why = False, str(exc)
    detail = f"{install.root}, version {install.version()}, python {install.python}"
    if usable:
        return Check("izer (FERHIL_IZER)", True, detail + ", usable")
    return Check(
        "izer (FERHIL_IZER)",
        False,
        detail,
        f"izer's Python cannot import its requirements ({why}): set up its venv as its README "
        "says, or set FERHIL_IZER_PYTHON",
    )


def check_openocd() -> Check:
    """ADI's OpenOCD (MSDK) or an openocd on PATH that has target/max78000.cfg."""
    from harness.devices.flashers.openocd_flasher import MSDK_HINT, find_openocd, max78000_scripts

    found = find_openocd()
    if found is None:
        return Check("openocd", False, "not found", MSDK_HINT)
    scripts = max78000_scripts(*found)
    if scripts is None:
        return Check(
            "openocd", False, f"{found[0]} has no target/max78000.cfg (mainline)", MSDK_HINT
        )
    return Check("openocd", True, f"{found[0]} (scripts: {scripts})")


def probe_line(unique_id: str, description: str, port: str) -> str:
    """One probe of the doctor's list with the serial port on the same USB device."""
    return f"{unique_id} ({description}) port {port}"


def check_probes() -> Check:
    """Debug probes pyOCD sees, each with its serial port (never waits for a probe)."""

    def probes() -> list[str]:
        from pyocd.core.helpers import ConnectHelper
        from serial.tools import list_ports

        from harness.devices.ports import probe_port_map

        found = ConnectHelper.get_all_connected_probes(blocking=False, print_wait_message=False)
        ports = probe_port_map([p.unique_id for p in found], list_ports.comports())
        return [probe_line(p.unique_id, p.description, ports[p.unique_id]) for p in found]

    value, error = _bounded(probes)
    fix = "plug in the MAX78000FTHR's USB port (DAPLink); on Linux add a udev rule for 0d28:0204"
    if error:
        return Check("debug probes (pyOCD)", False, error, fix)
    return Check(
        "debug probes (pyOCD)", bool(value), ", ".join(value) or "none", "" if value else fix
    )


def check_serial_ports() -> Check:
    """Serial ports pyserial lists."""
    from serial.tools import list_ports

    ports = [f"{p.device} ({p.description})" for p in list_ports.comports() if p.hwid != "n/a"]
    return Check(
        "serial ports",
        bool(ports),
        ", ".join(ports) or "none",
        "" if ports else "connect the board; on Linux join the dialout group",
    )


def check_visa() -> Check:
    """VISA resources (pyvisa-py backend) for power meters."""

    def resources() -> tuple[str, ...]:
        import warnings

        import pyvisa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # optional pyvisa-py discovery backends
            return tuple(pyvisa.ResourceManager("@py").list_resources("?*"))

    value, error = _bounded(resources)
    fix = "connect the meter (USB/LAN) or use the simulated meter (--meter sim, the default)"
    if error:
        return Check("VISA resources", False, error, fix)
    return Check(
        "VISA resources", bool(value), ", ".join(value or ()) or "none", "" if value else fix
    )


def check_chromium() -> Check:
    """Headless Chromium (PDF/screenshot export of reports)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return _tool("chromium", [name, "--version"], "")
    return Check("chromium", False, "not found", "apt-get install chromium")


def check_data() -> Check:
    """FER2013 archives."""
    from fixtures.paths import fer2013_dir

    root = fer2013_dir()
    return Check(
        "FER2013 data",
        root is not None,
        str(root) if root else "not found",
        ""
        if root
        else "put publictest.npz/train.npz in ../shared/data/fer2013 or set "
        "FERHIL_DATA; runs fall back to a generated set",
    )


def check_zoo() -> Check:
    """Models in the zoo."""
    try:
        from golden.zoo import list_zoo

        names = [e.name for e in list_zoo()]
    except Exception as exc:
        return Check("model zoo", False, str(exc), "train and export a model (ferhil train)")
    return Check(
        "model zoo",
        bool(names),
        ", ".join(names) or "empty",
        "" if names else "train and export a model (ferhil train) or pass --model PATH",
        required=True,
    )


def run_checks() -> list[Check]:
    """Run every check."""
    return [
        _tool("gcc (hostsim)", ["gcc", "--version"], "apt-get install gcc", required=True),
        _tool(
            "arm-none-eabi-gcc (qemu)",
            ["arm-none-eabi-gcc", "--version"],
            "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi",
        ),
        _tool(
            "qemu-system-arm", ["qemu-system-arm", "--version"], "apt-get install qemu-system-arm"
        ),
        check_msdk(),
        check_izer(),
        check_openocd(),
        check_probes(),
        check_serial_ports(),
        check_visa(),
        check_chromium(),
        check_data(),
        check_zoo(),
    ]


def format_checks(checks: list[Check]) -> str:
    """Return the doctor's table."""
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        status = "OK" if c.ok else ("MISSING" if c.required else "missing")
        lines.append(f"{c.name:<{width}}  {status:<7}  {c.detail}")
        if c.fix:
            lines.append(f"{'':<{width}}  {'':<7}  fix: {c.fix}")
    return "\n".join(lines)
