"""Receptive fields of image networks by gradients: which input pixels reach the output at one
position (the 2-D companion of ``armlib.receptive_field``).

For a network f and an image x, the gradient of the outputs at position (i, j), summed over their
channels, with respect to x is zero at every pixel that no path through the network connects to
(i, j). Drawn as an image, it shows what a model may look at when it predicts x_ij. For a causal
image model every pixel before (i, j) in raster order may be reachable. Those that are not fall in
two kinds. Some lie beyond the field's edge: no pixel above them in their column reaches (i, j)
either (``out_of_reach``); more layers or wider kernels would reach them. The others are holes the
field passes over: a pixel higher up in the same column reaches (i, j), they do not. Those holes are
the blind spot of a stack of masked kernels (``blind_spot(..., beyond_reach=False)``); by default
``blind_spot`` returns both kinds, every earlier pixel that gets no gradient.
``armlib.book.plots.show_receptive_field`` draws the picture.

A nonzero gradient proves a dependence; a zero one at a single input can, in a network with ReLUs,
also mean that every path happens to be switched off there. Use random float64 inputs (or a network
without such units) and read the picture with that in mind; ``armlib.check_autoregressive`` is the
exhaustive test of causality.
"""
from contextlib import nullcontext

import torch
from torch import nn

from ..modes import evaluating


def check_position(position, height: int, width: int) -> tuple[int, int]:
    if (not isinstance(position, (tuple, list)) or len(position) != 2
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in position)):
        raise TypeError(f"position must be a pair of ints (row, column), got {position!r}")
    row, column = position
    if not (0 <= row < height and 0 <= column < width):
        raise ValueError(f"position must lie in the {height}x{width} image, got {tuple(position)}")
    return row, column


def position_gradient(net, x: torch.Tensor, position, y: torch.Tensor | None = None) -> torch.Tensor:
    """|d sum_p f(x)[0, p, i, j] / d x[0]|, summed over the input channels: an (H, W) image.

    ``net`` maps a float image batch (B, C, H, W) (and labels ``y`` when given) to (B, P, H, W);
    a module runs in eval mode (no dropout). ``x`` is one float image (1, C, H, W) in the
    network's dtype; ``position`` is (i, j).
    """
    if not isinstance(x, torch.Tensor) or not x.dtype.is_floating_point:
        raise TypeError(f"x must be a floating-point tensor (gradients need one), got "
                        f"{x.dtype if isinstance(x, torch.Tensor) else type(x).__name__}")
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"x must be one image of shape (1, C, H, W), got {tuple(x.shape)}")
    row, column = check_position(position, *x.shape[2:])
    x = x.detach().clone().requires_grad_(True)
    with evaluating(net) if isinstance(net, nn.Module) else nullcontext():
        out = net(x) if y is None else net(x, y)
    if out.dim() != 4 or tuple(out.shape[2:]) != tuple(x.shape[2:]):
        raise ValueError(f"the network must return (1, P, {x.shape[2]}, {x.shape[3]}), got {tuple(out.shape)}")
    (gradient,) = torch.autograd.grad(out[0, :, row, column].sum(), x)
    return gradient[0].abs().sum(0)


def influencing_positions(gradient: torch.Tensor) -> set[tuple[int, int]]:
    """The pixels (row, column) where ``position_gradient`` is nonzero: the receptive field."""
    return {(int(r), int(c)) for r, c in torch.nonzero(gradient)}


def raster_past(position, height: int, width: int) -> set[tuple[int, int]]:
    """Every pixel strictly before ``position`` in raster order: what x_ij may depend on."""
    row, column = check_position(position, height, width)
    return {(r, c) for r in range(height) for c in range(width) if (r, c) < (row, column)}


def out_of_reach(gradient: torch.Tensor, position) -> set[tuple[int, int]]:
    """Pixels before ``position`` in raster order beyond the edge of its receptive field: neither the
    pixel nor any pixel above it in its column influences ``position``. (A canvas too small for the
    field cuts it off and makes more pixels look out of reach: give the field room.)"""
    field = influencing_positions(gradient)
    unseen = raster_past(position, *gradient.shape) - field
    return {(r, c) for r, c in unseen if not any((above, c) in field for above in range(r))}


def blind_spot(gradient: torch.Tensor, position, *, beyond_reach: bool = True) -> set[tuple[int, int]]:
    """Pixels before ``position`` in raster order that do not influence it: the region the model
    is allowed to use but cannot see. With ``beyond_reach=False`` only the holes inside the field,
    the pixels ``out_of_reach`` left out: what a stack of masked kernels hides from a pixel it
    otherwise reaches past."""
    unseen = raster_past(position, *gradient.shape) - influencing_positions(gradient)
    return unseen if beyond_reach else unseen - out_of_reach(gradient, position)


def field_map(gradient: torch.Tensor, position, *, beyond_reach: bool = True) -> str:
    """The receptive field as text, one line per row: ``o`` the position, ``#`` a pixel that
    influences it, ``x`` a blind-spot pixel (before it in raster order, yet unseen), ``.`` the rest.
    With ``beyond_reach=False`` the unseen pixels ``out_of_reach`` get ``-`` instead of ``x``."""
    row, column = check_position(position, *gradient.shape)
    influencing = influencing_positions(gradient)
    blind = blind_spot(gradient, position, beyond_reach=beyond_reach)
    far = set() if beyond_reach else out_of_reach(gradient, position)

    def symbol(r: int, c: int) -> str:
        if (r, c) == (row, column):
            return "o"
        return "#" if (r, c) in influencing else "x" if (r, c) in blind else "-" if (r, c) in far else "."

    height, width = gradient.shape
    return "\n".join(" ".join(symbol(r, c) for c in range(width)) for r in range(height))
