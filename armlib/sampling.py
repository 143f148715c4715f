"""Samplers: the same draws, paid for in fewer network passes.

Every sampler takes its randomness from ``ARM.noise`` up front and is a deterministic function of
it, so for the same generator state they all return *identical* samples:

- ``"plain"``: one full network pass per position, D passes (``ARM.sample_from_noise``);
- ``"cached"``: one step per position too, but each computes only what the newest value changes,
  from per-layer caches (``armlib.cached``: queues for causal 1-D convolutions, input caches for
  masked 2-D ones, a row-then-pixel schedule for the gated PixelCNN's two stacks);
- ``"predictive"`` (Wiggers & Hoogeboom, 2020): run the network in parallel on a guess of the whole
  sample, keep every position up to the first one whose draw differs from the guess (all of those
  were conditioned on exact values), take the draws as the next guess, repeat. At least one position
  is fixed per pass, often many.

The cached protocol: ``armlib.cached.incremental(net, batch, positions, y)`` (or the network's own
``net.incremental(batch, y)``) returns a callable ``step(x, position)`` that is called for every
position in raster order with the sample so far, channel-first (B, C, *S), of which only positions
before ``position`` are final, and returns the head's parameters at that position, (B, P).
"""
import math
from dataclasses import dataclass
from itertools import product

import torch

from .arm import evaluating
from .cached import incremental
from .validation import check_positive_int


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


def _data_view(model, x):
    return x.squeeze(1) if len(model.shape) == 1 else x


@torch.no_grad()
def predictive_sample_from_noise(model, noise: torch.Tensor, y=None) -> PredictiveRun:
    """Predictive sampling as a deterministic function of ``noise`` (see the module docstring).

    Each pass runs the network on the examples that still have positions to fix, only those."""
    n, positions = noise.shape[0], math.prod(model.positions)
    x = torch.zeros(n, model.channels, *model.positions, dtype=torch.long, device=noise.device)
    final = torch.zeros(n, dtype=torch.long, device=noise.device)  # leading positions known to be exact
    index = torch.arange(positions, device=noise.device)
    passes_per_sample = torch.zeros(n, dtype=torch.long, device=noise.device)
    trace = []
    with evaluating(model):
        while (active := (final < positions).nonzero().squeeze(1)).numel():
            guess, fixed = x[active], final[active]
            passes_per_sample[active] += 1
            draw = model.head.sample(model.params(_data_view(model, guess), None if y is None else y[active]),
                                     noise[active])
            differs = (draw != guess).flatten(2).any(1) & (index >= fixed[:, None])  # (active, positions)
            first = torch.where(differs.any(1), differs.float().argmax(1), positions - 1)
            # Positions before `fixed` are exact already; the rest take the draws as the next guess.
            kept = (index < fixed[:, None]).reshape(-1, 1, *model.positions)
            x[active] = torch.where(kept, guess, draw)
            final[active] = first + 1
            trace.append(final.cpu().clone())
    return PredictiveRun(_data_view(model, x), len(trace), passes_per_sample, trace)


@torch.no_grad()
def cached_sample_from_noise(model, noise: torch.Tensor, y=None) -> torch.Tensor:
    """The plain sampler's loop, with each step computed from per-layer caches
    (``armlib.cached.incremental``); refuses a network it cannot step with a ValueError."""
    n = noise.shape[0]
    x = torch.zeros(n, model.channels, *model.positions, dtype=torch.long, device=noise.device)
    with evaluating(model):
        step = incremental(model.net, n, model.positions, y)
        for position in product(*map(range, model.positions)):
            params = step(x, position)
            at = (..., *[slice(i, i + 1) for i in position])
            draw = model.head.sample(params.reshape(*params.shape, *[1] * len(position)), noise[at])
            x[at] = draw
    return _data_view(model, x)


SAMPLERS = {
    "plain": lambda model, noise, y: model.sample_from_noise(noise, y),
    "cached": cached_sample_from_noise,
    "predictive": lambda model, noise, y: predictive_sample_from_noise(model, noise, y).samples,
}


def sample(model, n: int, method: str = "plain", y=None, generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` draws from ``model`` with the sampler ``method`` ("plain", "cached" or "predictive").

    The noise comes from ``generator`` the same way for every method, so the samples are the same."""
    if method not in SAMPLERS:
        raise ValueError(f"method must be one of {sorted(SAMPLERS)}, got {method!r}")
    check_positive_int(n, "n")
    y = model._labels(y, n)
    return SAMPLERS[method](model, model.noise(n, generator), y)
