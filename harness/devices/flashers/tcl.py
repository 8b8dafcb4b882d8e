"""Quoting for Tcl: the one way ferhil puts a value into a Tcl command.

OpenOCD's ``-c`` arguments are Tcl scripts; paths and probe serials go through
:func:`tcl_quote`.
"""

from __future__ import annotations

from harness.errors import FlashError

_ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "[": "\\[", "]": "\\]"}


def tcl_quote(value: str) -> str:
    r"""Return ``value`` as one Tcl word: double quotes, with ``\\ " $ [ ]`` escaped.

    Inside double quotes Tcl substitutes only ``$``, ``[...]`` and backslashes, so escaping
    those (and the quote) keeps spaces, braces and semicolons literal.

    Raises:
        FlashError: for control characters (newlines would end the Tcl command).
    """
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise FlashError(f"{value!r} holds control characters; rename it (Tcl commands are lines)")
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'
