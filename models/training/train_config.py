"""The training configuration (``models/configs/*.yaml``) as typed dataclasses.

A config names the data, class balancing, augmentation, the network layers and the two training
phases (float, then QAT with the MAX78000 layers). Unknown keys are errors, so a typo in a config
cannot be silently ignored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from golden.errors import FerhilError
from golden.identifiers import InvalidNameError, check_name, check_version
from models.training.augment import AugmentConfig
from models.training.distill import DistillConfig


class ConfigError(FerhilError, ValueError):
    """A training config is malformed; the message names the key."""


PRECISIONS = ("fp32", "bf16", "auto")
QAT_COMPILE_ERROR = (
    "qat_phase: compile is for float_phase only (the QAT quantizers compute their scales with "
    "numpy, which torch.compile cannot trace); remove it"
)


@dataclass(frozen=True)
class DataConfig:
    """Where the data come from and how they are split and balanced.

    Attributes:
        train: training set: ``fer2013:<split>`` (found through ``fixtures.paths``) or a path.
        test: held-out set for final numbers only (never used for selection).
        labels: ``fer2013`` or ``ferplus`` (majority vote) for the training labels.
        val_fraction: stratified share of ``train`` kept for validation / early stopping.
        limit: use only the first ``limit`` samples of a seeded shuffle (tests, smoke runs).
        test_limit: likewise for the test set.
        balance: ``none``, ``oversample`` (per-epoch resampling) or ``weights`` (loss weights).
        balance_power: class weight ``∝ count**-power`` (1 = fully balanced, 0 = natural).
    """

    train: str = "fer2013:train"
    test: str = "fer2013:publictest"
    labels: str = "fer2013"
    val_fraction: float = 0.1
    limit: int | None = None
    test_limit: int | None = None
    balance: str = "none"
    balance_power: float = 0.5


@dataclass(frozen=True)
class PhaseConfig:
    """One training phase (float or QAT).

    Attributes:
        epochs: maximum epochs (0 skips the phase).
        lr: peak learning rate.
        weight_decay: decoupled (AdamW) or L2 (SGD) weight decay.
        optimizer: ``sgd`` (Nesterov momentum) or ``adamw``.
        momentum: SGD momentum.
        schedule: ``onecycle``, ``cosine`` or ``constant``.
        warmup_fraction: OneCycle warm-up share of the phase.
        label_smoothing: cross-entropy label smoothing.
        patience: early-stop after this many epochs without a better validation accuracy
            (0 = never).
        precision: ``fp32``; ``bf16`` (CPU autocast of the forward pass: about 2-3x faster on
            CPUs with AVX512-BF16/AMX, several times slower where bf16 is emulated); or
            ``auto`` (bf16 only where the CPU has native bf16). Validation always runs in fp32.
        swa_epochs: average the weights of the phase's last ``swa_epochs`` epochs
            (:mod:`models.training.swa`; float phase only, 0 = off).
        compile: run the training steps through ``torch.compile`` (float phase only; needs a
            C++ compiler; measured by ``benchmarks/train_step.py``: 1.3x over eager in fp32,
            1.6x over eager bf16 on a 2-core AMX Xeon). Validation and stored weights stay eager.
    """

    epochs: int = 0
    lr: float = 0.05
    weight_decay: float = 5e-4
    optimizer: str = "sgd"
    momentum: float = 0.9
    schedule: str = "onecycle"
    warmup_fraction: float = 0.15
    label_smoothing: float = 0.1
    patience: int = 0
    precision: str = "fp32"
    swa_epochs: int = 0
    compile: bool = False

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision {self.precision!r} must be one of {PRECISIONS}")
        if not 0 <= self.swa_epochs <= max(self.epochs, 0):
            raise ConfigError(
                f"swa_epochs {self.swa_epochs} must be between 0 and the phase's epochs "
                f"({self.epochs})"
            )


@dataclass(frozen=True)
class TrainConfig:
    """A whole training recipe (see the module docstring).

    Attributes:
        name: model family name of the exported QuantModel.
        version: its version string.
        seed: the one seed every random draw derives from.
        batch_size: training batch size.
        eval_batch_size: batch size for validation/test passes.
        threads: ``torch.set_num_threads``.
        checkpoint_minutes: also checkpoint inside an epoch after this many minutes.
        data: :class:`DataConfig`.
        augment: :class:`~models.training.augment.AugmentConfig`.
        network: a FerNet configuration (:mod:`models.nn.network_config`); empty = the default.
        dropout: ``{layer name: p}`` training-only dropout on that layer's input.
        float_phase: :class:`PhaseConfig` of the float phase.
        qat_phase: :class:`PhaseConfig` of the QAT phase.
        zoo_name: folder name in the model zoo.
        description: one line for the model card.
        float_only: a float reference network that need not fit the MAX78000 (no legality
            check, no QAT, no zoo export).
        distill: :class:`~models.training.distill.DistillConfig` (teachers and the soft-target
            share).
        init_from: zoo model (name or ``.qmodel.npz`` path) whose float weights start the float
            phase instead of a random initialisation (same layers and channels; empty = random).
    """

    name: str = "fercnn"
    version: str = "2"
    seed: int = 1
    batch_size: int = 128
    eval_batch_size: int = 512
    threads: int = 2
    checkpoint_minutes: float = 10.0
    data: DataConfig = field(default_factory=DataConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    network: dict[str, Any] = field(default_factory=dict)
    dropout: dict[str, float] = field(default_factory=dict)
    float_phase: PhaseConfig = field(default_factory=lambda: PhaseConfig(epochs=30))
    qat_phase: PhaseConfig = field(
        default_factory=lambda: PhaseConfig(epochs=5, lr=0.005, schedule="cosine")
    )
    zoo_name: str = ""
    description: str = ""
    float_only: bool = False
    distill: DistillConfig = field(default_factory=DistillConfig)
    init_from: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the plain-dict form (as written to YAML)."""
        return dataclasses.asdict(self)


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(names)}")
    return cls(**data)


