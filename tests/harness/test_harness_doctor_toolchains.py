"""``ferhil doctor``'s izer, MSDK and OpenOCD lines."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from firmware.builder.izer import IzerInstall
from harness.cli.doctor import check_izer, check_msdk, check_openocd

SHARED_MSDK = Path(__file__).resolve().parents[3] / "shared" / "vendor" / "msdk"


def test_msdk_found_with_version_or_missing_with_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAXIM_PATH", raising=False)
    missing = check_msdk()
    assert not missing.ok and "export MAXIM_PATH" in missing.fix
    monkeypatch.setenv("MAXIM_PATH", "/nonexistent/msdk")
    wrong = check_msdk()
    assert not wrong.ok and "not an MSDK" in wrong.fix
    if not (SHARED_MSDK / "Libraries" / "libs.mk").is_file():
        pytest.skip("no shared MSDK subset")
    monkeypatch.setenv("MAXIM_PATH", str(SHARED_MSDK))
    found = check_msdk()
    assert found.ok and "version" in found.detail and "usable" in found.detail


def test_izer_found_usable_or_missing_with_fix(
    monkeypatch: pytest.MonkeyPatch, izer_install: IzerInstall
) -> None:
    monkeypatch.delenv("FERHIL_IZER", raising=False)
    missing = check_izer()
    assert not missing.ok and "--izer DIR" in missing.fix
    monkeypatch.setenv("FERHIL_IZER", str(izer_install.root))
    monkeypatch.setenv("FERHIL_IZER_PYTHON", str(izer_install.python))
    found = check_izer()
    assert found.ok, found.fix
    assert izer_install.version() in found.detail


def test_openocd_without_max78000_cfg_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "Tools" / "OpenOCD"
    (tools / "scripts").mkdir(parents=True)
    exe = tools / "openocd"
    exe.write_text(f"#!{sys.executable}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("MAXIM_PATH", str(tmp_path))
    assert not check_openocd().ok
    (tools / "scripts" / "target").mkdir()
    (tools / "scripts" / "target" / "max78000.cfg").write_text("# ADI\n")
    line = check_openocd()
    assert line.ok and str(tools / "scripts") in line.detail
