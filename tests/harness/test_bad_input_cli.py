"""Bad input to any ``ferhil`` command ends in one line on stderr and a non-zero exit.

The cases rebuild the 27 inputs that ended in a Python traceback in the adversarial pass
(issue 15), plus illegal models and the smaller points. Each runs the real CLI dispatcher
(``ferhil.cli.main``) in-process; the ``ferhil run`` cases fail in the pre-flight check, before
pytest starts. A crash log in the temporary crash folder would mean an internal error (a bug),
so every case also asserts the folder stays empty.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ferhil import cli
from golden import format as qformat
from golden.format import QuantLayer, QuantModel
from golden.synthetic import random_legal_model
from harness.cli.error_boundary import CRASH_DIR_ENV, EXIT_BUG, run_guarded
from harness.store.location import db_url

REPO = Path(__file__).resolve().parents[2]


def _good_model() -> QuantModel:
    return random_legal_model(
        np.random.default_rng(1),
        input_shape=(1, 48, 48),
        num_classes=7,
        max_layers=3,
        max_channels=4,
        calibration_samples=1,
    )


def _illegal_model() -> QuantModel:
    """40 tiny 1x1 conv layers: valid as a file, but over the MAX78000's 32 layers."""
    layers = [
        QuantLayer(f"c{i}", "conv2d", np.ones((1, 1, 1, 1), np.int8), None, 8, 0, "relu")
        for i in range(40)
    ]
    layers.append(
        QuantLayer("fc", "linear", np.ones((7, 48 * 48), np.int8), None, 8, 0, flatten=True)
    )
    return QuantModel("deep", "1", (1, 48, 48), qformat.FER_CLASSES, "pixel_minus_128", layers)


def _meta_edit(src: Path, dst: Path, edit: Callable[[dict], object]) -> Path:
    with np.load(src) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"][()]))
    new = edit(meta)
    arrays["meta"] = np.array(json.dumps(meta if new is None else new))
    np.savez(dst, **arrays)  # type: ignore[arg-type]
    return dst


