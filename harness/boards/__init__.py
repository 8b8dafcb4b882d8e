"""Boards under test (hostsim, qemu, max78000fthr) behind the :class:`Board` protocol."""

from harness.boards.base import Board, BoardFacts, BoardSpec
from harness.boards.registry import BOARD_KINDS, create_board
from harness.boards.selection import board_spec

__all__ = ["BOARD_KINDS", "Board", "BoardFacts", "BoardSpec", "board_spec", "create_board"]
