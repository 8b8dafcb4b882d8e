"""One HIL run: inputs, bring-up, streaming, journal, results document and faults.

:class:`~harness.run.hil_run.HilRun` drives a run; a new run stage, run listener or
``results.json`` field goes here.
"""
