"""Stochastic weight averaging (SWA) over the last epochs of a phase.

With ``swa_epochs: N`` in a phase config, the weights at the end of each of the phase's last
``N`` epochs are averaged (an equal-weight running mean, kept in the checkpoint so a resumed run
averages exactly the same epochs). When the phase ends, the averaged weights get fresh
batch-norm statistics (one pass over the training images, a cumulative average, as Izmailov et
al. 2018 prescribe: averaged weights make the old running statistics wrong), are
validated like an epoch, and replace the phase's best epoch only when their validation accuracy
is at least as high. The test set plays no part in that choice.

The statistics pass must see *augmented* images, as training did: the network's later layers
were trained on activations normalised with augmented-batch statistics. Measured on fercnn-v6's
own float weights (validation split): stored statistics 69.71 %, re-estimated on augmented
training images 69.36 %, on un-augmented ones 68.07 %.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from models.training.checkpointing import TrainState

SWA_KEY = "swa"  # the phase record's block: st.extra[phase]["swa"]


def in_window(epoch: int, epochs: int, swa_epochs: int) -> bool:
    """True when ``epoch`` (0-based) is one of the last ``swa_epochs`` of ``epochs``."""
    return swa_epochs > 0 and epoch >= epochs - swa_epochs


def update_average(
    average: dict[str, torch.Tensor] | None, state: dict[str, torch.Tensor], count: int
) -> dict[str, torch.Tensor]:
    """Fold ``state`` into the running mean of ``count`` earlier states (floating tensors only).

    Integer buffers (batch-norm counters) are copied from ``state``; they carry no weight.
    """
    if average is None or count == 0:
        return {k: v.detach().clone() for k, v in state.items()}
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if value.is_floating_point():
            out[key] = average[key] + (value.detach() - average[key]) / (count + 1)
        else:
            out[key] = value.detach().clone()
    return out


@torch.no_grad()
def recompute_batchnorm(net: nn.Module, batches: Iterable[torch.Tensor]) -> int:
    """Reset every batch-norm layer and re-estimate its statistics on ``batches`` (cumulative).

    The network's training mode and each layer's momentum are restored afterwards.

    Returns:
        The number of batch-norm layers updated (0: nothing to do).
    """
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return 0
    momenta: list[Any] = []
    for bn in norms:
        momenta.append(bn.momentum)
        bn.reset_running_stats()
        bn.momentum = None  # cumulative moving average over all batches
    was_training = net.training
    net.train()
    for batch in batches:
        net(batch.contiguous(memory_format=torch.channels_last))
    net.train(was_training)
    for bn, momentum in zip(norms, momenta, strict=True):
        bn.momentum = momentum
    return len(norms)


def fold_epoch(state: TrainState, net: nn.Module, epochs: int, swa_epochs: int) -> None:
    """At the end of an epoch: add the weights to the average when the epoch is in the window."""
    if in_window(state.epoch, epochs, swa_epochs):
        state.swa_model = update_average(state.swa_model, net.state_dict(), state.swa_count)
        state.swa_count += 1


def finish_average(
    state: TrainState,
    net: nn.Module,
    batches: Iterable[torch.Tensor],
    validate: Callable[[], float],
) -> dict[str, Any] | None:
    """At the end of a phase: load the average, refresh batch norm, validate, maybe keep it.

    The average becomes the phase's best model when its validation accuracy is at least the
    best epoch's. The network is left holding the average; the caller loads the best model.

    Returns:
        ``{"val_acc", "epochs", "used"}`` for the run's record, or None without an average.
    """
    if state.swa_model is None:
        return None
    net.load_state_dict(state.swa_model)
    recompute_batchnorm(net, batches)
    val_acc = validate()
    used = val_acc >= state.best_val
    if used:
        state.best_val = val_acc
        state.best_model = {k: v.detach().clone() for k, v in net.state_dict().items()}
    record = {"val_acc": val_acc, "epochs": state.swa_count, "used": used}
    state.swa_model, state.swa_count = None, 0
    return record
