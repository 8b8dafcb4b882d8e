"""Open the pages in headless Chromium: no console errors, plots actually drawn.

The browser is driven through the DevTools protocol over ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-terminated JSON), so no websocket library is needed. One browser is
shared by the module; each page load takes well under a second.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageStat

from reports import write_comparison, write_history, write_report
from reports.sample_data import make_results

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)
WIDTH, HEIGHT = 1280, 900
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless Chromium (/usr/bin/chromium) not installed"
    ),
]


class DevToolsPipe:
    """A minimal DevTools-protocol client for a Chromium started with --remote-debugging-pipe."""

    def __init__(self, chromium: str, profile: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # runs in the child: Chromium reads fd 3, writes fd 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child_r, from_child_w)]
            for target, fd in zip((3, 4), high, strict=True):
                os.dup2(fd, target)
                os.set_inheritable(target, True)

        self.proc = subprocess.Popen(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--window-size={WIDTH},{HEIGHT}", f"--user-data-dir={profile}",
                "--remote-debugging-pipe", "about:blank",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds, close_fds=False,
        )  # fmt: skip
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer over the DevTools pipe")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: bool = False,
        timeout: float = 15.0,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def load(self, path: Path) -> None:
        """Navigate to a local file and wait for its load event."""
        self.events.clear()
        self.call("Page.navigate", {"url": path.resolve().as_uri()}, session=True)
        self.wait_event("Page.loadEventFired")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries seen since the last load."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args")))
            elif method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(params["entry"].get("text", ""))
        return found

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        return result["result"].get("value")

    def screenshot(self) -> Image.Image:
        """The whole page at the fixed viewport width."""
        data = self.call(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True
        )["data"]
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError, OSError):
            self.call("Browser.close", timeout=5.0)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)


PLOT_RECTS = """JSON.stringify(Array.from(document.querySelectorAll('figure.plot svg')).map(e => {
  const r = e.getBoundingClientRect();
  return {id: e.parentElement.id, x: r.left + window.scrollX, y: r.top + window.scrollY,
          w: r.width, h: r.height};
}))"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevToolsPipe]:
    assert CHROMIUM is not None
    client = DevToolsPipe(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield client
    finally:
        client.close()


def _check_page(browser: DevToolsPipe, page: Path, expected_plots: set[str]) -> Image.Image:
    browser.load(page)
    assert browser.errors() == []
    rects = json.loads(browser.evaluate(PLOT_RECTS))
    assert {r["id"] for r in rects} == expected_plots
    shot = browser.screenshot()
    shot.save(page.with_suffix(".png"))
    assert shot.width == WIDTH
    for rect in rects:
        assert rect["w"] > 200 and rect["h"] > 100, rect
        box = (
            int(rect["x"]),
            int(rect["y"]),
            int(rect["x"] + rect["w"]),
            int(rect["y"] + rect["h"]),
        )
        region = shot.crop(box)
        grey = region.convert("L")
        stddev = ImageStat.Stat(grey).stddev[0]
        inked = np.mean(np.asarray(grey) < 200)
        colours = len(region.getcolors(maxcolors=1 << 16) or range(1 << 16))
        assert stddev > 15 and inked > 0.02 and colours > 20, (rect["id"], stddev, inked, colours)
    return shot


def test_report_opens_without_errors_and_plots_are_drawn(
    browser: DevToolsPipe, tmp_path: Path
) -> None:
    page = write_report(make_results(seed=11), tmp_path, links={"History": "history.html"})
    shot = _check_page(
        browser, page, {"plot-confusion", "plot-per-class", "plot-latency", "plot-power"}
    )
    banner = np.asarray(shot.crop((0, 0, WIDTH, 30)), dtype=float)
    assert abs(banner[..., 0].mean() - banner[..., 2].mean()) > 40  # the yellow SIMULATED banner


def test_history_opens_without_errors(browser: DevToolsPipe, tmp_path: Path) -> None:
    runs = [
        make_results(
            seed=i, model_version=str(i), started=f"2026-11-1{i}T00:00:00+00:00", complete=i != 2
        )
        for i in range(1, 5)
    ]
    page = write_history(runs, tmp_path)
    _check_page(browser, page, {"plot-group0"})


def test_comparison_opens_without_errors(browser: DevToolsPipe, tmp_path: Path) -> None:
    base, new = make_results(seed=1, accuracy=0.5), make_results(seed=2, accuracy=0.7)
    images = {
        s["index"]: np.full((48, 48), 40 + s["index"] % 200, np.uint8) for s in new["samples"]
    }
    page = write_comparison(base, new, tmp_path, images=images)
    _check_page(browser, page, {"plot-class-compare", "plot-confusion-delta"})
    loaded = browser.evaluate(
        "Array.from(document.images).filter(i => i.complete && i.naturalWidth === 48).length"
    )
    assert loaded == browser.evaluate("document.images.length") > 0
    for list_id in ("flipped-lost", "flipped-gained"):  # both flip lists show their faces
        shown = browser.evaluate(
            f"Array.from(document.querySelectorAll('#{list_id} img.face'))"
            ".filter(i => i.complete && i.naturalWidth === 48 && i.width > 0).length"
        )
        assert shown > 0, list_id


def test_error_detection_is_not_vacuous(browser: DevToolsPipe, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
        "<script>console.error('deliberate')</script><img src='missing.png'></body></html>"
    )
    browser.load(page)
    time.sleep(0.2)
    browser.evaluate("1")  # drain pending events
    errors = browser.errors()
    assert any("deliberate" in e for e in errors)
    assert any("Content Security Policy" in e for e in errors)


PHONE_WIDTH = 390
PAGE_WIDTH = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


def test_plots_stay_readable_on_a_phone(browser: DevToolsPipe, tmp_path: Path) -> None:
    results = make_results(seed=3, n_samples=120)
    page = write_report(results, tmp_path / "phone")
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 1, "mobile": True},
        session=True,
    )
    try:
        browser.load(page)
        assert browser.errors() == []
        rects = json.loads(browser.evaluate(PLOT_RECTS))
        assert rects
        for rect in rects:  # drawn at >= 420 px: text at least ~2/3 of its design size
            assert rect["w"] >= 420, rect
        assert browser.evaluate(PAGE_WIDTH) <= PHONE_WIDTH  # the page never scrolls sideways
    finally:
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )


