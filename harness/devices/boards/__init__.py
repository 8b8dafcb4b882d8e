"""Boards under test (hostsim, qemu, max78000fthr) behind the :class:`Board` protocol."""

from harness.devices.boards.base import Board, BoardFacts, BoardSpec
from harness.devices.boards.registry import BOARD_KINDS, create_board
from harness.devices.boards.selection import board_spec

__all__ = ["BOARD_KINDS", "Board", "BoardFacts", "BoardSpec", "board_spec", "create_board"]
