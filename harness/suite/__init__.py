"""The pytest side of a HIL suite: option table, option fixtures, config, verdict.

The plugin's hooks are :mod:`harness.plugin` (entry point ``pytest11: ferhil``).
``options`` is the option table every package adds rows to (``option_table`` imports
them all), ``config`` the resolved values of one run, ``verdict`` the run's one
verdict. A new option row goes beside the code that uses it; a new fixture, suite
rule or threshold goes here.
"""
