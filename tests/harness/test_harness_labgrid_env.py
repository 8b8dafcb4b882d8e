"""Places from labgrid environment files (``--lg-env``), and place option plumbing."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.devices.boards.group import board_names, board_specs, is_multi_board
from harness.devices.labgrid_env import places_from_env_file
from harness.errors import ConfigError

ENV = """\
targets:
  main:
    resources:
      RemotePlace:
        name: fthr-rack-3
    drivers:
      SerialDriver: {}
  second:
    resources:
      - RemotePlace: {name: fthr-rack-4}
options:
  coordinator_address: 10.0.0.9:20408
"""


def test_places_and_coordinator_come_from_the_env_file(tmp_path: Path) -> None:
    env = tmp_path / "env.yaml"
    env.write_text(ENV)
    assert places_from_env_file(env) == (["fthr-rack-3", "fthr-rack-4"], "10.0.0.9:20408")
    (tmp_path / "bad.yaml").write_text("targets: [")
    with pytest.raises(ConfigError, match="labgrid environment"):
        places_from_env_file(tmp_path / "bad.yaml")


def test_places_make_a_leased_pool() -> None:
    config = {"place": "a, b", "coordinator": "127.0.0.1:1", "baud": 921600, "board": "hostsim"}
    assert board_names(config) == ["a", "b"] and is_multi_board({"place": "a"})
    specs = board_specs(config)
    assert [(s.name, s.kind, s.place, s.coordinator, s.baud) for s in specs] == [
        ("a", "labgrid", "a", "127.0.0.1:1", 921600),
        ("b", "labgrid", "b", "127.0.0.1:1", 921600),
    ]


def test_lg_env_sets_the_places_of_a_pytest_run(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("labgrid", reason="labgrid is not installed (pip install labgrid)")
    for name in ("LG_COORDINATOR", "LG_PLACE", "LG_ENV"):
        monkeypatch.delenv(name, raising=False)
    env = tmp_path / "env.yaml"
    env.write_text(ENV)
    pytester.makepyfile(
        """
        def test_places(ferhil_config):
            assert ferhil_config["place"] == "fthr-rack-3,fthr-rack-4"
            assert ferhil_config["coordinator"] == "10.0.0.9:20408"
        """
    )
    result = pytester.runpytest("-p", "labgrid", "--lg-env", str(env), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
