"""Programming through ADI's OpenOCD fork (the MSDK's supported flash path).

Command (``max78000-arithmetic.md`` §5)::

    openocd -s $MAXIM_PATH/Tools/OpenOCD/scripts -f interface/cmsis-dap.cfg
            [-c "adapter serial <probe>"] -f target/max78000.cfg
            -c "program <elf> verify reset exit"

The binary is ``$MAXIM_PATH/Tools/OpenOCD/openocd`` when present, else ``openocd`` on PATH
(mainline OpenOCD has no ``target/max78000.cfg``; the error then says to install the MSDK).
``adapter serial`` selects the probe by its serial number (OpenOCD 0.12+ syntax, which ADI's
fork accepts). The process runs under a timeout and is killed when it overruns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from harness import processes
from harness.errors import FlashError
from harness.flashers.base import FlasherSettings

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


class OpenOcdFlasher:
    """Flash with ``openocd ... -c "program ELF verify reset exit"`` under a timeout."""

    name = "openocd"

    def __init__(self, settings: FlasherSettings, environ: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.environ = environ

    def command(self, image: Path) -> list[str]:
        """Return the OpenOCD command line that programs ``image``.

        Raises:
            FlashError: when OpenOCD is not installed.
        """
        found = find_openocd(self.environ)
        if found is None:
            raise FlashError(f"openocd was not found; {MSDK_HINT}")
        exe, scripts = found
        cmd = [exe]
        if scripts is not None:
            cmd += ["-s", str(scripts)]
        cmd += ["-f", "interface/cmsis-dap.cfg"]
        if self.settings.probe:
            cmd += ["-c", f"adapter serial {self.settings.probe}"]
        cmd += ["-f", "target/max78000.cfg", "-c", f"program {image} verify reset exit"]
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
        try:
            done = processes.run(cmd, timeout=self.settings.timeout_s)
        except subprocess.TimeoutExpired:
            raise FlashError(
                f"openocd did not finish within {self.settings.timeout_s:g} s (--flash-timeout); "
                "check the probe connection, or retry after a power cycle"
            ) from None
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
            hint = ""
            if "max78000.cfg" in tail:
                hint = f" (this OpenOCD lacks the MAX78000 scripts: {MSDK_HINT})"
            raise FlashError(
                f"openocd exited with code {done.returncode}{hint}; its last output:\n{tail}"
            )
