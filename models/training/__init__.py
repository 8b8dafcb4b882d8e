"""Training: configuration, data, QAT phases, distillation, evaluation, zoo export.

Recipes are ``models/configs/<name>.yaml``; ``ferhil train`` / ``ferhil eval``.
"""
