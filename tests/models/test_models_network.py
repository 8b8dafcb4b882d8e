"""FerNet configurations, legality at construction, and the QuantModel bridge."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import yaml

from golden.errors import FerhilError
from golden.inference import run
from golden.legality import LegalityError, check_model
from models.nn.layer_rules import IllegalLayerError
from models.nn.network import FerNet, from_quant_model, to_quant_model
from models.nn.network_config import default_network_config, load_network_config


def _small(layers: list[dict[str, Any]], shape: tuple[int, int, int] = (1, 8, 8)) -> dict:
    return {"input_shape": list(shape), "classes": ["a", "b"], "layers": layers}


FC = {"name": "fc", "op": "linear", "out_channels": 2, "flatten": True, "wide": True}


def test_default_network_is_legal_and_sized_for_cpu_training() -> None:
    net = FerNet()
    qmodel = to_quant_model(net.eval(), "fercnn", "0")
    report = check_model(qmodel)
    assert 10e6 <= report.total_macs <= 40e6
    assert report.weight_bytes <= 300_000
    assert qmodel.input_shape == (1, 48, 48) and qmodel.num_outputs == 7
    assert qmodel.wide_output
    flatten = next(r for r in report.layers if r.op == "linear")
    c, h, w = flatten.pooled_shape
    assert c * h * w <= 16384 and h * w <= 256


def test_config_loads_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(default_network_config()))
    config = load_network_config(path)
    assert FerNet(config).config == FerNet().config


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ([{"name": "c1", "out_channels": 4, "stride": 2}, FC], ["c1", "stride-2"]),
        ([{"name": "c1", "out_channels": 4, "groups": 4}, FC], ["c1", "depthwise"]),
        ([{"name": "c1", "out_channels": 4, "kernel_size": 5}, FC], ["c1", "5x5"]),
        ([{"name": "c1", "out_channels": 4, "activation": "leakyrelu"}, FC], ["c1", "leakyrelu"]),
        ([{"name": "fc", "op": "linear", "out_channels": 2}], ["flatten"]),
        ([{"name": "c1", "op": "conv3d", "out_channels": 2}], ["conv3d"]),
    ],
)
def test_illegal_configs_refused_with_clear_messages(layers: list, words: list[str]) -> None:
    with pytest.raises(IllegalLayerError) as info:
        FerNet(_small(layers))
    for word in words:
        assert word in str(info.value)


def test_too_many_layers_refused() -> None:
    convs = [{"name": f"c{i}", "out_channels": 4} for i in range(32)]
    with pytest.raises(LegalityError, match="33 layers exceed the limit of 32"):
        FerNet(_small([*convs, FC]))


def test_too_many_weights_refused() -> None:
    # 7 x (512*512*9) 8-bit weights = 16.5 MB, far over 442,368 bytes.
    layers = [
        {"name": f"c{i}", "out_channels": 512, "bias": False, "batchnorm": False} for i in range(7)
    ]
    with pytest.raises(LegalityError, match="weight memory"):
        FerNet(_small([*layers, FC], shape=(1, 4, 4)))


def test_flatten_too_large_refused() -> None:
    layers = [{"name": "c1", "out_channels": 8}, FC]
    with pytest.raises(LegalityError, match="flattening 8x20x20"):
        FerNet(_small(layers, shape=(1, 20, 20)))


def test_errors_are_ferhil_errors() -> None:
    with pytest.raises(FerhilError):
        FerNet(_small([{"name": "c1", "out_channels": 4, "stride": 2}, FC]))


def test_to_quant_model_metadata_and_roundtrip() -> None:
    torch.manual_seed(0)
    net = FerNet(_small([{"name": "c1", "out_channels": 4, "dropout": 0.5}, FC])).eval()
    qmodel = to_quant_model(net, "tiny", "3", {"note": "x"})
    meta = qmodel.metadata
    assert meta["note"] == "x" and meta["config"] == net.config
    assert datetime.fromisoformat(meta["created"]).tzinfo is not None
    assert (qmodel.name, qmodel.version, qmodel.classes) == ("tiny", "3", ("a", "b"))
    rebuilt = from_quant_model(qmodel)
    assert rebuilt.mode == "simulate"
    again = to_quant_model(rebuilt, "tiny", "3")
    assert again.hash() == qmodel.hash()
    x = np.random.default_rng(0).integers(-128, 128, (5, 1, 8, 8)).astype(np.int8)
    np.testing.assert_array_equal(rebuilt.simulate(x), run(qmodel, x))


def test_dropout_only_in_training_modes() -> None:
    config = _small([{"name": "c1", "out_channels": 4, "dropout": 0.9}, FC])
    net = FerNet(copy.deepcopy(config)).train()
    x = torch.rand(2, 1, 8, 8)
    assert not torch.equal(net(x), net(x))  # dropout active in float training
    net.set_mode("simulate")
    xi = np.random.default_rng(1).integers(-128, 128, (2, 1, 8, 8))
    np.testing.assert_array_equal(net.simulate(xi), net.simulate(xi))


def test_class_names_default_and_mismatch() -> None:
    config = _small([{"name": "c1", "out_channels": 4}, FC])
    del config["classes"]
    assert FerNet(config).classes == ("class0", "class1")
    config["classes"] = ["only-one"]
    with pytest.raises(IllegalLayerError, match="2 outputs but 1 classes"):
        FerNet(config)
    assert len(FerNet().classes) == 7