CLIPPED_CARDS = """JSON.stringify(Array.from(document.querySelectorAll('.card')).filter(c => {
  const box = c.getBoundingClientRect();
  return [c, ...c.querySelectorAll('*')].some(e => {
    const text = document.createRange();
    text.selectNodeContents(e);
    return e.scrollWidth > e.clientWidth + 1 || text.getBoundingClientRect().right > box.right + 1;
  });
}).map(c => c.textContent.trim().slice(0, 60)))"""


def test_long_threshold_text_stays_inside_its_card(browser: DevToolsPipe, tmp_path: Path) -> None:
    results = make_results(seed=7, accuracy_threshold=None)
    source = "model metadata publictest_int8_accuracy=0.6779 minus 0.1982 " + "x" * 80
    results["thresholds"] = {"accuracy": {"value": 0.48, "source": source}}
    browser.load(write_report(results, tmp_path))
    assert browser.errors() == []
    assert "x" * 80 in browser.evaluate("document.getElementById('summary-grid').textContent")
    assert json.loads(browser.evaluate(CLIPPED_CARDS)) == []
    grid = "document.getElementById('summary-grid')"
    assert browser.evaluate(f"{grid}.scrollWidth <= {grid}.clientWidth")
    assert browser.evaluate(PAGE_WIDTH) <= WIDTH  # the card wraps the text, the page stays
