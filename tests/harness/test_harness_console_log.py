"""The board's console (bytes that are not protocol frames) is kept, frames pass untouched."""

import io
import logging

from firmware.host.codec import Frame, encode_frame
from harness.run.console_log import ConsoleSplitter, ConsoleTap


class _Bytes:
    """A transport that returns scripted bytes in small pieces."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.timeout = 1.0

    def read(self, size: int = 1) -> bytes:
        piece, self.data = self.data[:3], self.data[3:]
        return piece


def test_console_text_between_frames_is_kept_and_frames_pass_through(caplog) -> None:
    hello = encode_frame(Frame(0x81, 7, b"abc"), leading_delimiter=True)
    wire = b"boot: MAX78000 agent v1\r\n" + hello + b"\x00HardFault at 0x1000\r\n\x00" + hello
    wire += b"tail without delimiter"
    sink = io.BytesIO()
    splitter = ConsoleSplitter(sink)
    tap = ConsoleTap(_Bytes(wire), splitter)
    tap.timeout = 0.05  # attribute writes reach the real transport
    assert tap.inner.timeout == 0.05
    received = b""
    with caplog.at_level(logging.DEBUG, logger="ferhil.console"):
        while chunk := tap.read(64):
            received += chunk
        splitter.close()
    assert received == wire  # the protocol client sees every byte
    kept = sink.getvalue()
    assert kept == b"boot: MAX78000 agent v1\r\nHardFault at 0x1000\r\ntail without delimiter"
    assert hello.strip(b"\x00") not in kept
    assert any("HardFault" in r.getMessage() and r.name == "ferhil.console" for r in caplog.records)


def test_nothing_connected_is_one_clear_error_with_a_report_and_a_log(pytester, tmp_path):
    from harness_testkit import copy_hil_suite, saved_model

    copy_hil_suite(pytester)
    model = saved_model(tmp_path)
    out, log = tmp_path / "r", tmp_path / "run.log"
    result = pytester.runpytest(
        "--board=max78000fthr", f"--model={model}", "--limit=10", f"--report-dir={out}",
        f"--log-file={log}", "--log-file-level=DEBUG", "-rs",
    )  # fmt: skip
    result.assert_outcomes(errors=1, skipped=5)
    text = result.stdout.str()
    assert text.count("no serial port for board 'max78000fthr'") == 2  # the error + the verdict
    assert "not run: the HIL run could not start" in text
    report = (out / "report.html").read_text()  # a report is written all the same
    assert '<span class="chip fail big">fail</span>' in report
    assert "run setup failed: ConfigError: no serial port for board" in report
    logged = log.read_text()
    assert "ferhil.run" in logged and "test set:" in logged  # pytest's log options see ferhil.*