def config_from_dict(data: dict[str, Any]) -> TrainConfig:
    """Build a :class:`TrainConfig` from a mapping (nested sections are mappings too).

    Raises:
        ConfigError: for unknown keys or sections of the wrong type.
    """
    data = dict(data)
    sections = {
        "data": DataConfig,
        "augment": AugmentConfig,
        "float_phase": PhaseConfig,
        "qat_phase": PhaseConfig,
        "distill": DistillConfig,
    }
    for key, cls in sections.items():
        if key in data:
            if not isinstance(data[key], dict):
                raise ConfigError(f"config section {key!r} must be a mapping")
            data[key] = _build(cls, data[key], f"config section {key!r}")
    config: TrainConfig = _build(TrainConfig, data, "config")
    if config.qat_phase.swa_epochs:
        raise ConfigError(
            "qat_phase: swa_epochs averages float weights and is for float_phase only; remove it"
        )
    if config.qat_phase.compile:
        raise ConfigError(QAT_COMPILE_ERROR)
    try:
        check_name(config.name, "config name")
        check_version(str(config.version), "config version")
        if config.zoo_name:
            check_name(config.zoo_name, "config zoo_name")
    except InvalidNameError as exc:
        raise ConfigError(str(exc)) from exc
    return config


def load_config(path: str | Path) -> TrainConfig:
    """Read a YAML training config.

    Raises:
        ConfigError: when the file is missing, not YAML, or has unknown keys.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no training config at {path}: see models/configs/*.yaml")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a config must be a YAML mapping")
    return config_from_dict(data)


def save_config(config: TrainConfig, path: str | Path) -> Path:
    """Write ``config`` as YAML to ``path`` and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config.to_dict(), sort_keys=False))
    return path
