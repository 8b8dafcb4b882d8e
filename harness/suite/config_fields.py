"""The typed fields of :class:`harness.suite.config.FerhilConfig`, one per option row.

Generated from the option table by ``python -m harness.suite.config_codegen``: do not edit.
The defaults live in the option table only, so the class has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, slots=True)
class ConfigFields:
    """The resolved value of every harness option, typed (``config.report_dir``)."""

    #: --accuracy-threshold: minimum accuracy (default: the model's metadata, see
    #: hil/test_accuracy.py)
    accuracy_threshold: float | None

    #: --allow-illegal: compute a model that breaks MAX78000 rules anyway (results are labelled
    #: as such); by default such a model is refused
    allow_illegal: bool

    #: --baseline: compare with this run id or model version instead of the newest earlier model
    #: version on the same board kind and data set
    baseline: str | None

    #: --baud: link baud rate (real boards: UART speed; hostsim: throttle to N baud wire time;
    #: default: board's own)
    baud: int | None

    #: --board: board to test: hostsim, qemu, max78000fthr or a board name from --lab
    board: str

    #: --clock-hz: core clock used to turn cycles into time (default: the board's)
    clock_hz: float | None

    #: --connect-mode: pyOCD connect mode
    connect_mode: Literal["halt", "pre-reset", "under-reset", "attach"]

    #: --coordinator: labgrid coordinator address host:port (default: $LG_COORDINATOR, else
    #: labgrid's own)
    coordinator: str | None

    #: --dataset: test set: .npz (FER 'images', or any model's int8 'inputs' (N,C,H,W)/(N,C,L)
    #: with 'labels'), Kaggle fer2013.csv or <class>/ image folder (default: FER2013 PublicTest
    #: when present, else a small generated set)
    dataset: str | None

    #: --db: result store: a SQLAlchemy URL (postgresql+psycopg2://user@host/ferhil) or a SQLite
    #: file (default: ferhil-results.sqlite in the parent folder of --report-dir)
    db: str | None

    #: --energy-budget-uj: energy per inference budget in µJ (hil/test_energy.py fails above it)
    energy_budget_uj: float | None

    #: --energy-min-window-s: shortest accepted energy window in seconds
    energy_min_window_s: float

    #: --energy-n: BENCH inferences in the energy window, or 'auto' for the minimum window
    energy_n: int | None

    #: --firmware: use this prebuilt firmware image instead of building one
    firmware: Path | None

    #: --flash: force (--flash) or forbid (--no-flash) programming a real board (simulators are
    #: always launched); default: flash only when the board does not already run the firmware
    #: and model under test
    flash: bool | None

    #: --flash-timeout: seconds allowed for finding the probe and programming
    flash_timeout: float

    #: --flasher: how to program a real board
    flasher: Literal["pyocd", "openocd"] | None

    #: --golden-tolerance: largest allowed |device - golden| per output (0 = bit-exact)
    golden_tolerance: int

    #: --inject: inject link faults, seeded: drop=P,flip=P,stall=P:3s,reset=P,seed=N (per
    #: frame), any board; die-after=N,hang-after=N kill or hang a simulated board (hostsim)
    inject: str | None

    #: --izer: ADI ai8x-synthesis (izer) checkout for MAX78000 accelerator builds (ferhil run
    #: and ferhil build)
    izer: Path | None

    #: --lab: lab inventory YAML listing boards (probe id, serial port, baud, meter)
    lab: Path | None

    #: --latency-budget-us: on-device p99 latency budget in microseconds (default: the model's
    #: metadata latency_budget_us, else no budget)
    latency_budget_us: float | None

    #: --limit: stream N images spread evenly over the test set
    limit: int | None

    #: --max-accuracy-drop-pp: largest allowed accuracy drop against the baseline, in percentage
    #: points (unset: max_accuracy_drop_pp of [tool.ferhil.regression] in pyproject.toml, else
    #: 1.0)
    max_accuracy_drop_pp: float | None

    #: --max-class-accuracy-drop-pp: largest allowed per-class accuracy drop, in percentage
    #: points (unset: max_class_accuracy_drop_pp of [tool.ferhil.regression] in pyproject.toml,
    #: else 5.0)
    max_class_accuracy_drop_pp: float | None

    #: --max-energy-increase-pct: largest allowed growth of the energy per inference, in percent
    #: (unset: max_energy_increase_pct of [tool.ferhil.regression] in pyproject.toml, else 10.0)
    max_energy_increase_pct: float | None

    #: --max-golden-mismatches: largest allowed number of samples not matching the golden
    #: outputs (unset: max_golden_mismatches of [tool.ferhil.regression] in pyproject.toml, else
    #: 0)
    max_golden_mismatches: int | None

    #: --max-latency-increase-pct: largest allowed growth of the on-device latency p50, in
    #: percent (unset: max_latency_increase_pct of [tool.ferhil.regression] in pyproject.toml,
    #: else 10.0)
    max_latency_increase_pct: float | None

    #: --meter: power meter: 'sim' (simulated SCPI meter on loopback) or a VISA resource string
    #: of a real one (default: the lab inventory's meter, else sim)
    meter: str | None

    #: --meter-channel: N6705 output channel powering the board
    meter_channel: int

    #: --meter-driver: SCPI driver of a real meter (default: chosen from its *IDN?; the
    #: simulated meter speaks n6705)
    meter_driver: Literal["n6705", "dmm6500"] | None

    #: --meter-port: TCP port of the simulated meter (0 = any free port)
    meter_port: int

    #: --meter-range-a: current range of the meter in amperes (default: auto on the N6705 SMUs,
    #: 1 A on the DMM6500)
    meter_range_a: float | None

    #: --meter-supply-v: rail voltage for current-only meters (DMM6500): the FTHR's USB VBUS,
    #: 5.0 V, as harness/meters/WIRING.md wires it; set it when the DMM sits in another rail
    meter_supply_v: float

    #: --meter-timeout: seconds a meter query may take before the meter counts as gone
    meter_timeout: float

    #: --meter-trigger-edge: edge of the meter's trigger input (default: n6705 falling, its
    #: Trigger In is low-true; dmm6500 the edge that opens the window)
    meter_trigger_edge: Literal["rising", "falling"] | None

    #: --meter-window-level: level of the board's trigger GPIO during BENCH (FTHR default low:
    #: P2.0 drives LED1 on; high when built with HAL_TRIGGER_ACTIVE_LOW=0)
    meter_window_level: Literal["low", "high"]

    #: --min-answered: images the board must answer for the run to count as complete: all, a
    #: count N or a percentage such as 99.5 followed by a percent sign (a run below it is stored
    #: incomplete, never a baseline)
    min_answered: str

    #: --min-class-samples: classes with fewer samples are shown but not judged (unset:
    #: min_class_samples of [tool.ferhil.regression] in pyproject.toml, else 20)
    min_class_samples: int | None

    #: --model: model under test: a zoo name or a .qmodel.npz path (default: newest zoo model)
    model: str | None

    #: --pack: MAX78000 CMSIS device pack (.pack) for pyOCD
    pack: Path | None

    #: --place: labgrid place(s) to test, comma-separated: acquired through the coordinator,
    #: their serial port and probe used, released at the end (the place tag ferhil_kind names
    #: the board kind; default max78000fthr)
    place: str | None

    #: --port: serial port of a real board (overrides the lab inventory)
    port: str | None

    #: --probe: debug probe unique id (or a unique part of it) of a real board
    probe: str | None

    #: --progress: show a progress bar while streaming
    progress: bool

    #: --record: record the run in the result store
    record: bool

    #: --report-dir: where samples.jsonl, results.json and report.html go
    report_dir: Path

    #: --resume: continue an interrupted run in --report-dir (same model, firmware and data
    #: set): keep its successful samples and stream only the missing images
    resume: bool

    #: --sample-timeout: seconds to wait for one inference reply before recording a failure
    sample_timeout: float

    #: --significance-alpha: an accuracy drop larger than the minimum fails only when
    #: significant at this level (exact McNemar test on paired samples) (unset:
    #: significance_alpha of [tool.ferhil.regression] in pyproject.toml, else 0.01)
    significance_alpha: float | None

    #: --target: pyOCD target name (from the CMSIS pack)
    target: str

    #: --tta: also run test-time augmentation on the device (hflip: the mirrored image as a
    #: second inference, outputs averaged); reported beside the single pass, never instead of it
    tta: Literal["hflip"] | None

    #: --visa-library: pyvisa backend for real meters: '@py' (pyvisa-py: TCPIP/USB/serial),
    #: '@ivi' or the path of a vendor VISA library (Keysight/NI VISA, needed for GPIB), or
    #: 'FILE.yaml@sim'
    visa_library: str

    #: --window: inference requests in flight (pipelining depth)
    window: int
