"""A hostile name in a model file or config cannot change generated C, YAML, paths or HELLO.

Two fences are tested separately: names are refused when read (:mod:`golden.identifiers`), and
every emitter escapes what it writes even for a name that skipped validation (rendered here
through the unvalidated entry points on purpose).
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from firmware.builder.c_literals import c_comment, c_string
from firmware.builder.synth import synthesize
from golden import format as qformat
from golden.errors import FerhilError
from golden.format import QuantModel
from golden.identifiers import InvalidNameError, check_name, check_version, child_path
from golden.synthetic import random_legal_model
from harness.run.bringup import ExpectedIdentity, identity_mismatches
from models.export.export_ai8x import network_yaml
from models.export.yaml_text import yaml_comment, yaml_entry
from models.training.checkpointing import CheckpointError, load_checkpoint
from models.training.train_config import ConfigError, config_from_dict

HOSTILE = [
    "x */ int evil; /*",
    "x\\\nint evil;",
    "x??/\nint evil;",
    "\n#include <stdlib.h>\n",
    'a"; system("id"); "',
    "a: {b: 1}",
    "- a\n- b",
    "../../etc/passwd",
    "/abs",
    "..",
    "a\x00b",
    "q'uo\"te",
    "caf\u00e9",
    "-rf",
    "",
    "x" * 70,
]


def _model(seed: int = 3) -> QuantModel:
    return random_legal_model(
        np.random.default_rng(seed),
        input_shape=(1, 8, 8),
        num_classes=3,
        max_layers=3,
        max_channels=4,
        calibration_samples=1,
    )


def _renamed(model: QuantModel, name: str) -> QuantModel:
    """``model`` with ``name`` as model name, version, layer and class names (unvalidated)."""
    layers = [dataclasses.replace(layer, name=f"{name}{i}") for i, layer in enumerate(model.layers)]
    classes = tuple(f"{name}{i}" for i in range(len(model.classes)))
    return dataclasses.replace(model, name=name, version=name, layers=layers, classes=classes)


_C_TOKEN = re.compile(r'/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|[A-Za-z_]\w*|\d\w*|\S', re.DOTALL)


def _c_tokens(text: str) -> list[str]:
    """C tokens without comments, with string literals as ``STR`` and the model id as one token."""
    assert "\\\n" not in text and "??" not in text, "line splice or trigraph in generated C"
    out = []
    for tok in _C_TOKEN.findall(text):
        if tok.startswith("/*"):
            continue
        if tok.startswith('"'):
            tok = "STR"
        elif re.fullmatch(r"0x[0-9a-f]{16}ULL", tok):
            tok = "MODEL_ID"  # layer names are hashed, so the id differs; its form may not
        out.append(tok)
    return out


@pytest.mark.parametrize("bad", HOSTILE)
def test_validation_refuses_hostile_names(bad: str) -> None:
    for check in (check_name, check_version):
        with pytest.raises(InvalidNameError) as info:
            check(bad, "model name")
        assert "\n" not in str(info.value)
    with pytest.raises(InvalidNameError):
        child_path(Path("/zoo"), bad, "zoo name")


@pytest.mark.parametrize("good", ["fercnn", "fer_like_synthetic", "conv1", "c0", "x" * 31])
def test_validation_accepts_plain_names(good: str) -> None:
    assert check_name(good, "n") == good
    assert check_version("1.2+qat") == "1.2+qat"
    assert child_path(Path("/zoo"), f"{good}-v1.2", "zoo name") == Path(f"/zoo/{good}-v1.2")


@pytest.mark.parametrize("bad", HOSTILE)
def test_model_file_with_hostile_name_is_refused_on_load(bad: str, tmp_path: Path) -> None:
    path = qformat.save(_model(), tmp_path / "m")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    for field in ("name", "layer", "class", "version"):
        meta = json.loads(str(arrays["meta"][()]))
        if field == "layer":
            meta["layers"][0]["name"] = bad
        elif field == "class":
            meta["classes"][0] = bad
        else:
            meta[field] = bad
        arrays["meta"] = np.array(json.dumps(meta))
        crafted = tmp_path / f"crafted-{field}.qmodel.npz"
        np.savez(crafted, **arrays)  # type: ignore[arg-type]
        with pytest.raises(FerhilError) as info:
            qformat.load(crafted)
        assert "\n" not in str(info.value) and "not allowed" in str(info.value)
        arrays["meta"] = np.array(json.dumps(json.loads(str(np.load(path)["meta"][()]))))


def test_synthesize_validates_names() -> None:
    with pytest.raises(InvalidNameError):
        synthesize(_renamed(_model(), "x */ int evil;"))


@pytest.fixture
def no_name_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let unvalidated names through, to test the emitters' own escaping (the second fence)."""
    monkeypatch.setattr("golden.format.check_name", lambda value, what: value)
    monkeypatch.setattr("golden.format.check_version", lambda value, what: value)


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_name_cannot_change_generated_c(bad: str, no_name_checks: None) -> None:
    model = _model()
    plain = synthesize(_renamed(model, "plain")).files
    hostile = synthesize(_renamed(model, bad)).files
    assert plain.keys() == hostile.keys()
    for name in plain:
        assert _c_tokens(hostile[name]) == _c_tokens(plain[name]), name


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_c_string_round_trips_through_gcc(tmp_path: Path) -> None:
    values = [v for v in HOSTILE if "\x00" not in v] + ["??/", "??=", "\\"]
    body = "\n".join(f"    puts({c_string(v)});" for v in values)
    src = tmp_path / "s.c"
    src.write_text(f"#include <stdio.h>\nint main(void)\n{{\n{body}\n    return 0;\n}}\n")
    exe = tmp_path / "s"
    subprocess.run(
        ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-trigraphs", str(src), "-o", str(exe)],
        check=True,
    )
    out = subprocess.run([str(exe)], check=True, capture_output=True).stdout
    assert out == "".join(v + "\n" for v in values).encode()


