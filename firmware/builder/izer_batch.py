"""Run many izer invocations fast: import izer once, then fork one child per invocation.

Starting izer costs several seconds of imports (torch, numpy, izer) before it does any work.
:func:`run_izer_batch` starts *one* Python in izer's environment that imports izer's entry point
(``izer.izer.main``, what ``ai8xize.py`` calls) once and then forks a child per job; each
child runs izer's unmodified ``main()`` with the job's command line in the job's folder and
exits. Children never share state (each is a fresh copy of the just-imported parent), so the
results are exactly those of separate ``ai8xize.py`` runs. Used by the izer-equality tests.
POSIX only (fork).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from firmware.builder.izer import IzerFailedError, IzerInstall

#: The driver, run by izer's Python with izer's checkout as the working folder.
_DRIVER = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())
from izer.izer import main
jobs = json.load(sys.stdin)
workers = int(sys.argv[1])
running = {}
def reap():
    pid, status = os.wait()
    i = running.pop(pid)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps([i, code]), flush=True)
for i, (args, cwd, log) in enumerate(jobs):
    while len(running) >= workers:
        reap()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(cwd)
            sys.argv = ["ai8xize.py", *args, "--no-version-check"]
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    running[pid] = i
while running:
    reap()
"""


@dataclass(frozen=True)
class IzerJob:
    """One ``ai8xize.py`` command line (without ``--no-version-check``), run in ``cwd``."""

    args: tuple[str, ...]
    cwd: Path
    log: Path


def run_izer_batch(
    izer: IzerInstall, jobs: Sequence[IzerJob], *, workers: int = 2, timeout_s: float = 1200.0
) -> list[IzerFailedError | None]:
    """Run every job; return ``None`` for a success or the error (with the log's end) per job.

    Raises:
        IzerFailedError: the driver itself failed or ran past ``timeout_s``.
    """
    env = dict(os.environ, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1", PYTHONUNBUFFERED="1")
    env.pop("PYTHONPATH", None)
    payload = json.dumps([[list(j.args), str(j.cwd), str(j.log)] for j in jobs])
    try:
        proc = subprocess.run(
            [str(izer.python), "-c", _DRIVER, str(max(1, workers))],
            input=payload,
            cwd=izer.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise IzerFailedError(f"the izer batch ran past {timeout_s:.0f} s") from exc
    codes: dict[int, int] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("["):
            i, code = json.loads(line)
            codes[int(i)] = int(code)
    if proc.returncode != 0 or len(codes) != len(jobs):
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-10:]
        raise IzerFailedError("the izer batch driver failed:\n  " + "\n  ".join(tail))
    out: list[IzerFailedError | None] = []
    for i, job in enumerate(jobs):
        if codes[i] == 0:
            out.append(None)
            continue
        text = job.log.read_text(errors="replace") if job.log.is_file() else ""
        tail = text.strip().splitlines()[-12:]
        out.append(IzerFailedError(f"izer failed (exit {codes[i]}):\n  " + "\n  ".join(tail)))
    return out
