"""Causal layers: the building blocks of every network in the book, each with its one-position step.

A network is causal when its output at position d depends on the inputs before d only. The layers
here are causal by construction, and each brings the cache that lets a sampler compute it one
position at a time, doing only the work the newest value adds:

- ``CausalConv1d`` (options A and B, any dilation), stepped by a ``ConvQueue`` of its last inputs
  (fast WaveNet generation, Paine et al., 2016);
- ``MaskedConv2d`` (PixelCNN's masks A and B), stepped by a ``MaskedConvCache`` of its input map;
- ``VerticalConv`` and ``HorizontalConv`` (the gated PixelCNN's two stacks, cut instead of masked),
  stepped a row at a time by ``VerticalRows`` and a pixel at a time by ``HorizontalRow``;
- ``Pointwise1d`` and ``Pointwise2d``, 1x1 convolutions, which ``one_position`` applies to one position;
- ``CausalSelfAttention`` (the Transformer's masked multi-head attention, over ``attention``, the one
  call of torch's scaled dot-product attention), stepped by a ``KVCache`` of its keys and values;
- ``gate``, the gated unit tanh(a_1) * sigmoid(a_2) of WaveNet and the gated PixelCNN;
- the input encodings of a pixel (its value, or an indicator per level).

``Stepper`` is the protocol of cached generation: a network that can be computed one position at a
time has a method ``stepper(batch, positions, y=None)`` that returns one. ``ARM`` calls it once per
position in raster order (the only order any cache can serve; the base class checks it).
"""
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from itertools import product

import torch
import torch.nn.functional as F
from torch import nn

from .validation import check_positive_int

Vector = torch.Tensor
"""One position's activations, (B, channels)."""


def gate(pre_activation: torch.Tensor) -> torch.Tensor:
    """The gated unit tanh(a_1) * sigmoid(a_2), with a_1 and a_2 the two halves of the channels
    (dim 1) of ``pre_activation``: the sigmoid decides, channel by channel and position by position,
    how much of the tanh feature passes."""
    content, gate_ = pre_activation.chunk(2, dim=1)
    return torch.tanh(content) * torch.sigmoid(gate_)


class Stepper(ABC):
    """A causal network computed one position at a time, from caches of its own activations.

    Calling a stepper, ``stepper(x, position)``, returns the head's parameters at ``position``,
    (B, P). ``x`` is the sample so far, channel-first (B, C, *positions), final before ``position``.
    Every position must come once, in raster order: a cache holds what the positions before it
    left there, so a position out of order would be computed from the wrong past. That is checked
    here, once for every network; a subclass writes ``step``.
    """

    def __init__(self, positions: tuple[int, ...]):
        self._order = product(*map(range, positions))

    def __call__(self, x: torch.Tensor, position: tuple[int, ...]) -> Vector:
        expected = next(self._order, None)
        if tuple(position) != expected:
            raise ValueError(f"a stepper takes every position once, in raster order: expected position "
                             f"{expected}, got {tuple(position)}")
        return self.step(x, expected)

    @abstractmethod
    def step(self, x: torch.Tensor, position: tuple[int, ...]) -> Vector:
        """The head's parameters at ``position``, (B, P)."""


def start_output_bias(layer: nn.Module, output_bias: torch.Tensor | None) -> None:
    """Start the bias of a network's output ``layer`` at ``output_bias``, one number per head
    parameter (a head's ``initial_bias``); None keeps PyTorch's default start."""
    if output_bias is None:
        return
    expected = tuple(layer.bias.shape)
    if tuple(output_bias.shape) != expected:
        raise ValueError(f"output_bias must have shape {expected}, one per parameter, got {tuple(output_bias.shape)}")
    with torch.no_grad():
        layer.bias.copy_(output_bias)


class _Pointwise:
    """A 1x1 convolution: the same linear map of the channels at every position. Marked as such, so
    that a step can apply it to one position's channels (B, C) as that linear map (``one_position``);
    a plain convolution would read a (B, C) tensor as one unbatched example of B channels."""


