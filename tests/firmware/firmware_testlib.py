"""Helpers shared by the firmware tests (paths, strict flags, tool checks)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from golden.format import QuantModel

REPO = Path(__file__).resolve().parents[2]
DRIVER_DIR = Path(__file__).parent / "driver"
C_DIR = REPO / "firmware" / "c"
STRICT_CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"]

#: run(model, x) -> outputs of the generated C on the host (the ``cnn_driver`` fixture).
DriverRunner = Callable[[QuantModel, np.ndarray], np.ndarray]


def have(tool: str) -> bool:
    """True when ``tool`` is on PATH."""
    return shutil.which(tool) is not None