@pytest.mark.parametrize("bad", HOSTILE)
def test_c_comment_stays_one_inert_line(bad: str) -> None:
    text = c_comment(bad)
    assert not any(c in text for c in '*/\\?\n\r"\x00')


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_name_cannot_change_network_yaml(bad: str, no_name_checks: None) -> None:
    model = _model()
    plain = network_yaml(_renamed(model, "plain"))
    hostile = network_yaml(_renamed(model, bad))
    assert len(hostile.splitlines()) == len(plain.splitlines())
    doc_plain, doc_hostile = yaml.safe_load(plain), yaml.safe_load(hostile)
    assert re.fullmatch(r"\w+", doc_hostile.pop("arch"))
    doc_plain.pop("arch")
    assert doc_hostile == doc_plain


@pytest.mark.parametrize("bad", HOSTILE)
def test_yaml_emitters_quote_and_flatten(bad: str) -> None:
    assert yaml.safe_load(yaml_entry("arch", bad)) == {"arch": bad}
    assert "\n" not in yaml_entry("arch", bad)
    comment = yaml_comment(bad)
    assert "\n" not in comment and yaml.safe_load("a: 1\n" + comment + "\n") == {"a": 1}


@pytest.mark.parametrize("bad", ["../../x", "a/b", "..", "x\n", "a: {b"])
def test_training_config_names_are_validated(bad: str) -> None:
    for key in ("name", "zoo_name"):
        with pytest.raises(ConfigError):
            config_from_dict({key: bad})


def test_hello_checks_name_and_version() -> None:
    from harness.devices.boards.fake import fake_hello

    expected = ExpectedIdentity("a" * 64, None, "fercnn", "4")
    good = fake_hello("a" * 64, "f" * 64, model_name="fercnn", model_version="4")
    assert identity_mismatches(good, expected) == []
    bad = fake_hello("a" * 64, "f" * 64, model_name="evil", model_version="4")
    assert identity_mismatches(bad, expected) == ["model name 'evil' != expected 'fercnn'"]


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "pwned"))  # type: ignore[return-value]


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_crafted_checkpoint_is_refused_without_running_code(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = tmp_path / "checkpoint.pt"
    import torch

    torch.save({"state": {}, "exploit": _Exploit(marker)}, path)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    assert not marker.exists()
    assert "\n" not in str(info.value)
    path.write_bytes(pickle.dumps(_Exploit(marker)))
    with pytest.raises(CheckpointError):
        load_checkpoint(path)
    assert not marker.exists()
