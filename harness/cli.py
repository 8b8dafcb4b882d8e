"""The ``ferhil`` command: one dispatcher, subcommands contributed by each package."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from golden.errors import FerhilError
from harness.error_boundary import run_guarded

#: Packages whose ``cli.register(subparsers)`` adds subcommands, bottom layer first.
COMMAND_MODULES: tuple[str, ...] = (
    "golden.cli",
    "models.cli",
    "models.train_cli",
    "firmware.cli",
    "harness.commands",
    "app.cli",
)


class CommandError(FerhilError):
    """A subcommand failed in a way the user can fix; the message says how."""


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ferhil")
    except metadata.PackageNotFoundError:
        return "(not installed: run ./bootstrap.sh)"


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="ferhil",
        description="HIL test harness and model pipeline for FER on the MAX78000.",
    )
    parser.add_argument("--version", action="version", version=f"ferhil {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ferhil``; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return run_guarded(args.command, lambda: int(args.func(args) or 0))


if __name__ == "__main__":
    sys.exit(main())
