"""The core rows of the harness option table (boards, model, data set, run and report options).

Importing this module registers the rows in :data:`harness.suite.options.OPTIONS`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from golden.legality import ALLOW_ILLEGAL_HELP
from harness.suite.options import OPTIONS, Option, non_negative_int, positive_float, positive_int

CORE_OPTIONS: tuple[Option, ...] = (
    Option(
        "board",
        "board to test: hostsim, qemu, max78000fthr or a board name from --lab",
        default="hostsim",
        env="FERHIL_BOARD",
    ),
    Option(
        "lab",
        "lab inventory YAML listing boards (probe id, serial port, baud, meter)",
        type=Path,
        env="FERHIL_LAB",
        metavar="FILE",
    ),
    Option(
        "model",
        "model under test: a zoo name or a .qmodel.npz path (default: newest zoo model)",
        env="FERHIL_MODEL",
        metavar="REF",
    ),
    Option(
        "dataset",
        "test set: .npz (FER 'images', or any model's int8 'inputs' (N,C,H,W)/(N,C,L) with "
        "'labels'), Kaggle fer2013.csv or <class>/ image folder (default: "
        "FER2013 PublicTest when present, else a small generated set)",
        env="FERHIL_DATASET",
        metavar="PATH",
    ),
    Option(
        "limit", "stream N images spread evenly over the test set", type=positive_int, metavar="N"
    ),
    Option(
        "baud",
        "link baud rate (real boards: UART speed; hostsim: throttle to N baud wire "
        "time; default: board's own)",
        type=positive_int,
        metavar="N",
    ),
    Option(
        "report-dir",
        "where samples.jsonl, results.json and report.html go",
        default=Path("out/hil"),
        type=Path,
        env="FERHIL_REPORT_DIR",
        metavar="DIR",
    ),
    Option(
        "flash",
        "force (--flash) or forbid (--no-flash) programming a real board (simulators are "
        "always launched); default: flash only when the board does not already run the "
        "firmware and model under test",
        flag=True,
    ),
    Option("port", "serial port of a real board (overrides the lab inventory)", env="FERHIL_PORT"),
    Option(
        "probe",
        "debug probe unique id (or a unique part of it) of a real board",
        env="FERHIL_PROBE",
        metavar="UID",
    ),
    Option("flasher", "how to program a real board", choices=("pyocd", "openocd")),
    Option("target", "pyOCD target name (from the CMSIS pack)", default="max78000"),
    Option(
        "pack",
        "MAX78000 CMSIS device pack (.pack) for pyOCD",
        type=Path,
        env="FERHIL_PACK",
        metavar="FILE",
    ),
    Option(
        "connect-mode",
        "pyOCD connect mode",
        default="halt",
        choices=("halt", "pre-reset", "under-reset", "attach"),
    ),
    Option(
        "flash-timeout",
        "seconds allowed for finding the probe and programming",
        default=120.0,
        type=positive_float,
        metavar="S",
    ),
    Option(
        "sample-timeout",
        "seconds to wait for one inference reply before recording a failure",
        default=5.0,
        type=positive_float,
        metavar="S",
    ),
    Option(
        "window",
        "inference requests in flight (pipelining depth)",
        default=4,
        type=positive_int,
        metavar="N",
    ),
    Option(
        "golden-tolerance",
        "largest allowed |device - golden| per output (0 = bit-exact)",
        default=0,
        type=non_negative_int,
        metavar="N",
    ),
    Option(
        "latency-budget-us",
        "on-device p99 latency budget in microseconds (default: the "
        "model's metadata latency_budget_us, else no budget)",
        type=positive_float,
        metavar="US",
    ),
    Option(
        "accuracy-threshold",
        "minimum accuracy (default: the model's metadata, see hil/test_accuracy.py)",
        type=float,
        metavar="FRACTION",
    ),
    Option(
        "clock-hz",
        "core clock used to turn cycles into time (default: the board's)",
        type=positive_float,
        metavar="HZ",
    ),
    Option(
        "firmware",
        "use this prebuilt firmware image instead of building one",
        type=Path,
        metavar="FILE",
    ),
    Option(
        "resume",
        "continue an interrupted run in --report-dir (same model, firmware and data set): keep "
        "its successful samples and stream only the missing images",
        default=False,
        flag=True,
    ),
    Option("progress", "show a progress bar while streaming", default=True, flag=True),
    Option("allow-illegal", ALLOW_ILLEGAL_HELP, default=False, flag=True),
    Option(
        "izer",
        "ADI ai8x-synthesis (izer) checkout for MAX78000 accelerator builds (ferhil run and "
        "ferhil build)",
        type=Path,
        env="FERHIL_IZER",
        metavar="DIR",
    ),
)


def core_default(name: str) -> object:
    """Return the default of the core row ``name`` (for dataclasses that mirror an option).

    Raises:
        KeyError: for a name that is no core row.
    """
    for row in CORE_OPTIONS:
        if row.name == name:
            return row.default
    raise KeyError(name)


#: Rows of the table above that describe the board rather than the run.
BOARD_ROWS = frozenset(
    {
        "board",
        "lab",
        "baud",
        "flash",
        "port",
        "probe",
        "flasher",
        "target",
        "pack",
        "connect-mode",
        "flash-timeout",
        "firmware",
        "clock-hz",
        "izer",
    }
)
OPTIONS.add(
    *(replace(row, group="board") if row.name in BOARD_ROWS else row for row in CORE_OPTIONS)
)
