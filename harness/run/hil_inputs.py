"""The inputs of one HIL run: who started it and what it feeds the board.

:class:`RunIdentity` is the run's id, start time and command line; :class:`RunInputs` is the
model under test, the test set, the model inputs and the golden outputs computed once,
vectorised, in three stages (:func:`load_checked_model`, :func:`with_test_set`,
:func:`with_golden`) so that what was prepared before a failure is still reported. Both are
frozen: once prepared, a run's inputs do not change. A run that only scores images outside a
test set (``ferhil predict --board``, the app) uses :meth:`RunInputs.of_model`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from golden.format import QuantModel
from golden.legality import illegal_label, require_legal
from harness.run.results import SampleRecord
from harness.run.run_inputs import run_classes, run_inputs
from harness.run.test_set import TestSet, select_test_set
from harness.run.tta import add_golden, golden_tta_outputs
from harness.suite.config import FerhilConfig

LOG = logging.getLogger("ferhil.run")


@dataclass(frozen=True)
class RunIdentity:
    """Who started a run and when (the ``run`` block of ``results.json``).

    Attributes:
        run_id: ``YYYYmmddTHHMMSSZ-<8 hex>``, unique per run.
        started: the start time (seconds since the epoch).
        argv: the command line.
    """

    run_id: str
    started: float
    argv: tuple[str, ...]

    @classmethod
    def now(cls, argv: Sequence[str]) -> RunIdentity:
        """A new identity started now with the command line ``argv``."""
        started = time.time()
        run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
        return cls(f"{run_id}-{uuid.uuid4().hex[:8]}", started, tuple(argv))


@dataclass(frozen=True)
class RunInputs:
    """The model under test and, for a HIL run, its test set, inputs and golden outputs.

    Attributes:
        model: the model under test.
        test_set: the chosen test set (``None``: images outside a test set are scored).
        inputs: the int8-valued model inputs of the test set, ``(N, *input_shape)``.
        golden: the golden (bit-exact) outputs of ``inputs``, ``(N, num_outputs)``.
        illegal: how the model breaks the MAX78000 limits (``None``: it does not; a run of an
            illegal model needs ``--allow-illegal``).
        golden_tta: the golden TTA outputs of ``inputs`` (``--tta``, :mod:`harness.run.tta`;
            ``None``: TTA is off).
    """

    model: QuantModel
    test_set: TestSet | None = None
    inputs: np.ndarray | None = None
    golden: np.ndarray | None = None
    illegal: str | None = None
    golden_tta: np.ndarray | None = None

    @classmethod
    def of_model(cls, model: QuantModel) -> RunInputs:
        """Inputs of a run that only brings the board up with ``model`` (no test set)."""
        return cls(model)

    def classes(self) -> list[str]:
        """The class names of the report (:func:`harness.run.run_inputs.run_classes`)."""
        return run_classes(self.model, self.test_set.dataset if self.test_set else None)

    def templates(self) -> list[SampleRecord]:
        """One empty record per image with its label and golden (and golden TTA) outputs."""
        assert self.test_set is not None and self.golden is not None
        ds = self.test_set.dataset
        records = [
            SampleRecord(
                index=i,
                id=ds.ids[i],
                label=int(ds.labels[i]),
                golden_outputs=[int(v) for v in self.golden[i]],
                golden_predicted=int(np.argmax(self.golden[i])),
            )
            for i in range(len(ds.labels))
        ]
        if self.golden_tta is not None:
            add_golden(records, self.golden_tta)
        return records


def load_checked_model(
    config: FerhilConfig, load_model: Callable[[str | None], QuantModel]
) -> RunInputs:
    """Load the model of ``config`` and check it against the MAX78000 limits (first stage).

    Raises:
        FerhilError: (its subclasses) for a model that cannot be loaded, or that is illegal
            without ``--allow-illegal``.
    """
    model = load_model(config.model)
    violations = require_legal(model, config.allow_illegal)
    return RunInputs(model, illegal=illegal_label(violations) if violations else None)


def with_test_set(base: RunInputs, config: FerhilConfig) -> RunInputs:
    """``base`` with the test set of ``config`` (``--dataset``, ``--limit``; second stage).

    Raises:
        FerhilError: (its subclasses) for a test set that cannot be read.
    """
    return replace(base, test_set=select_test_set(config.dataset, config.limit))


def with_golden(base: RunInputs, tta: str | None = None) -> RunInputs:
    """``base`` with the model inputs of its test set and their golden outputs (last stage).

    With ``tta`` (``--tta``'s kind) the golden TTA outputs are computed as well.

    Raises:
        ConfigError: when the test set's inputs or labels do not fit the model (or, with
            ``tta``, are no images).
    """
    assert base.test_set is not None
    inputs = run_inputs(base.test_set.dataset, base.model)
    from golden.inference import run as golden_run

    golden = np.asarray(golden_run(base.model, inputs), dtype=np.int64)
    golden_tta = golden_tta_outputs(base.model, inputs, golden) if tta else None
    LOG.info(
        "model %s v%s (%s); test set: %s, %d images; golden outputs computed",
        base.model.name,
        base.model.version,
        base.model.hash()[:12],
        base.test_set.note,
        len(base.test_set.dataset.labels),
    )
    return replace(base, inputs=inputs, golden=golden, golden_tta=golden_tta)
