"""Small readers of JSON values, and the error type of report input.

A ``results.json`` document is checked once by :mod:`reports.results_doc` (which refuses any
layout no writer produces); these helpers remain for values that are free-form by design
(``summary.meter``, a table cell that may be text or a number).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from golden.errors import FerhilError


class ReportDataError(FerhilError, ValueError):
    """Result data handed to a report writer cannot be rendered; the message says why."""


def as_dict(value: Any) -> dict[str, Any]:
    """Return ``value`` if it is a mapping (as a dict), else an empty dict."""
    return dict(value) if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """Return ``value`` if it is a list or tuple (as a list), else an empty list."""
    return list(value) if isinstance(value, list | tuple) else []


def as_float(value: Any) -> float | None:
    """Return a finite float for numbers (not bools), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def as_int(value: Any) -> int | None:
    """Return an int for integral numbers (not bools), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_str(value: Any) -> str | None:
    """Return ``value`` as text (numbers are converted), or ``None`` when absent/empty."""
    if value is None or isinstance(value, Mapping | list | tuple):
        return None
    text = str(value)
    return text or None


def dig(data: Any, *path: str) -> Any:
    """Follow ``path`` through nested mappings; return ``None`` where a step is missing."""
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data