class Pointwise1d(_Pointwise, nn.Conv1d):
    """A 1x1 convolution over sequences (B, C, D)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__(in_channels, out_channels, 1)


class Pointwise2d(_Pointwise, nn.Conv2d):
    """A 1x1 convolution over images (B, C, H, W)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__(in_channels, out_channels, 1)


ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.ELU, nn.Dropout, nn.Identity)
"""Layers that act on every activation alone, so on one position as on all of them."""


def one_position(layer: nn.Module) -> Callable[[Vector], Vector]:
    """``layer`` as a function of one position's channels, (B, C_in) -> (B, C_out), for a run of
    steps: an elementwise layer as it is, a ``Pointwise`` convolution as the linear map it is there
    (its weights flattened once, not at every step), a Sequential of them chained. Any other layer
    mixes positions and has no such function: a ValueError says so."""
    if isinstance(layer, ELEMENTWISE):
        return layer
    if isinstance(layer, _Pointwise):
        weight, bias = layer.weight.flatten(1), layer.bias
        return lambda v: F.linear(v, weight, bias)
    if isinstance(layer, nn.Sequential):
        steps = [one_position(part) for part in layer]

        def chain(v: Vector) -> Vector:
            for step in steps:
                v = step(v)
            return v

        return chain
    raise ValueError(f"{layer!r} has no one-position step: only elementwise layers, Pointwise1d and "
                     "Pointwise2d (and Sequentials of them) act on one position's channels (B, C)")


OPTIONS = {"A": 1, "B": 0}
"""How many steps each option of a causal 1-D convolution shifts its output to the right: A
excludes the current input."""


def check_option(option) -> int:
    """The shift of ``option``, "A" or "B"."""
    if option not in OPTIONS:
        raise ValueError(f"option must be 'A' (exclude the current position) or 'B' (include it), got {option!r}")
    return OPTIONS[option]


class CausalConv1d(nn.Conv1d):
    """A 1-D convolution whose output at d depends on inputs up to d (option B) or before d (A).

        option B:  h_d = sum_{j=0}^{k-1} W_j x_{d - j r}
        option A:  h_d = sum_{j=0}^{k-1} W_j x_{d - 1 - j r}

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
        shift = check_option(option)
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation, bias=bias)
        self.option = option
        self.shift = shift
        self.left_padding = (kernel_size - 1) * dilation + shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = x.shape[-1]
        return super().forward(F.pad(x, (self.left_padding, 0)))[..., :length]

    def queue(self, batch: int) -> "ConvQueue":
        """This convolution one position at a time, for ``batch`` sequences."""
        return ConvQueue(self, batch)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, option={self.option}"


class ConvQueue:
    """A ``CausalConv1d`` (kernel k, dilation r) one position at a time, from a queue of its last
    (k-1) r + 1 inputs: the newest input takes the place of the oldest, and the output is one
    product of the kernel with every r-th entry, oldest first.

    For option B the newest input is at d and the output is at d. For option A the caller pushes
    the input at d - 1, which gives the output at d: the shift of option A. The queue is circular,
    so a step moves one input, not the whole queue.
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


MASK_TYPES = ("A", "B")


def check_kernel_size(kernel_size, name: str = "kernel_size") -> None:
    check_positive_int(kernel_size, name)
    if kernel_size % 2 == 0:
        raise ValueError(f"{name} must be odd so the kernel has a centre pixel, got {kernel_size}")


def causal_mask(kernel_size: int, mask_type: str) -> torch.Tensor:
    """The (k, k) 0/1 mask of a causal kernel: every row above the centre, the centre row left of
    the centre and, for type B only, the centre itself. Rows below the centre are always zero.

        type A        type B      (k = 3)
        1 1 1         1 1 1
        1 0 0         1 1 0
        0 0 0         0 0 0
    """
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

    def input_cache(self, batch: int, height: int, width: int) -> "MaskedConvCache":
        """This convolution one pixel at a time, for ``batch`` images of ``height`` x ``width``."""
        return MaskedConvCache(self, batch, height, width)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, mask_type={self.mask_type!r}"


