"""The book's one metric: negative log-likelihood over a whole split.

Nats per example is Tomczak's (2022) unit; bits per dimension divides by the number of dimensions and by
ln 2. Both are taken over every example of the split at once (sum of -log p over all examples,
divided by their number), never as a mean of batch means, which would weigh a short last batch wrong.
"""
import math
from typing import NamedTuple

import torch

from .modes import evaluating


class Score(NamedTuple):
    nats: float
    """Negative log-likelihood, nats per example."""
    bpd: float
    """The same in bits per dimension."""


def bits_per_dim(nats: float, dims: int) -> float:
    """Nats per example -> bits per dimension."""
    return nats / (dims * math.log(2))


@torch.no_grad()
def evaluate(model, x: torch.Tensor, y: torch.Tensor | None = None, batch_size: int = 500) -> Score:
    """-log p over the whole split: nats per example and bits per dimension."""
    total = 0.0
    with evaluating(model):
        for start in range(0, len(x), batch_size):
            batch_y = None if y is None else y[start:start + batch_size]
            total -= model.log_prob(x[start:start + batch_size], batch_y).double().sum().item()
    nats = total / len(x)
    return Score(nats, bits_per_dim(nats, math.prod(x.shape[1:])))


def uniform_nats(dims: int, num_vals: int) -> float:
    """-log p(x) under the uniform model, D ln V: the score of knowing nothing."""
    return dims * math.log(num_vals)
