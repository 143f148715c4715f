"""Colour digits: the book's digits written in a random ink colour on white paper, (N, 3, 8, 8).

A digit's pixel holds an amount of ink i in 0..16. Written with an ink of colour t = (t_R, t_G, t_B)
in [0, 1]^3 (the colour of a fully inked pixel), channel c of the pixel is

    x_c = round(16 - i (1 - t_c)),

so blank paper (i = 0) is white (16, 16, 16) and full ink (i = 16) is 16 t. The three channels of a
pixel move together, each a linear function of the same ink amount: what the channel coupling of
PixelCNN++ is made for. The inks are drawn once, from a fixed seed, for all 1797 digits; the splits
are the digits' splits.
"""
import torch

from .data import IMAGE_SHAPE, NUM_VALS, SPLITS, load_digits

COLOUR_SHAPE = (3, *IMAGE_SHAPE[1:])
"""One colour digit: (channels, height, width)."""

MAX_INK = 0.75
"""Each ink channel t_c is uniform in [0, MAX_INK]: dark enough to stand out from white paper."""


def tint(x: torch.Tensor, ink: torch.Tensor) -> torch.Tensor:
    """Write digits ``x`` ((N, 64) or (N, 1, 8, 8), values 0..16) in the colours ``ink`` ((N, 3),
    each in [0, 1]) on white paper; returns a LongTensor (N, 3, 8, 8) with values 0..16."""
    amount = x.reshape(len(x), 1, *IMAGE_SHAPE[1:]).double()
    if ink.shape != (len(x), 3):
        raise ValueError(f"ink must have shape ({len(x)}, 3), one colour per digit, got {tuple(ink.shape)}")
    if ink.min() < 0 or ink.max() > 1:
        raise ValueError(f"ink colours must lie in [0, 1], got values in [{ink.min().item():g}, {ink.max().item():g}]")
    paper = NUM_VALS - 1
    return torch.round(paper - amount * (1 - ink.double()[:, :, None, None])).long()


def load_colour_digits(split: str, seed: int = 0) -> torch.Tensor:
    """The digits of one split in random inks, LongTensor (N, 3, 8, 8) with values 0..16.

    The inks come from ``seed`` and do not depend on the split, so the same digit always has the
    same colour."""
    digits = max(rows.stop for rows in SPLITS.values())
    inks = torch.rand(digits, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * MAX_INK
    return tint(load_digits(split), inks[SPLITS[split]])
