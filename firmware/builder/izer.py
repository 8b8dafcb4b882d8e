"""ADI's ai8x-synthesis ("izer"): find the user's checkout, its Python, and run it.

izer is the tool that turns an ai8x checkpoint and network YAML into the accelerator's C code
(``cnn.c``, ``cnn.h``, ``weights.h``) and, with ``--sample-input X.npy
--sample-numpy-filename Y.npy``, writes its expected last-layer output. ferhil never copies izer's
code: it runs the user's checkout as a separate process in izer's own virtual environment.

Where the checkout is found (first hit wins):

1. an explicit folder (``--izer DIR`` on the command line),
2. ``$FERHIL_IZER``.

The test suite (and only the test suite) falls back to the shared copy beside the repository;
see :func:`shared_izer_dir`.

Which Python runs it (first that exists): ``$FERHIL_IZER_PYTHON``; ``<izer>/venv/bin/python``
or ``<izer>/.venv/bin/python`` (ADI's documented set-up); ``<repo>/.venv-izer/bin/python`` (made
by ``bootstrap.sh``). Every run sets ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` (izer's checkpoints
are full pickles that torch >= 2.6 refuses by default) and passes ``--no-version-check`` (izer
otherwise asks GitHub for a newer release).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from golden.errors import FerhilError

LOG = logging.getLogger("ferhil.firmware")

REPO_ROOT = Path(__file__).resolve().parents[2]
IZER_ENV = "FERHIL_IZER"
IZER_PYTHON_ENV = "FERHIL_IZER_PYTHON"
#: The bootstrap-made izer environment, relative to the repository root.
REPO_IZER_VENV = ".venv-izer"
INSTALL_HINT = (
    "clone ADI's ai8x-synthesis (https://github.com/analogdevicesinc/ai8x-synthesis), set up its "
    "virtual environment as its README says, then pass --izer DIR or set FERHIL_IZER=DIR "
    "(and FERHIL_IZER_PYTHON if its Python is not DIR/venv/bin/python)"
)


class IzerMissingError(FerhilError, FileNotFoundError):
    """izer or its Python cannot be found; the message says how to install or point at it."""


class IzerFailedError(FerhilError, RuntimeError):
    """izer ran and failed; the message carries the end of its output."""


@dataclass(frozen=True)
class IzerInstall:
    """A usable izer checkout.

    Attributes:
        root: the ai8x-synthesis folder (holding ``ai8xize.py`` and ``izer/``).
        python: the interpreter of izer's own virtual environment.
    """

    root: Path
    python: Path

    @property
    def script(self) -> Path:
        """``ai8xize.py`` in the checkout."""
        return self.root / "ai8xize.py"

    def version(self) -> str:
        """Return izer's version.

        The git commit when the checkout is a repository, else ``src-<16 hex>``, a hash of its
        ``izer/*.py`` sources (stable for an unchanged copy).
        """
        head = self.root / ".git" / "HEAD"
        if head.is_file():
            ref = head.read_text(encoding="utf-8").strip()
            if ref.startswith("ref: "):
                ref_file = self.root / ".git" / ref[5:]
                if ref_file.is_file():
                    return ref_file.read_text(encoding="utf-8").strip()[:12]
            else:
                return ref[:12]
        digest = hashlib.sha256()
        for src in sorted((self.root / "izer").rglob("*.py")):
            digest.update(src.relative_to(self.root).as_posix().encode())
            digest.update(src.read_bytes())
        return "src-" + digest.hexdigest()[:16]

    def run(
        self, args: Sequence[str], *, cwd: Path, timeout_s: float = 600.0
    ) -> subprocess.CompletedProcess[str]:
        """Run ``ai8xize.py ARGS --no-version-check`` in ``cwd``.

        Raises:
            IzerFailedError: izer exited non-zero or ran past ``timeout_s``.
        """
        env = dict(os.environ, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1", PYTHONUNBUFFERED="1")
        env.pop("PYTHONPATH", None)  # ferhil's modules must not shadow izer's
        cmd = [str(self.python), str(self.script), *args, "--no-version-check"]
        LOG.info("izer: %s (in %s)", shlex.join(cmd), cwd)
        try:
            proc = subprocess.run(
                cmd,
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise IzerFailedError(
                f"izer ran past {timeout_s:.0f} s ({' '.join(cmd[1:3])} ...); check the model "
                "size or raise the time-out"
            ) from exc
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            raise IzerFailedError(
                f"izer failed (exit {proc.returncode}) in {cwd}:\n  " + "\n  ".join(tail)
            )
        return proc


def _python_for(root: Path) -> Path | None:
    env_py = os.environ.get(IZER_PYTHON_ENV)
    candidates = [Path(env_py)] if env_py else []
    candidates += [
        root / "venv" / "bin" / "python",
        root / ".venv" / "bin" / "python",
        REPO_ROOT / REPO_IZER_VENV / "bin" / "python",
    ]
    return next((c for c in candidates if c.is_file()), None)


def find_izer(explicit: Path | str | None = None) -> IzerInstall:
    """Return the izer checkout named by ``explicit`` or ``$FERHIL_IZER``, with its Python.

    Raises:
        IzerMissingError: neither names a folder holding ``ai8xize.py``, or no Python for it.
    """
    where = explicit if explicit is not None else os.environ.get(IZER_ENV)
    if not where:
        raise IzerMissingError(f"izer (ADI's ai8x-synthesis) is not configured: {INSTALL_HINT}")
    root = Path(where).expanduser().resolve()
    if not (root / "ai8xize.py").is_file() or not (root / "izer").is_dir():
        raise IzerMissingError(
            f"{root} is not an ai8x-synthesis checkout (no ai8xize.py and izer/ in it): "
            f"{INSTALL_HINT}"
        )
    python = _python_for(root)
    if python is None:
        raise IzerMissingError(
            f"no Python environment for izer at {root}: make {root}/venv as ADI's README says, "
            f"set {IZER_PYTHON_ENV}, or run ./bootstrap.sh (it makes {REPO_IZER_VENV}/)"
        )
    return IzerInstall(root=root, python=python)


def shared_izer_dir() -> Path | None:
    """The shared izer copy beside the repository (``../shared/vendor/ai8x-synthesis``).

    ``$FERHIL_SHARED`` replaces ``../shared`` (see ``fixtures.paths.shared_dir``).

    For the test suite and CI only: users point ferhil at their own checkout.
    """
    shared = Path(os.environ.get("FERHIL_SHARED") or REPO_ROOT.parent / "shared")
    cand = shared / "vendor" / "ai8x-synthesis"
    return cand if (cand / "ai8xize.py").is_file() else None
