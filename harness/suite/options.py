"""The one table of harness options: each row generates a CLI option, an ini key and a fixture.

A row (:class:`Option`) is declared once; :mod:`harness.plugin` turns every row into

* a command-line option ``--<name>`` (a tri-state ``--<name>/--no-<name>`` pair for flags),
* an ini key ``ferhil_<name>`` (dashes become underscores) for ``pytest.ini``/``pyproject.toml``,
* a fixture ``ferhil_<name>`` (overridable per test with ``parametrize(..., indirect=True)``),
* an entry of the ``ferhil_config`` mapping,

and ``ferhil run`` (:mod:`harness.cli.commands`) adds the same options to its argument parser.
Precedence: command line, then the environment variable (when the row names one), then the
ini key, then the default.

Other modules add rows by calling ``OPTIONS.add(Option(...))`` at import time;
:mod:`harness.suite.option_table` imports every one of them, so ``load_option_providers()`` from
there
returns the complete table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from harness.errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_bool(text: str) -> bool:
    """Parse ``true/false/yes/no/on/off/1/0`` (any case).

    Raises:
        ConfigError: for any other text.
    """
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"expected a boolean (true/false, yes/no, 1/0), got {text!r}")


def positive_int(text: str) -> int:
    """Option converter: an integer > 0."""
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def positive_float(text: str) -> float:
    """Option converter: a number > 0."""
    value = float(text)
    if value <= 0:
        raise ValueError("must be positive")
    return value


def non_negative_int(text: str) -> int:
    """Option converter: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise ValueError("must be >= 0")
    return value


def non_negative_float(text: str) -> float:
    """Option converter: a number >= 0."""
    value = float(text)
    if value < 0:
        raise ValueError("must be >= 0")
    return value


@dataclass(frozen=True)
class Option:
    """One harness option.

    Attributes:
        name: the long option name without dashes (``report-dir``).
        help: one sentence for ``--help``.
        default: the value when nothing sets the option (``None`` = unset/automatic).
        type: converts the text of the command line, the ini file or the environment.
        choices: the allowed texts, when the set is closed.
        env: an environment variable that sets the option, if any.
        flag: a tri-state ``--name/--no-name`` switch (``None`` when neither is given).
        metavar: the placeholder shown in ``--help``.
        group: the concern it belongs to, a key of :data:`GROUPS` (its ``--help`` section).
    """

    name: str
    help: str
    default: Any = None
    type: Callable[[str], Any] = str
    choices: tuple[str, ...] | None = None
    env: str | None = None
    flag: bool = False
    metavar: str | None = None
    group: str = "run"

    @property
    def key(self) -> str:
        """The identifier used as ini key, fixture name and argparse dest (``ferhil_<name>``)."""
        return "ferhil_" + self.name.replace("-", "_")

    def convert(self, raw: Any) -> Any:
        """Return ``raw`` (text or an already converted value) as the option's value.

        Raises:
            ConfigError: naming the option and the allowed values.
        """
        if raw is None or not isinstance(raw, str):
            return raw
        if self.choices is not None and raw not in self.choices:
            raise ConfigError(f"--{self.name}: {raw!r} is not one of {', '.join(self.choices)}")
        try:
            return parse_bool(raw) if self.flag else self.type(raw)
        except ConfigError as exc:
            raise ConfigError(f"--{self.name}: {exc}") from exc
        except ValueError as exc:
            raise ConfigError(f"--{self.name}: cannot read {raw!r} ({exc})") from exc

    def add_to(self, addoption: Callable[..., Any]) -> None:
        """Declare the option through an argparse-like ``addoption``/``add_argument``."""
        where = [f"ini {self.key}"] + ([f"env {self.env}"] if self.env else [])
        text = f"{self.help} [default: {self.default}; {', '.join(where)}]"
        if self.flag:
            addoption(f"--{self.name}", action="store_true", dest=self.key, default=None, help=text)
            addoption(
                f"--no-{self.name}",
                action="store_false",
                dest=self.key,
                default=None,
                help=f"the opposite of --{self.name}",
            )
            return
        addoption(
            f"--{self.name}",
            dest=self.key,
            default=None,
            help=text,
            metavar=self.metavar
            or ("{" + ",".join(self.choices) + "}" if self.choices else None)
            or self.name.upper().replace("-", "_"),
        )

    def resolve(self, cli: Any, ini: str | None, environ: Mapping[str, str]) -> Any:
        """Apply the precedence command line > environment > ini > default and convert."""
        if cli is not None:
            return self.convert(cli)
        if self.env and environ.get(self.env, "") != "":
            return self.convert(environ[self.env])
        if ini not in (None, ""):
            return self.convert(ini)
        return self.default

    def to_args(self, value: Any) -> list[str]:
        """Return the command-line words that set ``value`` (empty for ``None``)."""
        if value is None:
            return []
        if self.flag:
            return [f"--{self.name}" if value else f"--no-{self.name}"]
        return [f"--{self.name}", str(value)]


class OptionTable:
    """The ordered registry of options; names are unique."""

    def __init__(self) -> None:
        self._rows: dict[str, Option] = {}

    def add(self, *options: Option) -> None:
        """Register rows; re-registering an identical row is a no-op.

        Raises:
            ConfigError: when a different row already uses the name.
        """
        for option in options:
            known = self._rows.get(option.name)
            if known is not None and known != option:
                raise ConfigError(f"option --{option.name} is declared twice")
            self._rows[option.name] = option

    def __iter__(self) -> Iterator[Option]:
        return iter(list(self._rows.values()))

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, name: str) -> Option:
        return self._rows[name]

    def __contains__(self, name: object) -> bool:
        return name in self._rows


#: The ``--help`` sections, by concern: an option's ``group`` names one of them.
GROUPS: dict[str, str] = {
    "run": "ferhil run: model, test set, streaming and pass/fail thresholds",
    "board": "ferhil board: which board, its link and how it is flashed",
    "meter": "ferhil meter: the power meter (energy per inference)",
    "store": "ferhil store: the result store",
    "regression": "ferhil regression: the gate against the baseline run",
}


def in_group(group: str, rows: tuple[Option, ...]) -> tuple[Option, ...]:
    """Return ``rows`` placed in the ``--help`` section ``group`` (a key of :data:`GROUPS`)."""
    if group not in GROUPS:
        raise ConfigError(f"unknown option group {group!r}; known: {', '.join(GROUPS)}")
    return tuple(replace(row, group=group) for row in rows)


#: The harness's option table; other modules append rows with ``OPTIONS.add``.
OPTIONS = OptionTable()
