"""``ferhil history``: list the stored runs, write history.html and comparison.html.

``ferhil history [--db URL] [--out DIR] [--json] [--import PATH ...] [--run ID] [--check]``

* prints one line per stored run (``--json``: a JSON object for CI on stdout);
* writes ``DIR/history.html`` and, for the newest complete run (or ``--run``) against its
  baseline, ``DIR/comparison.html``; prints the run's verdict (the outcomes of its HIL tests,
  naming each failed test and why) and the regression table its ``test_no_regression``
  recorded; ``--check`` exits 1 unless that verdict is ``pass``;
* ``--import`` first stores older runs' ``results.json`` files (idempotent by run id).

The database is ``--db``, else ``$FERHIL_DB``, else ``out/ferhil-results.sqlite`` (where
``ferhil run`` records with its default ``--report-dir out/hil``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from harness.store.defaults import DEFAULT_OUT_DIR

RUN_COLUMNS = (
    "run",
    "started",
    "status",
    "model",
    "hash",
    "board",
    "dataset",
    "n",
    "acc %",
    "p50 us",
)


def register_history(subparsers: Any) -> None:
    """Add ``history`` to the ``ferhil`` parser."""
    from harness.regression.options import REGRESSION_OPTIONS

    history = subparsers.add_parser(
        "history",
        help="list recorded runs; write history.html and comparison.html",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    history.add_argument("--db", metavar="URL", help="SQLAlchemy URL or SQLite file")
    history.add_argument(
        "--out", type=Path, default=DEFAULT_OUT_DIR, metavar="DIR", help="folder for the pages"
    )
    history.add_argument("--json", action="store_true", help="print the runs as JSON (for CI)")
    history.add_argument(
        "--import",
        dest="import_paths",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="results.json files or folders of them to store first",
    )
    history.add_argument("--run", metavar="RUN_ID", help="compare this run (default: newest)")
    history.add_argument("--check", action="store_true", help="exit 1 when the run regressed")
    history.add_argument("--no-pages", action="store_true", help="write no HTML pages")
    for option in REGRESSION_OPTIONS:
        option.add_to(history.add_argument)
    history.set_defaults(func=cmd_history)


def _cell(value: Any, digits: int | None = None) -> str:
    if value is None:
        return "-"
    if digits is not None and isinstance(value, int | float):
        return f"{value:.{digits}f}"
    return str(value)


def format_runs(runs: list[Any]) -> str:
    """One aligned line per run (``harness.store.StoredRun``)."""
    rows = [RUN_COLUMNS]
    for r in runs:
        latency = ((r.summary or {}).get("latency_us") or {}).get("p50")
        rows.append(
            (
                r.id,
                r.started.strftime("%Y-%m-%d %H:%M"),
                r.status,
                f"{r.model_name or '?'} v{r.model_version or '?'}",
                (r.model_hash or "-")[:12],
                f"{r.board_kind or '?'}{' (sim)' if r.simulated else ''}",
                (r.dataset_hash or "-")[:12],
                str(r.samples_recorded),
                _cell(None if r.accuracy is None else 100 * r.accuracy, 2),
                _cell(latency, 1),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(RUN_COLUMNS))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def _compare(store: Any, target: Any, options: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The recorded verdict of ``target`` and its comparison with the baseline.

    Returns (JSON summary, table text or ``None``). The regression table is the one
    ``hil/test_no_regression.py`` recorded with the run (``regression`` block); only when the
    run has none, or ``--baseline`` asks for another baseline, it is computed now with the same
    code (:func:`harness.regression.compare.compare_documents`), marked as information.
    """
    from harness.regression.baseline import find_baseline
    from harness.regression.compare import REGRESSION_BLOCK, compare_documents
    from harness.regression.limits import find_pyproject, load_limits
    from harness.suite.verdict import VERDICT_BLOCK

    document = store.results(target.id, samples=False)
    summary: dict[str, Any] = {"run": target.id, "verdict": document.get(VERDICT_BLOCK)}
    recorded = document.get(REGRESSION_BLOCK)
    if recorded and not options.get("baseline"):
        baseline = recorded.get("baseline") or {}
        summary.update(
            baseline=baseline.get("run_id"),
            reason=baseline.get("reason"),
            passed=recorded.get("passed"),
            checks=recorded.get("checks"),
            note=recorded.get("note"),
            source="recorded by the run's test_no_regression",
        )
        return summary, _table(recorded.get("checks") or [])
    choice = find_baseline(store, document, options.get("baseline"))
    summary.update(baseline=None, reason=choice.reason)
    if choice.run is None:
        return summary, None
    limits = load_limits(options, find_pyproject(Path.cwd()))
    verdict = compare_documents(store.results(choice.run.id), store.results(target.id), limits)
    summary.update(
        baseline=choice.run.id,
        passed=verdict.passed,
        checks=verdict.to_json(),
        note=verdict.note,
        source="computed now (information only: the run's verdict is its tests')",
    )
    return summary, verdict.table()


