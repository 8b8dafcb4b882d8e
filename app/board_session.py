"""A board kept open for the app's uploads, set up exactly as ``ferhil predict --board`` does.

``ferhil predict --board`` (:func:`harness.cli.predict.predict_board`) builds, launches or flashes
the board per call; the app instead brings it up once (the same :class:`harness.run.hil_run.HilRun`
stages) and keeps the session, so a face is scored on the board in milliseconds. A live run
started from the app needs the board for itself, so the app closes the
session for the run's duration (:meth:`BoardSession.lend`, :meth:`BoardSession.take_back`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import BusyError
from golden.format import QuantModel
from harness.errors import HarnessError


class BoardSession:
    """The board ``name`` running ``model``, opened lazily and shared by requests (locked)."""

    def __init__(
        self, name: str, model: QuantModel, scratch: Path, options: Mapping[str, Any] | None = None
    ) -> None:
        self.name = name
        self.model = model
        self.scratch = scratch
        self.options = dict(options or {})
        self._lock = threading.Lock()
        self._run: Any = None
        self._released = False

    def _open(self) -> Any:
        from harness.run.hil_inputs import RunInputs
        from harness.run.hil_run import HilRun
        from harness.suite.config import FerhilConfig
        from harness.suite.option_table import load_option_providers

        load_option_providers()
        config = FerhilConfig.defaults(
            board=self.name, progress=False, report_dir=self.scratch, **self.options
        )
        run = HilRun(
            config, load_model=lambda ref: self.model, prepared=RunInputs.of_model(self.model)
        )
        try:
            run.start()
        except BaseException:
            run.close()
            raise
        self._run = run
        return run

    def score(self, inputs: Sequence[np.ndarray]) -> list[list[int]]:
        """Return the board's raw outputs of int8-valued ``(1, 48, 48)`` inputs.

        Raises:
            BusyError: the board is lent to a live run.
            HarnessError: a face was not scored.
        """
        with self._lock:
            if self._released:
                raise BusyError(
                    f"board {self.name} is running a HIL run started from the app; try again "
                    "when it has finished"
                )
            run = self._run or self._open()
            try:
                results = list(run.device.client.infer_stream(enumerate(inputs), window=4))
            except BaseException:
                self._close()
                raise
        outputs = []
        for result in results:
            if not getattr(result, "ok", False):
                raise HarnessError(
                    f"board {self.name} did not score a face: "
                    f"{getattr(result, 'error', None) or result}"
                )
            outputs.append([int(v) for v in np.asarray(result.outputs).ravel()])
        return outputs

    def lend(self) -> None:
        """Close the board and refuse uploads on it until :meth:`take_back` (a live run)."""
        with self._lock:
            self._close()
            self._released = True

    def take_back(self) -> None:
        """Allow uploads again (the board is brought up at the next one)."""
        with self._lock:
            self._released = False

    def _close(self) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.close()

    def close(self) -> None:
        """Close the board (idempotent)."""
        with self._lock:
            self._close()
