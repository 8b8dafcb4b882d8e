"""The energy-per-inference method: trigger window edges, idle baseline, energy.

Works on :class:`~harness.meters.base.Trace` records from any meter; imports only
:mod:`harness.meters.base` and ``errors`` of the meters package.
"""
