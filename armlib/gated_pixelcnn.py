"""Gated PixelCNN (van den Oord et al., 2016c): a vertical and a horizontal stack, gated units,
optional class conditioning.

Two stacks of features run side by side through every block:

- the **vertical stack** v at (i, j) sees a window of the rows above row i, as wide as the block's
  stack of kernels; it never receives horizontal features, so it never sees row i itself;
- the **horizontal stack** h at (i, j) sees the pixels left of (i, j) in row i, and receives v at
  (i, j) through a 1x1 link, so it sees everything above as well.

Together they cover every pixel before (i, j), the blind spot of a masked PixelCNN included. Each
stack's convolution is cut to its causal part instead of being masked: the vertical kernel is
(k//2 + 1) x k and covers the rows i - k//2 .. i; the horizontal kernel is 1 x (k//2 + 1) and covers
the columns j - k//2 .. j. In the first block, which reads the image itself, both are shifted by one
(down, respectively right) so that the pixel (i, j) and its row are excluded.

Every unit is gated, tanh(W x) * sigmoid(V x), with W x and V x the two halves of one convolution's
output; a class label adds its own learned bias to both halves in every block.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .arm import ARM
from .data import IMAGE_SHAPE, NUM_VALS
from .heads import Categorical
from .pixelcnn import INPUTS, check_inputs, check_kernel_size, input_channels
from .pixelcnn import levels_as_input  # noqa: F401  (the gated PixelCNN's default input; imported from here)
from .registry import register
from .validation import check_positive_int


class VerticalConv(nn.Module):
    """A (k//2 + 1) x k convolution over the rows i - k//2 .. i above (i, j) and row i itself; with
    ``shift=True`` moved down one row, over rows i - k//2 - 1 .. i - 1 only."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, shift: bool):
        super().__init__()
        check_kernel_size(kernel_size)
        self.conv = nn.Conv2d(in_channels, out_channels, (kernel_size // 2 + 1, kernel_size))
        # (left, right, top, bottom); a negative bottom crops the last row after the shift
        half = kernel_size // 2
        self.padding = (half, half, half + shift, -int(shift))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, self.padding))


class HorizontalConv(nn.Module):
    """A 1 x (k//2 + 1) convolution over the columns j - k//2 .. j of row i; with ``shift=True``
    moved right one column, over j - k//2 - 1 .. j - 1 only."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, shift: bool):
        super().__init__()
        check_kernel_size(kernel_size)
        self.conv = nn.Conv2d(in_channels, out_channels, (1, kernel_size // 2 + 1))
        half = kernel_size // 2
        self.padding = (half + shift, -int(shift), 0, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, self.padding))


def gate(pre_activation: torch.Tensor) -> torch.Tensor:
    """tanh(W x) * sigmoid(V x), with W x and V x the two halves of the channels."""
    content, gate_ = pre_activation.chunk(2, dim=1)
    return torch.tanh(content) * torch.sigmoid(gate_)


class GatedBlock(nn.Module):
    """One block of both stacks, (v, h) -> (v', h'):

        a_v = conv_v(v) [+ e_y]                          v' = dropout(g(a_v))
        a_h = conv_h(h) + link(conv_v(v)) [+ e_y]        h' = h + out(dropout(g(a_h)))

    with g(a) = tanh(a_1) * sigmoid(a_2) over the two halves of a's channels (``gate``). The
    vertical stack takes nothing from the horizontal one; the link only carries v into h.

    ``first=True`` for the block that reads the image: its convolutions are shifted so the current
    pixel is excluded, and it has no residual (h is the image itself there, current pixel included).
    ``num_classes`` adds a learned bias e_y per class to both pre-activations.
    """

    def __init__(self, in_channels: int, channels: int, kernel_size: int = 3, *, first: bool = False,
                 num_classes: int | None = None, dropout: float = 0.0):
        super().__init__()
        self.first = first
        self.vertical = VerticalConv(in_channels, 2 * channels, kernel_size, shift=first)
        self.horizontal = HorizontalConv(in_channels, 2 * channels, kernel_size, shift=first)
        self.vertical_to_horizontal = nn.Conv2d(2 * channels, 2 * channels, 1)
        self.horizontal_out = nn.Conv2d(channels, channels, 1)
        self.class_bias = None
        if num_classes is not None:
            self.class_bias = nn.Embedding(num_classes, 2 * channels)
            # zero: a fresh conditional block ignores the class, exactly like an unconditional one,
            # so a conditional model can start from an unconditional model's weights
            nn.init.zeros_(self.class_bias.weight)
        self.dropout = nn.Dropout(dropout)

    def forward(self, v: torch.Tensor, h: torch.Tensor, y: torch.Tensor | None = None):
        a_v = self.vertical(v)
        a_h = self.horizontal(h) + self.vertical_to_horizontal(a_v)
        if self.class_bias is not None:
            bias = self.class_bias(y)[:, :, None, None]  # the same at every position
            a_v, a_h = a_v + bias, a_h + bias
        h_new = self.horizontal_out(self.dropout(gate(a_h)))
        return self.dropout(gate(a_v)), h_new if self.first else h + h_new


class GatedPixelCNN(nn.Module):
    """A causal network for images: x (B, C, H, W) integers (and, with ``num_classes``, labels
    y (B,)) -> parameters of the likelihood head (B, P, H, W).

    Every pixel value enters as level indicators (``levels_as_input``; ``inputs="value"`` feeds the
    value scaled to [0, 1] instead, as chapter 05's PixelCNN reads it); ``blocks`` gated blocks
    follow (the first reads the image), then ReLU and a 1x1 convolution from the horizontal stack
    to the ``num_params`` numbers the head needs per pixel: by default the ``num_vals`` logits of
    a categorical head over one channel. Fully convolutional.
    """

    def __init__(self, num_vals: int = NUM_VALS, channels: int = 32, blocks: int = 8, kernel_size: int = 3,
                 num_classes: int | None = None, dropout: float = 0.2, *, image_channels: int = 1,
                 num_params: int | None = None, inputs: str = "levels"):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        check_positive_int(channels, "channels")
        check_positive_int(blocks, "blocks")
        check_positive_int(image_channels, "image_channels")
        num_params = num_vals if num_params is None else num_params
        check_positive_int(num_params, "num_params")
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        check_inputs(inputs)
        self.num_vals = num_vals
        self.num_classes = num_classes
        self.inputs = inputs
        first_channels = input_channels(inputs, image_channels, num_vals)
        self.blocks = nn.ModuleList(
            GatedBlock(first_channels if b == 0 else channels, channels, kernel_size, first=b == 0,
                       num_classes=num_classes, dropout=dropout)
            for b in range(blocks))
        self.to_logits = nn.Sequential(nn.ReLU(), nn.Conv2d(channels, num_params, 1))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if (y is None) != (self.num_classes is None):
            raise ValueError("y must be given exactly when the network is class-conditional "
                             f"(num_classes={self.num_classes}), got y={'None' if y is None else 'a tensor'}")
        v = h = INPUTS[self.inputs](x, self.num_vals, self.to_logits[1].weight)
        for block in self.blocks:
            v, h = block(v, h, y)
        return self.to_logits(h)


@register("gated_pixelcnn")
def gated_pixelcnn(**overrides):
    """Chapter 06: a gated PixelCNN with a categorical head over the 17 values of the digits."""
    return ARM(GatedPixelCNN(**overrides), Categorical(NUM_VALS), IMAGE_SHAPE)


@register("gated_pixelcnn_conditional")
def gated_pixelcnn_conditional(**overrides):
    """Chapter 07: the gated PixelCNN conditioned on the digit's class, p(x | y), y in 0..9."""
    return gated_pixelcnn(**{"num_classes": 10, **overrides})
