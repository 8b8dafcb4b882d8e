"""Output locations given on the command line (``--out``, ``--report-dir``): checked up front.

A command creates its output folder with :func:`output_dir` and names an output file with
:func:`output_file`, so a path that points at a file, sits under a file or cannot be created
ends in a one-line error naming the option, before any work is done.
"""

from __future__ import annotations

from pathlib import Path

from golden.errors import FerhilError


class OutputPathError(FerhilError, ValueError):
    """An output path cannot be used; the message names the option and what to do."""


def output_dir(path: str | Path, option: str) -> Path:
    """Create the folder ``path`` (with parents) and return it.

    Args:
        path: the folder.
        option: the option that named it (``--report-dir``), for the message.

    Raises:
        OutputPathError: when ``path`` or a parent is a file, or it cannot be created.
    """
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{option} {folder} is a file, not a folder; give a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputPathError(
            f"{option} {folder}: a parent of it is a file, not a folder; give another folder"
        ) from None
    except OSError as exc:
        raise OutputPathError(
            f"{option} {folder} cannot be created ({exc.strerror or exc}); give another folder"
        ) from None
    return folder


def output_file(path: str | Path, option: str, suffix: str | None = None) -> Path:
    """Check the output file ``path``, create its folder and return it, unchanged.

    Args:
        path: the file to write (written exactly there, never with a suffix added).
        option: the option that named it (``--out``), for the message.
        suffix: the required file name ending (``.npy``), if any.

    Raises:
        OutputPathError: when ``path`` is a folder, lacks ``suffix`` or its folder is unusable.
    """
    target = Path(path).expanduser()
    if suffix is not None and not target.name.endswith(suffix):
        raise OutputPathError(
            f"{option} {target} must end in {suffix} (ferhil writes exactly the name given); "
            f"use {target.name}{suffix}"
        )
    if target.is_dir():
        raise OutputPathError(f"{option} {target} is a folder; give a file name")
    output_dir(target.parent, f"{option} folder")
    return target
