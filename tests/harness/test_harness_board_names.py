"""One name per board in every command: `ferhil build --board qemu` = `ferhil run --board qemu`."""

from ferhil.cli import build_parser
from firmware.builder.board_specs import board_names, load_board
from harness.devices.boards.registry import BOARD_KINDS


def test_build_and_run_name_the_boards_alike() -> None:
    assert board_names() == ["hostsim", "max78000fthr", "qemu"]
    assert set(board_names()) <= set(BOARD_KINDS)  # run --board takes the same names
    assert load_board("qemu").name == load_board("qemu-mps2-an386").name == "qemu_mps2_an386"
    parser = build_parser()
    build_help = next(
        a.help
        for a in parser._subparsers._group_actions[0].choices["build"]._actions  # type: ignore[union-attr]
        if a.dest == "board"
    )
    assert "hostsim, max78000fthr, qemu" in build_help and "mps2" not in build_help
