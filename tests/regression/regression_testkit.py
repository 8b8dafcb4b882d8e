"""Shared helpers of the regression tests: results documents and a throwaway PostgreSQL server."""

from __future__ import annotations

import contextlib
import copy
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reports.sample_data import make_results


def results(
    run_id: str,
    *,
    version: str = "1",
    started: str = "2026-11-20T10:00:00+00:00",
    accuracy: float = 0.6,
    complete: bool = True,
    board_kind: str = "hostsim",
    dataset: str = "set-a",
    seed: int = 0,
    n: int = 40,
    failed_tests: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A realistic results document (the reports helper's generator) with our id and lineage."""
    doc = make_results(
        seed=seed,
        n_samples=n,
        accuracy=accuracy,
        model_version=version,
        board_kind=board_kind,
        complete=complete,
        started=started,
        dataset_name=dataset,
        failed_tests=failed_tests,
    )
    doc = copy.deepcopy(doc)
    doc["run"]["id"] = run_id
    return doc


def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding initdb and pg_ctl, if any."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    for initdb in reversed(found):
        folder = Path(initdb).parent
        if (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb refuses to run as root)."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


def postgres_skip_reason() -> str | None:
    """Why a throwaway PostgreSQL cannot be started here (``None`` when it can)."""
    if postgres_bin() is None:
        return "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not installed"
    if os.geteuid() == 0 and (shutil.which("runuser") is None):
        return "running as root without runuser to drop to the postgres user"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user for initdb"
    return None


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a private PostgreSQL (unix socket only, free port); yield its admin URL."""
    bin_dir = postgres_bin()
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="ferhil-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 60}
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "--no-sync", "-E", "UTF8"]),
        **run,
    )  # fmt: skip
    options = f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                      "-l", str(root / "server.log"), "-w", "-t", "30", "start"]),
        **run,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg2://postgres@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                          "stop"]),
            check=False, capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(admin_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``admin_url``; return its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.replace("@/postgres?", f"@/{name}?")
