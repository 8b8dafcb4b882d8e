"""The jinja2 environment of the report pages and a helper that writes one page."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from reports.common.coerce import ReportDataError
from reports.common.formatting import FILTERS

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    """The shared environment: autoescaping on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def ferhil_version() -> str:
    """Installed ferhil version (``unknown`` when not installed)."""
    try:
        return metadata.version("ferhil")
    except metadata.PackageNotFoundError:
        return "unknown"


def render_page(template: str, out_path: Path, **context: Any) -> Path:
    """Render ``template`` with ``context`` into ``out_path`` (parents created).

    Raises:
        ReportDataError: the output folder cannot be written.
    """
    context.setdefault("generated_at", datetime.now(UTC).isoformat(timespec="seconds"))
    context.setdefault("generator_version", ferhil_version())
    html = environment().get_template(template).render(**context)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise ReportDataError(
            f"cannot write {out_path}: {exc.strerror}; choose a writable report directory"
        ) from exc
    return out_path
