"""PixelCNN (van den Oord et al., 2016): masked 2-D convolutions over an image in raster order.

A k x k kernel centred on pixel (i, j) would read the future: the rest of row i and every row below
it. A causal mask zeroes those weights (``armlib.layers.causal_mask``). Type A also hides the
centre, so the first layer's output at (i, j) depends on the pixels strictly before (i, j). Type B
keeps the centre: every later layer reads the previous layer's features at (i, j), which already
depend only on pixels before (i, j). A stack of such layers is causal, but it has a blind spot: the
region up and to the right of a pixel that no path of masked kernels reaches.
"""
import torch
import torch.nn.functional as F
from torch import nn

from ..arm import ARM
from ..data import IMAGE_SHAPE, NUM_VALS
from ..heads import Categorical
from ..layers import (INPUTS, MaskedConv2d, Pointwise2d, Stepper, Vector, check_inputs, check_kernel_size,
                      input_channels, one_position)
from ..validation import check_positive_int, check_probability
from .registry import register


class PixelCNN(nn.Module):
    """A causal network for one-channel images: x (B, 1, H, W) integers -> logits (B, V, H, W).

    A type-A masked convolution, then ``layers`` residual type-B layers h <- h + conv_B(ReLU(h)),
    then two 1x1 convolutions to the ``num_vals`` logits of every pixel. Nothing mixes positions
    except the masked convolutions (no normalisation over H x W), so the network stays causal. It is
    fully convolutional: any height and width work. A pixel enters as its value (``inputs="value"``,
    chapter 05) or as level indicators (``inputs="levels"``, as the gated PixelCNN reads it).
    """

    def __init__(self, num_vals: int = NUM_VALS, channels: int = 64, layers: int = 5, kernel_size: int = 3,
                 first_kernel_size: int = 5, dropout: float = 0.2, inputs: str = "value"):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        check_positive_int(channels, "channels")
        check_positive_int(layers, "layers")
        check_kernel_size(first_kernel_size, "first_kernel_size")
        check_probability(dropout, "dropout")
        check_inputs(inputs)
        self.num_vals = num_vals
        self.inputs = inputs
        self.first = MaskedConv2d(input_channels(inputs, 1, num_vals), channels, first_kernel_size, "A")
        self.hidden = nn.ModuleList(MaskedConv2d(channels, channels, kernel_size, "B") for _ in range(layers))
        self.dropout = nn.Dropout(dropout)
        self.to_logits = nn.Sequential(nn.ReLU(), Pointwise2d(channels, channels),
                                       nn.ReLU(), Pointwise2d(channels, num_vals))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Integer pixels (B, 1, *S) -> the first layer's input channels (B, C_in, *S)."""
        return INPUTS[self.inputs](x, self.num_vals, self.first.weight)

    def hidden_input(self, h: torch.Tensor) -> torch.Tensor:
        """What a hidden layer convolves: dropout(ReLU(h)), over a map or at one pixel."""
        return self.dropout(F.relu(h))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.first(self.encode(x))
        for conv in self.hidden:
            h = h + conv(self.hidden_input(h))
        return self.to_logits(h)

    def stepper(self, batch: int, positions: tuple[int, int], y=None) -> "PixelCNNStepper":
        return PixelCNNStepper(self, batch, positions)


class PixelCNNStepper(Stepper):
    """``PixelCNN`` one pixel at a time, every masked convolution over a cache of its input map."""

    def __init__(self, net: PixelCNN, batch: int, positions: tuple[int, int]):
        super().__init__(positions)
        self.net = net
        self.width = positions[1]
        self.first = net.first.input_cache(batch, *positions)
        self.hidden = [conv.input_cache(batch, *positions) for conv in net.hidden]
        self.to_logits = one_position(net.to_logits)

    def step(self, x: torch.Tensor, position: tuple[int, int]) -> Vector:
        i, j = position
        if (i, j) != (0, 0):  # the previous pixel in raster order is final now
            before_i, before_j = divmod(i * self.width + j - 1, self.width)
            self.first.write(before_i, before_j, self.net.encode(x[:, :, before_i, before_j]))
        h = self.first(i, j)
        for conv in self.hidden:
            conv.write(i, j, self.net.hidden_input(h))  # type B reads the centre: write it first
            h = h + conv(i, j)
        return self.to_logits(h)


@register("pixelcnn")
def pixelcnn(**overrides):
    """Chapter 05: a PixelCNN with a categorical head over the 17 values of the digits."""
    return ARM(PixelCNN(**overrides), Categorical(NUM_VALS), IMAGE_SHAPE)
