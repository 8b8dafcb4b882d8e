"""``ferhil serve`` as a user starts it: a subprocess that prints its URL and stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ferhil.cli import build_parser


def test_serve_is_a_ferhil_command_bound_to_localhost_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.board, args.work_dir) == ("127.0.0.1", 8765, None, None)


@pytest.mark.slow
def test_serve_prints_its_url_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    user_store = tmp_path / "out" / "ferhil-results.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "ferhil.cli", "serve", "--port", "0", "--db", str(user_store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "ferhil serve ended early:\n" + "".join(lines)
            lines.append(line)
            found = re.search(r"open (http://127\.0\.0\.1:\d+)/", line)
            url = found.group(1) if found else None
        assert url is not None, "".join(lines)
        assert ":0/" not in url
        page = httpx.get(url + "/", timeout=30)
        assert page.status_code == 200 and "Emotion scores" in page.text
        work = re.search(r"app store: sqlite:///(.+)/ferhil-app-results\.sqlite", "".join(lines))
        assert work is not None and Path(work.group(1)).is_dir()
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    assert code == 0, "".join(lines) + (process.stdout.read() if process.stdout else "")
    assert not Path(work.group(1)).exists()  # the temporary work folder is removed
    assert not user_store.exists()  # looking at the user's store never creates it
