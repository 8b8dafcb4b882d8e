"""ferhil run / predict / doctor and the image conversion rule."""

import argparse
import json

import numpy as np
import pytest
from harness_testkit import saved_model, small_model
from PIL import Image

from ferhil.cli import build_parser, main
from golden.format import save
from golden.inference import run as golden_run
from golden.input_mapping import pixels_to_input
from harness.cli import commands
from harness.cli.doctor import Check, format_checks
from harness.cli.image_input import center_square, load_face
from harness.cli.predict import predict_golden
from harness.errors import ConfigError


def test_center_square():
    assert center_square(300, 200) == (50, 0, 250, 200)
    assert center_square(48, 60) == (0, 6, 48, 54)


def test_load_face_any_format_and_size(tmp_path):
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (48, 48), dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "g.png")
    assert np.array_equal(load_face(tmp_path / "g.png"), grey)  # 48x48 grey: unchanged
    # colour, non-square: crop the centred square, then grey + resize
    rgb = np.zeros((60, 100, 3), np.uint8)
    rgb[:, 20:80] = (255, 255, 255)  # white exactly on the centred 60x60 square
    Image.fromarray(rgb).save(tmp_path / "c.jpg", quality=100)
    face = load_face(tmp_path / "c.jpg")
    assert face.shape == (48, 48) and face.dtype == np.uint8 and face.min() > 240
    rgba = np.zeros((10, 10, 4), np.uint8)  # fully transparent -> white background
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png")
    assert load_face(tmp_path / "t.png").min() == 255
    (tmp_path / "bad.png").write_text("not an image")
    with pytest.raises(ConfigError, match="cannot read"):
        load_face(tmp_path / "bad.png")
    with pytest.raises(ConfigError, match="does not exist"):
        load_face(tmp_path / "none.png")


def test_predict_golden_equals_golden_inference(tmp_path):
    model = small_model()
    faces = np.random.default_rng(1).integers(0, 256, (2, 48, 48), dtype=np.uint8)
    paths = []
    for i, face in enumerate(faces):
        Image.fromarray(face).save(tmp_path / f"f{i}.png")
        paths.append(tmp_path / f"f{i}.png")
    preds = predict_golden(paths, model)
    expected = golden_run(model, pixels_to_input(faces))
    assert [p.scores for p in preds] == expected.tolist()
    assert [p.predicted for p in preds] == list(np.argmax(expected, axis=1))


def test_ferhil_predict_prints_table(tmp_path, monkeypatch, capsys):
    zoo = tmp_path / "zoo" / "tiny"
    zoo.mkdir(parents=True)
    save(small_model(), zoo / "model.qmodel.npz")
    monkeypatch.setenv("FERHIL_ZOO", str(tmp_path / "zoo"))
    Image.fromarray(np.full((64, 80, 3), 90, np.uint8)).save(tmp_path / "face.jpg")
    assert main(["predict", str(tmp_path / "face.jpg")]) == 0
    out = capsys.readouterr().out
    for name in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral", "face.jpg"):
        assert name in out
    assert out.count("*") >= 1


def test_ferhil_run_builds_the_pytest_command_line():
    args = build_parser().parse_args(
        [
            "run",
            "--board",
            "qemu",
            "--limit",
            "10",
            "--no-flash",
            "--report-dir",
            "out/x",
            "--",
            "-k",
            "golden",
        ]
    )
    assert args.func is commands.cmd_run
    words = commands.pytest_args(args)
    assert words[0] == str(commands.HIL_DIR)
    assert words[1:] == [
        "--board",
        "qemu",
        "--limit",
        "10",
        "--report-dir",
        "out/x",
        "--no-flash",
        "--junitxml=out/x/junit.xml",
        "--log-file=out/x/ferhil.log",
        "--log-file-level=DEBUG",
        "-o",
        "junit_family=xunit1",
        "-p",
        "no:cacheprovider",
        "-k",
        "golden",
    ]


def test_ferhil_run_passes_pytests_exit_code(monkeypatch, tmp_path, capsys):
    seen = {}

    def fake_main(argv):
        seen["argv"] = argv
        (tmp_path / "report.html").write_text("<html>")
        return 1

    monkeypatch.setattr("pytest.main", fake_main)
    ns = argparse.Namespace(ferhil_report_dir=str(tmp_path), pytest_args=[])
    assert commands.cmd_run(ns) == 1
    assert f"report.html: {tmp_path / 'report.html'}" in capsys.readouterr().out


def test_doctor_table_has_fixes():
    text = format_checks(
        [Check("gcc", True, "12"), Check("openocd", False, "not found", "install the MSDK")]
    )
    assert "gcc" in text and "OK" in text and "fix: install the MSDK" in text


def test_predict_on_a_board_uses_the_device_outputs(tmp_path):
    from harness.cli.predict import predict_board

    model = small_model()
    Image.fromarray(np.full((48, 48), 77, np.uint8)).save(tmp_path / "f.png")
    [on_board] = predict_board([tmp_path / "f.png"], model, "fake")
    [golden] = predict_golden([tmp_path / "f.png"], model)
    assert on_board.source == "fake" and on_board.scores == golden.scores


def test_version_and_json_outputs(tmp_path, capsys):
    from importlib import metadata

    from ferhil.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"ferhil {metadata.version('ferhil')}"

    face = tmp_path / "face.png"
    Image.fromarray(np.full((48, 48), 128, dtype=np.uint8)).save(face)
    model = saved_model(tmp_path)
    assert main(["predict", str(face), "--model", str(model), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (row,) = data["predictions"]
    assert row["image"] == str(face) and row["source"] == "golden"
    assert set(row["probabilities"]) == set(row["scores"]) and row["predicted"] in row["scores"]
    assert sum(row["probabilities"].values()) == pytest.approx(1.0)

    main(["doctor", "--json"])
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert checks and {"name", "ok", "detail", "fix", "required"} <= set(checks[0])


def test_predict_takes_the_board_options_its_errors_mention(capsys):
    from ferhil.cli import build_parser

    args = build_parser().parse_args(
        ["predict", "x.png", "--board", "max78000fthr", "--port", "/dev/ttyACM0",
         "--firmware", "fw.elf"]
    )  # fmt: skip
    assert args.ferhil_port == "/dev/ttyACM0" and str(args.ferhil_firmware) == "fw.elf"


def test_run_is_interruptible_even_if_started_with_sigint_ignored() -> None:
    import signal

    before = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # what `ferhil run &` in a script inherits
        assert commands.interruptible() is True
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert commands.interruptible() is False  # a handler in place is left alone
    finally:
        signal.signal(signal.SIGINT, before)
