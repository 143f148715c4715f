"""Which inputs a sequence network reads: the receptive field of a stack of causal convolutions, by
arithmetic (``receptive_field``) and by measurement (``input_dependence``)."""
import copy
from collections.abc import Sequence

import torch
from torch import nn

from ..layers import check_option
from ..validation import check_positive_int


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
    offsets = {check_option(first_option)}
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