def _png_header(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims ``width`` x ``height`` (no pixels: nothing is allocated)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    good = qformat.save(_good_model(), d / "good")
    raw = good.read_bytes()
    f: dict[str, Path] = {"good": good, "dir": d}
    f["trunc_model"] = d / "trunc.qmodel.npz"
    f["trunc_model"].write_bytes(raw[: len(raw) // 2])
    f["empty_model"] = d / "empty.qmodel.npz"
    f["empty_model"].write_bytes(b"")
    f["list_meta"] = _meta_edit(good, d / "list.qmodel.npz", lambda m: [m])
    f["pad"] = _meta_edit(good, d / "pad.qmodel.npz", lambda m: m["layers"][0].update(pad=-5))
    f["pool0"] = _meta_edit(
        good,
        d / "pool0.qmodel.npz",
        lambda m: m["layers"][0].update(pool={"kind": "max", "kernel": [0, 0], "stride": 1}),
    )
    f["illegal"] = qformat.save(_illegal_model(), d / "illegal")
    with np.load(good) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["L0.weights"] = arrays["L0.weights"].astype(np.int16) * 300  # would wrap as int8
    f["wide_weights"] = d / "wide_weights.qmodel.npz"
    np.savez(f["wide_weights"], **arrays)  # type: ignore[arg-type]
    np.save(d / "in.npy", np.zeros((1, 48, 48), np.int64))
    np.save(d / "empty_in.npy", np.zeros((0,), np.int64))
    f["in"], f["empty_in"] = d / "in.npy", d / "empty_in.npy"
    images = np.zeros((4, 48, 48), np.uint8)
    np.savez(d / "ds.npz", images=images, labels=np.array([0, 1, 2, 3]))
    np.savez(d / "str_labels.npz", images=images, labels=np.array(["a", "b", "c", "d"]))
    np.savez(d / "float_labels.npz", images=images, labels=np.array([0.5, 1.7, 2.2, 3.9]))
    ds_raw = (d / "ds.npz").read_bytes()
    (d / "trunc.npz").write_bytes(ds_raw[: len(ds_raw) // 2])
    (d / "empty.npz").write_bytes(b"")
    (d / "lab_latin1.yaml").write_bytes("boards:\n  b\xe9:\n    kind: hostsim\n".encode("latin-1"))
    (d / "lab_baud.yaml").write_text("boards:\n  b1:\n    kind: hostsim\n    baud: -5\n")
    (d / "a_file").write_text("not a folder")
    _png_header(d / "big.png", 14_000, 14_000)  # 196 megapixels
    from PIL import Image

    Image.new("L", (60, 60)).save(d / "face.png")
    return f


def _foreign_sqlite(d: Path) -> Path:
    path = d / "other.sqlite"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE accounts (id INTEGER)")
    conn.commit()
    conn.close()
    return path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# name -> (command line with {placeholders}: {dir} inputs, {tmp} outputs; words of the error)
GOLDEN = "golden --model {model} --input {input} --out {tmp}/o.npy"
RUN = "run --report-dir {tmp}/hil --db {tmp}/r.sqlite"
CASES: dict[str, tuple[str, str]] = {
    "predict-truncated-qmodel": (
        "predict --model {trunc_model} {face}",
        "not a ferhil quantized model",
    ),
    "predict-empty-qmodel": (
        "predict --model {empty_model} {face}",
        "not a ferhil quantized model",
    ),
    "inspect-truncated-qmodel": ("inspect --model {trunc_model}", "not a ferhil quantized model"),
    "predict-metadata-json-list": ("predict --model {list_meta} {face}", "JSON list"),
    "golden-pad-minus-5": (GOLDEN.replace("{model}", "{pad}"), "pad -5"),
    "golden-pool-kernel-0": (GOLDEN.replace("{model}", "{pool0}"), "pool kernel"),
    "golden-weights-outside-int8": (GOLDEN.replace("{model}", "{wide_weights}"), "outside int8"),
    "golden-empty-input": (
        GOLDEN.replace("{model}", "{good}").replace("{input}", "{empty_in}"),
        "does not match the model",
    ),
    "golden-out-without-npy": (
        GOLDEN.replace("{model}", "{good}").replace("o.npy", "result"),
        "must end in .npy",
    ),
    "golden-out-under-a-file": (
        GOLDEN.replace("{model}", "{good}").replace("{tmp}/o.npy", "{dir}/a_file/o.npy"),
        "is a file",
    ),
    "golden-illegal-model": (GOLDEN.replace("{model}", "{illegal}"), "--allow-illegal"),
    "eval-string-labels": ("eval --model {good} --data {dir}/str_labels.npz", "class indices"),
    "eval-float-labels": ("eval --model {good} --data {dir}/float_labels.npz", "truncated"),
    "eval-truncated-npz": (
        "eval --model {good} --data {dir}/trunc.npz",
        "not a readable numpy archive",
    ),
    "eval-empty-npz": (
        "eval --model {good} --data {dir}/empty.npz",
        "not a readable numpy archive",
    ),
    "eval-limit-minus-5": ("eval --model {good} --data {dir}/ds.npz --limit -5", "--limit -5"),
    "predict-196-megapixel-png": ("predict --model {good} {dir}/big.png", "scale it down"),
    "predict-not-an-image": ("predict --model {good} {dir}/a_file", "as an image"),
    "predict-lab-not-utf8": (
        "predict --model {good} --board b1 --lab {dir}/lab_latin1.yaml {face}",
        "not UTF-8",
    ),
    "predict-lab-baud-minus-5": (
        "predict --model {good} --board b1 --lab {dir}/lab_baud.yaml {face}",
        "baud must be a positive whole number",
    ),
    "predict-illegal-model": ("predict --model {illegal} {face}", "--allow-illegal"),
    "export-out-is-a-file": ("export --model {good} --format onnx --out {dir}/a_file", "is a file"),
    "history-foreign-sqlite": ("history --no-pages --db {foreign_db}", "not a ferhil result store"),
    "history-postgresql-unreachable": (
        "history --no-pages --db {postgres_url}",
        "cannot open the result store postgresql+psycopg2",
    ),
    "run-truncated-qmodel": (RUN + " --model {trunc_model}", "not a ferhil quantized model"),
    "run-empty-qmodel": (RUN + " --model {empty_model}", "not a ferhil quantized model"),
    "run-metadata-json-list": (RUN + " --model {list_meta}", "JSON list"),
    "run-pad-minus-5": (RUN + " --model {pad}", "pad -5"),
    "run-illegal-model": (RUN + " --model {illegal}", "--allow-illegal"),
    "run-report-dir-is-a-file": (
        "run --model {good} --report-dir {dir}/a_file --db {tmp}/r.sqlite",
        "is a file",
    ),
    "run-dataset-empty-npz": (
        RUN + " --model {good} --dataset {dir}/empty.npz",
        "not a readable numpy archive",
    ),
    "run-dataset-truncated-npz": (
        RUN + " --model {good} --dataset {dir}/trunc.npz",
        "not a readable numpy archive",
    ),
    "run-dataset-string-labels": (
        RUN + " --model {good} --dataset {dir}/str_labels.npz",
        "class indices",
    ),
    "run-lab-not-utf8": (
        RUN + " --model {good} --board b1 --lab {dir}/lab_latin1.yaml",
        "not UTF-8",
    ),
    "run-lab-baud-minus-5": (
        RUN + " --model {good} --board b1 --lab {dir}/lab_baud.yaml",
        "baud must be a positive whole number",
    ),
    "run-limit-minus-5": (RUN + " --model {good} --limit -5", "--limit"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_error(
    case: str,
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crash = tmp_path / "crash"
    monkeypatch.setenv(CRASH_DIR_ENV, str(crash))
    monkeypatch.chdir(tmp_path)  # default outputs (out/...) land in tmp_path
    for name in ("FERHIL_DB", "FERHIL_REPORT_DIR", "FERHIL_MODEL", "FERHIL_LAB", "FERHIL_BOARD"):
        monkeypatch.delenv(name, raising=False)
    template, expected = CASES[case]
    names = {k: str(v) for k, v in files.items()}
    names["tmp"] = str(tmp_path)  # per-test outputs; {dir} holds the shared inputs
    names["face"] = str(files["dir"] / "face.png")
    names["input"] = str(files["in"])
    if "{foreign_db}" in template:
        names["foreign_db"] = str(_foreign_sqlite(tmp_path))
    if "{postgres_url}" in template:
        names["postgres_url"] = f"postgresql://lab@127.0.0.1:{_closed_port()}/ferhil"
    argv = template.format(**names).split()
    code = cli.main(argv)
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (code, out, err)
    assert len(lines) == 1, err
    assert lines[0].startswith(f"ferhil {argv[0]}: error: "), lines[0]
    assert expected in lines[0], lines[0]
    assert "Traceback" not in out + err
    assert not crash.exists() or not any(crash.iterdir())


def test_foreign_sqlite_is_left_untouched(files: dict[str, Path]) -> None:
    path = _foreign_sqlite(files["dir"])
    assert cli.main(["history", "--no-pages", "--db", str(path)]) == 2
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert tables == ["accounts"] and mode == "delete"


def test_golden_out_is_written_exactly_there(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "exact.npy"
    assert (
        cli.main(
            [
                "golden",
                "--model",
                str(files["good"]),
                "--input",
                str(files["in"]),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exact.npy"]
    assert np.load(out).shape == (1, 7, 1, 1)  # (N, C, H, W), issue 12


def test_allow_illegal_computes_and_labels(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "golden",
        "--model",
        str(files["illegal"]),
        "--input",
        str(files["in"]),
        "--out",
        str(tmp_path / "y.npy"),
        "--allow-illegal",
    ]
    assert cli.main(argv) == 0
    assert "ILLEGAL MODEL (--allow-illegal)" in capsys.readouterr().out


def test_postgresql_url_uses_the_installed_driver() -> None:
    assert db_url("postgresql://lab@db/ferhil").startswith("postgresql+psycopg2://lab@db/")
    assert db_url("postgresql+psycopg2://lab@db/ferhil") == "postgresql+psycopg2://lab@db/ferhil"


def test_unexpected_exception_is_one_line_and_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CRASH_DIR_ENV, str(tmp_path))

    def boom() -> int:
        raise RuntimeError("deep\ninside")

    assert run_guarded("demo", boom) == EXIT_BUG
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("ferhil demo: internal error: RuntimeError: deep")
    logs = list(tmp_path.glob("ferhil-demo-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    assert "Traceback" in logs[0].read_text() and "boom" in logs[0].read_text()


def test_closed_stdout_pipe_is_quiet(files: dict[str, Path], tmp_path: Path) -> None:
    """``ferhil inspect | head -0``: the reader is gone before ferhil writes (BrokenPipe)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), **{CRASH_DIR_ENV: str(tmp_path)})
    proc = subprocess.Popen(
        [sys.executable, "-m", "ferhil.cli", "inspect", "--model", str(files["good"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert code == 141, err
    assert "Traceback" not in err and "Exception ignored" not in err and err == ""


def test_failure_text_says_the_attempts_once() -> None:
    from firmware.host.messages import InferFailure
    from harness.run.streaming import _reply_fields

    failure = InferFailure(3, "no INFER reply within 5 s (gave up after 3 attempts)", 3)
    assert _reply_fields(failure)[2] == "no INFER reply within 5 s (gave up after 3 attempts)"
    assert _reply_fields(InferFailure(3, "no reply", 3))[2] == "no reply after 3 attempts"


@pytest.mark.parametrize("allow", [False, True])
def test_run_prepare_refuses_or_labels_an_illegal_model(
    allow: bool, files: dict[str, Path], tmp_path: Path
) -> None:
    from golden.legality import IllegalModelError
    from harness.run.hil_run import HilRun
    from harness.suite.config import FerhilConfig

    np.savez(tmp_path / "ds.npz", images=np.zeros((2, 48, 48), np.uint8), labels=[0, 1])
    config = FerhilConfig.defaults(
        report_dir=tmp_path / "hil",
        model=str(files["illegal"]),
        dataset=str(tmp_path / "ds.npz"),
        allow_illegal=allow,
    )
    run = HilRun(config)
    if not allow:
        with pytest.raises(IllegalModelError, match="--allow-illegal"):
            run.prepare()
        return
    run.prepare()
    assert run.golden is not None and run.golden.shape == (2, 7)
    assert any("ILLEGAL MODEL (--allow-illegal)" in n for n in run.notes)