class MaskedConvCache:
    """A ``MaskedConv2d`` (k x k, padding k // 2) one pixel at a time, over a cache of its input
    map. Its mask keeps no row below the centre, so only the k // 2 + 1 rows up to the pixel's own
    are read, and only those are multiplied. The cache is channels-last, (B, H, W, C), so a pixel's
    channels sit together and a window is a few contiguous runs."""

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
        """The layer's output at pixel (i, j), (B, C_out), from the inputs written so far."""
        window = self.inputs[:, i:i + self.half + 1, j:j + 2 * self.half + 1]
        return F.linear(window.flatten(1), self.weight, self.bias)


class VerticalConv(nn.Module):
    """The gated PixelCNN's vertical convolution: (k//2 + 1) x k over the rows i - k//2 .. i above
    (i, j) and row i itself; with ``shift=True`` moved down one row, over rows i - k//2 - 1 .. i - 1
    only. A kernel cut to its causal part, where a masked one would multiply zeros."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, shift: bool):
        super().__init__()
        check_kernel_size(kernel_size)
        self.conv = nn.Conv2d(in_channels, out_channels, (kernel_size // 2 + 1, kernel_size))
        self.half = kernel_size // 2
        self.shift = int(shift)
        # (left, right, top, bottom); a negative bottom crops the last row after the shift
        self.padding = (self.half, self.half, self.half + self.shift, -self.shift)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, self.padding))

    def rows(self, batch: int, height: int, width: int) -> "VerticalRows":
        """This convolution one row at a time, for ``batch`` maps of ``height`` x ``width``."""
        return VerticalRows(self, batch, height, width)


class VerticalRows:
    """A ``VerticalConv`` a row at a time: its output along row i reads its input up to row i
    (i - 1 when shifted), so a cache of the input map, filled row by row, gives every row in turn."""

    def __init__(self, conv: VerticalConv, batch: int, height: int, width: int):
        self.conv = conv
        # Zero padding above, left and right, as the full convolution pads; the shift moves every
        # row down one, and the last row is never needed.
        self.inputs = conv.conv.weight.new_zeros(batch, conv.conv.in_channels, height + conv.half,
                                                 width + 2 * conv.half)

    def write(self, i: int, row: torch.Tensor) -> None:
        """The input along row i, (B, C_in, W)."""
        half, shift = self.conv.half, self.conv.shift
        self.inputs[:, :, i + half + shift, half:self.inputs.shape[-1] - half] = row

    def __call__(self, i: int) -> torch.Tensor:
        """The output along row i, (B, C_out, 1, W)."""
        return self.conv.conv(self.inputs[:, :, i:i + self.conv.half + 1])


class HorizontalConv(nn.Module):
    """The gated PixelCNN's horizontal convolution: 1 x (k//2 + 1) over the columns j - k//2 .. j
    of row i; with ``shift=True`` moved right one column, over j - k//2 - 1 .. j - 1 only."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, shift: bool):
        super().__init__()
        check_kernel_size(kernel_size)
        self.conv = nn.Conv2d(in_channels, out_channels, (1, kernel_size // 2 + 1))
        self.half = kernel_size // 2
        self.shift = int(shift)
        self.padding = (self.half + self.shift, -self.shift, 0, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, self.padding))

    def row(self, batch: int, width: int) -> "HorizontalRow":
        """This convolution one pixel at a time along a row, for ``batch`` rows of ``width``."""
        return HorizontalRow(self, batch, width)


class HorizontalRow:
    """A ``HorizontalConv`` one pixel at a time along a row, from a buffer of the row's inputs;
    ``clear()`` starts the next row. The buffer is channels-last, (B, W, C_in), so a window is one
    contiguous run."""

    def __init__(self, conv: HorizontalConv, batch: int, width: int):
        self.shift = conv.shift
        self.half = conv.half
        self.inputs = conv.conv.weight.new_zeros(batch, width + conv.half + conv.shift, conv.conv.in_channels)
        self.weight = conv.conv.weight[:, :, 0].transpose(1, 2).flatten(1)  # (C_out, (k//2 + 1) C_in)
        self.bias = conv.conv.bias

    def clear(self) -> None:
        self.inputs.zero_()

    def write(self, j: int, value: Vector) -> None:
        """The input at column j of the current row, (B, C_in)."""
        self.inputs[:, j + self.half + self.shift] = value

    def __call__(self, j: int) -> Vector:
        """The output at column j, (B, C_out)."""
        return F.linear(self.inputs[:, j:j + self.half + 1].flatten(1), self.weight, self.bias)


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


def attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, causal: bool,
              bias: torch.Tensor | None = None) -> torch.Tensor:
    """Scaled dot-product attention, every head at once: softmax(q k^T / sqrt(d_k) + b + M) v.

    ``query`` (B, heads, T_q, d_k), ``key`` (B, heads, T_k, d_k), ``value`` (B, heads, T_k, d_v)
    -> (B, heads, T_q, d_v). With ``causal=True`` (T_q = T_k) the mask M is minus infinity above the
    diagonal, so query t averages the values at t and before only: the future gets weight exactly
    zero. A query over a cache of the keys and values so far needs no mask (``causal=False``).
    ``bias`` b (heads, T_q, T_k), if given, is added to the scores (a learned bias per relative
    position). The one home of the maths: every forward pass, every cached step and every
    attention map (``CausalSelfAttention.weights``) call it, and it calls torch's fused kernel.
    """
    if bias is None:
        return F.scaled_dot_product_attention(query, key, value, is_causal=causal)
    if causal:
        future = torch.ones(bias.shape[-2:], dtype=torch.bool, device=bias.device).triu(1)
        bias = bias.masked_fill(future, float("-inf"))
    return F.scaled_dot_product_attention(query, key, value, attn_mask=bias)


