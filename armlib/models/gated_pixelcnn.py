"""Gated PixelCNN (van den Oord et al., 2016c): a vertical and a horizontal stack, gated units,
optional class conditioning.

Two stacks of features run side by side through every block:

- the **vertical stack** v at (i, j) sees a window of the rows above row i, as wide as the block's
  stack of kernels; it never receives horizontal features, so it never sees row i itself;
- the **horizontal stack** h at (i, j) sees the pixels left of (i, j) in row i, and receives v at
  (i, j) through a 1x1 link, so it sees everything above as well.

Together they cover every pixel before (i, j), the blind spot of a masked PixelCNN included. Each
stack's convolution is cut to its causal part instead of being masked (``armlib.layers``'
``VerticalConv`` and ``HorizontalConv``): the vertical kernel is (k//2 + 1) x k and covers the rows
i - k//2 .. i; the horizontal kernel is 1 x (k//2 + 1) and covers the columns j - k//2 .. j. In the
first block, which reads the image itself, both are shifted by one (down, respectively right) so
that the pixel (i, j) and its row are excluded.

Every unit is gated, tanh(W x) * sigmoid(V x), with W x and V x the two halves of one convolution's
output; a class label adds its own learned bias to both halves in every block.
"""
import torch
from torch import nn

from ..arm import ARM
from ..data import IMAGE_SHAPE, NUM_VALS
from ..heads import Categorical
from ..layers import (INPUTS, HorizontalConv, Pointwise2d, Stepper, Vector, VerticalConv, check_inputs, gate,
                      input_channels, one_position, start_output_bias)
from ..validation import check_positive_int, check_probability
from .registry import register


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
        self.vertical_to_horizontal = Pointwise2d(2 * channels, 2 * channels)
        self.horizontal_out = Pointwise2d(channels, channels)
        self.class_bias = None
        if num_classes is not None:
            self.class_bias = nn.Embedding(num_classes, 2 * channels)
            # zero: a fresh conditional block ignores the class, exactly like an unconditional one,
            # so a conditional model can start from an unconditional model's weights
            nn.init.zeros_(self.class_bias.weight)
        self.dropout = nn.Dropout(dropout)

    def forward(self, v: torch.Tensor, h: torch.Tensor, y: torch.Tensor | None = None):
        e_y = self.class_embedding(y)
        a_v = self.vertical(v)
        a_h = self.horizontal(h) + self.vertical_to_horizontal(a_v)
        h_new = self.horizontal_output(a_h, h, e_y)  # first: in training, its dropout mask is drawn first
        return self.vertical_output(a_v, e_y), h_new

    def class_embedding(self, y: torch.Tensor | None) -> torch.Tensor | None:
        """e_y, (B, 2C), the same at every position; None for an unconditional block."""
        return None if self.class_bias is None else self.class_bias(y)

    @staticmethod
    def _with_class(a: torch.Tensor, e_y: torch.Tensor | None) -> torch.Tensor:
        return a if e_y is None else a + e_y.reshape(*e_y.shape, *[1] * (a.dim() - 2))

    def vertical_output(self, a_v: torch.Tensor, e_y: torch.Tensor | None) -> torch.Tensor:
        """v' = dropout(g(a_v + e_y)), over a map (B, 2C, *S) or at one pixel (B, 2C)."""
        return self.dropout(gate(self._with_class(a_v, e_y)))

    def horizontal_output(self, a_h: torch.Tensor, h: torch.Tensor | None, e_y: torch.Tensor | None,
                          out=None) -> torch.Tensor:
        """h' = h + out(dropout(g(a_h + e_y))), without the residual h in the first block; over a
        map (B, 2C, *S) in ``forward``, or at one pixel (B, 2C) in a step, which passes ``out``."""
        h_new = (self.horizontal_out if out is None else out)(self.dropout(gate(self._with_class(a_h, e_y))))
        return h_new if self.first else h + h_new


