"""Paths and probe ids reach OpenOCD's Tcl ``-c`` commands as one literal word."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.flashers.base import FlasherSettings
from harness.flashers.openocd_flasher import OpenOcdFlasher
from harness.flashers.tcl_words import tcl_word


@pytest.mark.parametrize("value", ["/tmp/fw.elf", "build/firmware/ab12/fw.elf", "0444000012345678"])
def test_plain_values_are_unchanged(value: str) -> None:
    assert tcl_word(value, "x") == value


@pytest.mark.parametrize("value", ["/tmp/x [exec id]/fw.elf", "a b", "a;b", "$env(HOME)", 'a"b'])
def test_active_characters_are_braced(value: str) -> None:
    assert tcl_word(value, "x") == "{" + value + "}"


@pytest.mark.parametrize("value", ["a{b", "a}b", "a\\b", "a\nb", "a\x00b"])
def test_unbraceable_values_are_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="OpenOCD cannot take literally"):
        tcl_word(value, "firmware image path")


def test_openocd_command_quotes_the_image_and_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "harness.flashers.openocd_flasher.find_openocd", lambda environ=None: ("openocd", None)
    )
    flasher = OpenOcdFlasher(FlasherSettings(probe="04 [exec id]"))
    cmd = flasher.command(tmp_path / "x [exec id]" / "fw.elf")
    assert f"program {{{tmp_path}/x [exec id]/fw.elf}} verify reset exit" in cmd
    assert "adapter serial {04 [exec id]}" in cmd