def _table(checks: list[dict[str, Any]]) -> str:
    from harness.regression.verdict import HEADER

    rows = [HEADER, *(tuple(str(c.get(k, "")) for k in HEADER) for c in checks)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def cmd_history(args: argparse.Namespace) -> int:
    """Import, list, write the pages and judge the newest run; see the module docstring."""
    from harness.regression.options import REGRESSION_OPTIONS
    from harness.regression.pages import write_pages
    from harness.store.defaults import DB_ENV
    from harness.store.errors import StoreError
    from harness.store.importing import import_paths
    from harness.store.location import db_url, display_url, sqlite_file
    from harness.store.store import ResultStore
    from harness.suite.verdict import verdict_line

    options = {
        o.name: o.resolve(getattr(args, o.key, None), None, os.environ) for o in REGRESSION_OPTIONS
    }
    url = db_url(args.db)
    file = sqlite_file(url)
    if file is not None and not file.exists() and not args.import_paths:
        raise StoreError(
            f"no result store at {file}: record runs with `ferhil run` first, pass --db "
            f"(or set ${DB_ENV}), or rebuild it from results.json files with --import"
        )
    info = sys.stderr if args.json else sys.stdout
    with ResultStore(url) as store:
        for outcome in import_paths(store, args.import_paths):
            print(f"{outcome.outcome}: run {outcome.run_id} ({outcome.path})", file=info)
        runs = store.runs()
        complete = [r for r in runs if r.complete]
        target = store.run(args.run) if args.run else (complete[-1] if complete else None)
        comparison, table = _compare(store, target, options) if target else (None, None)
        written: list[Path] = []
        if not args.no_pages:
            pages = write_pages(
                store,
                args.out,
                run_id=target.id if target else None,
                baseline=options.get("baseline"),
            )
            written = [p for p in (pages.history, pages.comparison) if p is not None]
    if args.json:
        document = {
            "db": display_url(url),
            "runs": [r.to_json() for r in runs],
            "comparison": comparison,
            "pages": [str(p) for p in written],
        }
        print(json.dumps(document, indent=1))
    else:
        print(f"result store: {display_url(url)} ({len(runs)} runs)")
        if runs:
            print(format_runs(runs))
        if comparison is not None:
            print(f"\nrun {comparison['run']}: baseline: {comparison['reason']}")
            if table is not None:
                print(f"regression checks ({comparison.get('source')}; {comparison.get('note')}):")
                print(table)
            print(f"verdict of run {comparison['run']}: {verdict_line(comparison['verdict'])}")
        for path in written:
            print(f"wrote {path}")
    if not args.check:
        return 0
    status = ((comparison or {}).get("verdict") or {}).get("status")
    if status != "pass":
        print(
            "history --check: the run's verdict is "
            + verdict_line((comparison or {}).get("verdict")),
            file=sys.stderr,
        )
        return 1
    return 0
