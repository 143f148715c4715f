"""Samplers: the same draws, paid for in fewer network passes; and completion of a given prefix.

Every sampler takes its randomness from ``ARM.noise`` up front and is a deterministic function of
it, so for the same generator state they all return *identical* samples:

- ``"plain"``: one full network pass per position, D passes (``ARM.fill``);
- ``"cached"``: one step per position too (``ARM.fill(cached=True)``), but each computes only what
  the newest value changes, from per-layer caches: the network's ``stepper`` (the protocol is
  ``armlib.layers.Stepper``: queues for causal 1-D convolutions, input caches for masked 2-D ones,
  a row-then-pixel schedule for the gated PixelCNN's two stacks, the hidden state of an RNN);
- ``"predictive"`` (Wiggers & Hoogeboom, 2020): run the network in parallel on a guess of the whole
  sample, keep every position up to the first one whose draw differs from the guess (all of those
  were conditioned on exact values), take the draws as the next guess, repeat. At least one position
  is fixed per pass, often many.
"""
import math
from dataclasses import dataclass

import torch

from .modes import evaluating
from .validation import check_data, check_positive_int


@dataclass
class PredictiveRun:
    """What predictive sampling did: the samples, and how many network passes it needed."""

    samples: torch.Tensor
    """The draws, (n, *shape): identical to the plain sampler's for the same noise."""
    passes: int
    """Network passes for the whole batch (the slowest example decides)."""
    passes_per_sample: torch.Tensor
    """Passes each example needed before all its positions were final, (n,)."""
    final_positions: list[torch.Tensor]
    """After each pass, how many leading positions of each example were final, (n,) per pass."""


@torch.no_grad()
def predictive_sample_from_noise(model, noise: torch.Tensor, y=None) -> PredictiveRun:
    """Predictive sampling as a deterministic function of ``noise`` (see the module docstring).

    Each pass runs the network on the examples that still have positions to fix, only those."""
    n, positions = noise.shape[0], math.prod(model.positions)
    x = model.blank(n, noise.device)
    final = torch.zeros(n, dtype=torch.long, device=noise.device)  # leading positions known to be exact
    index = torch.arange(positions, device=noise.device)
    passes_per_sample = torch.zeros(n, dtype=torch.long, device=noise.device)
    trace = []
    with evaluating(model):
        while (active := (final < positions).nonzero().squeeze(1)).numel():
            guess, fixed = x[active], final[active]
            passes_per_sample[active] += 1
            draw = model.head.sample(model.params(guess.reshape(len(active), *model.shape),
                                                  None if y is None else y[active]), noise[active])
            differs = (draw != guess).flatten(2).any(1) & (index >= fixed[:, None])  # (active, positions)
            first = torch.where(differs.any(1), differs.float().argmax(1), positions - 1)
            # Positions before `fixed` are exact already; the rest take the draws as the next guess.
            kept = (index < fixed[:, None]).reshape(-1, 1, *model.positions)
            x[active] = torch.where(kept, guess, draw)
            final[active] = first + 1
            trace.append(final.cpu().clone())
    return PredictiveRun(x.reshape(n, *model.shape), len(trace), passes_per_sample, trace)


SAMPLERS = {
    "plain": lambda model, noise, y: model.sample_from_noise(noise, y),
    "cached": lambda model, noise, y: model.sample_from_noise(noise, y, cached=True),
    "predictive": lambda model, noise, y: predictive_sample_from_noise(model, noise, y).samples,
}


def sample(model, n: int, method: str = "plain", y=None, generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` draws from ``model`` with the sampler ``method`` ("plain", "cached" or "predictive").

    The noise comes from ``generator`` the same way for every method, so the samples are the same."""
    if method not in SAMPLERS:
        raise ValueError(f"method must be one of {sorted(SAMPLERS)}, got {method!r}")
    check_positive_int(n, "n")
    y = model.labels(y, n)
    return SAMPLERS[method](model, model.noise(n, generator), y)


def check_given(given, model) -> None:
    """``given`` must be an int in [0, number of positions of ``model``]."""
    if isinstance(given, bool) or not isinstance(given, int):
        raise TypeError(f"given must be an int, got {type(given).__name__}")
    count = math.prod(model.positions)
    if not 0 <= given <= count:
        raise ValueError(f"given must be in [0, {count}] (the number of positions), got {given}")


def complete(model, x: torch.Tensor, given: int, y=None, generator: torch.Generator | None = None, *,
             cached: bool = False) -> torch.Tensor:
    """Keep the first ``given`` positions of every example of ``x`` (raster order) and draw the rest
    from ``model`` (an ``ARM``), given them (and the class ``y`` for a class-conditional model).

    An ARM's conditionals are exactly what completion needs: with x_<k given, drawing x_k, x_k+1, ...
    in order, each from p(x_d | x_<d), is a draw from p(x_>=k | x_<k). The loop is the sampler's
    (``ARM.fill``), started at position k on a canvas that holds the given pixels.

    ``x`` is (B, *model.shape); only its first ``given`` positions are read. Returns a new LongTensor
    shaped like ``x``. The noise is drawn up front as in ``ARM.sample``, so ``given=0`` with the
    same generator returns exactly ``model.sample(B, y, generator)``, and completing a sample from
    any prefix with the generator that drew it gives that sample back.
    """
    check_data(x, model.shape, model.num_vals)
    check_given(given, model)
    n = x.shape[0]
    y = model.labels(y, n)
    noise = model.noise(n, generator)
    canvas = x.reshape(n, model.channels, *model.positions).clone()
    return model.fill(canvas, noise, y, start=given, cached=cached)
