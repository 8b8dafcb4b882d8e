"""One test set over several boards: board pool, sharding, xdist workers.

How one run uses a lab of boards goes here; the boards themselves (and the lab
inventory that names them) are in :mod:`harness.devices`.
"""
