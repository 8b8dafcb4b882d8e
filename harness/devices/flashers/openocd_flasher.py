r"""Programming through ADI's OpenOCD fork (the MSDK's supported flash path).

Command (``max78000-arithmetic.md`` §5)::

    openocd -s $MAXIM_PATH/Tools/OpenOCD/scripts -f interface/cmsis-dap.cfg
            [-c "adapter serial \"<full serial>\""] -f target/max78000.cfg
            -c "program \"<elf>\" verify reset exit"

The binary is ``$MAXIM_PATH/Tools/OpenOCD/openocd`` when present, else ``openocd`` on PATH,
accepted only when its scripts hold ``target/max78000.cfg`` (mainline OpenOCD has none; the
error then says to install the MSDK). ``adapter serial`` selects the probe by its exact serial
(OpenOCD 0.12+ syntax, which ADI's fork accepts): a probe id that is a unique part of the serial
is expanded from the attached CMSIS-DAP probes first (:mod:`harness.devices.flashers.probes`).
Values
go into the Tcl commands through :func:`harness.devices.flashers.tcl.tcl_quote`. The process runs
under
a timeout and is killed when it overruns.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from harness.devices import processes
from harness.devices.flashers.base import LOWPOWER_LOCKOUT_HINT, FlasherSettings
from harness.devices.flashers.probes import ProbeLister, attached_probe_serials, expand_probe_serial
from harness.devices.flashers.tcl import tcl_quote
from harness.errors import FlashError

LOG = logging.getLogger("ferhil.flash")

TARGET_CFG = Path("target") / "max78000.cfg"

MSDK_HINT = (
    "install ADI's MSDK (https://github.com/analogdevicesinc/msdk) and set MAXIM_PATH to it, "
    "or use --flasher pyocd --pack FILE"
)


def find_openocd(environ: dict[str, str] | None = None) -> tuple[str, Path | None] | None:
    """Return ``(openocd executable, scripts folder or None)`` or ``None`` when not installed."""
    env = os.environ if environ is None else environ
    maxim = env.get("MAXIM_PATH")
    if maxim:
        tools = Path(maxim) / "Tools" / "OpenOCD"
        exe = tools / "openocd"
        if exe.is_file():
            return str(exe), tools / "scripts"
    on_path = shutil.which("openocd", path=env.get("PATH"))
    if on_path is None:
        return None
    scripts = Path(maxim) / "Tools" / "OpenOCD" / "scripts" if maxim else None
    return on_path, scripts if scripts is not None and scripts.is_dir() else None


def max78000_scripts(exe: str, scripts: Path | None) -> Path | None:
    """Return the scripts folder holding ``target/max78000.cfg`` for ``exe``, or None.

    Looks in ``scripts`` (the MSDK's), then beside the binary (``../scripts``,
    ``../share/openocd/scripts``, ``../../share/openocd/scripts``).
    """
    real = Path(exe).resolve().parent
    candidates = [scripts] if scripts is not None else []
    candidates += [
        real / "scripts",
        real.parent / "scripts",
        real.parent / "share" / "openocd" / "scripts",
        real.parent.parent / "share" / "openocd" / "scripts",
    ]
    return next((c for c in candidates if c is not None and (c / TARGET_CFG).is_file()), None)


class OpenOcdFlasher:
    """Flash with ``openocd ... -c "program ELF verify reset exit"`` under a timeout."""

    name = "openocd"

    def __init__(
        self,
        settings: FlasherSettings,
        environ: dict[str, str] | None = None,
        list_probes: ProbeLister = attached_probe_serials,
    ) -> None:
        self.settings = settings
        self.environ = environ
        self.list_probes = list_probes

    def command(self, image: Path) -> list[str]:
        """Return the OpenOCD command line that programs ``image``.

        Raises:
            FlashError: when OpenOCD (with the MAX78000 scripts) is not installed, or the probe
                id matches no or several attached probes.
        """
        found = find_openocd(self.environ)
        if found is None:
            raise FlashError(f"openocd was not found; {MSDK_HINT}")
        exe, given = found
        scripts = max78000_scripts(exe, given)
        if scripts is None:
            raise FlashError(
                f"{exe} has no {TARGET_CFG.as_posix()} (mainline OpenOCD does not support the "
                f"MAX78000; ADI's fork does); {MSDK_HINT}"
            )
        cmd = [exe, "-s", str(scripts), "-f", "interface/cmsis-dap.cfg"]
        if self.settings.probe:
            serial = expand_probe_serial(self.settings.probe, self.list_probes())
            cmd += ["-c", f"adapter serial {tcl_quote(serial)}"]
        program = f"program {tcl_quote(str(image))} verify reset exit"
        cmd += ["-f", TARGET_CFG.as_posix(), "-c", program]
        return cmd

    def flash(self, image: Path) -> None:
        """Program ``image``, verify it and reset the target.

        Raises:
            FlashError: missing image or OpenOCD, non-zero exit (with OpenOCD's last lines),
                timeout.
        """
        if not Path(image).is_file():
            raise FlashError(f"firmware image {image} does not exist; build it first")
        cmd = self.command(Path(image))
        LOG.info("flashing %s with: %s", image, shlex.join(cmd))
        started = time.monotonic()
        try:
            done = processes.run(cmd, timeout=self.settings.timeout_s)
        except subprocess.TimeoutExpired:
            LOG.error("openocd timed out after %g s", self.settings.timeout_s)
            raise FlashError(
                f"openocd did not finish within {self.settings.timeout_s:g} s (--flash-timeout); "
                "check the probe connection, or retry after a power cycle; " + LOWPOWER_LOCKOUT_HINT
            ) from None
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
            LOG.error("openocd exited with code %d: %s", done.returncode, tail)
            hint = ""
            if "max78000.cfg" in tail:
                hint = f" (this OpenOCD lacks the MAX78000 scripts: {MSDK_HINT})"
            raise FlashError(
                f"openocd exited with code {done.returncode}{hint}; its last output:\n{tail}\n"
                + LOWPOWER_LOCKOUT_HINT
            )
        LOG.info("flashed %s in %.1f s", image, time.monotonic() - started)
