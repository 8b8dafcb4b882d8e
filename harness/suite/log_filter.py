"""Keep the run's log file about ferhil: other libraries' records only from WARNING up.

``ferhil run`` writes the ``ferhil.*`` log at DEBUG into ``ferhil.log`` through pytest's
``--log-file``, whose handler sits on the root logger and so also collects every third-party
DEBUG record (pyvisa's and pyserial's byte traces, asyncio, PIL's plugin scan): on a full
PublicTest run they drowned the harness's own lines. :class:`OwnRecordsFilter` on that handler
passes every record of the ``ferhil`` logger tree and, from other loggers, warnings and errors
only, which are the ones a lab engineer needs when an instrument library misbehaves.
"""

from __future__ import annotations

import logging

import pytest

OWN_LOGGER = "ferhil"
FOREIGN_MIN_LEVEL = logging.WARNING


class OwnRecordsFilter(logging.Filter):
    """Pass ``ferhil.*`` records at any level and other loggers' from WARNING up."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return True when ``record`` belongs in the run's log file."""
        name = record.name
        own = name == OWN_LOGGER or name.startswith(OWN_LOGGER + ".")
        return own or record.levelno >= FOREIGN_MIN_LEVEL


def filter_log_file(config: pytest.Config) -> bool:
    """Attach :class:`OwnRecordsFilter` to pytest's ``--log-file`` handler; True when attached.

    Idempotent: a second call (a nested pytester session) adds no second filter.
    """
    plugin = config.pluginmanager.get_plugin("logging-plugin")
    handler = getattr(plugin, "log_file_handler", None)
    if not isinstance(handler, logging.Handler):
        return False
    if not any(isinstance(f, OwnRecordsFilter) for f in handler.filters):
        handler.addFilter(OwnRecordsFilter())
    return True
