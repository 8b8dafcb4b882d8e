"""The ``CARD.md`` model card of a zoo entry (Markdown, generated from the model's metadata)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from golden.cost import estimate_cost
from golden.format import QuantModel
from models.training.train_config import TrainConfig


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100.0 * float(value):.2f} %"


def _average_lines(meta: dict[str, Any]) -> list[str]:
    swa = meta.get("weight_average", {}).get("float")
    if not isinstance(swa, dict):
        return []
    kept = (
        "used as the float model (QAT starts from it)"
        if swa.get("used")
        else "not used: the best single epoch validated higher"
    )
    return [
        f"- weight averaging (SWA): mean of the last {swa.get('epochs')} float epochs, batch "
        f"norm re-estimated; validation {_pct(swa.get('val_acc'))}; {kept}"
    ]


def render_card(model: QuantModel, int_report: dict[str, Any], cfg: TrainConfig) -> str:
    """Return the model card text for ``model`` (metadata as written by the zoo exporter)."""
    meta = model.metadata
    cost = estimate_cost(model)
    res = cost.resources
    test = meta.get("test_accuracy", {})
    val = meta.get("val_accuracy", {})
    epochs = meta.get("epochs", {})
    data = meta.get("train_data", {})
    tdata = meta.get("test_data", {})
    lines = [
        f"# {meta.get('zoo_name', model.name)} ({model.name} v{model.version})",
        "",
        str(meta.get("description", "")),
        "",
        "| | |",
        "|---|---|",
        f"| model hash | `{model.short_hash}` |",
        f"| created | {meta.get('created', '')} |",
        f"| git sha | {meta.get('git_sha', 'unknown')} |",
        f"| layers | {len(model.layers)} |",
        f"| MACs / inference | {res.total_macs:,} |",
        f"| weight bytes | {res.weight_bytes:,} of {res.weight_memory_capacity:,} |",
        f"| bias bytes | {res.bias_bytes:,} of {res.bias_memory_capacity:,} |",
        f"| accelerator latency | {cost.latency_us:,.0f} us at {cost.clock_hz / 1e6:.0f} MHz "
        "(**estimate**, simulated cycle model `golden.cost`, not measured) |",
        f"| training time | {float(meta.get('training_seconds', 0)) / 60:.1f} min wall on a "
        f"shared 2-core CPU ({cfg.threads} torch thread(s)) |",
        "",
        "## Data",
        "",
        f"- training: `{data.get('name')}` ({data.get('train')} images for training, "
        f"{data.get('val')} stratified for validation/early stopping; labels "
        f"`{cfg.data.labels}`; balance `{cfg.data.balance}` power {cfg.data.balance_power}); "
        f"sha256 `{str(data.get('hash', ''))[:16]}`",
        f"- test: `{tdata.get('name')}` ({tdata.get('samples')} images, used for these numbers "
        f"only, never for selection); sha256 `{str(tdata.get('hash', ''))[:16]}`",
        f"- input mapping: `{model.input_mapping}` (int8 = pixel - 128)",
        f"- epochs: float {epochs.get('float')}, QAT {epochs.get('qat')} (best float epoch "
        f"{meta.get('best_epoch', {}).get('float')}, best QAT epoch "
        f"{meta.get('best_epoch', {}).get('qat')})",
        *_average_lines(meta),
        "",
        "## Accuracy (single pass, no test-time augmentation)",
        "",
        "| | validation | test |",
        "|---|---|---|",
        f"| float (best float epoch) | {_pct(val.get('float'))} | {_pct(test.get('float'))} |",
        f"| QAT forward (torch) | {_pct(val.get('qat'))} | {_pct(test.get('qat_forward'))} |",
        f"| **int8, golden integer inference** | {_pct(val.get('int8'))} | "
        f"**{_pct(test.get('int8'))}** |",
        "",
        f"Integer macro precision {_pct(int_report.get('macro_precision'))}, recall "
        f"{_pct(int_report.get('macro_recall'))}, F1 {_pct(int_report.get('macro_f1'))}.",
        "",
        "| class | int8 accuracy (recall) | precision |",
        "|---|---|---|",
    ]
    for name, acc in int_report["per_class_accuracy"].items():
        lines.append(f"| {name} | {_pct(acc)} | {_pct(int_report['per_class_precision'][name])} |")
    lines += ["", "## Confusion matrix (int8, rows = true, columns = predicted)", ""]
    classes = list(int_report["per_class_accuracy"])
    lines.append("| true \\ pred | " + " | ".join(c[:3] for c in classes) + " |")
    lines.append("|---" * (len(classes) + 1) + "|")
    for name, row in zip(classes, int_report["confusion"], strict=True):
        lines.append(f"| {name} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "## Layers", "", "| layer | op | in -> out | pool | MACs | kernel words |"]
    lines.append("|---|---|---|---|---|---|")
    for layer, r in zip(model.layers, res.layers, strict=False):
        pool = f"{layer.pool.kind}{layer.pool.kernel[0]}" if layer.pool else "-"
        lines.append(
            f"| {layer.name} | {layer.op} {layer.kernel_size}x{layer.kernel_size} | "
            f"{r.input_shape} -> {r.output_shape} | {pool} | {r.macs:,} | "
            f"{r.kernel_words_per_processor} |"
        )
    lines += [
        "",
        f"Reproduce: `ferhil train --config models/configs/{meta.get('zoo_name')}.yaml`",
        "",
    ]
    return "\n".join(lines)


def write_card(path: Path, model: QuantModel, int_report: dict[str, Any], cfg: TrainConfig) -> Path:
    """Write the model card to ``path`` and return it."""
    path.write_text(render_card(model, int_report, cfg))
    return path
