"""Autocompletion: keep the first pixels of an image and let an ARM draw the rest.

An ARM's conditionals are exactly what completion needs: with x_<k given, drawing x_k, x_k+1, ...
in order, each from p(x_d | x_<d), is a draw from p(x_>=k | x_<k). The loop is the plain sampler's,
started at position k instead of 0 and fed with the given pixels instead of zeros.
"""
import math
from itertools import islice, product

import torch

from .arm import evaluating
from .validation import check_data


def check_given(given, model) -> None:
    """``given`` must be an int in [0, number of positions of ``model``]."""
    if isinstance(given, bool) or not isinstance(given, int):
        raise TypeError(f"given must be an int, got {type(given).__name__}")
    count = math.prod(model.positions)
    if not 0 <= given <= count:
        raise ValueError(f"given must be in [0, {count}] (the number of positions), got {given}")


@torch.no_grad()
def complete(model, x: torch.Tensor, given: int, y=None, generator: torch.Generator | None = None) -> torch.Tensor:
    """Keep the first ``given`` positions of every example of ``x`` (raster order) and draw the rest
    from ``model`` (an ``ARM``), given them (and the class ``y`` for a class-conditional model).

    ``x`` is (B, *model.shape); only its first ``given`` positions are read. Returns a new LongTensor
    shaped like ``x``. The noise is drawn up front as in ``ARM.sample``, so ``given=0`` with the
    same generator returns exactly ``model.sample(B, y, generator)``, and completing a sample from
    any prefix with the generator that drew it gives that sample back.
    """
    check_data(x, model.shape, model.num_vals)
    check_given(given, model)
    positions = product(*map(range, model.positions))
    n = x.shape[0]
    y = model._labels(y, n)
    noise = model.noise(n, generator)
    # channel-first view (B, C, *positions), the one the head reads and writes
    draw = x.reshape(n, model.channels, *model.positions).clone()
    with evaluating(model):
        for position in islice(positions, given, None):
            params = model.params(draw.reshape(n, *model.shape), y)
            draw[(..., *position)] = model.head.sample(params, noise)[(..., *position)]
    return draw.reshape(x.shape)

