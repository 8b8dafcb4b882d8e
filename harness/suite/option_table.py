"""The complete option table: every module that declares harness options, imported explicitly.

Option rows live next to the code that uses them (run, board, meter, store, regression, lab,
fault injection, TTA); each of those modules adds its rows to :data:`harness.suite.options.OPTIONS`
when it is imported. This module imports them all, so one import gives the whole table, with every
default, without naming modules in strings.
"""

from __future__ import annotations

from harness.devices import lab_options
from harness.meters.glue import options as meter_options
from harness.regression import options as regression_options
from harness.run import answered_floor, faults, tta
from harness.store import options as store_options
from harness.suite import run_options
from harness.suite.options import OPTIONS, OptionTable

#: The modules whose rows make the table (kept referenced for readers and linters).
PROVIDERS = (
    run_options,
    lab_options,
    meter_options,
    store_options,
    regression_options,
    answered_floor,
    faults,
    tta,
)


def load_option_providers() -> OptionTable:
    """Return the complete option table (every provider above is imported with this module)."""
    return OPTIONS