def relative_offsets(grid: tuple[int, ...], key_shift: int = 0) -> torch.Tensor:
    """For positions on ``grid`` ((D,) or (H, W)) in raster order, the index of the offset from the
    element a query stands for to the element a key carries, (D, D): one index per distinct (row,
    column) difference, in 0 .. prod(2 size - 1) - 1, so pairs the same offset apart share it.

    Query position t stands for element t. Key position s carries element s - ``key_shift``: a
    network that shifts its inputs right by one (``CausalTransformer``) has position s hold x_{s-1},
    so the offset that "the pixel above" is at stays the same in every row and column. Key positions
    before the shift (the start vector) carry no element and get indices of their own, after the
    offsets'.
    """
    sizes = torch.tensor(grid)
    positions = torch.arange(math.prod(grid))
    coordinates = torch.stack(torch.unravel_index(positions, grid), dim=-1)  # (D, n), raster order
    elements = positions - key_shift  # what each key position carries
    offsets = coordinates[:, None] - coordinates[elements.clamp(min=0)][None] + sizes - 1  # each 0 .. 2 size - 2
    index = torch.zeros(offsets.shape[:2], dtype=torch.long)
    for dim, size in enumerate(grid):
        index = index * (2 * size - 1) + offsets[..., dim]
    count = math.prod(2 * size - 1 for size in grid)
    return torch.where(elements[None] < 0, count + positions[None], index)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention over a sequence of vectors (B, T, W), causal unless built with
    ``causal=False`` (which only a demonstration of what the mask is for should do).

    One linear map gives each position a query, a key and a value per head (W / ``heads`` numbers
    each); ``attention`` mixes the values; a second linear map joins the heads. With ``relative``,
    the grid of positions ((D,) or (H, W)), each head adds a learned score per relative offset
    between query and key to their product (Shaw et al., 2018), so it can look at "the pixel above"
    wherever the query is; ``key_shift`` says how far behind its position each key's element lies
    (``relative_offsets``). Stepped one position at a time by a ``KVCache`` of the keys and values
    so far.
    """

    def __init__(self, width: int, heads: int, causal: bool = True, relative: tuple[int, ...] | None = None,
                 key_shift: int = 0):
        super().__init__()
        check_positive_int(width, "width")
        check_positive_int(heads, "heads")
        if width % heads:
            raise ValueError(f"heads must divide width into equal parts, got width={width} and heads={heads}")
        self.heads = heads
        self.causal = causal
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.relative = None
        self.grid = None if relative is None else tuple(relative)
        self.key_shift = key_shift
        if relative is not None:
            # One learned score per head and relative offset (row and column difference), and one per
            # key position before the shift (the start vector). An offset's score starts as minus a
            # slope times its length, a slope per head (1, 1/2, 1/4, ...): every head starts out
            # looking near, some nearer than others (ALiBi, Press et al., 2022, in 2-D); the start
            # vector's starts as far as the farthest offset.
            lengths = [sum(abs(o - size + 1) for o, size in zip(offset, self.grid))
                       for offset in product(*(range(2 * size - 1) for size in self.grid))]
            lengths = torch.tensor(lengths + [max(lengths)] * key_shift, dtype=torch.float)
            slopes = 2.0 ** -torch.arange(heads, dtype=torch.float)
            self.relative = nn.Parameter(-slopes[:, None] * lengths)
            self.register_buffer("offsets", relative_offsets(self.grid, key_shift), persistent=False)  # (D, D)

    def score_bias(self, queries: slice = slice(None), keys: slice = slice(None)) -> torch.Tensor | None:
        """What the relative-position scores add to attention's scores, (heads, T_q, T_k), for the
        ``queries`` and ``keys`` given as slices of the raster positions (default: all D of each);
        None without them."""
        return None if self.relative is None else self.relative[:, self.offsets[queries, keys]]

    def project(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Inputs (B, T, W) -> queries, keys and values, each (B, heads, T, W / heads)."""
        batch, length, width = h.shape
        qkv = self.qkv(h).reshape(batch, length, 3, self.heads, width // self.heads)
        return qkv.permute(2, 0, 3, 1, 4).unbind(0)

    def merge(self, heads: torch.Tensor) -> torch.Tensor:
        """The heads' outputs (B, heads, T, W / heads) -> (B, T, W), joined by the output map."""
        batch, _, length, _ = heads.shape
        return self.out(heads.transpose(1, 2).reshape(batch, length, -1))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.merge(attention(*self.project(h), causal=self.causal, bias=self._bias(h.shape[1])))

    def _bias(self, length: int) -> torch.Tensor | None:
        return self.score_bias(slice(length), slice(length))

    def weights(self, h: torch.Tensor) -> torch.Tensor:
        """The attention weights, (B, heads, T, T): row t holds how much query t takes from each
        position. They are what ``attention`` returns when position s's value is the indicator of s
        (the identity matrix), so they come from the very function the forward pass calls."""
        query, key, _ = self.project(h)
        batch, heads, length, _ = query.shape
        indicators = torch.eye(length, dtype=query.dtype, device=query.device).expand(batch, heads, length, length)
        return attention(query, key, indicators, causal=self.causal, bias=self._bias(length))

    def cache(self, batch: int, length: int) -> "KVCache":
        """This attention one position at a time, for ``batch`` sequences of up to ``length``."""
        return KVCache(self, batch, length)

    def extra_repr(self) -> str:
        return f"heads={self.heads}, causal={self.causal}"


class KVCache:
    """A ``CausalSelfAttention`` one position at a time: each call appends the newest position's key
    and value to the cache and lets its query attend over the cache, which holds exactly the
    positions up to and including it. What a causal mask hides in the full pass is simply not
    there yet, so no mask is needed; the keys and values of earlier positions are never recomputed."""

    def __init__(self, layer: CausalSelfAttention, batch: int, length: int):
        if not layer.causal:
            raise ValueError("an attention without its causal mask reads the future, so it cannot be computed "
                             "one position at a time")
        self.layer = layer
        head_width = layer.out.in_features // layer.heads
        self.keys = layer.out.weight.new_zeros(batch, layer.heads, length, head_width)
        self.values = torch.zeros_like(self.keys)
        self.filled = 0

    def __call__(self, newest: Vector) -> Vector:
        """The layer's output at the next position, (B, W), from its input there, (B, W)."""
        query, key, value = self.layer.project(newest.unsqueeze(1))
        t = self.filled
        if t == self.keys.shape[2]:
            raise ValueError(f"the cache holds {t} positions and is full")
        self.keys[:, :, t] = key[:, :, 0]
        self.values[:, :, t] = value[:, :, 0]
        self.filled = t + 1
        bias = self.layer.score_bias(slice(t, t + 1), slice(t + 1))  # (heads, 1, t + 1): one row
        return self.layer.merge(attention(query, self.keys[:, :, :t + 1], self.values[:, :, :t + 1],
                                          causal=False, bias=bias))[:, 0]
