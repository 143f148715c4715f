"""PixelCNN++-style models: chapter 06's gated PixelCNN with the discretised logistic mixture head.

PixelCNN++ (Salimans et al., 2017) kept the idea of a causal network and changed what its last
layer predicts: per pixel, the parameters of a mixture of discretised logistics instead of the
logits of a softmax. Here that is the only change made to the gated PixelCNN (its output layer,
and where that layer's bias starts), so the two heads can be compared on one network; for colour
images the first block also reads every channel of the earlier pixels. The network stays causal
over pixels; the head couples the channels of a pixel.
"""
from torch import nn

from ..arm import ARM
from ..colour import COLOUR_SHAPE
from ..data import IMAGE_SHAPE, NUM_VALS
from ..heads import LogisticMixtureHead
from .gated_pixelcnn import GatedPixelCNN
from .registry import register


def gated_pixelcnn_for_head(head: nn.Module, image_channels: int = 1, **overrides) -> GatedPixelCNN:
    """A ``GatedPixelCNN(**overrides)`` that reads images of ``image_channels`` channels and returns
    the ``head.num_params(image_channels)`` parameters ``head`` needs per pixel.

    Only the two ends change: the first block reads the level indicators of every channel of the
    earlier pixels (never of the current pixel, in any of its channels), and the output 1x1
    convolution gives the head's parameters, its bias starting at ``head.initial_bias``. Every
    block in between is chapter 06's network.
    """
    return GatedPixelCNN(**{"num_vals": head.num_vals, **overrides}, image_channels=image_channels,
                         num_params=head.num_params(image_channels), output_bias=head.initial_bias(image_channels))


@register("gated_pixelcnn_logistic_mixture")
def gated_pixelcnn_logistic_mixture(num_components: int = 5, **overrides) -> ARM:
    """Chapter 09: the gated PixelCNN of chapter 06 with a mixture of ``num_components``
    discretised logistics over the 17 values of the digits."""
    head = LogisticMixtureHead(NUM_VALS, num_components)
    return ARM(gated_pixelcnn_for_head(head, 1, **overrides), head, IMAGE_SHAPE)


@register("gated_pixelcnn_logistic_mixture_colour")
def gated_pixelcnn_logistic_mixture_colour(num_components: int = 5, **overrides) -> ARM:
    """Chapter 09: the same for colour digits (3, 8, 8), the channels of a pixel coupled by the
    head as in PixelCNN++."""
    head = LogisticMixtureHead(NUM_VALS, num_components)
    return ARM(gated_pixelcnn_for_head(head, COLOUR_SHAPE[0], **overrides), head, COLOUR_SHAPE)
