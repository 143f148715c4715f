"""The convolutional ARMs over sequences of chapter 04: causal 1-D convolutions over the digits
read as 64 pixels in raster order.

An ARM needs option A in its first layer (theta_d must not see x_d) and option B after it (a later
layer may use h_d, which already excludes x_d); ``armlib.layers.CausalConv1d`` has both.
"""
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..arm import ARM
from ..data import DIGIT_LENGTH, NUM_VALS
from ..heads import Categorical
from ..layers import CausalConv1d, Pointwise1d, Stepper, Vector, gate, one_position
from ..validation import check_positive_int, check_probability
from .registry import register


class GatedResidualBlock(nn.Module):
    """WaveNet's block: a gated causal convolution added back onto its input,

        h <- h + W_o * dropout(tanh(W_f * h) . sigmoid(W_g * h)),

    where W_f and W_g are one causal convolution (option B, dilation r) with 2 M output channels
    split in two, and W_o is a 1 x 1 convolution. The sigmoid gate decides, channel by channel and
    position by position, how much of the tanh feature passes; the residual path keeps gradients
    flowing through a deep stack.
    """

    def __init__(self, channels: int, kernel_size: int, dilation: int, dropout: float = 0.0):
        super().__init__()
        self.conv = CausalConv1d(channels, 2 * channels, kernel_size, dilation, option="B")
        self.dropout = nn.Dropout(dropout)
        self.out = Pointwise1d(channels, channels)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.residual(h, self.conv(h))

    def residual(self, h: torch.Tensor, pre_activation: torch.Tensor, out=None) -> torch.Tensor:
        """h + W_o dropout(gate(a)), for the convolution's output a: over a sequence (B, C, D) in
        ``forward``, at one position (B, C) in a step, which passes W_o as ``out``."""
        return h + (self.out if out is None else out)(self.dropout(gate(pre_activation)))

    def step(self, batch: int) -> "GatedResidualStep":
        """This block one position at a time, for ``batch`` sequences."""
        return GatedResidualStep(self, batch)


class GatedResidualStep:
    """A ``GatedResidualBlock`` one position at a time, h_d -> h'_d (B, C): its causal convolution
    on a queue, then the block's own ``residual``."""

    def __init__(self, block: GatedResidualBlock, batch: int):
        self.block = block
        self.queue = block.conv.queue(batch)
        self.out = one_position(block.out)

    def __call__(self, h: Vector) -> Vector:
        return self.block.residual(h, self.queue(h), self.out)


class CausalConvNet(nn.Module):
    """A Sequential ``layers`` of causal 1-D convolutions over a sequence, the first of option A and
    every later one of option B, with elementwise and 1x1 layers between them. A subclass says how
    a value enters (``inputs``)."""

    layers: nn.Sequential

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """Integer values (B, *) -> the first layer's input channels, (B, *, C_in)."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, D) integers -> logits (B, V, D)."""
        return self.layers(self.inputs(x).movedim(-1, 1))

    def stepper(self, batch: int, positions: tuple[int], y=None) -> "CausalConvStepper":
        return CausalConvStepper(self, batch, positions)


class CausalConvStepper(Stepper):
    """A ``CausalConvNet`` one position at a time: every causal convolution on its queue, every
    other layer on the position's activations.

    At step d the newest final value is x_{d-1}; the first layer (option A) turns its queue, which
    ends at d - 1, into its output at d, and every later layer takes that position's activations on.
    """

    def __init__(self, net: CausalConvNet, batch: int, positions: tuple[int]):
        super().__init__(positions)
        convs = [m for m in net.layers.modules() if isinstance(m, CausalConv1d)]
        if net.layers[0] is not convs[0] or [c.option for c in convs] != ["A"] + ["B"] * (len(convs) - 1):
            raise ValueError("stepping needs the first layer to be an option-A CausalConv1d and every "
                             f"other causal convolution option B, got options {[c.option for c in convs]}")
        self.net = net
        self.layers = [self._one_position(layer, batch) for layer in net.layers]
        self.before_start = net.layers[0].weight.new_zeros(batch, net.layers[0].in_channels)

    @staticmethod
    def _one_position(layer: nn.Module, batch: int):
        if isinstance(layer, CausalConv1d):
            return layer.queue(batch)
        if isinstance(layer, GatedResidualBlock):
            return layer.step(batch)
        return one_position(layer)

    def step(self, x: torch.Tensor, position: tuple[int]) -> Vector:
        (d,) = position
        h = self.net.inputs(x[:, 0, d - 1]) if d > 0 else self.before_start
        for layer in self.layers:
            h = layer(h)
        return h


