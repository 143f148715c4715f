"""Cached generation: each sampling step computes only what the newest value changes.

The plain sampler runs the whole network once per position, D times, and every run recomputes
every position although a single input changed since the last one. In a causal network the
activations at positions already sampled never change again, so each layer can keep them and
compute only the new position:

- a causal 1-D convolution with kernel k and dilation r reads, for its output at d, its inputs at
  d, d - r, ..., d - (k-1) r: a **queue** of its last (k-1) r + 1 inputs holds all of them. The
  newest input goes in, the oldest falls out, and the output is one product with the k taps (fast
  WaveNet generation, Paine et al., 2016);
- a masked 2-D convolution reads, for its output at (i, j), the part of its input window at or
  above row i: a **cache of its input map**, filled in pixel by pixel;
- the gated PixelCNN's vertical stack never sees the row it is in, so all of row i of it is
  computed when the row starts; the horizontal stack then goes pixel by pixel along a row buffer;
- a recurrent network keeps its hidden state, a finite-memory MLP reads its window directly.

``incremental(net, batch, positions, y)`` gives the step function of
``armlib.sampling.cached_sample_from_noise``: ``step(x, position)`` -> the head's parameters (B, P)
at ``position``, computed from the cached activations and the sample so far ``x`` (B, C, *S),
called for every position in raster order.
A network may bring its own ``net.incremental(batch, y)``; otherwise the class decides, and a
network this module does not know is refused with a ValueError.
"""
from collections.abc import Callable
from itertools import product

import torch
import torch.nn.functional as F
from torch import nn

from .conv1d import CausalConv1d, DilatedConvNet, GatedResidualBlock, TomczakConvNet
from .gated_pixelcnn import GatedBlock, GatedPixelCNN, gate
from .mlp import PAD_VALUE, FiniteMemoryMLP
from .pixelcnn import INPUTS, MaskedConv2d, PixelCNN
from .rnn import RecurrentNet
from .validation import check_positive_int

Vector = torch.Tensor
"""One position's activations, (B, channels)."""

ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.ELU, nn.Dropout, nn.Identity)
"""Layers that act on every activation alone, so on one position as on all of them."""


def pointwise(module: nn.Module) -> Callable[[Vector], Vector]:
    """``module``, which mixes channels but not positions (1x1 convolutions, activations, a
    Sequential of them), as a function of one position's activations (B, C_in) -> (B, C_out)."""
    if isinstance(module, ELEMENTWISE):
        return module
    if isinstance(module, nn.Sequential):
        steps = [pointwise(layer) for layer in module]

        def chain(v: Vector) -> Vector:
            for layer in steps:
                v = layer(v)
            return v

        return chain
    is_one_by_one = isinstance(module, (nn.Conv1d, nn.Conv2d)) and not isinstance(module, (CausalConv1d, MaskedConv2d))
    if is_one_by_one and set(module.kernel_size) == {1} and module.groups == 1 and not any(module.padding):
        weight, bias = module.weight.flatten(1), module.bias
        return lambda v: F.linear(v, weight, bias)
    raise ValueError(f"cached generation has no one-position step for the layer {module!r}")


class ConvQueue:
    """A causal 1-D convolution (kernel k, dilation r) one position at a time, from a queue of its
    last (k-1) r + 1 inputs: the newest input takes the place of the oldest, and the output is one
    product of the kernel with every r-th entry, oldest first.

    For option B the newest input is at d and the output is at d. For option A (first layer only)
    the caller pushes the input at d - 1, which gives the output at d: the shift of option A.
    The queue is circular, so a step moves one input, not the whole queue.
    """

    def __init__(self, conv: CausalConv1d, batch: int):
        kernel_size, dilation = conv.kernel_size[0], conv.dilation[0]
        length = (kernel_size - 1) * dilation + 1
        # Zeros: what the convolution's left padding feeds it before the sequence starts.
        self.queue = conv.weight.new_zeros(batch, length, conv.in_channels)
        self.slot = length - 1  # where the newest input sits
        # The taps' slots, oldest first, for each slot of the newest input.
        self.taps = [(slot + 1 + torch.arange(0, length, dilation)) % length for slot in range(length)]
        self.weight = conv.weight.transpose(1, 2).flatten(1)  # (C_out, k C_in), to match (B, k, C_in)
        self.bias = conv.bias

    def __call__(self, newest: Vector) -> Vector:
        self.slot = (self.slot + 1) % len(self.taps)  # the oldest input's slot, overwritten
        self.queue[:, self.slot] = newest
        return F.linear(self.queue[:, self.taps[self.slot]].flatten(1), self.weight, self.bias)


