"""``ferhil train``: float training, then quantization-aware training, then export to the zoo.

One run lives in one folder (``runs/<name>`` by default): ``config.yaml`` (the config used),
``checkpoint.pt`` (written atomically after every epoch, every ``checkpoint_minutes`` and on
SIGINT/SIGTERM), ``train.log`` and, at the end, ``result.json``. ``resume=True`` continues from
the checkpoint exactly: same batches, same augmentation draws, same optimizer and schedule.

The float phase trains :class:`~models.nn.network.FerNet` in ``"float"`` mode; the best epoch on the
validation split (carved from the training set) is kept. The QAT phase continues from it in
``"qat"`` mode (batch-norm folded, weights/bias/activations fake-quantized). The test set is only
evaluated for the final report, never for selection.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from golden.errors import FerhilError
from models.nn.network import FerNet
from models.training.augment import augment_batch, mix_batch
from models.training.checkpointing import (
    CHECKPOINT_NAME,
    TrainState,
    load_checkpoint,
    save_checkpoint,
    stop_on_signal,
)
from models.training.distill import distill_targets, teacher_probs
from models.training.float_weights import warm_start
from models.training.split_check import describe, foreign_splits
from models.training.swa import SWA_KEY, finish_average, fold_epoch
from models.training.train_config import QAT_COMPILE_ERROR, PhaseConfig, TrainConfig, save_config
from models.training.train_data import PreparedData, class_weights, epoch_order, prepare_data
from models.training.train_setup import (
    FloatOnlyNet,
    build_network,
    compiled,
    make_optimizer,
    make_scheduler,
    soft_cross_entropy,
)

log = logging.getLogger("ferhil.train")
PHASES: tuple[str, ...] = ("float", "qat")


class TrainError(FerhilError, RuntimeError):
    """Training cannot start or continue; the message says why."""


@dataclass
class RunResult:
    """What a finished (or stopped) run produced."""

    out_dir: Path
    net: FerNet | FloatOnlyNet
    state: TrainState
    finished: bool


@torch.no_grad()
def predict(net: torch.nn.Module, x: torch.Tensor, batch_size: int = 512) -> np.ndarray:
    """Return the arg-max class of every input (float or QAT forward, eval mode)."""
    was_training = net.training
    net.eval()
    out = []
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size].contiguous(memory_format=torch.channels_last)
        out.append(net(xb).argmax(dim=1).numpy())
    net.train(was_training)
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def _phase_cfg(cfg: TrainConfig, phase: str) -> PhaseConfig:
    return cfg.float_phase if phase == "float" else cfg.qat_phase


def _phase_seed(cfg: TrainConfig, phase: str, epoch: int) -> int:
    return cfg.seed * 100_003 + PHASES.index(phase) * 10_007 + epoch


def cpu_has_fast_bf16() -> bool:
    """True when the CPU has native bf16 matrix instructions (AVX512-BF16 or AMX).

    Without them torch emulates bf16 and a training step is several times *slower* than fp32
    (measured: 10x on a 2-core AVX2 EPYC), so ``precision: auto`` picks fp32 there.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str) -> str:
    """Return the precision a phase really uses: ``auto`` becomes bf16 only on fast-bf16 CPUs."""
    if precision == "auto":
        return "bf16" if cpu_has_fast_bf16() else "fp32"
    return precision


def _autocast(precision: str) -> contextlib.AbstractContextManager[Any]:
    """bf16 CPU autocast for the forward pass, or nothing for fp32."""
    if resolve_precision(precision) == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


