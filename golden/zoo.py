"""The model zoo and ``--model REF`` resolution.

A zoo entry is ``<zoo root>/<name>/model.qmodel.npz``. The zoo root is ``$FERHIL_ZOO`` when set,
else ``<repo>/models/zoo``. A REF is a zoo name, a path to a ``.qmodel.npz`` file, or a folder that
holds ``model.qmodel.npz``; ``None`` means the newest zoo model: the highest
``metadata["created"]`` ISO timestamp, then the highest name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from golden.errors import FerhilError
from golden.format import FILE_SUFFIX, QuantModel, load

MODEL_FILE = "model" + FILE_SUFFIX
ZOO_ENV = "FERHIL_ZOO"


class ZooError(FerhilError, LookupError):
    """A model reference cannot be resolved; the message lists what is available."""


@dataclass(frozen=True)
class ZooEntry:
    """One model in the zoo (read from the file's metadata only)."""

    name: str
    path: Path
    model_name: str
    version: str
    created: str


def zoo_root() -> Path:
    """Return the zoo folder (``$FERHIL_ZOO`` or ``<repo>/models/zoo``); it may not exist."""
    env = os.environ.get(ZOO_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models" / "zoo"


def _read_entry(folder: Path) -> ZooEntry | None:
    path = folder / MODEL_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"][()]))
    except (OSError, ValueError, KeyError):
        return None
    created = str(meta.get("metadata", {}).get("created", ""))
    return ZooEntry(
        folder.name, path, str(meta.get("name", "")), str(meta.get("version", "")), created
    )


def list_zoo() -> list[ZooEntry]:
    """Return the readable zoo entries, oldest first (by created timestamp, then name)."""
    root = zoo_root()
    if not root.is_dir():
        return []
    entries = [e for d in sorted(root.iterdir()) if d.is_dir() and (e := _read_entry(d))]
    return sorted(entries, key=lambda e: (e.created, e.name))


def _empty_zoo_message() -> str:
    return (
        f"the model zoo at {zoo_root()} is empty; train and export one "
        "(`ferhil train`, then `ferhil export`), set $FERHIL_ZOO to a zoo folder, or pass "
        "--model PATH/TO/model.qmodel.npz"
    )


def resolve_model_path(ref: str | None) -> Path:
    """Resolve a model reference to a ``.qmodel.npz`` path.

    Args:
        ref: a zoo name, a file or folder path, or None for the newest zoo model.

    Raises:
        ZooError: when nothing matches; the message lists the zoo names or how to make one.
    """
    if ref is None:
        entries = list_zoo()
        if not entries:
            raise ZooError(f"no model given and {_empty_zoo_message()}")
        return entries[-1].path
    path = Path(ref).expanduser()
    if path.is_file():
        return path
    if path.is_dir() and (path / MODEL_FILE).is_file():
        return path / MODEL_FILE
    by_name = {e.name: e for e in list_zoo()}
    if ref in by_name:
        return by_name[ref].path
    if by_name:
        names = ", ".join(sorted(by_name))
        raise ZooError(f"model {ref!r} is neither a file nor a zoo name; zoo models: {names}")
    raise ZooError(f"model {ref!r} is neither a file nor a zoo name; {_empty_zoo_message()}")


def load_model(ref: str | None) -> QuantModel:
    """Resolve ``ref`` (see :func:`resolve_model_path`) and load the model."""
    return load(resolve_model_path(ref))