class GatedResidualStep:
    """``GatedResidualBlock`` at one position: h + W_o dropout(tanh(W_f h) sigmoid(W_g h)), with the
    dilated convolution W_f, W_g running on its queue."""

    def __init__(self, block: GatedResidualBlock, batch: int):
        self.conv = ConvQueue(block.conv, batch)
        self.dropout = block.dropout
        self.out = pointwise(block.out)

    def __call__(self, h: Vector) -> Vector:
        feature, gate_ = self.conv(h).chunk(2, dim=1)
        return h + self.out(self.dropout(torch.tanh(feature) * torch.sigmoid(gate_)))


def _sequence_layer_step(layer: nn.Module, batch: int):
    if isinstance(layer, CausalConv1d):
        return ConvQueue(layer, batch)
    if isinstance(layer, GatedResidualBlock):
        return GatedResidualStep(layer, batch)
    return pointwise(layer)


class RasterOrder:
    """Refuses a step out of raster order: every cache assumes it saw all positions before."""

    def __init__(self, positions: tuple[int, ...]):
        self.expected = product(*map(range, positions))

    def check(self, position) -> None:
        expected = next(self.expected, None)
        if tuple(position) != expected:
            raise ValueError(f"cached steps must come once per position in raster order: expected "
                             f"position {expected}, got {tuple(position)}")


class ConvSequenceSteps:
    """A CausalConv1D network (``TomczakConvNet``, ``DilatedConvNet``: a Sequential ``layers`` whose
    first layer is an option-A causal convolution) one position at a time.

    At step d the newest final value is x_{d-1}; the first layer turns its queue, which ends at
    d - 1, into its output at d, and every later layer takes that position's activations on.
    """

    def __init__(self, net: nn.Module, batch: int, length: int, encode: Callable[[torch.Tensor], Vector]):
        convs = [m for m in net.layers.modules() if isinstance(m, CausalConv1d)]
        if net.layers[0] is not convs[0] or [c.option for c in convs] != ["A"] + ["B"] * (len(convs) - 1):
            raise ValueError("cached generation needs the first layer to be an option-A CausalConv1d and every "
                             f"other causal convolution option B, got options {[c.option for c in convs]}")
        self.encode = encode
        self.layers = [_sequence_layer_step(layer, batch) for layer in net.layers]
        self.order = RasterOrder((length,))
        self.padding = net.layers[0].weight.new_zeros(batch, net.layers[0].in_channels)

    def __call__(self, x: torch.Tensor, position: tuple[int]) -> Vector:
        self.order.check(position)
        (d,) = position
        h = self.encode(x[:, 0, d - 1]) if d > 0 else self.padding
        for layer in self.layers:
            h = layer(h)
        return h


class MaskedConvCache:
    """A masked 2-D convolution (k x k, padding k // 2) one pixel at a time, over a cache of its
    input map. Its mask keeps no row below the centre, so only the k // 2 + 1 rows up to the
    pixel's own are read, and only those are multiplied. The cache is channels-last, (B, H, W, C),
    so a pixel's channels sit together and a window is a few contiguous runs."""

    def __init__(self, conv: MaskedConv2d, batch: int, height: int, width: int):
        self.half = conv.kernel_size[0] // 2
        rows = self.half + 1
        # (C_out, C_in, rows, k) -> (C_out, rows k C_in), the order of a channels-last window
        self.weight = (conv.weight * conv.mask)[:, :, :rows].permute(0, 2, 3, 1).flatten(1)
        self.bias = conv.bias
        # Zero padding above, left and right, as the full convolution pads; none needed below.
        self.inputs = conv.weight.new_zeros(batch, height + self.half, width + 2 * self.half, conv.in_channels)

    def write(self, i: int, j: int, value: Vector) -> None:
        """The layer's input at pixel (i, j), (B, C_in)."""
        self.inputs[:, i + self.half, j + self.half] = value

    def __call__(self, i: int, j: int) -> Vector:
        window = self.inputs[:, i:i + self.half + 1, j:j + 2 * self.half + 1]
        return F.linear(window.flatten(1), self.weight, self.bias)


