import dataclasses
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.suite import config_codegen
from harness.suite.config import FerhilConfig, as_config, option_default
from harness.suite.config_codegen import FIELDS_PATH, REGENERATE, annotation, render, stale_message
from harness.suite.option_table import load_option_providers
from harness.suite.options import OPTIONS, Option, OptionTable


def test_checked_in_fields_match_the_option_table():
    expected = render(load_option_providers())
    actual = FIELDS_PATH.read_text(encoding="utf-8")
    assert actual == expected, stale_message()


def test_a_row_added_without_regenerating_names_the_command(monkeypatch):
    row = Option("widget-count", "a row nobody regenerated", default=1, type=int)
    monkeypatch.setattr(OPTIONS, "_rows", {**OPTIONS._rows, row.name: row})
    message = stale_message()
    assert message is not None and REGENERATE in message and "config_fields.py" in message


def test_main_check_reports_up_to_date(capsys):
    assert config_codegen.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_field_types_follow_the_row():
    imports: set[str] = set()
    assert annotation(Option("a", "x", flag=True), imports) == "bool | None"
    assert annotation(Option("a", "x", default=True, flag=True), imports) == "bool"
    assert annotation(Option("a", "x", type=Path), imports) == "Path | None"
    assert annotation(Option("a", "x", default="lo", choices=("lo", "hi")), imports) == (
        'Literal["lo", "hi"]'
    )

    def maybe(text: str) -> int | None:
        return int(text) or None

    assert annotation(Option("a", "x", type=maybe), imports) == "int | None"
    assert imports == {"from pathlib import Path", "from typing import Literal"}


def test_unannotated_converter_is_refused():
    table = OptionTable()
    table.add(Option("odd", "x", type=lambda text: text))
    with pytest.raises(ConfigError, match="return annotation"):
        render(table)


def test_config_is_frozen_and_typed():
    cfg = FerhilConfig.defaults(limit=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.limit = 6  # type: ignore[misc]
    assert cfg.report_dir == option_default("report-dir") == Path("out/hil")
    assert cfg.sample_timeout == OPTIONS["sample-timeout"].default
    assert cfg.replace(limit=6).limit == 6 and cfg.limit == 5


def test_unknown_option_names_are_refused():
    with pytest.raises(ConfigError, match="no harness option named lmit"):
        FerhilConfig.defaults(lmit=5)


def test_items_in_table_order_and_rows_without_a_field(monkeypatch):
    names = [opt.name for opt in load_option_providers()]
    assert [name for name, _ in FerhilConfig.defaults().items()] == names
    row = Option("widget-count", "a row another module adds", default=1, type=int)
    monkeypatch.setattr(OPTIONS, "_rows", {**OPTIONS._rows, row.name: row})
    cfg = FerhilConfig.defaults(widget_count=3)
    assert cfg["widget-count"] == 3 and cfg.extra_options == {"widget-count": 3}
    assert cfg.to_dict()["widget-count"] == 3 and "widget-count" in cfg


def test_partial_mappings_take_the_table_defaults():
    cfg = as_config({"board": "qemu"})
    assert cfg.board == "qemu" and cfg.window == OPTIONS["window"].default
    assert as_config(cfg) is cfg
