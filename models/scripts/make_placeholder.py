"""Make the placeholder zoo model ``models/zoo/fercnn-v1`` (a few CPU minutes, not a real trainer).

Trains the default :class:`~models.nn.network.FerNet` on a shuffled subset of FER2013 ``train.npz``
in float mode, then briefly in QAT mode, quantizes it, measures its int8 accuracy on PublicTest
with :func:`golden.inference.run` and writes ``model.qmodel.npz``, ``config.yaml`` and ``CARD.md``.
The real trainer is ``ferhil train``.

Usage: ``python models/scripts/make_placeholder.py [--float-seconds 150] [--qat-seconds 60]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
import yaml

from fixtures.paths import fer2013_file
from golden.format import QuantModel, save
from golden.inference import run
from golden.input_mapping import pixels_to_input
from models.nn.network import FerNet, to_quant_model

ZOO_DIR = Path(__file__).resolve().parents[1] / "zoo" / "fercnn-v1"
BATCH = 128


def _batches(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    while True:
        order = rng.permutation(len(labels))
        for i in range(0, len(order) - BATCH + 1, BATCH):
            idx = order[i : i + BATCH]
            x = pixels_to_input(images[idx]).astype(np.float32) / 128.0
            flip = rng.random(len(idx)) < 0.5
            x[flip] = x[flip][..., ::-1]
            yield torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(labels[idx])


def _train(
    net: FerNet, batches: Iterator[tuple[torch.Tensor, torch.Tensor]], seconds: float, lr: float
) -> int:
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    net.train()
    start, steps = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        x, y = next(batches)
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        if steps % 20 == 0:
            print(f"  step {steps} loss {loss.item():.3f} ({time.monotonic() - start:.0f} s)")
    return steps


def main() -> None:
    """Train, quantize, evaluate and write the placeholder zoo model."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--float-seconds", type=float, default=150.0)
    parser.add_argument("--qat-seconds", type=float, default=60.0)
    parser.add_argument("--subset", type=int, default=16000)
    args = parser.parse_args()
    train_path, test_path = fer2013_file("train"), fer2013_file("publictest")
    if train_path is None or test_path is None:
        raise SystemExit("FER2013 archives not found (see fixtures.paths.fer2013_dir)")
    torch.manual_seed(0)
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    with np.load(train_path) as data:
        idx = rng.permutation(len(data["labels"]))[: args.subset]
        images, labels = data["images"][idx], data["labels"][idx].astype(np.int64)
    with np.load(test_path) as data:
        test_x = pixels_to_input(data["images"])
        test_y = data["labels"].astype(np.int64)
    net = FerNet()
    batches = _batches(images, labels, rng)
    print("float phase")
    float_steps = _train(net, batches, args.float_seconds, 2e-3)
    print("qat phase")
    net.set_mode("qat")
    qat_steps = _train(net, batches, args.qat_seconds, 2e-4)
    net.eval()
    qmodel = to_quant_model(net, "fercnn", "1", {"placeholder": True})
    t0 = time.monotonic()
    pred = run(qmodel, test_x).argmax(axis=1)
    golden_s = time.monotonic() - t0
    acc = float((pred == test_y).mean())
    qmodel.metadata.update(
        {
            "publictest_int8_accuracy": round(acc, 4),
            "training": {
                "images": int(args.subset),
                "float_steps": float_steps,
                "qat_steps": qat_steps,
                "batch": BATCH,
            },
        }
    )
    ZOO_DIR.mkdir(parents=True, exist_ok=True)
    path = save(qmodel, ZOO_DIR / "model.qmodel.npz")
    (ZOO_DIR / "config.yaml").write_text(yaml.safe_dump(net.config, sort_keys=False))
    (ZOO_DIR / "CARD.md").write_text(_card(acc, args.subset, float_steps, qat_steps, qmodel))
    print(f"wrote {path} ({path.stat().st_size} bytes); PublicTest int8 accuracy {acc:.4f}")
    print(f"golden inference of {len(test_y)} images: {golden_s:.2f} s")


def _card(acc: float, subset: int, fsteps: int, qsteps: int, qmodel: QuantModel) -> str:
    return f"""# fercnn v1: PLACEHOLDER model (briefly trained)

**This is a placeholder, not a trained FER model.** It exists so that the firmware, harness
and report code has a real, MAX78000-legal quantized network to work with. Train a real model
with `ferhil train`.

| field | value |
|---|---|
| model | `fercnn` version `1`, hash `{qmodel.short_hash}` |
| network | `config.yaml` (default `FerNet`: 7 conv 3x3 + BN + ReLU, max-pools, wide linear) |
| input | 1x48x48 int8, `pixel_minus_128` |
| training | {fsteps} float + {qsteps} QAT steps of batch {BATCH}, {subset} `train.npz` images |
| **PublicTest int8 accuracy** | **{acc:.4f}** (3,589 images, `golden.inference.run`) |

Training: shuffled subset (seed 0), horizontal flips, Adam, a few CPU minutes. Accuracy is the
argmax of the wide integer outputs of the quantized model over PublicTest.

Made by `models/scripts/make_placeholder.py`.
"""


if __name__ == "__main__":
    main()
