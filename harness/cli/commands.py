"""The harness's ``ferhil`` subcommands: ``run``, ``predict`` and ``doctor``.

``ferhil run`` takes exactly the options of the pytest plugin (generated from the same option
table) and runs the HIL suite in ``hil/`` through ``pytest.main``; arguments after ``--`` go to
pytest unchanged (``ferhil run --board hostsim -- -k golden``). Heavy modules are imported
inside the commands so that ``ferhil predict`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from fixtures.paths import REPO_ROOT

HIL_DIR = REPO_ROOT / "hil"
#: Option rows ``ferhil predict --board`` takes (they reach the board as in ``ferhil run``).
PREDICT_BOARD_OPTIONS = (
    "lab",
    "port",
    "baud",
    "firmware",
    "flash",
    "flasher",
    "probe",
    "target",
    "pack",
    "flash-timeout",
    "sample-timeout",
)
LOG_FILE = "ferhil.log"


def _wire_build_command(subparsers: Any) -> None:
    """Give ``ferhil build`` (declared by firmware.cli) the table's ``--izer`` and the exporter.

    firmware may not import models (torch); the harness passes
    :func:`models.export.export_ai8x.export_ai8x` in for accelerator builds.
    """
    from harness.suite.options import OPTIONS
    from models.export.export_ai8x import export_ai8x

    build = getattr(subparsers, "choices", {}).get("build")
    if build is None:
        return
    OPTIONS["izer"].add_to(build.add_argument)
    build.set_defaults(ai8x_exporter=export_ai8x)


def register(subparsers: Any) -> None:
    """Add ``run``, ``predict`` and ``doctor`` to the ``ferhil`` parser."""
    from harness.suite.option_table import load_option_providers
    from harness.suite.options import GROUPS, OPTIONS

    run = subparsers.add_parser(
        "run",
        help="run the HIL test suite against a board (default: simulated)",
        description="Run the HIL suite (hil/) with pytest; writes results.json, report.html "
        "and junit.xml into --report-dir.",
    )
    sections = {name: run.add_argument_group(title) for name, title in GROUPS.items()}
    for option in load_option_providers():
        option.add_to(sections[option.group].add_argument)
    run.add_argument(
        "--log-file",
        type=Path,
        metavar="FILE",
        help="write the ferhil.* log (DEBUG and up) to FILE (default: ferhil.log in "
        "--report-dir); pytest's own --log-file-level after -- changes the level",
    )
    run.add_argument(
        "pytest_args", nargs="*", metavar="-- PYTEST_ARGS", help="extra pytest arguments after --"
    )
    run.set_defaults(func=cmd_run)
    _wire_build_command(subparsers)

    predict = subparsers.add_parser(
        "predict",
        help="emotion scores of image files (golden model or a board)",
        description="Score images (any format and size; centre-cropped to a square and resized "
        "to 48x48 grey) with the golden model, or on --board.",
    )
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument(
        "--model", metavar="REF", help="zoo name or .qmodel.npz (default: newest zoo model)"
    )
    predict.add_argument(
        "--board",
        help="score on this board (hostsim, qemu, max78000fthr, or "
        "a lab name) instead of the golden model",
    )
    OPTIONS["allow-illegal"].add_to(predict.add_argument)
    table = load_option_providers()
    for name in PREDICT_BOARD_OPTIONS:  # the same rows as `ferhil run`: one meaning everywhere
        table[name].add_to(predict.add_argument)
    predict.add_argument("--json", action="store_true", help="print the scores as JSON")
    predict.set_defaults(func=cmd_predict)

    doctor = subparsers.add_parser(
        "doctor",
        help="check toolchains, probes, ports, instruments and data",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.set_defaults(func=cmd_doctor)

    from harness.cli.history_cli import register_history

    register_history(subparsers)


def report_dir_of(args: argparse.Namespace) -> Path:
    """Return the ``--report-dir`` of ``args`` (else the environment's, else the table default).

    Raises:
        ConfigError: when the value cannot be read.
    """
    from harness.suite.options import OPTIONS

    row = OPTIONS["report-dir"]
    return Path(row.resolve(getattr(args, row.key, None), None, os.environ))


def pytest_args(args: argparse.Namespace) -> list[str]:
    """Return the pytest command line that ``ferhil run`` runs for ``args``."""
    from harness.suite.options import OPTIONS

    words = [str(HIL_DIR)]
    for option in OPTIONS:
        words += option.to_args(getattr(args, option.key, None))
    extra = list(getattr(args, "pytest_args", []) or [])
    report_dir = report_dir_of(args)
    if not any(a.startswith("--junitxml") or a.startswith("--junit-xml") for a in extra):
        words.append(f"--junitxml={report_dir / 'junit.xml'}")
    if not any(a.startswith("--log-file") for a in extra):  # pytest's own log file options
        log_file = getattr(args, "log_file", None) or report_dir / LOG_FILE
        words += [f"--log-file={log_file}", "--log-file-level=DEBUG"]
    words += ["-o", "junit_family=xunit1", "-p", "no:cacheprovider", *extra]
    return words


def interruptible() -> bool:
    """Make SIGINT interrupt the run even when the parent ignored it; True when it had.

    A process started in the background by a non-interactive shell (``ferhil run &`` in a lab
    script, or an app started that way) inherits SIGINT as ignored, and Python keeps it
    ignored: Ctrl-C and the app's Stop would then do nothing. A run must always stop on SIGINT,
    writing what it measured, so the default handler is put back.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        return True
    return False


def cmd_run(args: argparse.Namespace) -> int:
    """Run the HIL suite; print where the report is; return pytest's exit code."""
    import pytest

    from harness.cli.preflight import check_run_inputs

    check_run_inputs(args)  # bad input: one line here, not an error in every pytest test
    interruptible()
    argv = pytest_args(args)
    code = int(pytest.main(argv))
    report_dir = report_dir_of(args)
    for name in ("report.html", "results.json"):
        if (report_dir / name).is_file():
            print(f"ferhil run: {name}: {(report_dir / name).resolve()}")
            break
    else:
        print(f"ferhil run: no results were written to {report_dir}", file=sys.stderr)
    return code


def cmd_predict(args: argparse.Namespace) -> int:
    """Print the score table of the given images."""
    from golden.legality import illegal_label, require_legal
    from golden.zoo import load_model
    from harness.cli.predict import format_table, predict_board, predict_golden
    from harness.suite.options import OPTIONS

    model = load_model(args.model)
    label = illegal_label(require_legal(model, bool(args.ferhil_allow_illegal)))
    if args.board:
        extra = {}
        for name in PREDICT_BOARD_OPTIONS:
            value = getattr(args, OPTIONS[name].key, None)
            if value is not None:
                extra[name] = value
        predictions = predict_board(args.images, model, args.board, extra)
    else:
        predictions = predict_golden(args.images, model)
    if args.json:
        classes = list(model.classes)
        document = {
            "model": {"name": model.name, "version": model.version, "hash": model.hash()},
            "predictions": [
                {
                    "image": p.path,
                    "source": p.source,
                    "predicted": classes[p.predicted],
                    "scores": dict(zip(classes, p.scores, strict=True)),
                    "probabilities": dict(zip(classes, p.probabilities, strict=True)),
                }
                for p in predictions
            ],
        }
        print(json.dumps(document, indent=1))
        return 0
    print(f"model {model.name} v{model.version} ({model.short_hash})")
    print(format_table(predictions, list(model.classes)))
    if label:
        print(label)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print the environment checks; exit 1 when a check the simulated run needs fails."""
    from harness.cli.doctor import format_checks, run_checks

    checks = run_checks()
    if args.json:
        print(json.dumps({"checks": [dataclasses.asdict(c) for c in checks]}, indent=1))
    else:
        print(format_checks(checks))
    return 1 if any(c.required and not c.ok for c in checks) else 0
