"""A tiny causal network for testing the seams: a masked dense layer on one-hot inputs, so every
position sees every earlier position (and nothing else)."""
import torch
import torch.nn.functional as F
from torch import nn

import armlib


class MaskedDense(nn.Module):
    """logits_d = b_d + sum_{j<d} W_dj onehot(x_j): the smallest network that is fully autoregressive."""

    def __init__(self, length: int, num_vals: int, leak: bool = False):
        super().__init__()
        self.num_vals = num_vals
        self.weight = nn.Parameter(torch.randn(length, num_vals, length, num_vals))
        self.bias = nn.Parameter(torch.randn(num_vals, length))
        # position d may see j < d; a leaking version also sees j == d
        self.register_buffer("mask", torch.ones(length, length).tril(diagonal=0 if leak else -1))

    def forward(self, x):
        onehot = F.one_hot(x, self.num_vals).to(self.weight.dtype)
        weight = self.weight * self.mask[:, None, :, None]
        return torch.einsum("dvjw,bjw->bvd", weight, onehot) + self.bias


def toy_arm(length: int = 3, num_vals: int = 4, leak: bool = False, seed: int = 0) -> armlib.ARM:
    torch.manual_seed(seed)
    return armlib.ARM(MaskedDense(length, num_vals, leak), armlib.Categorical(num_vals), (length,))
