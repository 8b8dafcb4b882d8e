"""HIL runs started from the app: ``ferhil run`` in a subprocess, watched through its journal.

A run writes into ``<work dir>/runs/<n>/`` (never the user's ``out/``) and records into the
app's store; its ``samples.jsonl`` journal (one line per finished image, flushed as results
arrive) is tailed into progress events: samples done, running accuracy, golden matches,
mismatches and failures. When the process ends the last event names the stored run id (from
``results.json``), its verdict and the exit code. One run at a time: the board is one device.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from app.errors import BusyError, NotFoundError
from app.verdict import run_verdict
from harness.run.sample_log import RESULTS_FILE, SAMPLES_FILE
from reports.results_doc import ResultsDocumentError, load_results_file

#: Seconds between two looks at the journal.
POLL_S = 0.25
#: Longest silence on the event stream (the progress is repeated), e.g. while firmware builds.
KEEPALIVE_S = 15.0


@dataclass
class Progress:
    """Counts of a run so far."""

    total: int
    done: int = 0
    ok: int = 0
    correct: int = 0
    matched: int = 0
    mismatched: int = 0
    failed: int = 0

    def add(self, record: dict[str, Any]) -> None:
        """Count one journal line."""
        self.done += 1
        if record.get("status") != "ok":
            self.failed += 1
            return
        self.ok += 1
        self.correct += int(record.get("predicted") == record.get("label"))
        if record.get("match"):
            self.matched += 1
        else:
            self.mismatched += 1

    def to_json(self) -> dict[str, Any]:
        """The progress event."""
        accuracy = self.correct / self.ok if self.ok else None
        return {
            "total": self.total,
            "done": self.done,
            "accuracy": accuracy,
            "correct": self.correct,
            "matched": self.matched,
            "mismatched": self.mismatched,
            "failed": self.failed,
        }


@dataclass
class Job:
    """One run started from the app."""

    id: str
    folder: Path
    command: list[str]
    total: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    started: float = field(default_factory=time.time)
    returncode: int | None = None
    final: dict[str, Any] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def poll(self) -> int | None:
        """The exit code once the process has ended (then the results are read once)."""
        with self._lock:
            if self.returncode is None:
                code = self.process.poll()
                if code is not None:
                    self.log.close()
                    self.final = self._final(code)
                    self.returncode = code
            return self.returncode

    def _final(self, code: int) -> dict[str, Any]:
        try:
            document = load_results_file(self.folder / RESULTS_FILE)
        except ResultsDocumentError:
            return {"returncode": code, "run_id": None, "verdict": None, "error": self.tail()}
        return {
            "returncode": code,
            "run_id": document.run.id,
            "verdict": run_verdict(document.to_json()),
            "error": None if code in (0, 1) else self.tail(),
        }

    def tail(self, lines: int = 8) -> str:
        """The end of the run's console output."""
        try:
            text = (self.folder / "console.txt").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def events(self, stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[str, Any]]:
        """Yield ``("progress", counts)`` as samples arrive, then ``("done", final)``."""
        progress = Progress(self.total)
        journal = self.folder / SAMPLES_FILE
        offset, partial, last, sent = 0, b"", None, 0.0
        while not stop():
            ended = self.poll() is not None
            if journal.is_file():
                with journal.open("rb") as fh:
                    fh.seek(offset)
                    chunk = fh.read()
                offset += len(chunk)
                *lines, partial = (partial + chunk).split(b"\n")
                for line in lines:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(record, dict) and "index" in record:  # not the journal header
                        progress.add(record)
            state = progress.to_json()
            if state != last or time.monotonic() - sent > KEEPALIVE_S:
                last, sent = state, time.monotonic()
                yield "progress", state
            if ended:
                yield "done", {**(self.final or {}), "progress": state}
                return
            time.sleep(POLL_S)


class LiveRuns:
    """Starts runs (one at a time) and finds them by the id the app gave them."""

    def __init__(
        self,
        folder: Path,
        db: str,
        board: str,
        lab: Path | None = None,
        on_start: Callable[[], None] = lambda: None,
        on_end: Callable[[], None] = lambda: None,
    ) -> None:
        self.folder = folder
        self.db = db
        self.board = board
        self.lab = lab
        self._jobs: dict[str, Job] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._on_start, self._on_end = on_start, on_end

    def command(self, folder: Path, limit: int, model: str | None) -> list[str]:
        """The ``ferhil run`` command line of a run into ``folder``."""
        words = [sys.executable, "-m", "ferhil", "run", "--board", self.board]
        words += ["--limit", str(limit), "--report-dir", str(folder), "--db", self.db]
        words += ["--no-progress"]
        if model:
            words += ["--model", model]
        if self.lab is not None:
            words += ["--lab", str(self.lab)]
        return words

    def start(self, limit: int, total: int, model: str | None = None) -> Job:
        """Start a run of ``limit`` images (``total`` of them exist) of ``model``.

        Raises:
            BusyError: a run started from the app is still going.
        """
        with self._lock:
            if any(j.poll() is None for j in self._jobs.values()):
                raise BusyError("a run is already going; watch it or stop it first")
            job_id = f"job{next(self._counter)}"
            folder = self.folder / job_id
            folder.mkdir(parents=True, exist_ok=False)
            command = self.command(folder, limit, model)
            self._on_start()
            log = (folder / "console.txt").open("wb")
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
            )
            job = Job(job_id, folder, command, min(limit, total), process, log)
            self._jobs[job_id] = job
        threading.Thread(target=self._watch, args=(job,), daemon=True).start()
        return job

    def latest(self) -> Job | None:
        """The most recently started run, if any."""
        with self._lock:
            return list(self._jobs.values())[-1] if self._jobs else None

    def _watch(self, job: Job) -> None:
        job.process.wait()
        job.poll()
        self._on_end()

    def get(self, job_id: str) -> Job:
        """The job with this id.

        Raises:
            NotFoundError: no job has it.
        """
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no live run {job_id!r}; start one from the Live run page")
        return job

    def stop(self, job_id: str) -> None:
        """Interrupt a run (as Ctrl-C would: it writes what it measured)."""
        job = self.get(job_id)
        if job.poll() is None:
            os.killpg(job.process.pid, signal.SIGINT)

    def close(self) -> None:
        """Stop every run still going (interrupt, then kill after 10 s)."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.poll() is None]
        for job in jobs:
            os.killpg(job.process.pid, signal.SIGINT)
        for job in jobs:
            try:
                job.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(job.process.pid, signal.SIGKILL)
                job.process.wait()
            job.poll()
