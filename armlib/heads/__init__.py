"""Likelihood heads: from a network's parameters to log p(x_d | x_<d), and back to a draw of x_d.

A head sees data channel-first, ``x`` of shape (B, C, *S) with integer values in [0, num_vals), and
the network's parameters ``params`` of shape (B, P, *S), where P = ``head.num_params(C)`` and S is
the sequence (D,) or the image (H, W). It answers three questions:

- ``log_prob(params, x)`` -> (B, C, *S): log p of every element, in nats;
- ``noise(shape, generator)``: all the randomness one draw of shape (B, C, *S) needs, drawn up front;
- ``sample(params, noise)`` -> (B, C, *S): the draw, a deterministic function of params and noise.

Separating the noise from the draw lets every sampler (plain, cached, predictive) consume the very
same random numbers, so they return identical samples. A head also says where the bias of the
network's output layer should start, ``initial_bias(C)`` of shape (P,).

``Categorical`` (chapters 02-07) is the softmax over the values; the discretised logistic mixture
of PixelCNN++ (chapters 08-09) is ``LogisticMixtureHead``.
"""
from .categorical import Categorical
from .logistic import (DiscretizedLogistic, LogisticMixtureHead, bin_centres, discretized_logistic_log_prob,
                       discretized_logistic_mixture, discretized_logistic_sample)

__all__ = ["Categorical", "DiscretizedLogistic", "LogisticMixtureHead", "bin_centres",
           "discretized_logistic_log_prob", "discretized_logistic_mixture", "discretized_logistic_sample"]
