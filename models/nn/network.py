"""``FerNet``: a MAX78000-legal network built from a configuration, and its quantized form.

* ``FerNet(config)`` builds the fused layers of :mod:`models.nn.layers` from a configuration
  (:mod:`models.nn.network_config`; ``default_network_config()`` is the FER CNN) and checks the
  whole network against the MAX78000 limits (:func:`golden.legality.check_layers`).
* :func:`to_quant_model` folds batch-norm, quantizes every layer with :mod:`golden.quantize`,
  checks the result with :func:`golden.legality.check_model` and returns a
  :class:`golden.format.QuantModel`.
* :func:`from_quant_model` rebuilds a ``FerNet`` from a quantized model, in ``"simulate"`` mode
  (bit-exact with :func:`golden.inference.run`); its float parameters are the dequantized
  integers, so ``"float"`` mode computes the dequantized float function (used for ONNX).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import torch
from torch import nn

from golden.format import FER_CLASSES, Pool, QuantModel
from golden.input_mapping import DEFAULT_MAPPING
from golden.legality import check_layers, check_model
from golden.resources import LayerShape
from models.nn.layer_rules import IllegalLayerError
from models.nn.layers import FusedConv2d, FusedLayer, FusedLinear, Mode, set_mode
from models.nn.network_config import ShapedLayer, default_network_config, layer_shapes


class FerNet(nn.Module):
    """A sequence of fused MAX78000 layers described by a configuration.

    Args:
        config: a network configuration mapping (see :mod:`models.nn.network_config`);
            ``None`` uses :func:`~models.nn.network_config.default_network_config`.

    Attributes:
        config: the configuration with defaults and inferred input sizes filled in.
        input_shape: ``(C, H, W)`` of the input.
        classes: class names, one per output.

    Raises:
        IllegalLayerError / LegalityError: when a layer or the whole network cannot run on the
            MAX78000 (the message names the layer and the rule).
    """

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        raw = copy.deepcopy(dict(config)) if config is not None else default_network_config()
        shaped = layer_shapes(raw)
        self.input_shape = _shape3(raw)
        n_out = shaped[-1].out_shape[0]  # QuantModel.validate: classes == last out_channels
        default = FER_CLASSES if n_out == len(FER_CLASSES) else [f"class{i}" for i in range(n_out)]
        self.classes: tuple[str, ...] = tuple(raw.get("classes") or default)
        self.config: dict[str, Any] = {
            "input_shape": list(self.input_shape),
            "classes": list(self.classes),
            "layers": [s.spec for s in shaped],
        }
        self.layers = nn.ModuleDict({s.spec["name"]: _build_layer(s.spec) for s in shaped})
        check_layers([_layer_shape(s) for s in shaped], _shape3(raw), name="network config")
        self.dropouts = nn.ModuleDict(
            {s.spec["name"]: nn.Dropout(float(s.spec["dropout"])) for s in shaped}
        )
        if n_out != len(self.classes):
            raise IllegalLayerError(
                f"the network has {n_out} outputs but {len(self.classes)} classes are named"
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the network; returns ``(N, outputs)`` (see :mod:`models.nn.layers` for the modes)."""
        simulate = self.mode == "simulate"
        for name, layer in self.fused_layers():
            drop = self.dropouts[name]
            if not simulate and isinstance(drop, nn.Dropout) and drop.p > 0:
                x = drop(x)
            x = layer(x)
        return x.reshape(x.shape[0], -1)

    def set_mode(self, mode: Mode) -> FerNet:
        """Switch every layer to ``"float"``, ``"qat"`` or ``"simulate"``; returns ``self``."""
        set_mode(self, mode)
        return self

    def fused_layers(self) -> list[tuple[str, FusedLayer]]:
        """Return ``(name, layer)`` pairs in execution order."""
        return [(k, v) for k, v in self.layers.items() if isinstance(v, FusedLayer)]

    @property
    def mode(self) -> str:
        """The mode of the first layer (all layers share it after :meth:`set_mode`)."""
        return self.fused_layers()[0][1].mode

    def simulate(self, x: np.ndarray) -> np.ndarray:
        """Run exact integer inference on int8-valued ``(N, C, H, W)`` input; returns int64.

        The network is put in ``"simulate"`` mode (and stays there).
        """
        if self.mode != "simulate":
            self.set_mode("simulate")
        with torch.no_grad():
            y = self(torch.from_numpy(np.asarray(x, dtype=np.float64)))
        result: np.ndarray = y.numpy().astype(np.int64)
        return result


