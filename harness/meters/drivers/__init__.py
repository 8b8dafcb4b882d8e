"""Drivers of real power meters (SCPI over pyvisa) and their registry.

A new meter model goes in ``<model>.py`` on ``scpi_meter`` and is listed in
``registry.DRIVERS``. Drivers import only :mod:`harness.meters.base` and ``errors``.
"""
