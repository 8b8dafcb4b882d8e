"""The one validation of names that come from model files, training configs and zoo folders.

Names in a model file (model name, version, layer and class names, the input mapping) and in a
training config (model and zoo names) are data. They end up in generated C, izer's YAML, HELLO
replies, reports and file names, so they are checked once, when they are read, against a strict
pattern: a hostile name (``*/``, a backslash-newline, ``#include``, ``: {``, ``../``, a NUL,
quotes) is refused with a one-line error instead of being escaped differently in every emitter.
The emitters still escape what they write (:mod:`firmware.builder.c_literals`,
:mod:`models.export.yaml_text`);
this module is the first of the two fences.

Rules (at most :data:`MAX_NAME_LEN` characters, so a name fits HELLO's 32-byte field with its NUL):

* a *name* is ASCII letters, digits, ``_`` and ``-``, starting with a letter, digit or ``_``;
* a *version* may also hold ``.`` and ``+`` (``"1.2"``, ``"3+qat"``), starting with a letter or
  digit, so it can never be ``..``.
"""

from __future__ import annotations

import re
from pathlib import Path

from golden.errors import FerhilError

#: Longest name or version accepted (HELLO carries 32 bytes including the terminating NUL).
MAX_NAME_LEN = 31
NAME_RE = re.compile(rf"[A-Za-z0-9_][A-Za-z0-9_-]{{0,{MAX_NAME_LEN - 1}}}")
VERSION_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.+-]{{0,{MAX_NAME_LEN - 1}}}")
#: One path component (a zoo folder such as ``fercnn-v1.2``): never ``.``, ``..`` or a separator.
COMPONENT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}")
_NAME_RULE = f"use 1-{MAX_NAME_LEN} ASCII letters, digits, '_' or '-' (not starting with '-')"
_VERSION_RULE = (
    f"use 1-{MAX_NAME_LEN} ASCII letters, digits, '_', '-', '.' or '+', starting with a letter "
    "or digit"
)

_PATH_RULE = (
    "use 1-64 ASCII letters, digits, '_', '-', '.' or '+', starting with a letter, digit or '_'"
)


class InvalidNameError(FerhilError, ValueError):
    """A name read from a model file or config breaks the identifier rules."""


def _shown(value: object) -> str:
    """Return ``value`` printable on one line (control characters and non-ASCII escaped)."""
    text = ascii(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_name(value: object, what: str) -> str:
    """Return ``value`` when it is a valid name, else raise.

    Args:
        value: the name as read (any type; only ``str`` can pass).
        what: what the name is, for the message (``"model name"``, ``"layer 3 name"``).

    Raises:
        InvalidNameError: naming ``what``, the offending value (escaped) and the rule.
    """
    if not isinstance(value, str) or NAME_RE.fullmatch(value) is None:
        raise InvalidNameError(f"{what} {_shown(value)} is not allowed: {_NAME_RULE}")
    return value


def check_version(value: object, what: str = "model version") -> str:
    """Return ``value`` when it is a valid version string, else raise :class:`InvalidNameError`."""
    if not isinstance(value, str) or VERSION_RE.fullmatch(value) is None:
        raise InvalidNameError(f"{what} {_shown(value)} is not allowed: {_VERSION_RULE}")
    return value


def child_path(root: str | Path, name: object, what: str) -> Path:
    """Return ``root / name`` for a validated name: the only way a name becomes a path.

    Args:
        root: the folder the result must stay in.
        name: one path component (letters, digits, ``_``, ``-``, ``.``, ``+``, not starting
            with ``.`` or ``-``, at most 64 characters), never a path.
        what: what the name is, for the message.

    Raises:
        InvalidNameError: when ``name`` is not a valid name (``..``, ``a/b``, ``/x``...).
    """
    root = Path(root)
    if not isinstance(name, str) or COMPONENT_RE.fullmatch(name) is None:
        raise InvalidNameError(
            f"{what} {_shown(name)} is not a plain folder or file name: {_PATH_RULE}"
        )
    path = root / name
    if path.parent != root:  # cannot happen for a matching name; kept as a guard
        raise InvalidNameError(f"{what} {_shown(name)} leaves {root}: {_PATH_RULE}")
    return path
