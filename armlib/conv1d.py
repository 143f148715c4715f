"""Causal 1-D convolutions and the convolutional ARMs of chapter 04.

A causal convolution over a sequence pads on the left only, so the output at position d is a
weighted sum of inputs at d and before (option B); option A moves the output one step further
right, so it sees only inputs strictly before d:

    option B:  h_d = sum_{j=0}^{k-1} W_j x_{d - j r}
    option A:  h_d = sum_{j=0}^{k-1} W_j x_{d - 1 - j r}

with kernel size k and dilation r. An ARM needs option A in its first layer (theta_d must not see
x_d) and option B after it (a later layer may use h_d, which already excludes x_d).
"""
import copy
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .arm import ARM
from .data import NUM_VALS
from .heads import Categorical
from .registry import register
from .validation import check_positive_int

DIGITS_LENGTH = 64
"""The digits as a sequence: 8 x 8 pixels in raster order."""

OPTIONS = {"A": 1, "B": 0}
"""How many steps each option shifts the output to the right: A excludes the current input."""


def _check_option(option) -> int:
    if option not in OPTIONS:
        raise ValueError(f"option must be 'A' (exclude the current position) or 'B' (include it), got {option!r}")
    return OPTIONS[option]


class CausalConv1d(nn.Conv1d):
    """A 1-D convolution whose output at d depends on inputs up to d (option B) or before d (A).

    It pads the input on the left with (k - 1) r zeros, plus one for option A, and keeps the first
    L outputs: for option A that drops the last one, which is the same as shifting the option-B
    output one step right. The shift works for any dilation, and option A keeps all k taps
    (masking the newest tap instead would leave k - 1 of them and, with dilation r > 1, never read
    x_{d-1}, ..., x_{d-r+1}).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int = 1,
                 option: str = "B", bias: bool = True):
        for value, name in [(in_channels, "in_channels"), (out_channels, "out_channels"),
                            (kernel_size, "kernel_size"), (dilation, "dilation")]:
            check_positive_int(value, name)
        shift = _check_option(option)
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation, bias=bias)
        self.option = option
        self.shift = shift
        self.left_padding = (kernel_size - 1) * dilation + shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = x.shape[-1]
        return super().forward(F.pad(x, (self.left_padding, 0)))[..., :length]

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, option={self.option}"


def receptive_field(kernel_sizes: Sequence[int], dilations: Sequence[int] | None = None,
                    first_option: str = "A") -> tuple[int, ...]:
    """The distances back that a stack of causal convolutions sees: the output at d depends on
    x_{d - s} for every s in the returned (sorted) tuple.

    The first layer has option ``first_option``, the others option B; ``dilations`` default to 1.
    Each layer with kernel k and dilation r adds an offset j r, j = 0..k-1, to every path, so the
    reach is shift + sum_l (k_l - 1) r_l; the tuple also shows any gaps the dilations leave.
    Residual connections only add shorter paths, so a residual stack sees the same set.
    """
    kernel_sizes = list(kernel_sizes)
    dilations = [1] * len(kernel_sizes) if dilations is None else list(dilations)
    if not kernel_sizes:
        raise ValueError("kernel_sizes must name at least one layer, got an empty sequence")
    if len(dilations) != len(kernel_sizes):
        raise ValueError(f"dilations must give one value per layer: {len(kernel_sizes)} kernel sizes, "
                         f"got {len(dilations)} dilations")
    for kernel_size, dilation in zip(kernel_sizes, dilations):
        check_positive_int(kernel_size, "kernel_size")
        check_positive_int(dilation, "dilation")
    offsets = {_check_option(first_option)}
    for kernel_size, dilation in zip(kernel_sizes, dilations):
        offsets = {offset + j * dilation for offset in offsets for j in range(kernel_size)}
    return tuple(sorted(offsets))


def input_dependence(net: nn.Module, length: int, in_channels: int = 1, trials: int = 4) -> torch.Tensor:
    """Which inputs each output of a sequence network ``net`` reads: a 0/1 LongTensor (length,
    length) whose entry [d, j] is 1 when some output channel at d has a nonzero gradient with
    respect to some input channel at j, for at least one of ``trials`` random float64 inputs.

    Several inputs, because one can hide a connection: a ReLU that is off at a position passes no
    gradient. The output channels are mixed with random weights first (one gradient per position
    instead of one per channel); a true dependence cancels only with probability zero. Runs on a
    float64 copy of ``net`` in eval mode.
    """
    check_positive_int(length, "length")
    check_positive_int(in_channels, "in_channels")
    check_positive_int(trials, "trials")
    probe = copy.deepcopy(net).double().eval()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(trials, in_channels, length, dtype=torch.float64, generator=generator)
    with torch.no_grad():
        out_channels = probe(x).shape[1]
    mixing = torch.randn(out_channels, 1, dtype=torch.float64, generator=generator)

    def mixed_outputs(inputs):
        # Summing over the batch adds up independent examples: nothing cancels.
        return (probe(inputs) * mixing).sum(dim=(0, 1))

    jacobian = torch.autograd.functional.jacobian(mixed_outputs, x, vectorize=True)
    # (length, trials, in_channels, length) -> (length, length)
    return (jacobian.abs().sum(dim=(1, 2)) > 0).long()


class TomczakConvNet(nn.Module):
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, D) integers -> logits (B, V, D)."""
        return self.layers(x.to(self.layers[0].weight.dtype).unsqueeze(1))


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
        self.out = nn.Conv1d(channels, channels, 1)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        feature, gate = self.conv(h).chunk(2, dim=1)
        return h + self.out(self.dropout(torch.tanh(feature) * torch.sigmoid(gate)))


class DilatedConvNet(nn.Module):
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
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
        self.num_vals = num_vals
        self.layers = nn.Sequential(
            CausalConv1d(num_vals, channels, first_kernel_size, option="A"),
            *[GatedResidualBlock(channels, kernel_size, dilation, dropout) for dilation in dilations],
            nn.ReLU(), nn.Conv1d(channels, channels, 1),
            nn.ReLU(), nn.Conv1d(channels, num_vals, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, D) integers -> logits (B, V, D)."""
        one_hot = F.one_hot(x.long(), self.num_vals).to(self.layers[0].weight.dtype)
        return self.layers(one_hot.transpose(1, 2))


def _digits_arm(net: nn.Module, num_vals: int) -> ARM:
    return ARM(net, Categorical(num_vals), (DIGITS_LENGTH,))


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
