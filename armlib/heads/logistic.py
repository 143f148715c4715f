"""The PixelCNN++ likelihood (Salimans et al., 2017): the discretised logistic and its mixture.

A pixel value x in {0, ..., V-1} sits at the centre c(x) = 2x/(V-1) - 1 of a bin of half-width
h = 1/(V-1) on the [-1, 1] scale. A logistic with mean mu and scale s = exp(log_scale) gives it the
mass of that bin,

    P(x) = sigma((c + h - mu) / s) - sigma((c - h - mu) / s),

except that the first bin takes the whole left tail and the last bin the whole right tail, so the
V probabilities sum to exactly 1:

    P(0) = sigma((c + h - mu) / s),    P(V-1) = 1 - sigma((c - h - mu) / s).

A mixture of K such logistics is the likelihood head of PixelCNN++. With C channels per pixel
(colours) the channels share one mixture component, and a channel's mean moves linearly with the
values of the channels before it in the same pixel, so one network pass per pixel models the
channels jointly and autoregressively.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Categorical as CategoricalDistribution
from torch.distributions import Distribution, MixtureSameFamily, constraints

from ..validation import check_num_vals, check_positive_int, check_values
from .noise import gumbel_noise, uniform_noise


def bin_centres(x: torch.Tensor, num_vals: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Pixel values 0..num_vals-1 -> their bin centres 2x/(num_vals-1) - 1 on the [-1, 1] scale."""
    return x.to(dtype) * (2 / (num_vals - 1)) - 1


def _log_one_minus_exp(d: torch.Tensor) -> torch.Tensor:
    """log(1 - exp(-d)) for d > 0, accurate for small and large d (Maechler, 2012).

    Each formula is fed only the d it is accurate for, so neither branch of ``torch.where`` ever
    produces an inf whose zero-weighted gradient would still turn into NaN.
    """
    split = math.log(2)
    small = -torch.expm1(-d.clamp(max=split))  # 1 - exp(-d) without cancellation near d = 0
    large = torch.exp(-d.clamp(min=split))
    return torch.where(d <= split, small.log(), torch.log1p(-large))


def discretized_logistic_log_prob(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor,
                                  num_vals: int) -> torch.Tensor:
    """log P(x) under the logistic(mean, exp(log_scale)) discretised to ``num_vals`` bins on [-1, 1].

    ``x`` holds integers in [0, num_vals); ``mean`` and ``log_scale`` are float tensors that
    broadcast with it. With a = (c + h - mean)/s and b = (c - h - mean)/s the bin's edges in
    standard units, the interior mass is computed through the identity

        sigma(a) - sigma(b) = sigma(a) sigma(-b) (1 - exp(-(a - b))),

    whose three factors are taken in log space: ``logsigmoid`` is exact in both tails, and
    a - b = 2h/s is formed directly instead of as a difference. Nothing cancels, on either side
    of the mean, so the result is accurate (and its gradient finite) for any mean and scale whose
    standardised bin edges the dtype can hold; no clamping of the scale is needed.
    """
    check_num_vals(num_vals)
    check_values(x, num_vals)
    if not (mean.dtype.is_floating_point and log_scale.dtype.is_floating_point):
        raise TypeError(f"mean and log_scale must be floating point, got {mean.dtype} and {log_scale.dtype}")
    dtype = torch.promote_types(mean.dtype, log_scale.dtype)
    half_width = 1 / (num_vals - 1)
    inv_scale = torch.exp(-log_scale)
    # Edge 2x+1 is computed by the same float operations as the upper edge of x and as the lower
    # edge of x+1, so neighbouring bins meet exactly: no mass is lost or counted twice between them.
    twice_x = 2 * x.to(dtype)
    upper = ((twice_x + 1) * half_width - 1 - mean) * inv_scale  # a = (c + h - mean) / s
    lower = ((twice_x - 1) * half_width - 1 - mean) * inv_scale  # b = (c - h - mean) / s
    log_interior = F.logsigmoid(upper) + F.logsigmoid(-lower) + _log_one_minus_exp(2 * half_width * inv_scale)
    log_first = F.logsigmoid(upper)  # P(X <= c + h): the whole left tail
    log_last = F.logsigmoid(-lower)  # P(X >= c - h): the whole right tail
    return torch.where(x == 0, log_first, torch.where(x == num_vals - 1, log_last, log_interior))


def discretized_logistic_sample(mean: torch.Tensor, log_scale: torch.Tensor, u: torch.Tensor,
                                num_vals: int) -> torch.Tensor:
    """The exact draw for uniform noise ``u`` in (0, 1): inverse CDF of the logistic, then its bin.

    y = mean + s log(u / (1 - u)) is a logistic draw; the bin that holds it is the nearest centre,
    round((y + 1)(num_vals - 1)/2), and everything beyond the end bins is clamped into them,
    exactly as the edge bins take the tails. Returns a LongTensor.
    """
    check_num_vals(num_vals)
    y = mean + torch.exp(log_scale) * (torch.log(u) - torch.log1p(-u))
    return torch.round((y + 1) * ((num_vals - 1) / 2)).clamp(0, num_vals - 1).long()


