"""The ``ferhil`` command: one dispatcher, subcommands contributed by each package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from app import cli as app_cli
from firmware import cli as firmware_cli
from golden import cli as golden_cli
from golden.errors import FerhilError
from harness.cli import commands as harness_commands
from harness.cli.error_boundary import run_guarded
from models import cli as models_cli
from models.training import train_cli

#: Each package's ``register(subparsers)``, bottom layer first.
REGISTRARS: tuple[Callable[[Any], None], ...] = (
    golden_cli.register,
    models_cli.register,
    train_cli.register,
    firmware_cli.register,
    harness_commands.register,
    app_cli.register,
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
    for register in REGISTRARS:
        register(sub)
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
