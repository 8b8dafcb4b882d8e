"""Paths and probe ids reach OpenOCD's Tcl ``-c`` commands as one literal word."""

from __future__ import annotations

import pytest

from harness.devices.flashers.tcl import tcl_quote
from harness.errors import FlashError

HOSTILE = [
    "/tmp/fw.elf",
    "/tmp/x [exec id]/fw.elf",
    "a b;c",
    "$env(HOME)",
    'a"b',
    "a{b}c",
    "a\\b",
    "a\\\nb".replace("\n", ""),
    "x]; exec rm -rf /; [",
]


def tcl_unquote(word: str) -> str:
    """Read a double-quoted Tcl word as Tcl does, failing on any live substitution."""
    assert word.startswith('"') and word.endswith('"')
    out, i, body = [], 0, word[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            out.append(body[i + 1])
            i += 2
            continue
        assert ch not in '$["', f"live {ch!r} in {word!r}"
        out.append(ch)
        i += 1
    return "".join(out)


@pytest.mark.parametrize("value", HOSTILE)
def test_every_value_reads_back_literally(value: str) -> None:
    assert tcl_unquote(tcl_quote(value)) == value


@pytest.mark.parametrize("value", ["a\nb", "a\x00b", "a\rb", "a\x7fb"])
def test_control_characters_are_refused(value: str) -> None:
    with pytest.raises(FlashError, match="control characters"):
        tcl_quote(value)
