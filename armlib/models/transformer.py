"""The causal Transformer (Vaswani et al., 2017) as an ARM: self-attention over the pixels in raster
order, with the future masked.

The D positions (64 pixels of a digit, or the steps of a sequence) become D vectors of width W:

    s_0 = start,   s_d = embed(x_{d-1}) for d >= 1,   plus the embedding of position d

(shift right by one, with a learned start vector), so that s_d depends on x_<d only. Pre-norm blocks
follow, each

    h <- h + dropout(attention(LayerNorm(h))),   h <- h + dropout(MLP(LayerNorm(h))),

where causal attention lets position d average over positions up to d only. A last LayerNorm and a
linear map give the head's parameters at every position. Nothing but attention mixes positions, and
its mask keeps the future out, so the network is causal.

Attention has no notion of order: without a position embedding, s_d would not know where d is (the
mask alone tells it only how many positions come before). ``positions`` chooses a learned vector per
position (``"1d"``), the sum of a learned vector per row and one per column (``"rows_columns"``,
which tells attention what is above what), or none. ``relative_bias`` gives attention the offset
between two positions instead: a learned score per head and offset added before the softmax.

Options bring back a convolution's local view (PixelSNAIL, Chen et al., 2018, interleaves the two):
``conv_kernel_size`` adds a masked k x k convolution of type A over the image to the inputs, and
``gated_blocks`` a small gated PixelCNN (chapter 06), both from ``armlib``'s own layers, each stepped
by its own cache.
"""

import torch
from torch import nn

from ..arm import ARM
from ..data import IMAGE_SHAPE, NUM_VALS
from ..heads import Categorical
from ..layers import (INPUTS, CausalSelfAttention, MaskedConv2d, Stepper, Vector, check_inputs, check_kernel_size,
                      input_channels, start_output_bias)
from ..modes import evaluating
from ..validation import check_positive_int, check_probability
from .gated_pixelcnn import GatedPixelCNN
from .registry import register

POSITIONS = ("1d", "rows_columns", "none")
"""How a position enters: a learned vector per position, a learned vector per row plus one per
column (images only), or nothing (attention then knows only what the mask tells it)."""


class TransformerBlock(nn.Module):
    """One pre-norm block, over a sequence (B, T, W) or, in a step, one position (B, W):

        h <- h + dropout(attention(LayerNorm(h)))
        h <- h + dropout(MLP(LayerNorm(h))),   MLP = Linear -> GELU -> Linear.
    """

    def __init__(self, width: int, heads: int, mlp_width: int, dropout: float = 0.0, causal: bool = True,
                 relative: tuple[int, ...] | None = None, key_shift: int = 0):
        super().__init__()
        self.attention_norm = nn.LayerNorm(width)
        self.attention = CausalSelfAttention(width, heads, causal, relative, key_shift)
        self.mlp_norm = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, mlp_width), nn.GELU(), nn.Linear(mlp_width, width))
        self.dropout = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor, attend=None) -> torch.Tensor:
        """The block over a sequence h (B, T, W); or over one position h (B, W) with ``attend``
        the attention's ``KVCache``, which supplies the earlier positions. LayerNorm, the MLP and
        dropout act on each position alone, so the rest of the maths is the same for both."""
        attend = self.attention if attend is None else attend
        h = h + self.dropout(attend(self.attention_norm(h)))
        return h + self.dropout(self.mlp(self.mlp_norm(h)))


