"""PixelCNN (van den Oord et al., 2016): masked 2-D convolutions over an image in raster order.

A k x k kernel centred on pixel (i, j) would read the future: the rest of row i and every row below
it. A causal mask zeroes those weights. For k = 3:

    type A        type B
    1 1 1         1 1 1
    1 0 0         1 1 0
    0 0 0         0 0 0

Type A also hides the centre, so the first layer's output at (i, j) depends on the pixels strictly
before (i, j). Type B keeps the centre: every later layer reads the previous layer's features at
(i, j), which already depend only on pixels before (i, j). A stack of such layers is causal, but it
has a blind spot: the region up and to the right of a pixel that no path of masked kernels reaches.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .arm import ARM
from .data import IMAGE_SHAPE, NUM_VALS
from .heads import Categorical
from .registry import register
from .validation import check_positive_int

MASK_TYPES = ("A", "B")


def check_kernel_size(kernel_size, name: str = "kernel_size") -> None:
    check_positive_int(kernel_size, name)
    if kernel_size % 2 == 0:
        raise ValueError(f"{name} must be odd so the kernel has a centre pixel, got {kernel_size}")


def causal_mask(kernel_size: int, mask_type: str) -> torch.Tensor:
    """The (k, k) 0/1 mask of a causal kernel: every row above the centre, the centre row left of
    the centre and, for type B only, the centre itself. Rows below the centre are always zero."""
    check_kernel_size(kernel_size)
    if mask_type not in MASK_TYPES:
        raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")
    centre = kernel_size // 2
    mask = torch.zeros(kernel_size, kernel_size)
    mask[:centre] = 1
    mask[centre, :centre] = 1
    mask[centre, centre] = float(mask_type == "B")
    return mask


class MaskedConv2d(nn.Conv2d):
    """A k x k convolution (k odd, padding k // 2, so height and width are kept) whose weights are
    multiplied by ``causal_mask(k, mask_type)`` at every call.

    Masking in ``forward`` (not once at construction) keeps the masked weights out of the function
    however the optimiser moves them: their gradient is zero and they never reach the output.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, mask_type: str, bias: bool = True):
        check_kernel_size(kernel_size)
        super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=bias)
        self.mask_type = mask_type
        self.register_buffer("mask", causal_mask(kernel_size, mask_type), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, mask_type={self.mask_type!r}"


def pixels_as_input(x: torch.Tensor, num_vals: int, like: torch.Tensor) -> torch.Tensor:
    """Integer pixels 0..num_vals-1 -> floats in [0, 1] of ``like``'s dtype. Zero is the digits'
    background, so the convolutions' zero padding looks like blank paper around the image."""
    return x.to(like.dtype) / (num_vals - 1)


def levels_as_input(x: torch.Tensor, num_vals: int, like: torch.Tensor) -> torch.Tensor:
    """Pixels (B, C, *S) -> one indicator per channel and level, (B, C * num_vals, *S), in ``like``'s
    dtype: level v of channel c switches on input channel c * num_vals + v.

    A pixel value is a category, not a point on a line (chapter 04), and the first layer learns
    one set of weights per level. The indicator of level v is the hat max(0, 1 - |x - v|): exactly
    one-hot for whole numbers, piecewise linear in between, so that a receptive-field picture can
    still take gradients with respect to a float image. The convolutions' zero padding switches
    every level off: outside the image is not blank paper, and the network can tell the two apart.
    """
    levels = torch.arange(num_vals, dtype=like.dtype, device=like.device)
    hats = torch.relu(1 - (x.to(like.dtype).unsqueeze(-1) - levels).abs())  # (B, C, *S, V)
    return hats.movedim(-1, 2).flatten(1, 2)


INPUTS = {"value": pixels_as_input, "levels": levels_as_input}
"""How a pixel enters a network: ``"value"``, one input channel per image channel holding the value
scaled to [0, 1]; ``"levels"``, one indicator channel per image channel and level."""


def check_inputs(inputs: str) -> None:
    if inputs not in INPUTS:
        raise ValueError(f"inputs must be one of {tuple(INPUTS)}, got {inputs!r}")


def input_channels(inputs: str, image_channels: int, num_vals: int) -> int:
    """The number of channels the first layer reads under the encoding ``inputs``."""
    return image_channels * num_vals if inputs == "levels" else image_channels


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
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        check_inputs(inputs)
        self.num_vals = num_vals
        self.inputs = inputs
        self.first = MaskedConv2d(input_channels(inputs, 1, num_vals), channels, first_kernel_size, "A")
        self.hidden = nn.ModuleList(MaskedConv2d(channels, channels, kernel_size, "B") for _ in range(layers))
        self.dropout = nn.Dropout(dropout)
        self.to_logits = nn.Sequential(nn.ReLU(), nn.Conv2d(channels, channels, 1),
                                       nn.ReLU(), nn.Conv2d(channels, num_vals, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.first(INPUTS[self.inputs](x, self.num_vals, self.first.weight))
        for conv in self.hidden:
            h = h + conv(self.dropout(F.relu(h)))
        return self.to_logits(h)


@register("pixelcnn")
def pixelcnn(**overrides):
    """Chapter 05: a PixelCNN with a categorical head over the 17 values of the digits."""
    return ARM(PixelCNN(**overrides), Categorical(NUM_VALS), IMAGE_SHAPE)
