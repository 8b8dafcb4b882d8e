import argparse
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers
from harness.suite.options import OPTIONS, Option, OptionTable, parse_bool

load_option_providers()


def test_core_rows_present_once():
    names = [o.name for o in OPTIONS]
    assert len(names) == len(set(names))
    for name in ("board", "lab", "model", "dataset", "limit", "baud", "report-dir", "flash"):
        assert name in OPTIONS


def test_key_is_ini_fixture_and_dest_name():
    assert Option("report-dir", "x").key == "ferhil_report_dir"


def test_precedence_cli_env_ini_default():
    opt = Option("limit", "x", default=7, type=int, env="FERHIL_TEST_LIMIT")
    assert opt.resolve("3", "5", {"FERHIL_TEST_LIMIT": "4"}) == 3
    assert opt.resolve(None, "5", {"FERHIL_TEST_LIMIT": "4"}) == 4
    assert opt.resolve(None, "5", {}) == 5
    assert opt.resolve(None, None, {}) == 7
    assert opt.resolve(None, "", {"FERHIL_TEST_LIMIT": ""}) == 7


def test_conversion_errors_name_the_option():
    with pytest.raises(ConfigError, match="--limit"):
        OPTIONS["limit"].convert("-2")
    with pytest.raises(ConfigError, match="--flasher: 'jlink' is not one of pyocd, openocd"):
        OPTIONS["flasher"].convert("jlink")
    with pytest.raises(ConfigError, match="boolean"):
        OPTIONS["flash"].convert("maybe")


def test_parse_bool():
    assert parse_bool("Yes") is True and parse_bool("0") is False


def test_duplicate_different_row_rejected():
    table = OptionTable()
    table.add(Option("a", "x"))
    table.add(Option("a", "x"))  # identical: fine
    with pytest.raises(ConfigError, match="declared twice"):
        table.add(Option("a", "y"))


def test_argparse_generation_and_round_trip():
    parser = argparse.ArgumentParser()
    for opt in OPTIONS:
        opt.add_to(parser.add_argument)
    ns = parser.parse_args(["--board", "qemu", "--no-flash", "--limit", "9"])
    assert ns.ferhil_board == "qemu" and ns.ferhil_flash is False and ns.ferhil_limit == "9"
    assert parser.parse_args([]).ferhil_flash is None
    words = []
    for opt in OPTIONS:
        words += opt.to_args(opt.convert(getattr(ns, opt.key)))
    assert words == ["--board", "qemu", "--limit", "9", "--no-flash"]


def test_config_mapping_and_attributes():
    cfg = FerhilConfig.defaults(limit=5, report_dir=Path("r"))
    assert cfg["limit"] == 5 and cfg.limit == 5 and cfg.report_dir == Path("r")
    assert cfg["board"] == "hostsim" and cfg["flash"] is None
    with pytest.raises(AttributeError):
        _ = cfg.no_such_option
    resolved = FerhilConfig.resolve(
        cli=lambda k: None, ini=lambda k: None, environ={"FERHIL_BOARD": "qemu"}
    )
    assert resolved["board"] == "qemu"
