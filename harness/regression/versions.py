"""Ordering of model versions: numeric for (dotted) integers, natural order otherwise.

``"2" < "10"`` and ``"1.9" < "1.10"`` (numeric, an optional leading ``v`` is ignored); other
versions (``"1.2rc1"``, ``"exp-b"``) order after all numeric ones, among themselves by natural
order (digit runs compared as numbers).
"""

from __future__ import annotations

import re

_NUMERIC = re.compile(r"[vV]?(\d+(?:\.\d+)*)")
_PARTS = re.compile(r"(\d+)")

VersionKey = tuple[int, tuple[tuple[int, int | str], ...]]


def version_key(version: str | None) -> VersionKey:
    """Return a sort key for a model version (``None`` sorts first)."""
    if version is None:
        return (-1, ())
    text = str(version).strip()
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        return (0, tuple((0, int(p)) for p in numeric.group(1).split(".")))
    parts = [p for p in _PARTS.split(text) if p]
    return (1, tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts))


def is_earlier(version: str | None, than: str | None) -> bool:
    """True when ``version`` orders strictly before ``than``."""
    return version_key(version) < version_key(than)
