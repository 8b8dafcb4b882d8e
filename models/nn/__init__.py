"""MAX78000-legal torch networks: fused layers, their rules, fake quantization, folding.

A new layer or operator's torch side goes here (``layers``, ``layer_rules``).
"""
