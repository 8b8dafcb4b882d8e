"""Quantized golden model: format, integer reference inference, MAX78000 rules (numpy)."""
