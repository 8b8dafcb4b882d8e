"""Write :mod:`harness.suite.config_fields`, the typed fields of the config, from the option table.

Every row of the option table becomes one field of a frozen dataclass: the identifier is the
option name with dashes as underscores, the type is ``bool`` for a flag, a ``Literal`` of the
choices for a closed set, else the class or the return annotation of the row's converter;
``| None`` is added when the default is ``None``. The generated class has no defaults: those
live in the option table only (:meth:`harness.suite.config.FerhilConfig.defaults`).

Run ``python -m harness.suite.config_codegen`` after adding, removing or changing an option row; the
test suite fails while the checked-in file differs from what this module writes.
"""

from __future__ import annotations

import keyword
import sys
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.suite.options import Option, OptionTable

#: The file this module writes (checked in).
FIELDS_PATH = Path(__file__).with_name("config_fields.py")

#: The command that rewrites :data:`FIELDS_PATH`.
REGENERATE = "python -m harness.suite.config_codegen"

#: Names :class:`harness.suite.config.FerhilConfig` uses itself; no option may take them.
RESERVED = frozenset(
    {
        "extras",
        "xdist_shard",
        "extra_options",
        "get",
        "items",
        "to_dict",
        "replace",
        "resolve",
        "defaults",
        "from_values",
    }
)

_HEADER = f'''"""The typed fields of :class:`harness.suite.config.FerhilConfig`, one per option row.

Generated from the option table by ``{REGENERATE}``: do not edit.
The defaults live in the option table only, so the class has none.
"""

from __future__ import annotations

from dataclasses import dataclass
{{imports}}

@dataclass(frozen=True, slots=True)
class ConfigFields:
    """The resolved value of every harness option, typed (``config.report_dir``)."""
'''


def field_name(option: Option) -> str:
    """Return the Python identifier of ``option``'s field (``report-dir`` -> ``report_dir``).

    Raises:
        ConfigError: when the name cannot be a field; rename the option.
    """
    name = option.name.replace("-", "_")
    if not name.isidentifier() or keyword.iskeyword(name) or name in RESERVED:
        raise ConfigError(
            f"option --{option.name} cannot be a config field ({name!r} is not a free Python "
            "identifier); rename the option"
        )
    return name


def _render(kind: Any, imports: set[str], option: Option) -> str:
    if kind is None or kind is type(None):
        return "None"
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        return " | ".join(_render(arg, imports, option) for arg in typing.get_args(kind))
    if kind is Path:
        imports.add("from pathlib import Path")
        return "Path"
    if kind in (str, int, float, bool):
        return str(kind.__name__)
    raise ConfigError(
        f"option --{option.name}: cannot write the config field type {kind!r}; give its "
        "converter a return annotation of str, int, float, bool, Path or a union of them"
    )


def _value_type(option: Option) -> Any:
    if option.flag:
        return bool
    if isinstance(option.type, type):
        return option.type
    try:
        return typing.get_type_hints(option.type)["return"]
    except (KeyError, NameError, TypeError) as exc:
        raise ConfigError(
            f"option --{option.name}: its converter {option.type!r} needs a return annotation "
            "(the config field's type)"
        ) from exc


def annotation(option: Option, imports: set[str]) -> str:
    """Return the type annotation text of ``option``'s field, adding needed imports."""
    if option.choices is not None and not option.flag:
        imports.add("from typing import Literal")
        text = "Literal[" + ", ".join(f'"{c}"' for c in option.choices) + "]"
    else:
        text = _render(_value_type(option), imports, option)
    if option.default is None and "None" not in text.split(" | "):
        text += " | None"
    return text


def render(table: OptionTable) -> str:
    """Return the text of :data:`FIELDS_PATH` for ``table``."""
    imports: set[str] = set()
    body: list[str] = []
    # By name: the table's row order depends on which provider module was imported first.
    for option in sorted(table, key=lambda o: o.name):
        kind = annotation(option, imports)
        comment = f"--{option.name}: {option.help}"
        body.append("")
        wrapped = textwrap.wrap(comment, 96, initial_indent="    #: ", subsequent_indent="    #: ")
        body.extend(wrapped)
        body.append(f"    {field_name(option)}: {kind}")
    ordered = sorted(imports, key=lambda line: (line.startswith("from typing"), line))
    head = _HEADER.replace("{imports}", "".join(line + "\n" for line in ordered))
    return head + "\n".join(body) + "\n"


def stale_message(path: Path = FIELDS_PATH) -> str | None:
    """Return why ``path`` differs from the complete option table, or ``None`` when it matches."""
    from harness.suite.option_table import load_option_providers

    expected = render(load_option_providers())
    actual = path.read_text(encoding="utf-8") if path.exists() else ""
    if actual == expected:
        return None
    return (
        f"{path} does not match the option table (an option row was added, removed or "
        f"changed); regenerate it with `{REGENERATE}` and commit the result"
    )


def main(argv: list[str] | None = None) -> int:
    """Write :data:`FIELDS_PATH` (``--check``: only report whether it is up to date)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        problem = stale_message()
        print(problem or f"{FIELDS_PATH} is up to date")
        return 1 if problem else 0
    if args:
        print(f"usage: {REGENERATE} [--check]", file=sys.stderr)
        return 2
    from harness.suite.option_table import load_option_providers

    FIELDS_PATH.write_text(render(load_option_providers()), encoding="utf-8")
    print(f"wrote {FIELDS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
