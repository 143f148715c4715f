"""``fit``: the one training loop of the book.

Maximum likelihood with Adam: minimise the mean of -log p(x) over mini-batches, measure the
validation NLL after every epoch, stop when it has not improved for ``patience`` epochs and put the
best weights back. The learning rate is constant, or follows a cosine from ``lr`` down to zero over
the ``epochs`` of the run. With ``checkpoint=path`` every epoch ends by writing everything a run
needs to continue (weights, optimiser, history, best weights, random-number states, the settings),
atomically; with ``resume=path`` an interrupted run picks up where it stopped and ends exactly as if
it never had.
"""
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from .metrics import evaluate
from .progress import EpochBar
from .validation import check_data, check_labels, check_positive_int

CHECKPOINT_FORMAT = "armlib.fit/2"
LR_SCHEDULES = ("constant", "cosine")


@dataclass
class History:
    """What a run measured, one entry per epoch."""

    train_nll: list[float] = field(default_factory=list)
    """Mean -log p(x) over the epoch's training batches, nats per example."""
    val_nll: list[float] = field(default_factory=list)
    """-log p(x) over the whole validation split after the epoch, nats per example."""
    seconds: list[float] = field(default_factory=list)
    """Training wall time since the start of the run at the end of each epoch."""

    @property
    def epochs(self) -> int:
        return len(self.val_nll)

    @property
    def best_epoch(self) -> int:
        """The epoch (counted from 1) with the lowest validation NLL."""
        return min(range(self.epochs), key=self.val_nll.__getitem__) + 1

    @property
    def best_val(self) -> float:
        return min(self.val_nll)

    def seconds_to_reach(self, val_nll: float) -> float | None:
        """Training time until the validation NLL first fell to ``val_nll`` or below (None: never)."""
        return next((s for v, s in zip(self.val_nll, self.seconds) if v <= val_nll), None)


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; the model holds the best weights seen before that."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history


def _split(data):
    """``x`` or ``(x, y)`` -> (x, y or None)."""
    if isinstance(data, (tuple, list)):
        if len(data) != 2:
            raise ValueError(f"data must be x or a pair (x, y), got a sequence of {len(data)} items")
        return data[0], data[1]
    return data, None


def learning_rate(lr: float, schedule: str, step: int, total_steps: int) -> float:
    """The learning rate at optimiser step ``step`` (counted from 0) of a run of ``total_steps``:
    ``lr`` throughout, or a cosine from ``lr`` at the first step towards zero at the last. Large
    steps early cover ground; small steps late settle into the minimum instead of rattling around it."""
    if schedule == "constant":
        return lr
    return 0.5 * lr * (1 + math.cos(math.pi * step / total_steps))


def _clone_state(model) -> dict:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def _checked_data(model, name: str, data):
    """The split ``data`` as (x, y), checked against the model: labels exactly for a conditional one."""
    x, y = _split(data)
    check_data(x, model.shape, model.num_vals, name=name)
    if model.num_classes is not None:
        check_labels(y, len(x), model.num_classes, name=f"{name} labels")
    elif y is not None:
        raise ValueError(f"{name} holds labels (x, y), but the model is not class-conditional")
    return x, y


@dataclass
class _Run:
    """What a run carries from epoch to epoch, and all a checkpoint must hold besides the model."""

    history: History
    best_state: dict
    bad_epochs: int = 0

    def record(self, model, train_nll: float, val_nll: float, seconds: float) -> None:
        """Log an epoch; keep the weights if they are the best yet, else count one more bad epoch."""
        self.history.train_nll.append(train_nll)
        self.history.val_nll.append(val_nll)
        self.history.seconds.append(seconds)
        if val_nll <= self.history.best_val:
            self.best_state, self.bad_epochs = _clone_state(model), 0
        else:
            self.bad_epochs += 1


def _resume(path, model, optimiser, shuffle: torch.Generator, settings: dict) -> _Run:
    """Load a checkpoint into the model, the optimiser and the random-number generators."""
    run = load_checkpoint(path, model)
    if run["settings"] != settings:
        changed = {k: (run["settings"].get(k), settings.get(k)) for k in sorted(settings | run["settings"])
                   if run["settings"].get(k) != settings.get(k)}
        raise ValueError(f"cannot resume {str(path)!r} with other settings than it was started "
                         f"with; (checkpoint, now): {changed}")
    optimiser.load_state_dict(run["optimiser"])
    shuffle.set_state(run["rng"]["shuffle"])
    torch.set_rng_state(run["rng"]["torch"])
    return _Run(History(**run["history"]), run["best_state"], run["bad_epochs"])


def train_epoch(model, optimiser, x, y, order: torch.Tensor, batch_size: int, rate, clip_grad_norm,
                 run: _Run, epoch: int) -> float:
    """One pass over the training data in ``order``; the mean -log p(x) over it. ``rate(batch)`` is
    the learning rate of the epoch's ``batch``-th step."""
    model.train()
    total = 0.0
    for batch, rows in enumerate(order.split(batch_size)):
        loss = -model.log_prob(x[rows], None if y is None else y[rows]).mean()
        if not torch.isfinite(loss):
            model.load_state_dict(run.best_state)
            raise TrainingDiverged(
                f"the loss became {loss.item()} at epoch {epoch + 1}, batch {batch + 1}; training "
                f"stopped and the model holds the best weights so far (epoch "
                f"{run.history.best_epoch if run.history.epochs else 0})", run.history)
        for group in optimiser.param_groups:
            group["lr"] = rate(batch)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        if clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
        optimiser.step()
        total += loss.item() * len(rows)
    return total / len(x)


