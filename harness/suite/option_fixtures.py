"""Generate one pytest fixture per option row (``ferhil_<name>``).

Each fixture returns the resolved option value, or the value given by
``@pytest.mark.parametrize("ferhil_limit", [10], indirect=True)`` for one test (converted
like a command-line value), so any option can be overridden per test.
"""

from __future__ import annotations

import types
from typing import Any

import pytest

from harness.suite.config import FerhilConfig
from harness.suite.options import Option, OptionTable


def _fixture_for(option: Option, key: pytest.StashKey[FerhilConfig]) -> Any:
    def value(request: pytest.FixtureRequest) -> Any:
        if hasattr(request, "param"):
            return option.convert(request.param)
        return request.config.stash[key][option.name]

    value.__name__ = option.key
    value.__doc__ = f"The value of --{option.name}: {option.help}"
    return pytest.fixture(name=option.key)(value)


def option_fixtures_plugin(
    table: OptionTable, key: pytest.StashKey[FerhilConfig]
) -> types.ModuleType:
    """Return a plugin module object holding one fixture per row of ``table``."""
    plugin = types.ModuleType("ferhil_option_fixtures", "One fixture per ferhil option.")
    for opt in table:
        setattr(plugin, opt.key, _fixture_for(opt, key))
    return plugin