class PixelCNNSteps:
    """``PixelCNN`` one pixel at a time: h = A(x); h <- h + B(dropout(ReLU(h))) per layer; logits."""

    def __init__(self, net: PixelCNN, batch: int, height: int, width: int):
        self.net = net
        self.first = MaskedConvCache(net.first, batch, height, width)
        self.hidden = [MaskedConvCache(conv, batch, height, width) for conv in net.hidden]
        self.to_logits = pointwise(net.to_logits)
        self.width = width
        self.order = RasterOrder((height, width))

    def __call__(self, x: torch.Tensor, position: tuple[int, int]) -> Vector:
        self.order.check(position)
        i, j = position
        if (i, j) != (0, 0):  # the previous pixel in raster order is final now
            before_i, before_j = divmod(i * self.width + j - 1, self.width)
            encode = INPUTS[self.net.inputs]  # the network's own input encoding
            self.first.write(before_i, before_j, encode(x[:, :, before_i, before_j], self.net.num_vals,
                                                        self.first.weight))
        h = self.first(i, j)
        for conv in self.hidden:
            conv.write(i, j, self.net.dropout(F.relu(h)))  # type B reads the centre: write it first
            h = h + conv(i, j)
        return self.to_logits(h)


class GatedBlockSteps:
    """One ``GatedBlock`` of a gated PixelCNN: its vertical stack a row at a time, its horizontal
    stack a pixel at a time.

    The vertical convolution covers the k // 2 + 1 rows up to row i (the first block: up to row
    i - 1), so ``vertical_row(i)`` needs the block's vertical input up to row i only, and gives all
    of row i. The horizontal convolution covers the k // 2 + 1 columns up to j (the first block: up
    to j - 1) of row i, which a row buffer holds.
    """

    def __init__(self, block: GatedBlock, batch: int, height: int, width: int, y: torch.Tensor | None):
        self.block = block
        self.half = block.vertical.conv.kernel_size[1] // 2
        self.shift = int(block.first)  # the first block sees neither the current row nor the pixel
        self.width = width
        channels = block.vertical.conv.in_channels
        new_zeros = block.vertical.conv.weight.new_zeros
        self.vertical_inputs = new_zeros(batch, channels, height + self.half, width + 2 * self.half)
        # The row buffer is channels-last, (B, W, C_in), so a window is one contiguous run.
        self.horizontal_inputs = new_zeros(batch, width + self.half + self.shift, channels)
        self.horizontal_weight = block.horizontal.conv.weight[:, :, 0].transpose(1, 2).flatten(1)
        self.out = pointwise(block.horizontal_out)
        self.class_bias = None if block.class_bias is None else block.class_bias(y)
        self.link = None  # link(a_v) along the current row, (B, W, 2C)

    def write_vertical(self, i: int, row: torch.Tensor) -> None:
        """The block's vertical input along row i, (B, C_in, W)."""
        self.vertical_inputs[:, :, i + self.half + self.shift, self.half:self.half + self.width] = row

    def write_horizontal(self, j: int, value: Vector) -> None:
        """The block's horizontal input at column j of the current row, (B, C_in)."""
        self.horizontal_inputs[:, j + self.half + self.shift] = value

    def vertical_row(self, i: int) -> torch.Tensor:
        """Start row i: the vertical pre-activation a_v along it, and the block's vertical output,
        dropout(gate(a_v [+ e_y])), (B, C, W), which is the next block's vertical input."""
        a_v = self.block.vertical.conv(self.vertical_inputs[:, :, i:i + self.half + 1])  # (B, 2C, 1, W)
        self.link = self.block.vertical_to_horizontal(a_v)[:, :, 0].transpose(1, 2).contiguous()
        self.horizontal_inputs.zero_()
        if self.class_bias is not None:
            a_v = a_v + self.class_bias[:, :, None, None]
        return self.block.dropout(gate(a_v))[:, :, 0]

    def __call__(self, j: int, h: Vector | None) -> Vector:
        """The block's horizontal output at column j; ``h`` is its horizontal input there (already
        written), None for the first block, which has no residual."""
        window = self.horizontal_inputs[:, j:j + self.half + 1]
        a_h = F.linear(window.flatten(1), self.horizontal_weight, self.block.horizontal.conv.bias) + self.link[:, j]
        if self.class_bias is not None:
            a_h = a_h + self.class_bias
        h_new = self.out(self.block.dropout(gate(a_h)))
        return h_new if h is None else h + h_new


class GatedPixelCNNSteps:
    """``GatedPixelCNN`` one pixel at a time: at the start of each row every block's vertical stack
    along the row, then at each pixel the horizontal stacks block after block, then the logits."""

    def __init__(self, net: GatedPixelCNN, batch: int, height: int, width: int, y: torch.Tensor | None):
        self.net = net
        self.blocks = [GatedBlockSteps(block, batch, height, width, y) for block in net.blocks]
        self.to_logits = pointwise(net.to_logits)
        self.order = RasterOrder((height, width))

    def _pixels(self, x: torch.Tensor) -> torch.Tensor:
        return INPUTS[self.net.inputs](x, self.net.num_vals, self.blocks[0].horizontal_weight)

    def __call__(self, x: torch.Tensor, position: tuple[int, int]) -> Vector:
        self.order.check(position)
        i, j = position
        first = self.blocks[0]
        if j == 0:  # a new row: row i - 1 is final, and every vertical stack can do row i
            if i > 0:
                first.write_vertical(i - 1, self._pixels(x[:, :, i - 1]))
            for block, after in zip(self.blocks, self.blocks[1:] + [None]):
                v = block.vertical_row(i)
                if after is not None:
                    after.write_vertical(i, v)
        else:
            first.write_horizontal(j - 1, self._pixels(x[:, :, i, j - 1]))
        h = first(j, None)
        for block in self.blocks[1:]:
            block.write_horizontal(j, h)
            h = block(j, h)
        return self.to_logits(h)


