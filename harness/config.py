"""The resolved option values of one run (the ``ferhil_config`` fixture)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from harness.options import OPTIONS, OptionTable


class FerhilConfig(Mapping[str, Any]):
    """Resolved values of every option, by option name (``config["report-dir"]``).

    Attribute access works with underscores: ``config.report_dir``.
    """

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, attr: str) -> Any:
        name = attr.replace("_", "-")
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"no harness option named {name!r}")

    def replace(self, **changes: Any) -> FerhilConfig:
        """Return a copy with some values changed (keys with underscores or dashes)."""
        values = dict(self._values)
        values.update({k.replace("_", "-"): v for k, v in changes.items()})
        return FerhilConfig(values)

    def __repr__(self) -> str:
        return f"FerhilConfig({self._values!r})"

    @classmethod
    def resolve(
        cls,
        cli: Callable[[str], Any],
        ini: Callable[[str], str | None],
        environ: Mapping[str, str] | None = None,
        table: OptionTable = OPTIONS,
    ) -> FerhilConfig:
        """Resolve every option of ``table``.

        Args:
            cli: returns the command-line value of an option key (``None`` when not given).
            ini: returns the ini value of an option key (``None``/empty when not set).
            environ: the environment (default ``os.environ``).
            table: the option table.
        """
        env = os.environ if environ is None else environ
        return cls({opt.name: opt.resolve(cli(opt.key), ini(opt.key), env) for opt in table})

    @classmethod
    def defaults(cls, table: OptionTable | None = None, **changes: Any) -> FerhilConfig:
        """Return the defaults of ``table`` (ignoring the environment) with ``changes``.

        Without ``table``: the complete table (:mod:`harness.option_table`), so the defaults are
        all there without any prior call.
        """
        if table is None:
            from harness.option_table import load_option_providers

            table = load_option_providers()
        return cls({opt.name: opt.default for opt in table}).replace(**changes)
