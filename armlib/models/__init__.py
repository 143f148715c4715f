"""The networks of the book, one module per family, each with the builder that registers its ARM
for the digits in ``MODELS``:

- ``mlp``: the finite-memory MLP (chapter 02);
- ``rnn``: the recurrent ARM (chapter 03);
- ``conv1d``: causal 1-D convolutional networks (chapter 04);
- ``pixelcnn``: PixelCNN's masked convolutions (chapter 05);
- ``gated_pixelcnn``: the gated PixelCNN and its class-conditional version (chapters 06-07);
- ``pixelcnn_pp``: the gated PixelCNN with PixelCNN++'s logistic mixture head (chapter 09);
- ``transformer``: the causal Transformer, attention with its KV cache (the attention chapter).

Their layers are in ``armlib.layers``; every network that can be computed one position at a time
has a ``stepper`` (the cached sampler's protocol, ``armlib.layers.Stepper``).
"""
from . import conv1d, gated_pixelcnn, mlp, pixelcnn, pixelcnn_pp, rnn, transformer
from .conv1d import CausalConvNet, DilatedConvNet, GatedResidualBlock, TomczakConvNet
from .gated_pixelcnn import GatedBlock, GatedPixelCNN
from .mlp import FiniteMemoryMLP
from .pixelcnn import PixelCNN
from .pixelcnn_pp import gated_pixelcnn_for_head
from .registry import MODELS, register
from .rnn import RecurrentNet, input_gradient_norms, set_spectral_norm, set_spectral_radius
from .transformer import CausalTransformer, TransformerBlock

__all__ = ["CausalConvNet", "CausalTransformer", "DilatedConvNet", "FiniteMemoryMLP", "GatedBlock", "GatedPixelCNN",
           "GatedResidualBlock", "MODELS", "PixelCNN", "RecurrentNet", "TomczakConvNet", "conv1d", "gated_pixelcnn", "gated_pixelcnn_for_head",
           "input_gradient_norms", "mlp", "pixelcnn", "pixelcnn_pp", "register", "rnn", "set_spectral_norm",
           "set_spectral_radius", "transformer", "TransformerBlock"]
