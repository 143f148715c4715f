"""The book's data: scikit-learn's bundled 8x8 digits, split as Tomczak's (2022) companion code splits them.

Every pixel takes one of 17 values (0..16). An image is a row of 64 integers in raster order
(``load_digits``) or a (1, 8, 8) picture (``as_images``). Nothing is ever downloaded.
"""
from functools import lru_cache

import numpy as np
import torch

NUM_VALS = 17
"""Pixel values of the digits: 0, 1, ..., 16."""

IMAGE_SHAPE = (1, 8, 8)
"""One digit as an image: (channels, height, width)."""

DIGIT_LENGTH = 64
"""One digit as a sequence: its 8 x 8 pixels in raster order."""

SPLITS = {"train": slice(0, 1000), "val": slice(1000, 1350), "test": slice(1350, 1797)}
"""First 1000 images to train, next 350 to validate, last 447 to test, as in Tomczak's (2022) companion code."""


@lru_cache(maxsize=1)
def _all_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    return bunch.data.astype(np.int64), bunch.target.astype(np.int64)


def load_digits(split: str, *, return_labels: bool = False):
    """The digits of one split as a LongTensor (N, 64) with values 0..16, in raster order.

    With ``return_labels=True`` returns ``(x, y)``, where ``y`` (N,) holds the classes 0..9.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    pixels, labels = _all_digits()
    rows = SPLITS[split]
    x = torch.from_numpy(pixels[rows].copy())
    if return_labels:
        return x, torch.from_numpy(labels[rows].copy())
    return x


def as_images(x: torch.Tensor) -> torch.Tensor:
    """Rows of 64 pixels (N, 64) viewed as images (N, 1, 8, 8); raster order is unchanged."""
    if x.dim() != 2 or x.shape[1] != DIGIT_LENGTH:
        raise ValueError(f"x must have shape (N, {DIGIT_LENGTH}), got {tuple(x.shape)}")
    return x.reshape(-1, *IMAGE_SHAPE)


def binarise(x: torch.Tensor, threshold: int = NUM_VALS // 2) -> torch.Tensor:
    """Pixels at or above ``threshold`` become 1, the rest 0 (a two-valued version of the digits)."""
    return (x >= threshold).long()
