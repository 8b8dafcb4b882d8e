"""The one way a value reaches an OpenOCD ``-c`` command: as one literal Tcl word.

OpenOCD runs its ``-c`` arguments through (Jim) Tcl, where ``[...]`` runs a command, ``$x``
substitutes a variable and spaces or ``;`` split words and commands. A firmware path or probe
serial put into ``program PATH verify reset exit`` unquoted could therefore run Tcl code.
:func:`tcl_word` returns the value unchanged when it only holds inert characters, wraps it in
braces (no substitution at all inside) otherwise, and refuses values that braces cannot hold
literally (braces, backslashes, control characters).
"""

from __future__ import annotations

import re

from harness.errors import ConfigError

_PLAIN = re.compile(r"[A-Za-z0-9_./:+=@%,~-]+")
_BRACEABLE = re.compile(r"[^{}\\\x00-\x1f\x7f]+")


def tcl_word(value: object, what: str) -> str:
    """Return ``value`` as one Tcl word that OpenOCD reads literally.

    Args:
        value: a path or identifier (converted with ``str``).
        what: what it is, for the message (``"firmware image path"``).

    Raises:
        ConfigError: when the value holds braces, backslashes or control characters.
    """
    text = str(value)
    if _PLAIN.fullmatch(text):
        return text
    if _BRACEABLE.fullmatch(text):
        return "{" + text + "}"
    raise ConfigError(
        f"{what} {text!a} holds characters OpenOCD cannot take literally (braces, "
        "backslashes or control characters); rename or move it"
    )
