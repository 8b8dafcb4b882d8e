"""Boards from a labgrid environment file (labgrid's pytest plugin: ``--lg-env`` / ``$LG_ENV``).

When the run names no ``--place`` and labgrid's pytest plugin is given an environment file, the
places of its targets' ``RemotePlace`` resources become the run's places and the file's
``options: coordinator_address`` its coordinator, so ``pytest --lg-env env.yaml hil/`` tests the
place the environment describes (acquire it first with ``labgrid-client acquire`` as usual, or
let ferhil acquire and release it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.errors import ConfigError


def _resources(target: Any) -> list[tuple[str, Any]]:
    raw = target.get("resources") if isinstance(target, dict) else None
    if isinstance(raw, dict):
        return list(raw.items())
    if isinstance(raw, list):
        return [item for entry in raw if isinstance(entry, dict) for item in entry.items()]
    return []


def places_from_env_file(path: str | Path) -> tuple[list[str], str | None]:
    """Return ``(places, coordinator address or None)`` of a labgrid environment file.

    Raises:
        ConfigError: the file cannot be read or is not YAML.
    """
    p = Path(path).expanduser()
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the labgrid environment {p}: {exc}") from None
    places = []
    for target in (data.get("targets") or {}).values():
        for cls, args in _resources(target):
            if cls == "RemotePlace" and isinstance(args, dict) and args.get("name"):
                places.append(str(args["name"]))
    options = data.get("options") or {}
    coordinator = options.get("coordinator_address") if isinstance(options, dict) else None
    return places, (str(coordinator) if coordinator else None)
