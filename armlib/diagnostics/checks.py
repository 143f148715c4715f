"""Checks of the two promises an ARM makes: it is causal, and it is a distribution."""
import copy
import math
from itertools import product

import torch

from ..modes import evaluating


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


def _describe(index) -> str:
    return f"x[{', '.join(map(str, index))}]"


def _position(index, shape) -> int:
    """Raster rank of the position (sequence step or pixel) that element ``index`` belongs to."""
    return index[0] if len(shape) == 1 else index[1] * shape[2] + index[2]


@torch.no_grad()
def check_autoregressive(model, trials: int = 2, seed: int = 0) -> None:
    """Raise ``NotAutoregressive`` unless every prediction depends on earlier inputs only.

    Two exact checks, for random inputs in which every element x_j is changed in turn:

    - the network's parameters at position d (a sequence step, or a pixel) must stay bit for bit
      the same when x_j changes at d or after it (the network alone must be causal, or x_d could
      leak into its own prediction);
    - every term log p(x_i | x_<i) with i before j must stay bit for bit the same (this covers the
      head, which may couple the channels of one pixel in order).

    Runs on a float64 copy of the model in eval mode. The message names the first leaking pair.
    """
    generator = torch.Generator().manual_seed(seed)
    probe = copy.deepcopy(model).double()
    shape, num_vals = model.shape, model.num_vals
    rank = element_order(shape).flatten()
    position_rank = torch.arange(math.prod(probe.positions))
    positions = list(product(*map(range, probe.positions)))
    elements = list(product(*map(range, shape)))
    with evaluating(probe):
        for _ in range(trials):
            base = torch.randint(num_vals, shape, generator=generator)
            shift = torch.randint(1, num_vals, (len(elements),), generator=generator)
            y = None if model.num_classes is None else torch.randint(model.num_classes, (1,), generator=generator)
            for start in range(0, len(elements), 256):
                chunk = elements[start:start + 256]
                # Row k changes element chunk[k] and is compared with row k of a batch of the same
                # size that holds x unchanged: BLAS may round a row differently for another place in
                # the batch or another batch size (a float64 GRU on AVX-512 rounds the last row of a
                # batch of 65 differently from its first), which is no leak.
                unchanged = base.repeat(len(chunk), *([1] * len(shape)))
                rows = unchanged.clone()
                for k, index in enumerate(chunk):
                    rows[(k, *index)] = (base[index] + shift[start + k]) % num_vals
                batch_y = None if y is None else y.expand(len(rows))
                params_moved = (probe.params(rows, batch_y) != probe.params(unchanged, batch_y)).flatten(2).any(1)
                terms_moved = (probe.log_prob(rows, batch_y, reduction="none")
                               != probe.log_prob(unchanged, batch_y, reduction="none")).flatten(1)
                for k, index in enumerate(chunk):
                    j = start + k
                    leaks = params_moved[k] & (position_rank <= _position(index, shape))
                    if leaks.any():
                        raise NotAutoregressive(
                            f"the network's parameters at position {_describe(positions[int(leaks.nonzero()[0])])} "
                            f"change when {_describe(index)} changes, but they may depend only on "
                            f"earlier positions")
                    leaks = terms_moved[k] & (rank < rank[j])
                    if leaks.any():
                        first = int(torch.nonzero(leaks)[rank[leaks].argmin()])
                        raise NotAutoregressive(
                            f"the term at {_describe(elements[first])} changes when {_describe(index)} "
                            f"changes, but it may depend only on inputs that come before it")


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
