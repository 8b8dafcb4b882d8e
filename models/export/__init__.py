"""Exports and imports of quantized models: ADI's izer (ai8x) format and ONNX.

A new export format goes here (and a ``ferhil export --format`` in ``models/cli.py``).
"""
