"""Export a finished training run to the model zoo: quantized model, float weights, card.

``models/zoo/<zoo_name>/`` (or ``$FERHIL_ZOO/<zoo_name>``) receives:

* ``model.qmodel.npz``: the QuantModel (:func:`models.nn.network.to_quant_model`), with metadata
  (``created``, accuracies, data hashes, training time, git sha);
* ``float_weights.npz``: the best float-phase state dict (float32), so ``ferhil eval`` can report
  the float accuracy next to the integer one;
* ``config.yaml``: the training config; ``CARD.md``: the model card
  (:mod:`models.training.model_card`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fixtures.datasets import CLASSES
from golden import format as qformat
from golden import zoo as golden_zoo
from golden.format import QuantModel
from golden.identifiers import child_path
from golden.inference import run as golden_run
from models.nn.network import FerNet, to_quant_model
from models.training.float_weights import FLOAT_WEIGHTS_FILE, save_float_weights
from models.training.metrics import classification_report
from models.training.model_card import write_card
from models.training.swa import SWA_KEY
from models.training.train import RunResult, TrainError, predict
from models.training.train_config import TrainConfig, save_config
from models.training.train_data import prepare_data
from models.training.train_setup import build_network


def git_sha() -> str:
    """Return the short git commit of the working tree (``unknown`` outside git)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def golden_predict(model: QuantModel, x_float: torch.Tensor) -> np.ndarray:
    """Return the golden (integer) arg-max of float inputs in the ``int8/128`` scale."""
    x_int = np.rint(x_float.numpy() * 128.0).astype(np.int64)
    result: np.ndarray = golden_run(model, x_int).argmax(axis=1)
    return result


def export_run(result: RunResult, cfg: TrainConfig, zoo_root: Path | None = None) -> Path:
    """Quantize the trained network, evaluate it and write the zoo entry; return its folder.

    Raises:
        TrainError: for a float-only reference network (it has no quantized form).
    """
    net = result.net
    if not isinstance(net, FerNet):
        raise TrainError(
            f"{cfg.name} is a float-only reference network (float_only: true); it has no int8 "
            "zoo entry: train it with --no-export, or train a MAX78000 network to export"
        )
    data = prepare_data(cfg.data, cfg.seed)
    st = result.state
    float_info = st.extra.get("float", {})
    qat_info = st.extra.get("qat", {})
    float_state = float_info.get("state")
    float_test = None
    if float_state is not None:
        fnet = build_network(cfg)
        fnet.load_state_dict(float_state)
        fnet.set_mode("float")
        float_pred = predict(fnet, data.test_x, cfg.eval_batch_size)
        float_test = float(np.mean(float_pred == data.test_y.numpy()))
    draft = to_quant_model(net, cfg.name, cfg.version)
    int_pred = golden_predict(draft, data.test_x)
    int_report = classification_report(data.test_y.numpy(), int_pred, CLASSES)
    val_int = float(np.mean(golden_predict(draft, data.val_x) == data.val_y.numpy()))
    metadata: dict[str, Any] = {
        "zoo_name": cfg.zoo_name or cfg.name,
        "description": cfg.description,
        "git_sha": git_sha(),
        "train_data": {
            "name": data.train_name,
            "hash": data.train_hash,
            "train": len(data.train_y),
            "val": len(data.val_y),
        },
        "test_data": {"name": data.test_name, "hash": data.test_hash, "samples": len(data.test_y)},
        "epochs": {"float": float_info.get("epochs_run"), "qat": qat_info.get("epochs_run")},
        "best_epoch": {"float": float_info.get("best_epoch"), "qat": qat_info.get("best_epoch")},
        "val_accuracy": {
            "float": float_info.get("best_val_acc"),
            "qat": qat_info.get("best_val_acc"),
            "int8": val_int,
        },
        "test_accuracy": {
            "float": float_test,
            "qat_forward": qat_info.get("test_acc"),
            "int8": int_report["accuracy"],
        },
        "per_class_accuracy_int8": int_report["per_class_accuracy"],
        # The key the HIL accuracy test reads (harness/suite/thresholds.py).
        f"{data.test_name}_int8_accuracy": int_report["accuracy"],
        "training_seconds": round(st.elapsed_s, 1),
        "history": st.history,
    }
    if float_info.get(SWA_KEY) is not None:
        metadata["weight_average"] = {"float": float_info[SWA_KEY]}
    qmodel = to_quant_model(net, cfg.name, cfg.version, metadata)
    folder = child_path(
        zoo_root or golden_zoo.zoo_root(), cfg.zoo_name or f"{cfg.name}-v{cfg.version}", "zoo name"
    )
    folder.mkdir(parents=True, exist_ok=True)
    qformat.save(qmodel, folder / golden_zoo.MODEL_FILE)
    save_config(cfg, folder / "config.yaml")
    if float_state is not None:
        save_float_weights(float_state, folder / FLOAT_WEIGHTS_FILE)
    write_card(folder / "CARD.md", qmodel, int_report, cfg)
    return folder
