"""The SIMULATED meter: a real SCPI server on loopback and the supply model behind it.

Imports only :mod:`harness.meters.base` and ``errors`` of the meters package.
"""
