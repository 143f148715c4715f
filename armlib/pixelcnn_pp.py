"""PixelCNN++-style models: chapter 06's gated PixelCNN with the discretised logistic mixture head.

PixelCNN++ (Salimans et al., 2017) kept the idea of a causal network and changed what its last
layer predicts: per pixel, the parameters of a mixture of discretised logistics instead of the
logits of a softmax. Here that is the only change made to the gated PixelCNN, so the two heads can
be compared on one network; for colour images the first block also reads every channel of the
earlier pixels. The network stays causal over pixels; the head couples the channels of a pixel.
"""
from torch import nn

from .arm import ARM
from .colour import COLOUR_SHAPE
from .data import IMAGE_SHAPE, NUM_VALS
from .gated_pixelcnn import GatedBlock, GatedPixelCNN
from .logistic import LogisticMixtureHead
from .registry import register
from .validation import check_positive_int


def gated_pixelcnn_for_head(head: nn.Module, image_channels: int = 1, **overrides) -> GatedPixelCNN:
    """A ``GatedPixelCNN(**overrides)`` that reads images of ``image_channels`` channels and returns
    ``head.num_params(image_channels)`` parameters per pixel.

    Only the two ends change: the output 1x1 convolution, and, for more than one channel, the
    first block (the one that reads the image, shifted so that it never sees the current pixel,
    in any of its channels). Every block in between is the chapter-06 network as it is.
    """
    check_positive_int(image_channels, "image_channels")
    net = GatedPixelCNN(**{"num_vals": NUM_VALS, **overrides})
    output = net.to_logits[-1]
    net.to_logits[-1] = nn.Conv2d(output.in_channels, head.num_params(image_channels), 1)
    if image_channels != 1:
        first = net.blocks[0]
        net.blocks[0] = GatedBlock(image_channels, output.in_channels, first.vertical.conv.kernel_size[1],
                                   first=True, num_classes=net.num_classes, dropout=first.dropout.p)
    return net


@register("gated_pixelcnn_logistic_mixture")
def gated_pixelcnn_logistic_mixture(num_components: int = 5, **overrides) -> ARM:
    """Chapter 07: the gated PixelCNN of chapter 06 with a mixture of ``num_components``
    discretised logistics over the 17 values of the digits."""
    head = LogisticMixtureHead(NUM_VALS, num_components)
    return ARM(gated_pixelcnn_for_head(head, 1, **overrides), head, IMAGE_SHAPE)


@register("gated_pixelcnn_logistic_mixture_colour")
def gated_pixelcnn_logistic_mixture_colour(num_components: int = 5, **overrides) -> ARM:
    """Chapter 07: the same for colour digits (3, 8, 8), the channels of a pixel coupled by the
    head as in PixelCNN++."""
    head = LogisticMixtureHead(NUM_VALS, num_components)
    return ARM(gated_pixelcnn_for_head(head, COLOUR_SHAPE[0], **overrides), head, COLOUR_SHAPE)
