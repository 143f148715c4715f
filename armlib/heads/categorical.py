"""The categorical head: a softmax over the values of every element."""
import torch
import torch.nn.functional as F
from torch import nn

from ..validation import check_data, check_num_vals
from .noise import gumbel_noise


class Categorical(nn.Module):
    """p(x_d = l | x_<d) = softmax(theta_d)_l, with ``num_vals`` logits theta_d per element.

    The log-likelihood uses ``log_softmax``, never ``log(softmax)``: the latter underflows to
    log 0 = -inf as soon as one logit dominates. Draws use the Gumbel-max trick,
    argmax_l (theta_{d,l} + g_l), which is an exact draw from the softmax.
    """

    def __init__(self, num_vals: int):
        super().__init__()
        check_num_vals(num_vals)
        self.num_vals = num_vals

    def num_params(self, channels: int = 1) -> int:
        return channels * self.num_vals

    def initial_bias(self, channels: int = 1) -> torch.Tensor:
        """Zero logits: every value equally likely."""
        return torch.zeros(self.num_params(channels))

    def _logits(self, params: torch.Tensor, channels: int) -> torch.Tensor:
        batch, size, *positions = params.shape
        if size != self.num_params(channels):
            raise ValueError(f"params must have {self.num_params(channels)} = channels x num_vals entries "
                             f"along dim 1 for {channels} channel(s), got shape {tuple(params.shape)}")
        return params.reshape(batch, channels, self.num_vals, *positions)

    def log_prob(self, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        check_data(x, x.shape[1:], self.num_vals)
        if params.shape[0] != x.shape[0] or params.shape[2:] != x.shape[2:]:
            raise ValueError(f"params {tuple(params.shape)} and x {tuple(x.shape)} must agree in the batch "
                             f"and position dimensions (params (B, P, *S) for x (B, C, *S))")
        log_theta = F.log_softmax(self._logits(params, x.shape[1]), dim=2)
        return log_theta.gather(2, x.unsqueeze(2)).squeeze(2)

    def noise(self, shape, generator=None, dtype=torch.float32) -> torch.Tensor:
        batch, channels, *positions = shape
        return gumbel_noise((batch, channels, self.num_vals, *positions), generator, dtype)

    def sample(self, params: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return (self._logits(params, noise.shape[1]) + noise).argmax(dim=2)

    def extra_repr(self) -> str:
        return f"num_vals={self.num_vals}"