class CausalTransformer(nn.Module):
    """A causal network of attention blocks: x (B, D) or (B, C, H, W) integers -> parameters of the
    likelihood head (B, P, D) or (B, P, H, W).

    ``grid`` is the positions, (H, W) for images (x (B, C, H, W), raster order) or (D,) for
    sequences (x (B, D)). A pixel enters as level indicators (``inputs="levels"``, which through the
    first linear map is a learned embedding per level) or as its value in [0, 1] (``"value"``);
    ``positions`` is one of ``POSITIONS``. ``layers`` blocks of ``width`` channels and ``heads``
    heads follow, with an MLP ``mlp_width`` wide (4 ``width`` by default) and ``dropout`` on the
    inputs and on every residual branch. ``conv_kernel_size`` (odd) adds a masked convolution of
    type A to the inputs, ``gated_blocks`` a gated PixelCNN of that many blocks and
    ``gated_channels`` channels (images only). ``relative_bias`` adds to every head's attention
    scores a learned number per relative offset (row and column difference, Shaw et al., 2018), so
    a head can look at "the pixel above" wherever it is. ``mask=False`` removes the causal mask, which breaks
    the network: it is there to show ``check_autoregressive`` catching that.
    """

    def __init__(self, num_vals: int = NUM_VALS, grid: tuple[int, ...] = IMAGE_SHAPE[1:], width: int = 64,
                 layers: int = 4, heads: int = 4, mlp_width: int | None = None, dropout: float = 0.1,
                 positions: str = "none", inputs: str = "levels", conv_kernel_size: int | None = None,
                 gated_blocks: int = 0, gated_channels: int = 32, relative_bias: bool = True, mask: bool = True,
                 *, image_channels: int = 1, num_params: int | None = None, output_bias: torch.Tensor | None = None):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        grid = tuple(grid)
        if len(grid) not in (1, 2):
            raise ValueError(f"grid must be (D,) for sequences or (H, W) for images, got {grid}")
        for size in grid:
            check_positive_int(size, "grid")
        check_positive_int(width, "width")
        check_positive_int(layers, "layers")
        check_positive_int(heads, "heads")
        mlp_width = 4 * width if mlp_width is None else mlp_width
        check_positive_int(mlp_width, "mlp_width")
        check_probability(dropout, "dropout")
        if positions not in POSITIONS:
            raise ValueError(f"positions must be one of {POSITIONS}, got {positions!r}")
        check_inputs(inputs)
        check_positive_int(image_channels, "image_channels")
        num_params = num_vals if num_params is None else num_params
        check_positive_int(num_params, "num_params")
        if conv_kernel_size is not None:
            check_kernel_size(conv_kernel_size, "conv_kernel_size")
        if isinstance(gated_blocks, bool) or not isinstance(gated_blocks, int) or gated_blocks < 0:
            raise ValueError(f"gated_blocks must be a whole number of blocks, 0 for none, got {gated_blocks!r}")
        image = len(grid) == 2
        if not image and (positions == "rows_columns" or conv_kernel_size is not None or gated_blocks):
            what = "positions='rows_columns'" if positions == "rows_columns" else \
                "conv_kernel_size" if conv_kernel_size is not None else "gated_blocks"
            raise ValueError(f"{what} needs an image grid (H, W), got the sequence grid {grid}")
        if not image and image_channels != 1:
            raise ValueError(f"image_channels must be 1 for sequences, got {image_channels}")
        self.num_vals = num_vals
        self.grid = grid
        self.length = grid[0] * (grid[1] if image else 1)
        self.positions = positions
        self.inputs = inputs
        self.image_channels = image_channels
        self.mask = mask

        self.embed = nn.Linear(input_channels(inputs, image_channels, num_vals), width)
        self.start = nn.Parameter(torch.randn(width) * 0.02)
        if positions == "1d":
            self.position = nn.Parameter(torch.randn(self.length, width) * 0.02)
        elif positions == "rows_columns":
            self.row = nn.Parameter(torch.randn(grid[0], 1, width) * 0.02)
            self.column = nn.Parameter(torch.randn(1, grid[1], width) * 0.02)
        self.conv = None
        if conv_kernel_size is not None:
            self.conv = MaskedConv2d(self.embed.in_features, width, conv_kernel_size, "A")
        self.gated = None
        if gated_blocks:
            check_positive_int(gated_channels, "gated_channels")
            self.gated = GatedPixelCNN(num_vals, gated_channels, gated_blocks, dropout=dropout,
                                       image_channels=image_channels, num_params=width, inputs=inputs)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(TransformerBlock(width, heads, mlp_width, dropout, causal=mask,
                                                     relative=grid if relative_bias else None,
                                                     key_shift=1)  # position s holds x_{s-1}
                                    for _ in range(layers))
        self.out = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, num_params))
        start_output_bias(self.out[-1], output_bias)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Integer pixels (B, C, *S), or one position's (B, C) -> input channels (B, C_in, *S) or
        (B, C_in), in the dtype of the network's weights."""
        return INPUTS[self.inputs](x, self.num_vals, self.embed.weight)

    def position_table(self) -> torch.Tensor:
        """What each position adds to its input, (D, W), raster order; zeros with no positions."""
        if self.positions == "1d":
            return self.position
        if self.positions == "rows_columns":
            return (self.row + self.column).flatten(0, 1)
        return self.start.new_zeros(self.length, self.start.shape[0])

    def _channel_first(self, x: torch.Tensor) -> torch.Tensor:
        return x.unsqueeze(1) if len(self.grid) == 1 else x

    def tokens(self, x: torch.Tensor) -> torch.Tensor:
        """The blocks' input, (B, D, W): s_0 the start vector, s_d the embedding of x_{d-1}, each
        plus its position's vector (and the local convolutions' features at d, which read x_<d)."""
        x = self._channel_first(x)
        values = self.embed(self.encode(x).flatten(2).transpose(1, 2))  # (B, D, W)
        start = self.start.expand(x.shape[0], 1, -1)
        h = torch.cat([start, values[:, :-1]], dim=1) + self.position_table()  # shift right by one
        if self.conv is not None:
            h = h + self.conv(self.encode(x)).flatten(2).transpose(1, 2)
        if self.gated is not None:
            h = h + self.gated(x).flatten(2).transpose(1, 2)
        return self.dropout(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.tokens(x)
        for block in self.blocks:
            h = block(h)
        params = self.out(h).transpose(1, 2)  # (B, P, D)
        return params.reshape(*params.shape[:2], *self.grid)

    @torch.no_grad()
    def attention_weights(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The attention maps of every layer for the data x, in eval mode: one (B, heads, D, D)
        tensor per layer, row d holding how much position d takes from each position (position d
        holds x_{d-1}; position 0 the start vector)."""
        maps = []
        with evaluating(self):
            h = self.tokens(x)
            for block in self.blocks:
                maps.append(block.attention.weights(block.attention_norm(h)))
                h = block(h)
        return maps

    def stepper(self, batch: int, positions: tuple[int, ...], y=None) -> "TransformerStepper":
        if tuple(positions) != self.grid:
            raise ValueError(f"this network was built for the grid {self.grid}, got positions {tuple(positions)}")
        return TransformerStepper(self, batch)


class TransformerStepper(Stepper):
    """``CausalTransformer`` one position at a time: the previous position's value, final now, is
    embedded; every block attends from the new position over its ``KVCache``, which gains one key
    and one value per layer and step; the local convolutions step with their own caches."""

    def __init__(self, net: CausalTransformer, batch: int):
        super().__init__(net.grid)
        self.net = net
        self.before = None  # the previous position; the base class keeps the raster order
        self.positions = iter(net.position_table())
        self.caches = [block.attention.cache(batch, net.length) for block in net.blocks]
        self.conv = None if net.conv is None else net.conv.input_cache(batch, *net.grid)
        self.gated = None if net.gated is None else net.gated.stepper(batch, net.grid)
        self.batch = batch

    def step(self, x: torch.Tensor, position: tuple[int, ...]) -> Vector:
        net, before = self.net, self.before
        if before is None:
            h = net.start.expand(self.batch, -1)
        else:
            value = net.encode(x[(slice(None), slice(None), *before)])  # (B, C_in)
            h = net.embed(value)
            if self.conv is not None:
                self.conv.write(*before, value)
        self.before = position
        h = h + next(self.positions)
        if self.conv is not None:
            h = h + self.conv(*position)
        if self.gated is not None:
            h = h + self.gated(x, position)
        h = net.dropout(h)
        for block, cache in zip(net.blocks, self.caches):
            h = block(h, cache)
        return net.out(h)


@register("transformer")
def transformer(**overrides):
    """The attention chapter: a causal Transformer with a categorical head over the 17 values of
    the digits; 4 blocks 64 wide, 4 heads, relative-position scores and no absolute positions."""
    return ARM(CausalTransformer(**overrides), Categorical(NUM_VALS), IMAGE_SHAPE)


@register("transformer_hybrid")
def transformer_hybrid(**overrides):
    """The attention chapter's hybrid: a gated PixelCNN of 6 blocks (chapter 06) gives each pixel its
    local view of the pixels before it, and one attention block on top looks anywhere before it."""
    return transformer(**{"gated_blocks": 6, "layers": 1, "dropout": 0.2, **overrides})
