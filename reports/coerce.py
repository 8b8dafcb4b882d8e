"""Tolerant readers for values taken from results JSON.

Result dicts can be partial (an interrupted run, an older writer), so the page builders read
every field through these helpers: a missing or malformed value becomes ``None`` (or an empty
container) instead of an exception, and the pages show a dash for it.
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


def check_results(results: Any, what: str = "results") -> dict[str, Any]:
    """Check that ``results`` looks like a ferhil results dict and return it.

    Args:
        results: a dict loaded from ``results.json``.
        what: how to name the dict in error messages.

    Returns:
        ``results`` as a dict.

    Raises:
        ReportDataError: ``results`` is not a mapping or names another schema.
    """
    if not isinstance(results, Mapping):
        raise ReportDataError(
            f"{what} must be a dict loaded from results.json, got {type(results).__name__}; "
            "pass json.load(open('results.json'))"
        )
    schema = results.get("schema", "ferhil-results")
    if schema != "ferhil-results":
        raise ReportDataError(
            f"{what} has schema {schema!r}, expected 'ferhil-results'; "
            "pass a results.json written by the ferhil harness"
        )
    return dict(results)