class TomczakConvNet(CausalConvNet):
    """Tomczak's (2022) network: L causal convolutions of kernel k, M channels, LeakyReLU between them;
    the first layer option A, the others B; the input is the raw pixel value as one channel.

        x (B, 1, D) -> A(1 -> M) -> [LeakyReLU -> B(M -> M)] x (L - 2) -> LeakyReLU -> B(M -> V)

    Its output at d sees the 1 + L (k - 1) inputs before d (25 for L = 4, k = 7).
    """

    def __init__(self, num_vals: int = NUM_VALS, channels: int = 256, kernel_size: int = 7, num_layers: int = 4):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        check_positive_int(channels, "channels")
        if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 2:
            raise ValueError(f"num_layers must be an integer of at least 2, got {num_layers!r}")
        widths = [1] + [channels] * (num_layers - 1) + [num_vals]
        layers = []
        for index, (width_in, width_out) in enumerate(zip(widths, widths[1:])):
            if index > 0:
                layers.append(nn.LeakyReLU())
            layers.append(CausalConv1d(width_in, width_out, kernel_size, option="A" if index == 0 else "B"))
        self.layers = nn.Sequential(*layers)

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """The raw value as one channel, a number on a line."""
        return x.to(self.layers[0].weight.dtype).unsqueeze(-1)


class DilatedConvNet(CausalConvNet):
    """The improved network: each pixel value as a one-hot vector, an option-A convolution, gated
    residual blocks with dilations 1, 2, 4, 8, 16, and a small 1 x 1 output network.

        x (B, D) -> one-hot (B, V, D) -> A(V -> M, k_0) -> [GatedResidualBlock(r)] for r in dilations
          -> ReLU -> 1x1(M -> M) -> ReLU -> 1x1(M -> V)

    Doubling dilations grow the reach exponentially with depth: 1 + (k_0 - 1) + (k - 1)(1 + 2 + ...
    + 16) = 65 >= 63 positions for k_0 = k = 3, so the last pixel sees every pixel before it. The
    one-hot input treats the 17 values as categories, not as a number on a line.
    """

    def __init__(self, num_vals: int = NUM_VALS, channels: int = 64, kernel_size: int = 3,
                 dilations: Sequence[int] = (1, 2, 4, 8, 16), first_kernel_size: int = 3, dropout: float = 0.2):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        check_positive_int(channels, "channels")
        check_probability(dropout, "dropout")
        self.num_vals = num_vals
        self.layers = nn.Sequential(
            CausalConv1d(num_vals, channels, first_kernel_size, option="A"),
            *[GatedResidualBlock(channels, kernel_size, dilation, dropout) for dilation in dilations],
            nn.ReLU(), Pointwise1d(channels, channels),
            nn.ReLU(), Pointwise1d(channels, num_vals),
        )

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """Each value as a one-hot vector: a category, not a number on a line."""
        return F.one_hot(x.long(), self.num_vals).to(self.layers[0].weight.dtype)


def _digits_arm(net: nn.Module, num_vals: int) -> ARM:
    return ARM(net, Categorical(num_vals), (DIGIT_LENGTH,))


@register("causal_conv1d_tomczak")
def tomczak_causal_conv1d(num_vals: int = NUM_VALS, **net_options) -> ARM:
    """Tomczak's (2022) ARM for the digits: ``TomczakConvNet`` (4 layers, kernel 7, 256 channels) and a
    categorical head; keyword arguments override the network's defaults."""
    return _digits_arm(TomczakConvNet(num_vals, **net_options), num_vals)


@register("causal_conv1d")
def dilated_causal_conv1d(num_vals: int = NUM_VALS, **net_options) -> ARM:
    """The improved ARM for the digits: ``DilatedConvNet`` (one-hot input, gated residual blocks
    with dilations 1..16, dropout) and a categorical head; keyword arguments override its defaults."""
    return _digits_arm(DilatedConvNet(num_vals, **net_options), num_vals)
