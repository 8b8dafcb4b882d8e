"""Regression thresholds: how much worse than its baseline a new model version may be.

Each threshold comes from, first that is set: the command line / environment / pytest ini key
(option rows in :mod:`harness.regression.options`), the ``[tool.ferhil.regression]`` table of
``pyproject.toml``, the built-in default. Keys (table names; options use dashes):

==============================  ==========================================================
``max_accuracy_drop_pp``        overall accuracy may drop by at most this many points
``max_class_accuracy_drop_pp``  per-class accuracy (recall) may drop by at most this
``min_class_samples``           classes with fewer samples in the run are shown, not judged
``max_golden_mismatches``       the new run may have at most this many samples whose device
                                outputs differ from the golden outputs (failures included)
``max_latency_increase_pct``    on-device latency p50 may grow by at most this percentage
``max_energy_increase_pct``     energy per inference may grow by at most this percentage
``significance_alpha``          an accuracy drop fails only when also significant at this
                                level (two-sided exact test, see ``verdict.py``)
==============================  ==========================================================
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from harness.regression.errors import RegressionError
from harness.suite.config import ConfigLike, as_config

PYPROJECT_TABLE = ("tool", "ferhil", "regression")


@dataclass(frozen=True)
class RegressionLimits:
    """The thresholds of one regression check and where each came from."""

    max_accuracy_drop_pp: float = 1.0
    max_class_accuracy_drop_pp: float = 5.0
    min_class_samples: int = 20
    max_golden_mismatches: int = 0
    max_latency_increase_pct: float = 10.0
    max_energy_increase_pct: float = 10.0
    significance_alpha: float = 0.01
    sources: dict[str, str] = field(default_factory=dict, compare=False)


LIMIT_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(RegressionLimits) if f.name != "sources"
)


def option_name(key: str) -> str:
    """The option name of a limit key (``max_accuracy_drop_pp`` -> ``max-accuracy-drop-pp``)."""
    return key.replace("_", "-")


def pyproject_limits(path: Path | None) -> dict[str, Any]:
    """Return the ``[tool.ferhil.regression]`` table of ``path`` (empty when absent).

    Raises:
        RegressionError: the file cannot be parsed or the table has unknown keys.
    """
    if path is None or not Path(path).is_file():
        return {}
    try:
        table: Any = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegressionError(f"cannot read {path}: {exc}") from exc
    for key in PYPROJECT_TABLE:
        table = table.get(key, {}) if isinstance(table, dict) else {}
    unknown = sorted(set(table) - set(LIMIT_NAMES))
    if unknown:
        raise RegressionError(
            f"{path} [tool.ferhil.regression]: unknown key(s) {', '.join(unknown)}; "
            f"known: {', '.join(LIMIT_NAMES)}"
        )
    return dict(table)


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest ``pyproject.toml`` in ``start`` or a parent folder."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / "pyproject.toml"
    return None


def load_limits(options: ConfigLike, pyproject: Path | None = None) -> RegressionLimits:
    """Resolve every threshold: options, then ``pyproject``'s table, then the default.

    Args:
        options: the run's config, or option values by option name (``max-accuracy-drop-pp``);
            ``None`` = unset.
        pyproject: a ``pyproject.toml`` with an optional ``[tool.ferhil.regression]`` table.

    Raises:
        RegressionError: a value is not a non-negative number.
    """
    config = as_config(options)
    table = pyproject_limits(pyproject)
    defaults = RegressionLimits()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in LIMIT_NAMES:
        default = getattr(defaults, key)
        cast = int if isinstance(default, int) else float
        if config[option_name(key)] is not None:
            raw, source = config[option_name(key)], f"--{option_name(key)}"
        elif key in table:
            raw, source = table[key], f"{pyproject} [tool.ferhil.regression]"
        else:
            raw, source = default, "default"
        try:
            value = cast(raw)
        except (TypeError, ValueError) as exc:
            raise RegressionError(f"{key} from {source}: {raw!r} is not a number") from exc
        if value < 0:
            raise RegressionError(f"{key} from {source}: must be >= 0, got {value}")
        if key == "significance_alpha" and not 0 < value < 1:
            raise RegressionError(f"{key} from {source}: must be between 0 and 1, got {value}")
        values[key] = value
        sources[key] = source
    return RegressionLimits(**values, sources=sources)