class RecurrentSteps:
    """``RecurrentNet`` one step at a time: the hidden state is the cache."""

    def __init__(self, net: RecurrentNet, batch: int, length: int):
        self.net = net
        self.start = torch.full((batch,), net.start, dtype=torch.long, device=net.readout.weight.device)
        self.state = None
        self.order = RasterOrder((length,))

    def __call__(self, x: torch.Tensor, position: tuple[int]) -> Vector:
        self.order.check(position)
        (d,) = position
        previous = x[:, 0, d - 1] if d > 0 else self.start
        states, self.state = self.net.rnn(self.net.embedding(previous)[:, None], self.state)
        return self.net.readout(states[:, 0])


class FiniteMemorySteps:
    """``FiniteMemoryMLP`` at one position: its window of the ``window`` values before d (and the
    position's own vector), nothing else."""

    def __init__(self, net: FiniteMemoryMLP, length: int):
        self.net = net
        self.order = RasterOrder((length,))

    def __call__(self, x: torch.Tensor, position: tuple[int]) -> Vector:
        self.order.check(position)
        (d,) = position
        net = self.net
        pre_activation = net.readout.weight.new_zeros(x.shape[0], net.readout.in_features)
        if net.memory is not None:
            recent = x[:, 0, max(d - net.window, 0):d].flip(1)  # x_{d-1}, x_{d-2}, ...
            window = F.pad(recent, (0, net.window - recent.shape[1]), value=PAD_VALUE)
            pre_activation = pre_activation + net.memory(window.to(pre_activation.dtype) / (net.num_vals - 1))
        if net.position is not None:
            pre_activation = pre_activation + net.position.weight[d]
        return net.readout(F.relu(pre_activation))


def _one_hot(net: DilatedConvNet) -> Callable[[torch.Tensor], Vector]:
    return lambda values: F.one_hot(values, net.num_vals).to(net.layers[0].weight.dtype)


def _raw_value(net: TomczakConvNet) -> Callable[[torch.Tensor], Vector]:
    return lambda values: values.to(net.layers[0].weight.dtype)[:, None]


STEPS = {
    TomczakConvNet: lambda net, batch, positions, y: ConvSequenceSteps(net, batch, *positions, _raw_value(net)),
    DilatedConvNet: lambda net, batch, positions, y: ConvSequenceSteps(net, batch, *positions, _one_hot(net)),
    PixelCNN: lambda net, batch, positions, y: PixelCNNSteps(net, batch, *positions),
    GatedPixelCNN: lambda net, batch, positions, y: GatedPixelCNNSteps(net, batch, *positions, y),
    RecurrentNet: lambda net, batch, positions, y: RecurrentSteps(net, batch, *positions),
    FiniteMemoryMLP: lambda net, batch, positions, y: FiniteMemorySteps(net, *positions),
}
"""How each network class of the book is computed one position at a time; each input feeds the
network as its ``forward`` feeds it (raw value, one-hot, or scaled to [0, 1])."""


def supports_caching(net: nn.Module) -> bool:
    """Whether ``incremental`` can step ``net``: it has its own ``incremental`` method, or its
    class is one this module knows."""
    return callable(getattr(net, "incremental", None)) or type(net) in STEPS


def incremental(net: nn.Module, batch: int, positions: tuple[int, ...], y: torch.Tensor | None = None):
    """``step(x, position)`` -> the head's parameters (B, P) at ``position``, for a fresh batch of
    ``batch`` samples over ``positions``, (D,) or (H, W); see the module docstring."""
    check_positive_int(batch, "batch")
    if callable(getattr(net, "incremental", None)):
        return net.incremental(batch, y)
    if type(net) not in STEPS:
        raise ValueError(f"cached generation does not know {type(net).__name__}: it steps "
                         f"{', '.join(cls.__name__ for cls in STEPS)}, or a network with its own "
                         "`incremental(batch, y)` method (use the plain or predictive sampler)")
    return STEPS[type(net)](net, batch, tuple(positions), y)