class GatedPixelCNN(nn.Module):
    """A causal network for images: x (B, C, H, W) integers (and, with ``num_classes``, labels
    y (B,)) -> parameters of the likelihood head (B, P, H, W).

    Every pixel value enters as level indicators (``levels_as_input``; ``inputs="value"`` feeds the
    value scaled to [0, 1] instead, as chapter 05's PixelCNN reads it); ``blocks`` gated blocks
    follow (the first reads the image), then ReLU and a 1x1 convolution from the horizontal stack
    to the ``num_params`` numbers the head needs per pixel: by default the ``num_vals`` logits of
    a categorical head over one channel, the bias starting at ``output_bias`` when it is given.
    Fully convolutional.
    """

    def __init__(self, num_vals: int = NUM_VALS, channels: int = 32, blocks: int = 8, kernel_size: int = 3,
                 num_classes: int | None = None, dropout: float = 0.2, *, image_channels: int = 1,
                 num_params: int | None = None, inputs: str = "levels", output_bias: torch.Tensor | None = None):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        check_positive_int(channels, "channels")
        check_positive_int(blocks, "blocks")
        check_positive_int(image_channels, "image_channels")
        num_params = num_vals if num_params is None else num_params
        check_positive_int(num_params, "num_params")
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        check_probability(dropout, "dropout")
        check_inputs(inputs)
        self.num_vals = num_vals
        self.num_classes = num_classes
        self.inputs = inputs
        first_channels = input_channels(inputs, image_channels, num_vals)
        self.blocks = nn.ModuleList(
            GatedBlock(first_channels if b == 0 else channels, channels, kernel_size, first=b == 0,
                       num_classes=num_classes, dropout=dropout)
            for b in range(blocks))
        # to the head's parameters (logits for a categorical head; the name is kept so saved weights load)
        self.to_logits = nn.Sequential(nn.ReLU(), Pointwise2d(channels, num_params))
        start_output_bias(self.to_logits[-1], output_bias)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Integer pixels (B, C, *S) -> the first block's input channels."""
        return INPUTS[self.inputs](x, self.num_vals, self.to_logits[-1].weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if (y is None) != (self.num_classes is None):
            raise ValueError("y must be given exactly when the network is class-conditional "
                             f"(num_classes={self.num_classes}), got y={'None' if y is None else 'a tensor'}")
        v = h = self.encode(x)
        for block in self.blocks:
            v, h = block(v, h, y)
        return self.to_logits(h)

    def stepper(self, batch: int, positions: tuple[int, int], y: torch.Tensor | None = None) -> "GatedPixelCNNStepper":
        return GatedPixelCNNStepper(self, batch, positions, y)


class GatedBlockStepper:
    """One ``GatedBlock`` of a gated PixelCNN: its vertical stack a row at a time, its horizontal
    stack a pixel at a time.

    The vertical convolution covers the k // 2 + 1 rows up to row i (the first block: up to row
    i - 1), so ``start_row(i)`` needs the block's vertical input up to row i only, and gives all
    of row i. The horizontal convolution covers the k // 2 + 1 columns up to j (the first block: up
    to j - 1) of row i, which a row buffer holds.
    """

    def __init__(self, block: GatedBlock, batch: int, height: int, width: int, y: torch.Tensor | None):
        self.block = block
        self.vertical = block.vertical.rows(batch, height, width)
        self.horizontal = block.horizontal.row(batch, width)
        self.e_y = block.class_embedding(y)
        self.out = one_position(block.horizontal_out)
        self.link = None  # link(a_v) along the current row, (B, W, 2C)

    def start_row(self, i: int) -> torch.Tensor:
        """The block's vertical output along row i, (B, C, W), the next block's vertical input;
        keeps the link into the horizontal stack along the row."""
        a_v = self.vertical(i)  # (B, 2C, 1, W)
        self.link = self.block.vertical_to_horizontal(a_v)[:, :, 0].transpose(1, 2).contiguous()
        self.horizontal.clear()
        return self.block.vertical_output(a_v, self.e_y)[:, :, 0]

    def __call__(self, j: int, h: Vector | None) -> Vector:
        """The block's horizontal output at column j; ``h`` is its horizontal input there (already
        written), None for the first block, which has no residual."""
        return self.block.horizontal_output(self.horizontal(j) + self.link[:, j], h, self.e_y, self.out)


class GatedPixelCNNStepper(Stepper):
    """``GatedPixelCNN`` one pixel at a time: at the start of each row every block's vertical stack
    along the row, then at each pixel the horizontal stacks block after block, then the output."""

    def __init__(self, net: GatedPixelCNN, batch: int, positions: tuple[int, int], y: torch.Tensor | None):
        super().__init__(positions)
        self.net = net
        self.blocks = [GatedBlockStepper(block, batch, *positions, y) for block in net.blocks]
        self.to_logits = one_position(net.to_logits)

    def step(self, x: torch.Tensor, position: tuple[int, int]) -> Vector:
        i, j = position
        first = self.blocks[0]
        if j == 0:  # a new row: row i - 1 is final, and every vertical stack can do row i
            if i > 0:
                first.vertical.write(i - 1, self.net.encode(x[:, :, i - 1]))
            for block, after in zip(self.blocks, self.blocks[1:] + [None]):
                v = block.start_row(i)
                if after is not None:
                    after.vertical.write(i, v)
        else:
            first.horizontal.write(j - 1, self.net.encode(x[:, :, i, j - 1]))
        h = first(j, None)
        for block in self.blocks[1:]:
            block.horizontal.write(j, h)
            h = block(j, h)
        return self.to_logits(h)


@register("gated_pixelcnn")
def gated_pixelcnn(**overrides):
    """Chapter 06: a gated PixelCNN with a categorical head over the 17 values of the digits."""
    return ARM(GatedPixelCNN(**overrides), Categorical(NUM_VALS), IMAGE_SHAPE)


@register("gated_pixelcnn_conditional")
def gated_pixelcnn_conditional(**overrides):
    """Chapter 07: the gated PixelCNN conditioned on the digit's class, p(x | y), y in 0..9."""
    return gated_pixelcnn(**{"num_classes": 10, **overrides})