class Trainer:
    """Runs the phases of one training run (see the module docstring)."""

    def __init__(
        self, cfg: TrainConfig, out_dir: Path, data: PreparedData, *, resume: bool = False
    ) -> None:
        self.cfg = cfg
        self.out_dir = out_dir
        self.data = data
        self.ckpt_path = out_dir / CHECKPOINT_NAME
        torch.manual_seed(cfg.seed)  # the initial weights depend on the config's seed only
        self.net = build_network(cfg)
        if cfg.init_from and not resume:  # a resumed run's weights come from its checkpoint,
            n = warm_start(self.net, cfg.init_from)  # so the start model may have left the zoo
            log.info("float weights from %s (%d tensors)", cfg.init_from, n)
        if not resume and (reasons := foreign_splits(cfg)):  # said once, when the run starts
            log.warning("%s", describe(reasons))
        self.state = TrainState()
        weights = class_weights(data.train_y.numpy(), cfg.data.balance_power)
        self.class_w = torch.from_numpy(weights).float() if cfg.data.balance == "weights" else None
        self.bs = min(cfg.batch_size, len(data.train_y))
        self.steps = len(data.train_y) // self.bs
        self.step_net: torch.nn.Module = self.net  # what the training steps call
        self.optimizer: torch.optim.Optimizer | None = None
        self.scheduler: Any = None
        self.teacher = (
            teacher_probs(cfg.distill, data.train_x, out_dir) if cfg.distill.enabled else None
        )

    # -- setup ------------------------------------------------------------------------------
    def _enter_phase(self, phase: str) -> None:
        self.net.set_mode("qat" if phase == "qat" else "float")
        pcfg = _phase_cfg(self.cfg, phase)
        if pcfg.compile and phase == "qat":
            raise TrainError(QAT_COMPILE_ERROR)
        log.info(
            "phase %s: precision %s%s",
            phase,
            resolve_precision(pcfg.precision),
            ", torch.compile" if pcfg.compile else "",
        )
        self.step_net = compiled(self.net) if pcfg.compile else self.net
        self.optimizer = make_optimizer(self.net, pcfg)
        self.scheduler = make_scheduler(self.optimizer, pcfg, self.steps)

    def restore(self) -> None:
        """Load the run's checkpoint into the network, optimizer, scheduler and state."""
        payload = load_checkpoint(self.ckpt_path)
        self.state = payload["state"]
        if self.state.phase in PHASES:
            self._enter_phase(self.state.phase)
        self.net.load_state_dict(payload["model"])
        if self.optimizer is not None and payload["optimizer"] is not None:
            self.optimizer.load_state_dict(payload["optimizer"])
        if self.scheduler is not None and payload["scheduler"] is not None:
            self.scheduler.load_state_dict(payload["scheduler"])
        log.info("resumed %s epoch %d step %d", self.state.phase, self.state.epoch, self.state.step)

    def checkpoint(self) -> None:
        """Write the checkpoint now (atomic)."""
        save_checkpoint(self.ckpt_path, self.state, self.net, self.optimizer, self.scheduler)

    # -- loop -------------------------------------------------------------------------------
    def run(self, max_steps: int | None = None) -> bool:
        """Train until done; return False when stopped early (signal or ``max_steps``)."""
        if self.state.phase == "float" and self.optimizer is None:
            self._enter_phase("float")
        done_steps = 0
        with stop_on_signal() as flag:
            while self.state.phase in PHASES:
                phase = self.state.phase
                pcfg = _phase_cfg(self.cfg, phase)
                if self.state.epoch >= pcfg.epochs or self._early_stop(pcfg):
                    self._finish_phase()
                    continue
                n = self._train_epoch(
                    pcfg, flag, None if max_steps is None else max_steps - done_steps
                )
                done_steps += n
                if self.state.step < self.steps:  # interrupted inside the epoch
                    self.checkpoint()
                    return False
                self._end_epoch()
                self.checkpoint()
                if flag["stop"] or (max_steps is not None and done_steps >= max_steps):
                    return False
        return True

    def _early_stop(self, pcfg: PhaseConfig) -> bool:
        return pcfg.patience > 0 and self.state.epochs_since_best >= pcfg.patience

    def _train_epoch(self, pcfg: PhaseConfig, flag: dict[str, bool], budget: int | None) -> int:
        st, cfg, d = self.state, self.cfg, self.data
        assert self.optimizer is not None
        seed = _phase_seed(cfg, st.phase, st.epoch)
        order = epoch_order(d.train_y.numpy(), cfg.data.balance, cfg.data.balance_power, seed, 0)
        gen = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        if st.step > 0 and st.aug_rng is not None and st.torch_rng is not None:
            gen.set_state(st.aug_rng)
            torch.set_rng_state(st.torch_rng)
        self.net.train()
        last_save, t0, n = time.monotonic(), time.monotonic(), 0
        loss_sum = 0.0
        while st.step < self.steps:
            if flag["stop"] or (budget is not None and n >= budget):
                break
            idx = torch.from_numpy(order[st.step * self.bs : (st.step + 1) * self.bs])
            x = augment_batch(d.train_x[idx], cfg.augment, gen)
            y = d.train_y[idx]
            target = torch.nn.functional.one_hot(y, 7).float()
            soft = None if self.teacher is None else self.teacher[idx]
            target = distill_targets(target, soft, cfg.distill.weight)
            x, target = mix_batch(x, target, cfg.augment, gen)
            with _autocast(pcfg.precision):
                out = self.step_net(x.contiguous(memory_format=torch.channels_last))
            loss = soft_cross_entropy(out.float(), target, pcfg.label_smoothing, self.class_w, y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            if self.scheduler is not None:
                self.scheduler.step()
            loss_sum += float(loss.detach())
            st.step += 1
            n += 1
            now = time.monotonic()
            st.elapsed_s += now - t0
            t0 = now
            if now - last_save > cfg.checkpoint_minutes * 60:
                st.aug_rng, st.torch_rng = gen.get_state(), torch.get_rng_state()
                self.checkpoint()
                last_save = now
        st.aug_rng, st.torch_rng = gen.get_state(), torch.get_rng_state()
        st.extra["last_loss"] = loss_sum / max(n, 1)
        return n

    def _end_epoch(self) -> None:
        st = self.state
        val_acc = self._val_acc()
        lr = self.optimizer.param_groups[0]["lr"] if self.optimizer else 0.0
        row = {
            "phase": st.phase,
            "epoch": st.epoch,
            "loss": round(float(st.extra.get("last_loss", 0.0)), 5),
            "val_acc": round(val_acc, 5),
            "lr": lr,
            "elapsed_s": round(st.elapsed_s, 1),
        }
        st.history.append(row)
        log.info("%s", json.dumps(row))
        if val_acc > st.best_val:
            st.best_val, st.best_epoch, st.epochs_since_best = val_acc, st.epoch, 0
            st.best_model = {k: v.detach().clone() for k, v in self.net.state_dict().items()}
        else:
            st.epochs_since_best += 1
        pcfg = _phase_cfg(self.cfg, st.phase)
        fold_epoch(st, self.net, pcfg.epochs, pcfg.swa_epochs)
        st.epoch += 1
        st.step = 0
        st.aug_rng = st.torch_rng = None

    def _statistics_batches(self) -> Iterator[torch.Tensor]:
        """The training images, augmented as in training (seeded), for a batch-norm pass."""
        pcfg = _phase_cfg(self.cfg, self.state.phase)
        gen = torch.Generator().manual_seed(_phase_seed(self.cfg, self.state.phase, pcfg.epochs))
        x, bs = self.data.train_x, self.cfg.eval_batch_size
        for i in range(0, len(x), bs):
            yield augment_batch(x[i : i + bs], self.cfg.augment, gen)

    def _val_acc(self) -> float:
        val_pred = predict(self.net, self.data.val_x, self.cfg.eval_batch_size)
        return float(np.mean(val_pred == self.data.val_y.numpy())) if len(val_pred) else 0.0

    def _finish_phase(self) -> None:
        st = self.state
        swa = finish_average(st, self.net, self._statistics_batches(), self._val_acc)
        if swa is not None:
            log.info("phase %s: weight average of %d epochs: %s", st.phase, swa["epochs"], swa)
        if st.best_model is not None:
            self.net.load_state_dict(st.best_model)
        if st.epoch > 0:  # a phase configured with 0 epochs leaves no record
            self._record_phase()
            if swa is not None:
                st.extra[st.phase][SWA_KEY] = swa
        elif st.phase == "float" and self.cfg.init_from:
            self._record_start_point()
        nxt = PHASES.index(st.phase) + 1
        st.phase = PHASES[nxt] if nxt < len(PHASES) else "done"
        st.epoch, st.step, st.best_val, st.best_epoch = 0, 0, -1.0, -1
        st.best_model, st.epochs_since_best = None, 0
        self.optimizer = self.scheduler = None
        if st.phase in PHASES:
            self._enter_phase(st.phase)
        else:
            self.net.set_mode("qat" if self.cfg.qat_phase.epochs > 0 else "float")
        self.checkpoint()

    def _record_start_point(self) -> None:
        """A QAT-only run from ``init_from``: its float model is the start point's, kept as is.

        The zoo entry then carries those float weights, so ``ferhil eval``, the app and a later
        distillation see the float network the quantized one was trained from.
        """
        state = {k: v.detach().clone() for k, v in self.net.state_dict().items()}
        self.state.extra["float"] = {"epochs_run": 0, "state": state}
        log.info("phase float: 0 epochs; the float weights are %s's", self.cfg.init_from)

    def _record_phase(self) -> None:
        st = self.state
        test_pred = predict(self.net, self.data.test_x, self.cfg.eval_batch_size)
        test_acc = float(np.mean(test_pred == self.data.test_y.numpy())) if len(test_pred) else 0.0
        st.extra[st.phase] = {
            "best_val_acc": st.best_val,
            "best_epoch": st.best_epoch,
            "epochs_run": st.epoch,
            "test_acc": test_acc,
            "state": st.best_model,
        }
        log.info(
            "phase %s done: best val %.4f at epoch %d, test %.4f",
            st.phase,
            st.best_val,
            st.best_epoch,
            test_acc,
        )


def _setup_logging(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(out_dir / "train.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.handlers = [handler, logging.StreamHandler()]
    log.setLevel(logging.INFO)
    log.propagate = False


def train(
    cfg: TrainConfig, out_dir: str | Path, *, resume: bool = False, max_steps: int | None = None
) -> RunResult:
    """Run (or resume) a training run in ``out_dir``.

    Args:
        cfg: the training config.
        out_dir: run folder (created).
        resume: continue from ``out_dir/checkpoint.pt``.
        max_steps: stop (with a checkpoint) after this many training steps in this call.

    Raises:
        TrainError: when ``resume`` is set without a checkpoint, or a checkpoint exists but
            ``resume`` is not set.
    """
    out_dir = Path(out_dir)
    torch.set_num_threads(cfg.threads)
    _setup_logging(out_dir)
    ckpt = out_dir / CHECKPOINT_NAME
    if resume and not ckpt.is_file():
        raise TrainError(f"--resume given but {ckpt} does not exist; drop --resume to start")
    if not resume and ckpt.is_file():
        raise TrainError(f"{ckpt} exists; pass --resume to continue or choose another --out")
    save_config(cfg, out_dir / "config.yaml")
    data = prepare_data(cfg.data, cfg.seed)
    log.info(
        "data: train %d val %d test %d (%s)",
        len(data.train_y),
        len(data.val_y),
        len(data.test_y),
        data.test_name,
    )
    trainer = Trainer(cfg, out_dir, data, resume=resume)
    if resume:
        trainer.restore()
    finished = trainer.run(max_steps=max_steps)
    return RunResult(out_dir=out_dir, net=trainer.net, state=trainer.state, finished=finished)
