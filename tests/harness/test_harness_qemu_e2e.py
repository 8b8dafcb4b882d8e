"""End to end on QEMU mps2-an386: the real Cortex-M4 firmware over QEMU's TCP serial port."""

import shutil

import pytest
from harness_testkit import saved_model

from golden.format import load
from harness.run.hil_run import HilRun
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qemu,
    pytest.mark.skipif(
        shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None,
        reason="needs qemu-system-arm and arm-none-eabi-gcc",
    ),
]


def test_qemu_run_matches_golden(tmp_path):
    load_option_providers()
    cfg = FerhilConfig.defaults(
        board="qemu",
        model=str(saved_model(tmp_path, seed=5)),
        limit=6,
        report_dir=tmp_path / "out",
        progress=False,
    )
    run = HilRun(cfg, load_model=load)
    try:
        run.prepare()
        device = run.start()
        assert device.hello.board_name and device.hello.clock_kind.name == "QEMU_ICOUNT"
        records = run.stream()
    finally:
        run.finish()
    assert len(records) == 6 and all(r.status == "ok" and r.match for r in records)
    assert all(r.device_cycles and r.device_cycles > 0 for r in records)
    assert device.board.handle is None, "finish() stops QEMU"
