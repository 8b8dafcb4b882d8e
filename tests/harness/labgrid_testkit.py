"""A real labgrid lab on loopback: coordinator, exporter and hostsim boards behind ser2net.

:func:`labgrid_lab` launches ``count`` hostsim boards (running ``model``'s firmware, 921,600
baud), serves each pty through Debian's ``ser2net`` as an RFC 2217 port on 127.0.0.1, starts a
``labgrid-coordinator`` and a ``labgrid-exporter`` that exports those ports as
``NetworkSerialPort`` resources, and creates one place per board (tagged
``ferhil_kind=hostsim``). Every server listens on 127.0.0.1 on a free port; everything is stopped
at the end.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from golden.format import QuantModel
from harness.devices.boards.sim_process import SimulatorProcess


def _tool(name: str) -> str:
    """A labgrid console script: on PATH, else next to this Python."""
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def labgrid_skip_reason() -> str | None:
    """Why the lab cannot be started here (``None`` when it can)."""
    if (
        importlib.util.find_spec("labgrid") is None
        or not Path(_tool("labgrid-coordinator")).exists()
    ):
        return "labgrid is not installed (pip install labgrid)"
    if shutil.which("ser2net") is None and not Path("/usr/sbin/ser2net").exists():
        return "ser2net is not installed (apt-get install ser2net)"
    if shutil.which("gcc") is None:
        return "needs gcc to build hostsim"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    """The running lab."""

    coordinator: str
    places: list[str]
    sims: list[SimulatorProcess]
    root: Path

    def client(self, *args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``labgrid-client -x COORDINATOR ARGS`` (as ``user`` when given)."""
        env = {**os.environ, "LG_COORDINATOR": self.coordinator}
        if user is not None:
            env["LG_USERNAME"] = user
        return subprocess.run(
            [_tool("labgrid-client"), "-x", self.coordinator, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def acquired_by(self, place: str) -> str | None:
        """Who holds ``place`` (``None`` when free)."""
        out = self.client("-p", place, "show").stdout
        for line in out.splitlines():
            if line.strip().startswith("acquired:"):
                value = line.split(":", 1)[1].strip()
                return None if value == "None" else value
        raise AssertionError(f"no 'acquired:' line in: {out}")


def _wait(check: object, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise RuntimeError(f"timed out waiting for {what}")


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def labgrid_lab(model: QuantModel, count: int = 3, baud: int = 921600) -> Iterator[Lab]:
    """Start the lab (see the module docstring); yield it; stop everything."""
    from firmware.builder.build import build_firmware

    image = build_firmware("hostsim", model).path
    root = Path(tempfile.mkdtemp(prefix="ferhil-labgrid-"))
    procs: list[subprocess.Popen[str]] = []
    sims: list[SimulatorProcess] = []

    def start(argv: list[str], name: str) -> subprocess.Popen[str]:
        log = (root / f"{name}.log").open("w")
        proc = subprocess.Popen(argv, cwd=root, stdout=log, stderr=subprocess.STDOUT, text=True)
        procs.append(proc)
        return proc

    try:
        ser2net_conf, exporter_conf = [], []
        for k in range(1, count + 1):
            sim = SimulatorProcess([str(image), "--pty", "--baud", str(baud)])
            sims.append(sim)
            port = _free_port()
            ser2net_conf.append(
                f"connection: &sim{k}\n"
                f"  accepter: telnet(rfc2217,mode=server),tcp,127.0.0.1,{port}\n"
                f"  connector: serialdev(nouucplock=true),{sim.first_line},{baud}n81,local\n"
                "  options:\n    max-connections: 1\n"
            )
            exporter_conf.append(
                f"sim-{k}:\n  NetworkSerialPort:\n    host: 127.0.0.1\n    port: {port}\n"
                f"    speed: {baud}\n    protocol: rfc2217\n"
            )
        (root / "ser2net.yaml").write_text("\n".join(ser2net_conf))
        ser2net = shutil.which("ser2net") or "/usr/sbin/ser2net"
        start(
            [ser2net, "-d", "-n", "-c", str(root / "ser2net.yaml"), "-P", str(root / "pid")],
            "ser2net",
        )
        cport = _free_port()
        start([_tool("labgrid-coordinator"), "-l", f"127.0.0.1:{cport}"], "coordinator")
        _wait(lambda: _listening(cport), "labgrid-coordinator")
        (root / "exporter.yaml").write_text("".join(exporter_conf))
        coordinator = f"127.0.0.1:{cport}"
        start(
            [_tool("labgrid-exporter"), "-c", coordinator, "--name", "ferhil-exp",
             "--hostname", "127.0.0.1", str(root / "exporter.yaml")],
            "exporter",
        )  # fmt: skip
        lab = Lab(coordinator, [f"fthr-sim-{k}" for k in range(1, count + 1)], sims, root)
        _wait(
            lambda: lab.client("resources").stdout.count("NetworkSerialPort") >= count,
            "the exporter's resources",
        )
        for k, place in enumerate(lab.places, start=1):
            for args in (
                ("create",),
                ("add-match", f"ferhil-exp/sim-{k}/*"),
                ("set-tags", "ferhil_kind=hostsim"),
            ):
                done = lab.client("-p", place, *args)
                assert done.returncode == 0, done.stderr
        yield lab
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for sim in sims:
            sim.stop()
        shutil.rmtree(root, ignore_errors=True)