def _shape3(config: Mapping[str, Any]) -> tuple[int, int, int]:
    c, h, w = (int(v) for v in config.get("input_shape", (1, 48, 48)))
    return c, h, w


def _layer_shape(s: ShapedLayer) -> LayerShape:
    spec = s.spec
    conv = spec["op"] == "conv2d"
    return LayerShape(
        name=spec["name"],
        op=spec["op"],
        in_channels=int(spec["in_channels"]),
        out_channels=int(spec["out_channels"]),
        kernel_size=int(spec["kernel_size"]) if conv else 1,
        pad=int(spec["pad"]) if conv else 0,
        pool=Pool.from_json(spec["pool"]) if conv and spec["pool"] else None,
        flatten=bool(spec.get("flatten", False)),
        has_bias=bool(spec["bias"] or spec.get("batchnorm", False)),
        weight_bits=int(spec["weight_bits"]),
        wide=bool(spec.get("wide", False)),
        activation=str(spec["activation"]),
    )


def _build_layer(spec: dict[str, Any]) -> FusedLayer:
    if spec["op"] == "conv2d":
        return FusedConv2d(
            spec["in_channels"],
            spec["out_channels"],
            kernel_size=spec["kernel_size"],
            pad=spec["pad"],
            pool=spec["pool"],
            batchnorm=spec["batchnorm"],
            activation=spec["activation"],
            weight_bits=spec["weight_bits"],
            bias=spec["bias"],
            name=spec["name"],
            stride=spec.get("stride", 1),
            groups=spec.get("groups", 1),
            dilation=spec.get("dilation", 1),
        )
    return FusedLinear(
        spec["in_channels"],
        spec["out_channels"],
        activation=spec["activation"],
        wide=spec["wide"],
        flatten=spec["flatten"],
        weight_bits=spec["weight_bits"],
        bias=spec["bias"],
        name=spec["name"],
    )


def to_quant_model(
    net: FerNet, name: str, version: str, metadata: Mapping[str, Any] | None = None
) -> QuantModel:
    """Fold batch-norm, quantize every layer and return a checked :class:`QuantModel`.

    Args:
        net: the trained network (any mode; its float parameters and running statistics are
            used, or the loaded integers for a network from :func:`from_quant_model`).
        name: model family name.
        version: model version string.
        metadata: extra provenance; ``created`` (ISO timestamp, UTC) and ``config`` are added.

    Raises:
        LegalityError: when the quantized model breaks a MAX78000 limit.
    """
    layers = [layer.quant_layer(key) for key, layer in net.fused_layers()]
    meta: dict[str, Any] = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": copy.deepcopy(net.config),
    }
    meta.update(dict(metadata or {}))
    model = QuantModel(
        name=name,
        version=str(version),
        input_shape=net.input_shape,
        classes=net.classes,
        input_mapping=DEFAULT_MAPPING,
        layers=layers,
        metadata=meta,
    )
    model.validate()
    check_model(model)
    return model


def from_quant_model(qmodel: QuantModel) -> FerNet:
    """Rebuild a :class:`FerNet` holding ``qmodel``'s integers, in ``"simulate"`` mode."""
    specs: list[dict[str, Any]] = []
    for q in qmodel.layers:
        spec: dict[str, Any] = {
            "name": q.name,
            "op": q.op,
            "out_channels": q.out_channels,
            "activation": q.activation,
            "weight_bits": q.weight_bits,
            "bias": q.bias is not None,
        }
        if q.op == "conv2d":
            spec.update(
                kernel_size=q.kernel_size,
                pad=q.pad,
                pool=q.pool.to_json() if q.pool else None,
                batchnorm=False,
            )
        else:
            spec.update(flatten=q.flatten, wide=q.wide)
        specs.append(spec)
    config = {
        "input_shape": list(qmodel.input_shape),
        "classes": list(qmodel.classes),
        "layers": specs,
    }
    net = FerNet(config)
    for q, (_, layer) in zip(qmodel.layers, net.fused_layers(), strict=True):
        layer.load_quant_layer(q)
    return net.set_mode("simulate")
