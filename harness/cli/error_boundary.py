"""The top-level error boundary of every ``ferhil`` command.

Whatever a command raises ends as one line on stderr and a non-zero exit, never a traceback:

* :class:`~golden.errors.FerhilError`: its message (it says what to do), exit 2;
* ``KeyboardInterrupt``: ``interrupted``, exit 130;
* ``BrokenPipeError`` (``ferhil build | head -1``): silent, exit 141 like a process killed by
  SIGPIPE; stdout is pointed at ``/dev/null`` so the interpreter's final flush cannot fail again;
* anything else is a ferhil bug: one line naming the exception, a hint and the log file that
  holds the full traceback (``$FERHIL_CRASH_DIR``, default the system temp folder), exit 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from golden.errors import FerhilError

CRASH_DIR_ENV = "FERHIL_CRASH_DIR"
EXIT_ERROR = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

#: Exception type -> what the user can try; the first ``isinstance`` match wins.
_HINTS: tuple[tuple[type[BaseException], str], ...] = (
    (MemoryError, "the input is too large for this machine; try a smaller file or --limit"),
    (UnicodeError, "a text file is not UTF-8; re-save it as UTF-8"),
    (PermissionError, "check the permissions of the files and folders named in the options"),
    (IsADirectoryError, "a file option names a folder; give a file"),
    (NotADirectoryError, "a folder option names a file; give a folder"),
    (FileNotFoundError, "check the paths given in the options"),
    (OSError, "check the paths and devices given in the options"),
)


def crash_dir() -> Path:
    """Return the folder crash logs go to (``$FERHIL_CRASH_DIR`` or the system temp folder)."""
    return Path(os.environ.get(CRASH_DIR_ENV) or tempfile.gettempdir())


def hint_for(exc: BaseException) -> str:
    """Return a hint for an unexpected exception (a generic one when no rule matches)."""
    for kind, hint in _HINTS:
        if isinstance(exc, kind):
            return hint
    return "this is a ferhil bug; please report it with the log file"


def write_crash_log(command: str, exc: BaseException) -> Path | None:
    """Write ``exc``'s traceback to a new log file; return its path (``None`` if impossible)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"ferhil-{command or 'cli'}-{stamp}-{os.getpid()}.log"
    try:
        folder = crash_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        path.write_text(f"ferhil {command} {' '.join(sys.argv[1:])}\n{text}")
        return path
    except OSError:
        return None


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run_guarded(command: str, func: Callable[[], int], stderr: TextIO | None = None) -> int:
    """Run ``func`` and turn whatever it raises into one stderr line and an exit code.

    Args:
        command: the subcommand name (for the message and the log file name).
        func: the command body; returns its exit code.
        stderr: where the line goes (default ``sys.stderr``).

    Returns:
        ``func``'s exit code, or the exit code of the error (see the module docstring).
    """
    err = stderr if stderr is not None else sys.stderr
    prefix = f"ferhil {command}".strip()
    try:
        code = int(func() or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the boundary, not at exit
        return code
    except FerhilError as exc:
        print(f"{prefix}: error: {_one_line(str(exc), 1000)}", file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # the boundary: anything else is a bug, reported on one line
        log = write_crash_log(command, exc)
        where = f"traceback in {log}" if log else "no log file could be written"
        print(
            f"{prefix}: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            f"({hint_for(exc)}; {where})",
            file=err,
        )
        return EXIT_BUG