class DiscretizedLogistic(Distribution):
    """The discretised logistic as a ``torch.distributions.Distribution`` over {0, ..., num_vals-1}.

    ``loc`` is the logistic's mean and ``log_scale`` the log of its scale, both on the [-1, 1]
    scale of the bin centres. (``loc``, not ``mean``: a Distribution's ``mean`` is its expected
    value, which the clamped tails move away from ``loc``.)
    """

    arg_constraints = {"loc": constraints.real, "log_scale": constraints.real}
    has_enumerate_support = True

    def __init__(self, loc: torch.Tensor, log_scale: torch.Tensor, num_vals: int, validate_args=None):
        check_num_vals(num_vals)
        self.loc, self.log_scale = torch.broadcast_tensors(torch.as_tensor(loc), torch.as_tensor(log_scale))
        self.num_vals = num_vals
        super().__init__(batch_shape=self.loc.shape, validate_args=validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.num_vals - 1)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(DiscretizedLogistic, _instance)
        batch_shape = torch.Size(batch_shape)
        new.loc, new.log_scale = self.loc.expand(batch_shape), self.log_scale.expand(batch_shape)
        new.num_vals = self.num_vals
        super(DiscretizedLogistic, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def log_prob(self, value: torch.Tensor) -> torch.Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return discretized_logistic_log_prob(value, self.loc, self.log_scale, self.num_vals)

    @torch.no_grad()
    def sample(self, sample_shape=torch.Size()) -> torch.Tensor:
        u = uniform_noise(self._extended_shape(sample_shape), dtype=self.loc.dtype).to(self.loc.device)
        return discretized_logistic_sample(self.loc, self.log_scale, u, self.num_vals)

    def enumerate_support(self, expand: bool = True) -> torch.Tensor:
        values = torch.arange(self.num_vals, device=self.loc.device).reshape(-1, *[1] * len(self.batch_shape))
        return values.expand(-1, *self.batch_shape) if expand else values


def discretized_logistic_mixture(logits: torch.Tensor, loc: torch.Tensor, log_scale: torch.Tensor,
                                 num_vals: int) -> MixtureSameFamily:
    """A mixture of K discretised logistics; the last dimension of each argument indexes the K
    components. log_prob is logsumexp_k (log pi_k + log P_k(x)), sample draws a component, then x."""
    return MixtureSameFamily(CategoricalDistribution(logits=logits), DiscretizedLogistic(loc, log_scale, num_vals))


class LogisticMixtureHead(nn.Module):
    """The PixelCNN++ head: a mixture of ``num_components`` discretised logistics per pixel, with
    the channels of a pixel coupled.

    Per pixel the network gives K mixture logits, and per component k and channel c a mean mu_ck,
    a log-scale and, for every earlier channel e < c, a coupling coefficient alpha_cek in (-1, 1)
    (a tanh): C(C-1)/2 of them per component, K (1 + 2C + C(C-1)/2) parameters in all. The joint
    of the pixel's channels is

        p(x_1, ..., x_C) = sum_k pi_k prod_c P(x_c; mu_ck + sum_{e<c} alpha_cek c(x_e), s_ck),

    one shared component for all channels, a channel's mean shifted by the values (on the [-1, 1]
    scale) of the channels before it. ``log_prob`` returns the chain-rule terms
    log p(x_c | x_<c) = log p(x_<=c) - log p(x_<c) of that joint, so the term of channel c depends
    on the pixel's channels up to c only, as the ARM's element order (channels innermost) needs.
    With one channel this is the plain mixture of K discretised logistics.

    Parameter layout along dim 1 of ``params``: K logits, then C x K means (channel-major), C x K
    log-scales, then C(C-1)/2 x K coupling coefficients for the pairs (1, 0), (2, 0), (2, 1), ...
    """

    def __init__(self, num_vals: int, num_components: int = 5):
        super().__init__()
        check_num_vals(num_vals)
        check_positive_int(num_components, "num_components")
        self.num_vals = num_vals
        self.num_components = num_components

    def num_params(self, channels: int = 1) -> int:
        pairs = channels * (channels - 1) // 2
        return self.num_components * (1 + 2 * channels + pairs)

    def initial_bias(self, channels: int = 1) -> torch.Tensor:
        """Where the bias of the network's output layer starts, (num_params(channels),): equal
        mixture weights, the K means spread evenly from the first bin's centre (-1) to the last's
        (+1) in every channel, every scale equal to a bin's half-width h, no coupling. A component
        then puts sigma(1) - sigma(-1) = 46% of its mass on its own level, or 73% on an edge bin.

        Left at PyTorch's default, near zero, the K components would start alike (all near mean 0
        with scale near 1, half the range). Exactly alike components get exactly alike gradients and
        never part; nearly alike ones presumably take many steps to. Spread out, each starts in
        charge of its own stretch of values.
        """
        k, pairs = self.num_components, channels * (channels - 1) // 2
        means = torch.linspace(-1, 1, k).repeat(channels)
        log_scales = torch.full((channels * k,), -math.log(self.num_vals - 1))  # log h, h = 1/(V-1)
        return torch.cat([torch.zeros(k), means, log_scales, torch.zeros(pairs * k)])

    def _split(self, params: torch.Tensor, channels: int):
        """params (B, P, *S) -> logits (B, K, *S), means and log-scales (B, C, K, *S),
        coupling coefficients (B, C(C-1)/2, K, *S)."""
        expected = self.num_params(channels)
        if params.shape[1] != expected:
            raise ValueError(f"params must have {expected} entries along dim 1 for {channels} channel(s) "
                             f"and {self.num_components} components, got {params.shape[1]}")
        batch, _, *positions = params.shape
        k, pairs = self.num_components, channels * (channels - 1) // 2
        logits, means, log_scales, coefficients = params.split([k, channels * k, channels * k, pairs * k], dim=1)
        per_channel = (batch, channels, k, *positions)
        return (logits, means.reshape(per_channel), log_scales.reshape(per_channel),
                torch.tanh(coefficients).reshape(batch, pairs, k, *positions))

    @staticmethod
    def _channel_mean(c: int, means: torch.Tensor, coefficients: torch.Tensor, centres: torch.Tensor):
        """mu_c + sum_{e<c} alpha_ce c(x_e): channel c's mean, moved by the channels before it.

        ``centres`` (B, >=c, 1, *S) holds the earlier channels' values on the [-1, 1] scale."""
        mean = means[:, c]
        first_pair = c * (c - 1) // 2  # the pairs (c, 0), ..., (c, c-1) follow those of channels < c
        for e in range(c):
            mean = mean + coefficients[:, first_pair + e] * centres[:, e]
        return mean

    def log_prob(self, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        channels = x.shape[1]
        logits, means, log_scales, coefficients = self._split(params, channels)
        centres = bin_centres(x, self.num_vals, params.dtype).unsqueeze(2)
        means = torch.stack([self._channel_mean(c, means, coefficients, centres) for c in range(channels)], dim=1)
        log_components = discretized_logistic_log_prob(x.unsqueeze(2), means, log_scales, self.num_vals)
        # log p(x_<=c) = logsumexp_k (log pi_k + sum_{e<=c} log P_k(x_e)), for c = 1..C
        log_joint = torch.logsumexp(F.log_softmax(logits, dim=1).unsqueeze(1) + log_components.cumsum(1), dim=2)
        return log_joint.diff(dim=1, prepend=torch.zeros_like(log_joint[:, :1]))  # log p(x_<=0) = log 1

    def noise(self, shape, generator=None, dtype=torch.float32) -> torch.Tensor:
        """(B, K + C, *S): K Gumbel variables per pixel to pick its component, then one uniform per
        channel for the inverse CDF."""
        batch, channels, *positions = shape
        gumbel = gumbel_noise((batch, self.num_components, *positions), generator, dtype)
        return torch.cat([gumbel, uniform_noise((batch, channels, *positions), generator, dtype)], dim=1)

    def sample(self, params: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """An exact draw of every pixel: the component by Gumbel-max, then channel after channel
        the inverse CDF, each channel's mean moved by the channels just drawn."""
        k = self.num_components
        channels = noise.shape[1] - k
        if channels < 1:
            raise ValueError(f"noise must have {k} + C entries along dim 1 (C >= 1 channels), got {noise.shape[1]}")
        gumbel, u = noise.split([k, channels], dim=1)
        logits, means, log_scales, coefficients = self._split(params, channels)
        component = (logits + gumbel).argmax(dim=1, keepdim=True).unsqueeze(1)  # (B, 1, 1, *S)

        def chosen(t):  # (B, n, K, *S) -> the chosen component's entries, (B, n, 1, *S)
            return t.gather(2, component.expand(-1, t.shape[1], -1, *t.shape[3:]))

        means, log_scales, coefficients = chosen(means), chosen(log_scales), chosen(coefficients)
        x = torch.zeros(u.shape, dtype=torch.long, device=u.device).unsqueeze(2)
        for c in range(channels):
            mean = self._channel_mean(c, means, coefficients, bin_centres(x, self.num_vals, params.dtype))
            x[:, c] = discretized_logistic_sample(mean, log_scales[:, c], u[:, c:c + 1], self.num_vals)
        return x.squeeze(2)

    def extra_repr(self) -> str:
        return f"num_vals={self.num_vals}, num_components={self.num_components}"
