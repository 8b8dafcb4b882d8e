"""The app in a real browser: headless Chromium driven by Selenium (Debian's chromium-driver).

Uploading a face and checking the scores against the API, the webcam path (Chromium's fake
camera), opening a run with its report, and watching a short live run on the simulated board
finish, each with no console errors (the browser log is read after every page).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from app_testkit import LiveServer, StoreRuns, face_photo, fer_photo

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)
DRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None
)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless Chromium (/usr/bin/chromium) not installed"
    ),
    pytest.mark.skipif(
        DRIVER is None, reason="chromedriver (Debian chromium-driver) not installed"
    ),
]
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,900",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
)  # fmt: skip


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> list[str]:
    """Errors logged by the page since the last call (console, exceptions, failed loads)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_for(driver: Any, script: str, timeout: float = 60) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.execute_script(script)
    )


def open_page(driver: Any, url: str) -> None:
    driver.get(url)
    wait_for(driver, "return document.readyState === 'complete'")


def shown_scores(driver: Any) -> list[dict[str, dict[str, float]]]:
    return driver.execute_script(
        """return Array.from(document.querySelectorAll('#faces table.scores')).map(t => {
             const out = {};
             t.querySelectorAll('td[data-source]').forEach(td => {
               const cls = td.parentElement.dataset.class;
               (out[td.dataset.source] = out[td.dataset.source] || {})[cls] = Number(td.dataset.p);
             });
             return out;
           });"""
    )


def test_upload_a_face_and_see_the_scores(browser: Any, server: LiveServer, tmp_path: Path) -> None:
    photo = fer_photo() or face_photo()  # a FER2013 face when ../shared has it
    path = tmp_path / "face.jpg"
    photo.save(path, quality=95)
    console_errors(browser)
    open_page(browser, server.url + "/")
    wait_for(
        browser, "return document.getElementById('model-line').textContent.startsWith('Model')"
    )
    browser.find_element("id", "image-input").send_keys(str(path))
    wait_for(browser, "return document.body.dataset.scored !== undefined")
    api = httpx.post(
        f"{server.url}/api/predict", files={"image": ("face.jpg", path.read_bytes())}, timeout=30
    ).json()
    shown = shown_scores(browser)
    assert len(shown) == len(api["faces"]) == 1
    assert shown[0] == api["faces"][0]["scores"] and set(shown[0]) == {"golden", "float"}
    heading = browser.find_element("css selector", "#faces h2").text
    golden = api["faces"][0]["scores"]["golden"]
    assert heading == f"Face 1: {max(golden, key=golden.get)}"
    drawn = browser.execute_script(
        "const c = document.getElementById('preview'); return [c.width, c.height];"
    )
    assert drawn == [480, 360]
    assert console_errors(browser) == []


def test_webcam_photo_is_scored(browser: Any, server: LiveServer) -> None:
    open_page(browser, server.url + "/")
    wait_for(
        browser, "return document.getElementById('model-line').textContent.startsWith('Model')"
    )
    browser.find_element("id", "webcam-start").click()
    wait_for(browser, "return document.getElementById('webcam-video').videoWidth > 0")
    browser.find_element("id", "webcam-capture").click()
    wait_for(browser, "return document.body.dataset.scored !== undefined")
    assert len(shown_scores(browser)) >= 1
    assert "face(s)" in browser.find_element("id", "result-line").text
    browser.find_element("id", "webcam-stop").click()
    assert console_errors(browser) == []


def test_a_bad_upload_shows_the_error(browser: Any, server: LiveServer, tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_bytes(b"not an image at all")
    open_page(browser, server.url + "/")
    browser.find_element("id", "image-input").send_keys(str(path))
    wait_for(browser, "return document.getElementById('status').className === 'error'")
    assert "allowed format" in browser.find_element("id", "status").text
    errors = console_errors(browser)  # the 415 answer is logged as a failed load, nothing else
    assert all("415" in e for e in errors), errors


@pytest.mark.slow
def test_open_a_run_and_its_report(browser: Any, server: LiveServer, store_runs: StoreRuns) -> None:
    open_page(browser, server.url + "/runs")
    wait_for(browser, "return document.body.dataset.runs !== undefined")
    browser.find_element("link text", store_runs.new_id).click()
    wait_for(browser, "return document.body.dataset.loaded === '1'")
    assert browser.find_element("id", "verdict").text in ("PASS", "FAIL")
    rows = browser.find_elements("css selector", "#class-table tbody tr")
    assert len(rows) == 7
    cells = browser.find_elements("css selector", "#confusion tbody td")
    details = httpx.get(f"{server.url}/api/runs/{store_runs.new_id}").json()
    assert [int(c.text) for c in cells] == [
        n for row in details["metrics"]["confusion"] for n in row
    ]
    wait_for(
        browser,
        "return Array.from(document.querySelectorAll('#gallery img'))"
        ".every(i => i.complete && i.naturalWidth === 96)",
    )
    faces = len(browser.find_elements("css selector", "#gallery img"))
    assert faces == len(details["misclassified"]) > 0
    assert console_errors(browser) == []
    browser.find_element("link text", "Run report").click()
    wait_for(
        browser,
        "return document.readyState === 'complete' && !!document.querySelector('main')",
        180,
    )
    assert store_runs.new_id in browser.page_source
    browser.find_element("partial link text", "ferhil app").click()
    wait_for(browser, "return document.body.dataset.loaded === '1'")
    assert console_errors(browser) == []


@pytest.mark.slow
def test_watch_a_live_run_finish(browser: Any, server: LiveServer) -> None:
    open_page(browser, server.url + "/live")
    wait_for(browser, "return document.getElementById('live-model').options.length > 0")
    limit = browser.find_element("id", "live-limit")
    limit.clear()
    limit.send_keys("10")
    browser.find_element("id", "live-start").click()
    wait_for(browser, "return document.body.dataset.finished === '1'", timeout=400)
    assert browser.find_element("id", "live-done").text == "10 of 10"
    assert browser.find_element("id", "live-matched").text == "10"
    assert browser.find_element("id", "live-verdict").text in ("PASS", "FAIL")
    assert console_errors(browser) == []
    browser.find_element("id", "live-link").click()
    wait_for(browser, "return document.body.dataset.loaded === '1'")
    assert len(browser.find_elements("css selector", "#class-table tbody tr")) == 7
    assert console_errors(browser) == []
