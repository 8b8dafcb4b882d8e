"""Packing of quantized weights into the byte rows the portable C kernels read.

Each output channel (conv2d) or output feature (linear) is one *row* holding its
``in * k * k`` weights in the model's C order (``(in, ky, kx)``). A row stores ``weight_bits``-wide
two's-complement fields, least significant field first within each byte, and is padded to a
whole byte, so row ``o`` starts at byte ``o * row_bytes``. ``firmware/c/kernels.c``
(``ferhil_unpack_weights_s8``) is the inverse; :func:`unpack_rows` is its Python twin, used in
tests.
1-bit weights (``{-1, 0}``) store ``-1`` as the field ``1``.
"""

from __future__ import annotations

import numpy as np

from golden.errors import FerhilError
from golden.format import WEIGHT_BITS, weight_range


class WeightPackingError(FerhilError, ValueError):
    """Weights cannot be packed at the requested width; the message says why."""


def row_bytes(count: int, bits: int) -> int:
    """Return the bytes one packed row of ``count`` ``bits``-wide fields takes."""
    return (count * bits + 7) // 8


def pack_rows(weights: np.ndarray, bits: int) -> bytes:
    """Pack ``weights`` (first axis = output rows) into byte-aligned rows of ``bits``-wide fields.

    Args:
        weights: integer array ``(out, ...)``; values must lie in the signed ``bits`` range.
        bits: 8, 4, 2 or 1.

    Returns:
        ``out * row_bytes(count, bits)`` bytes.

    Raises:
        WeightPackingError: for an unsupported width or out-of-range values.
    """
    if bits not in WEIGHT_BITS:
        raise WeightPackingError(f"weight width {bits} is not one of {WEIGHT_BITS}")
    w = np.asarray(weights).astype(np.int64)
    rows = w.reshape(w.shape[0], -1)
    lo, hi = weight_range(bits)
    if rows.size and (rows.min() < lo or rows.max() > hi):
        raise WeightPackingError(f"weights outside [{lo}, {hi}] cannot be packed at {bits} bits")
    fields = (rows & ((1 << bits) - 1)).astype(np.uint8)
    per_byte = 8 // bits
    count = rows.shape[1]
    padded = np.zeros((rows.shape[0], row_bytes(count, bits) * per_byte), np.uint8)
    padded[:, :count] = fields
    grouped = padded.reshape(rows.shape[0], -1, per_byte).astype(np.uint32)
    shifts = (np.arange(per_byte, dtype=np.uint32) * bits)[None, None, :]
    packed = (grouped << shifts).sum(axis=2).astype(np.uint8)
    data: bytes = packed.tobytes()
    return data


def unpack_rows(data: bytes, bits: int, rows: int, count: int) -> np.ndarray:
    """Inverse of :func:`pack_rows`: return int8 ``(rows, count)``."""
    per_byte = 8 // bits
    raw = np.frombuffer(data, np.uint8).reshape(rows, row_bytes(count, bits)).astype(np.int32)
    shifts = np.arange(per_byte, dtype=np.int32) * bits
    fields = ((raw[:, :, None] >> shifts[None, None, :]) & ((1 << bits) - 1)).reshape(rows, -1)
    sign = 1 << (bits - 1)
    return ((fields[:, :count] ^ sign) - sign).astype(np.int8)
