"""Firmware builds: C synthesis from a model, izer and MSDK builds, toolchains.

``build.build_firmware`` is the entry point. C sources stay in ``firmware/c``, jinja2
templates in ``firmware/templates`` and board files in ``firmware/boards/<kind>/``.
"""
