"""Check the inputs of ``ferhil run`` before pytest starts.

Without this, a bad ``--model``, ``--dataset``, ``--lab``, ``--report-dir`` or ``--db`` would
fail inside the session fixture and show up as one long pytest error per HIL test.
:func:`check_run_inputs` resolves the options the way the plugin does (command line, then
environment, then default), loads what the run will load and raises the same one-line
:class:`~golden.errors.FerhilError` the run would raise, so ``ferhil run`` ends with that line
and exit 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from golden.legality import require_legal
from golden.output_paths import output_dir
from golden.zoo import load_model
from harness.devices.boards.group import board_specs, is_multi_board
from harness.devices.boards.selection import board_spec
from harness.errors import ConfigError
from harness.run.test_set import select_test_set
from harness.suite.config import FerhilConfig


def resolved_options(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> FerhilConfig:
    """Return the config from ``args`` and the environment (no ini file).

    Raises:
        ConfigError: when a value cannot be converted (``--limit -5``...).
    """
    return FerhilConfig.resolve(
        cli=lambda key: getattr(args, key, None), ini=lambda key: None, environ=environ
    )


def check_run_inputs(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> None:
    """Load and check every input of a run; raise the first problem as a one-line error.

    Raises:
        FerhilError: for an unusable option value, report folder, lab file, board name,
            model (unreadable, or illegal without ``--allow-illegal``), data set or store.
    """
    config = resolved_options(args, environ)
    output_dir(config.report_dir, "--report-dir")
    if is_multi_board(config):  # --board a,b,c, a lab group, or labgrid places
        board_specs(config)  # reads --lab and checks every board name
    else:
        board_spec(config)  # reads --lab and checks the board name
    model = load_model(config.model)
    require_legal(model, config.allow_illegal)
    test_set = select_test_set(config.dataset, config.limit)
    if len(test_set.dataset) == 0:
        raise ConfigError(f"the test set {test_set.path or ''} has no images; nothing to run")
    from harness.store.location import db_url
    from harness.store.ownership import check_ferhil_database

    check_ferhil_database(db_url(config.db, config.report_dir, environ))
