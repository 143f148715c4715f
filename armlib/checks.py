"""Checks of the two promises an ARM makes: it is causal, and it is a distribution."""
import copy
import math
from itertools import product

import torch

from .arm import evaluating


class NotAutoregressive(ValueError):
    """A model's term at some position depends on an input at or after that position."""


def element_order(shape: tuple[int, ...]) -> torch.Tensor:
    """Each element's rank in the autoregressive order, shaped like one example.

    Sequences (D,): position d has rank d. Images (C, H, W): raster order over pixels, and inside a
    pixel channel by channel, so element (c, h, w) has rank (h W + w) C + c.
    """
    if len(shape) == 1:
        return torch.arange(shape[0])
    channels, height, width = shape
    return torch.arange(height * width * channels).reshape(height, width, channels).permute(2, 0, 1)


def _describe(index, shape) -> str:
    return f"x{list(index)}" if len(shape) > 1 else f"x[{index[0]}]"


@torch.no_grad()
def check_autoregressive(model, trials: int = 2, seed: int = 0) -> None:
    """Raise ``NotAutoregressive`` unless log p(x_d | x_<d) is unchanged, exactly, by any change of
    an input x_j at or after d.

    For random inputs, every element j is changed in turn to another value; every term that comes
    before j in the order must stay bit for bit the same. Runs on a float64 copy of the model in
    eval mode. The message names the first leaking (output, input) pair.
    """
    generator = torch.Generator().manual_seed(seed)
    probe = copy.deepcopy(model).double()
    shape, num_vals = model.shape, model.num_vals
    rank = element_order(shape).flatten()
    elements = list(product(*map(range, shape)))
    with evaluating(probe):
        for _ in range(trials):
            base = torch.randint(num_vals, shape, generator=generator)
            shift = torch.randint(1, num_vals, (len(elements),), generator=generator)
            changed = base.repeat(len(elements), *([1] * len(shape)))
            for j, index in enumerate(elements):
                changed[(j, *index)] = (base[index] + shift[j]) % num_vals
            y = None
            if model.num_classes is not None:
                y = torch.randint(model.num_classes, (1,), generator=generator)
            reference = probe.log_prob(base.unsqueeze(0), y, reduction="none").flatten()
            for start in range(0, len(elements), 256):
                rows = changed[start:start + 256]
                batch_y = None if y is None else y.expand(len(rows))
                terms = probe.log_prob(rows, batch_y, reduction="none").flatten(1)
                moved = terms != reference
                for k in range(len(rows)):
                    j = start + k
                    leaks = moved[k] & (rank < rank[j])
                    if leaks.any():
                        first = int(torch.nonzero(leaks)[rank[leaks].argmin()])
                        raise NotAutoregressive(
                            f"the term at {_describe(elements[first], shape)} changes when "
                            f"{_describe(elements[j], shape)} changes, but it may depend only on "
                            f"inputs that come before it")


@torch.no_grad()
def total_probability(model, y=None) -> float:
    """Sum of p(x) over every x the model can see: exactly 1 for a normalised model.

    Enumerates all num_vals^D configurations, so only for tiny shapes (at most a million); computed
    on a float64 copy of the model."""
    count = model.num_vals ** math.prod(model.shape)
    if count > 10**6:
        raise ValueError(f"enumerating {count} configurations is too many; use a model with fewer dimensions")
    values = [torch.arange(model.num_vals)] * math.prod(model.shape)
    grid = torch.cartesian_prod(*values) if len(values) > 1 else values[0].unsqueeze(1)
    x = grid.reshape(count, *model.shape)
    batch_y = None if y is None else torch.full((count,), y)
    probe = copy.deepcopy(model).double()
    with evaluating(probe):
        return probe.log_prob(x, batch_y).logsumexp(0).exp().item()