def fit(model, train, val, *, epochs: int = 100, batch_size: int = 64, lr: float = 1e-3,
        lr_schedule: str = "constant", weight_decay: float = 0.0, patience: int = 10,
        clip_grad_norm: float | None = None, seed: int = 0, checkpoint: str | os.PathLike | None = None,
        resume: str | os.PathLike | None = None, progress: bool = True) -> History:
    """Train ``model`` (an ``ARM``) by maximum likelihood; return its ``History``.

    ``train`` and ``val`` are data tensors, or pairs ``(x, y)`` for a class-conditional model.
    Adam (AdamW when ``weight_decay`` > 0) with learning rate ``lr``, constant or, with
    ``lr_schedule="cosine"``, decaying to zero over ``epochs`` epochs; at most ``epochs`` epochs;
    early stopping after ``patience`` epochs without a better validation NLL; the best weights are
    restored at the end. Same ``seed``, same machine: same result, bit for bit.

    A run resumed from a checkpoint must keep the settings that shape its updates (``batch_size``,
    ``lr``, ``lr_schedule``, ``weight_decay``, and for a cosine schedule ``epochs``); a constant
    learning rate may be given more epochs to continue a finished run.
    """
    check_positive_int(epochs, "epochs")
    check_positive_int(batch_size, "batch_size")
    check_positive_int(patience, "patience")
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {lr_schedule!r}")
    x_train, y_train = _checked_data(model, "train", train)
    x_val, y_val = _checked_data(model, "val", val)
    settings = {"batch_size": batch_size, "lr": lr, "lr_schedule": lr_schedule, "weight_decay": weight_decay}
    if lr_schedule == "cosine":
        settings["epochs"] = epochs  # the length of the cosine
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    shuffle = torch.Generator().manual_seed(seed)
    if resume is not None:
        run = _resume(resume, model, optimiser, shuffle, settings)
    else:
        run = _Run(History(), _clone_state(model))
        torch.manual_seed(seed)  # dropout and any other randomness inside the model

    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    elapsed = run.history.seconds[-1] if run.history.seconds else 0.0
    bar = EpochBar(run.history.epochs, epochs, enabled=progress)
    for epoch in range(run.history.epochs, epochs):
        if run.bad_epochs >= patience:
            break
        start = time.perf_counter()
        order = torch.randperm(len(x_train), generator=shuffle)
        first_step, total_steps = epoch * steps_per_epoch, epochs * steps_per_epoch
        train_nll = train_epoch(model, optimiser, x_train, y_train, order, batch_size,
                                 lambda batch: learning_rate(lr, lr_schedule, first_step + batch, total_steps),
                                 clip_grad_norm, run, epoch)
        val_nll = evaluate(model, x_val, y_val).nats
        elapsed += time.perf_counter() - start
        run.record(model, train_nll, val_nll, elapsed)
        bar.update(train=f"{train_nll:.2f}", val=f"{val_nll:.2f}", best=f"{run.history.best_val:.2f}")
        if checkpoint is not None:
            save_checkpoint(checkpoint, model=model.state_dict(), optimiser=optimiser.state_dict(),
                            history=asdict(run.history), best_state=run.best_state, bad_epochs=run.bad_epochs,
                            settings=settings, rng={"torch": torch.get_rng_state(), "shuffle": shuffle.get_state()})
    bar.finish(f"stopped early: no better validation NLL in {patience} epochs")
    model.load_state_dict(run.best_state)
    return run.history


def save_checkpoint(path: str | os.PathLike, **run) -> None:
    """Write ``run`` to ``path`` atomically: a file beside it, then a rename, so a kill mid-write
    leaves the previous checkpoint whole."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    torch.save({"format": CHECKPOINT_FORMAT, **run}, partial)
    os.replace(partial, path)


def load_checkpoint(path: str | os.PathLike, model) -> dict:
    """Read a checkpoint written by ``fit`` (tensors and plain data only: ``weights_only=True``),
    check it belongs to ``model``'s architecture and load its weights into ``model``."""
    try:
        run = torch.load(path, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as error:
        raise ValueError(f"cannot read checkpoint {str(path)!r}: it is corrupted or not a checkpoint "
                         f"written by armlib.fit ({type(error).__name__})") from error
    if not isinstance(run, dict) or run.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{str(path)!r} is not a checkpoint written by armlib.fit")
    expected = {name: tuple(value.shape) for name, value in model.state_dict().items()}
    found = {name: tuple(value.shape) for name, value in run["model"].items()}
    if expected != found:
        differing = sorted(set(expected.items()) ^ set(found.items()))
        raise ValueError(f"checkpoint {str(path)!r} holds another architecture than this model; "
                         f"first differing weights (name, shape): {differing[:3]}")
    model.load_state_dict(run["model"])
    return run
