"""What a run feeds the model and how it names the outputs, for FER and generic test sets.

A FER set (:class:`fixtures.datasets.Dataset`) holds grey pixels mapped to model input by the
model's ``input_mapping``; a generic set (:class:`fixtures.tensor_dataset.TensorDataset`) holds
the int8 input tensors themselves, which must match the model's input shape.
"""

from __future__ import annotations

import numpy as np

from fixtures.datasets import Dataset
from fixtures.tensor_dataset import TensorDataset
from golden.format import QuantModel
from golden.input_mapping import pixels_to_input
from harness.errors import ConfigError

MAX_NAMED_CLASSES = 1000
"""A model without class names whose output has at most this many values is scored as a
classifier with classes ``0..n-1``; larger outputs (maps, detectors) only by golden match."""


def run_inputs(dataset: Dataset | TensorDataset, model: QuantModel) -> np.ndarray:
    """Return the int8-valued model inputs of ``dataset`` (``(N, *model.input_shape)``).

    Raises:
        ConfigError: when a generic set's inputs or labels do not fit the model.
    """
    if isinstance(dataset, Dataset):
        return pixels_to_input(dataset.images, model.input_mapping)
    shape = tuple(model.input_shape)
    got = tuple(dataset.inputs.shape[1:])
    if got != shape and int(np.prod(got)) == int(np.prod(shape)) and got[0] == shape[0]:
        got = shape  # e.g. (C, H*W) for a (C, L) model is the same data layout
    if got != shape:
        raise ConfigError(
            f"--dataset {dataset.name}: inputs are {tuple(dataset.inputs.shape[1:])} per sample "
            f"but model {model.name} takes {shape}; give inputs of the model's input shape"
        )
    classes = run_classes(model, dataset)
    if classes and len(dataset.labels) and int(dataset.labels.max()) >= len(classes):
        raise ConfigError(
            f"--dataset {dataset.name}: label {int(dataset.labels.max())} but model "
            f"{model.name} has {len(classes)} classes; labels must be 0..{len(classes) - 1}"
        )
    return dataset.inputs.reshape(len(dataset.inputs), *shape)


def run_classes(model: QuantModel, dataset: Dataset | TensorDataset | None = None) -> list[str]:
    """The class names of the report.

    The model's names; for a generic set and a model without names ``0..n-1`` when the output
    is small. A FER set keeps the model's names, even when empty (unchanged FER reports).
    """
    if model.classes or not isinstance(dataset, TensorDataset):
        return list(model.classes)
    n = int(model.num_outputs)
    return [str(i) for i in range(n)] if n <= MAX_NAMED_CLASSES else []
