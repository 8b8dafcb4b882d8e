from pathlib import Path

import pytest

from harness.devices.boards.selection import board_spec
from harness.devices.lab_inventory import load_lab, parse_lab
from harness.errors import ConfigError
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers

load_option_providers()

LAB = """
boards:
  fthr-1:
    kind: max78000fthr
    probe: "0444000012345678"
    port: /dev/ttyACM0
    baud: 921600
    meter: "TCPIP0::10.0.0.5::5025::SOCKET"
    flasher: openocd
    pack: packs/Maxim.MAX78000.pack
  sim:
    kind: hostsim
"""


def test_parse_full_entry(tmp_path):
    lab = parse_lab(LAB, tmp_path / "lab.yaml")
    b = lab.board("fthr-1")
    assert (b.kind, b.probe, b.port, b.baud, b.flasher) == (
        "max78000fthr",
        "0444000012345678",
        "/dev/ttyACM0",
        921600,
        "openocd",
    )
    assert b.meter == "TCPIP0::10.0.0.5::5025::SOCKET"
    assert b.pack == tmp_path / "packs" / "Maxim.MAX78000.pack"  # relative to the file
    assert lab.board("sim").port is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("boards: [\n  - a\n  b: {", r"lab.yaml line \d+ is not valid YAML"),
        ("- just\n- a list\n", "must be a mapping with a 'boards:' mapping"),
        ("boards:\n  x:\n    port: /dev/ttyACM0\n", "'kind' is required"),
        ("boards:\n  x:\n    kind: hostsim\n    prot: /dev/x\n", r"unknown keys \['prot'\]"),
        ("boards:\n  x:\n    kind: hostsim\n    baud: fast\n", "baud must be a number"),
        ("boards:\n  x: hostsim\n", "must be a mapping of keys"),
    ],
)
def test_bad_inventory_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        parse_lab(text, tmp_path / "lab.yaml")


def test_missing_file_and_unknown_board(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read lab inventory"):
        load_lab(tmp_path / "none.yaml")
    lab = parse_lab(LAB, tmp_path / "lab.yaml")
    with pytest.raises(ConfigError, match=r"'fthr-9' is not in the lab inventory .*fthr-1, sim"):
        lab.board("fthr-9")


def test_board_spec_from_lab_with_command_line_overrides(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text(LAB)
    cfg = FerhilConfig.defaults(board="fthr-1", lab=path, port="/dev/ttyACM7")
    spec = board_spec(cfg)
    assert spec.kind == "max78000fthr" and spec.name == "fthr-1"
    assert spec.port == "/dev/ttyACM7"  # --port wins
    assert spec.baud == 921600 and spec.flasher == "openocd" and spec.probe == "0444000012345678"


def test_board_spec_without_lab(tmp_path):
    spec = board_spec(FerhilConfig.defaults(board="qemu", baud=921600), gpio_log=Path("g.log"))
    assert (spec.kind, spec.baud, spec.gpio_log) == ("qemu", 921600, Path("g.log"))
    with pytest.raises(ConfigError, match=r"unknown board 'fthr-1'.*--lab FILE"):
        board_spec(FerhilConfig.defaults(board="fthr-1"))


def test_example_inventory_in_the_repo_is_valid():
    example = Path(__file__).resolve().parents[2] / "hil" / "lab.example.yaml"
    lab = load_lab(example)
    assert lab.board("fthr-1").kind == "max78000fthr" and lab.board("sim").kind == "hostsim"
