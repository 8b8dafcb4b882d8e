"""Flashers: programming a board's firmware image (pyOCD, ADI's OpenOCD), registered by name."""

from harness.devices.flashers.base import Flasher, FlasherSettings
from harness.devices.flashers.registry import FLASHERS, create_flasher

__all__ = ["FLASHERS", "Flasher", "FlasherSettings", "create_flasher"]
