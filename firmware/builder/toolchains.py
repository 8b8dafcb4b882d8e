"""Compilers the firmware builds use, with clear errors when one is missing.

A :class:`Toolchain` compiles and links a list of C sources into one executable. Three exist:

* ``host-gcc``: the machine's ``gcc`` (Debian package ``gcc``), for the hostsim board;
* ``arm-none-eabi-gcc``: the bare-metal Arm GCC with newlib (Debian packages
  ``gcc-arm-none-eabi`` and ``libnewlib-arm-none-eabi``), for the QEMU board;
* ``msdk``: ADI's MSDK (``make`` in a project directory with ``MAXIM_PATH`` set and
  ``arm-none-eabi-gcc`` on ``PATH``), for the MAX78000FTHR; see :mod:`firmware.builder.msdk`.

Each reports the first line of ``--version`` for the build manifest.
"""

from __future__ import annotations

import logging
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from golden.errors import FerhilError


class ToolchainMissingError(FerhilError, RuntimeError):
    """A compiler or SDK the build needs is not installed; the message says how to install it."""


class FirmwareBuildError(FerhilError, RuntimeError):
    """A compiler or ``make`` run failed; the message holds its output."""


def tool_version(executable: str) -> str:
    """Return the first line of ``executable --version``."""
    out = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    lines = (out.stdout or out.stderr).splitlines()
    return lines[0].strip() if lines else "unknown"


LOG = logging.getLogger("ferhil.firmware")

_ERROR_LINE = re.compile(r"error:|undefined reference|overflowed|\*\*\* ")


def run_tool(argv: Sequence[str], *, cwd: Path | None = None, what: str) -> None:
    """Run a build command; raise :class:`FirmwareBuildError` with its output when it fails."""
    LOG.info("%s: %s%s", what, shlex.join(argv), f" (in {cwd})" if cwd else "")
    started = time.monotonic()
    proc = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, check=False)
    LOG.debug("%s finished in %.1f s (exit %d)", what, time.monotonic() - started, proc.returncode)
    if proc.returncode != 0:
        LOG.error("%s failed with exit %d", what, proc.returncode)
        output = (proc.stdout + proc.stderr).strip()
        errors = [ln for ln in output.splitlines() if _ERROR_LINE.search(ln)][:20]
        first = ("\nfirst errors:\n" + "\n".join(errors)) if errors else ""
        raise FirmwareBuildError(
            f"{what} failed (exit {proc.returncode}):\n  {' '.join(argv)}\n{output[-4000:]}" + first
        )


@dataclass(frozen=True)
class Toolchain:
    """A GCC-style compiler driver that builds a single executable from C sources.

    Attributes:
        name: the registry name (``host-gcc``, ``arm-none-eabi-gcc``).
        executable: the compiler command.
        packages: the Debian packages that install it.
    """

    name: str
    executable: str
    packages: tuple[str, ...]

    def require(self) -> str:
        """Return the compiler's path.

        Raises:
            ToolchainMissingError: naming the Debian packages to install.
        """
        path = shutil.which(self.executable)
        if path is None:
            raise ToolchainMissingError(
                f"{self.executable} is not installed (needed by the {self.name} toolchain); "
                f"install it with: sudo apt-get install {' '.join(self.packages)}"
            )
        return path

    def versions(self) -> dict[str, str]:
        """Return ``{executable: first line of --version}`` for the manifest."""
        return {self.executable: tool_version(self.require())}

    def build(
        self,
        sources: Sequence[Path],
        output: Path,
        *,
        cflags: Sequence[str],
        ldflags: Sequence[str],
        include_dirs: Sequence[Path],
        cwd: Path,
    ) -> None:
        """Compile and link ``sources`` into ``output`` in one compiler call.

        Raises:
            FirmwareBuildError: with the compiler output when the build fails.
        """
        argv = [self.require(), *cflags]
        argv += [f"-I{d}" for d in include_dirs]
        argv += [str(s) for s in sources]
        argv += ["-o", str(output), *ldflags]
        run_tool(argv, cwd=cwd, what=f"{self.name} build of {output.name}")


TOOLCHAINS: dict[str, Toolchain] = {
    "host-gcc": Toolchain("host-gcc", "gcc", ("gcc",)),
    "arm-none-eabi-gcc": Toolchain(
        "arm-none-eabi-gcc", "arm-none-eabi-gcc", ("gcc-arm-none-eabi", "libnewlib-arm-none-eabi")
    ),
}


def get_toolchain(name: str) -> Toolchain:
    """Return the registered toolchain ``name``.

    Raises:
        FirmwareBuildError: for an unknown name.
    """
    try:
        return TOOLCHAINS[name]
    except KeyError:
        raise FirmwareBuildError(
            f"unknown toolchain {name!r}; known: {', '.join(sorted(TOOLCHAINS))}"
        ) from None
