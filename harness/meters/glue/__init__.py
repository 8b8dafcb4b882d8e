"""Meters in a harness run: options, opening the chosen meter, measuring the board.

The only part of :mod:`harness.meters` that knows drivers, simulator and method at
once, and the only part the rest of the harness needs.
"""
