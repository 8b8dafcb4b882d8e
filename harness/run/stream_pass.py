"""The streaming stage of a HIL run: every image of the test set through the board(s).

:func:`stream_pass` joins the run's three parts for one pass: the inputs
(:class:`~harness.run.hil_inputs.RunInputs`: templates and model inputs), the bring-up strategy (its
streamer, its recovery ladder, its ``streaming`` state) and the results collector (every record,
the pass's wall time, whether the run is complete). Each record is also appended to the journal
(``samples.jsonl``, :mod:`harness.run.journal`) as it arrives; with ``--resume`` the journal's
successful samples are kept and only the others are streamed.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from harness.lab.xdist_boards import shard_indices
from harness.run.bringup_strategy import BringUpStrategy
from harness.run.hil_inputs import RunInputs
from harness.run.journal import SampleJournal, start_segment
from harness.run.progress import progress_bar
from harness.run.results import SampleRecord
from harness.run.run_results import ResultsCollector
from harness.run.sample_log import SAMPLES_FILE
from harness.run.tta import tta_kind
from harness.suite.config import FerhilConfig

LOG = logging.getLogger("ferhil.run")


def journal_identity(
    inputs: RunInputs, firmware_hash: object, total: int, tta: str | None = None
) -> dict[str, Any]:
    """What a journal segment must share with this run to be resumed by it.

    Records with TTA fields (``tta``: ``--tta``'s kind) resume only a run with the same TTA.
    """
    assert inputs.test_set is not None
    identity: dict[str, Any] = {
        "model_hash": inputs.model.hash(),
        "firmware_hash": firmware_hash,
        "dataset_hash": inputs.test_set.dataset.hash,
        "samples_run": total,
    }
    if inputs.golden_tta is not None and tta:
        identity["tta"] = tta
    return identity


def stream_pass(
    run_id: str,
    inputs: RunInputs,
    bringup: BringUpStrategy,
    results: ResultsCollector,
    config: FerhilConfig,
    report_dir: Path,
    *,
    recover: Callable[[], Any],
    on_record: Callable[[SampleRecord], None],
    progress: AbstractContextManager[Any] | None = None,
) -> None:
    """Stream the images of ``inputs`` not kept from the journal (see the module docstring).

    Args:
        run_id: the run's id (journal header).
        inputs: the prepared inputs (test set, model inputs, golden outputs).
        bringup: the board(s), up and identified.
        results: where records, notes and completeness go.
        config: the resolved options (``--window``, ``--resume``, ``--min-answered``...).
        report_dir: the report folder (journal).
        recover: the recovery ladder of a single board.
        on_record: called with each record once it is collected and journaled (listeners).
        progress: wraps the streaming (e.g. pytest's capture disabled).
    """
    device = bringup.device
    assert device is not None and inputs.inputs is not None
    report_dir.mkdir(parents=True, exist_ok=True)
    templates = inputs.templates()
    firmware_hash = device.hello.firmware_hash
    identity = journal_identity(inputs, firmware_hash, len(templates), tta_kind(config))
    kept, notes = start_segment(report_dir, identity, config.resume)
    results.add_notes(notes)
    todo = sorted(set(range(len(templates))) - {r.index for r in kept})
    todo = shard_indices(todo, config.xdist_shard)  # this xdist worker's part
    results.begin_stream(kept, len(kept) + len(todo))
    streamer = bringup.begin_stream()
    journal = SampleJournal(report_dir / SAMPLES_FILE, {"run_id": run_id, **identity})

    def sink(record: SampleRecord) -> None:
        results.add_record(record)
        journal.append(record)
        on_record(record)

    streamed = False
    with (
        progress or contextlib.nullcontext(),
        progress_bar(len(todo), config.progress) as bar,
    ):
        t0 = time.perf_counter()
        try:
            streamer(
                device.client,
                inputs.inputs[todo],
                [templates[i] for i in todo],
                sink,
                window=config.window,
                clock_hz=bringup.clock_hz(),
                tolerance=config.golden_tolerance,
                recover=recover,
                on_progress=lambda n: bar(n),
                tta=inputs.golden_tta is not None,
            )
            streamed = True
        finally:
            wall_s = time.perf_counter() - t0
            LOG.info(
                "streamed %d of %d samples in %.2f s (complete: %s)",
                results.record_count,
                len(templates),
                wall_s,
                results.complete,
            )
            planned = results.planned or 0
            complete = streamed and results.answered_enough(config.min_answered, planned)
            results.end_stream(wall_s, complete)
            bringup.end_stream(streamed)
            journal.close(complete)
            if bringup.faults is not None:
                results.add_note(bringup.faults.describe())
