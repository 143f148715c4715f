"""The book's figures: image grids, learning curves. Each function draws on an ``ax`` it is given
(or a new figure) and returns the axes, so a chapter composes them and ends with ``plt.show()``."""
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

from ..data import IMAGE_SHAPE, NUM_VALS
from ..diagnostics.receptive_field_2d import blind_spot, check_position, out_of_reach


def _images(x: torch.Tensor, image_shape) -> torch.Tensor:
    """Any batch of images -> (N, H, W) or (N, H, W, 3) floats for imshow."""
    x = torch.as_tensor(x).detach().cpu()
    if x.dim() == 2:
        x = x.reshape(-1, *image_shape)
    if x.dim() == 4:
        x = x.permute(0, 2, 3, 1)
        if x.shape[-1] == 1:
            x = x[..., 0]
    return x.float()


def image_grid(x: torch.Tensor, nrow: int | None = None, *, num_vals: int = NUM_VALS, ax=None, title: str | None = None,
               image_shape=IMAGE_SHAPE, cmap: str = "gray_r", row_labels=None, col_labels=None):
    """Draw a batch of images, (N, D) rows in raster order or (N, C, H, W), as one grid.

    Pixel values 0..num_vals-1 map to white..black (``gray_r``), so digits look like ink on paper;
    colour images (C = 3) are shown as they are. NaN pixels of a one-channel image (pixels not
    shown, e.g. the part of an image a model is not given) are drawn in a light grey with hatching.
    ``row_labels`` and ``col_labels`` name the rows and columns of the grid.
    """
    images = _images(x, image_shape) / (num_vals - 1)
    n = len(images)
    nrow = nrow or math.ceil(math.sqrt(n))
    ncol = math.ceil(n / nrow)
    height, width = images.shape[1:3]
    pad = 1
    canvas = torch.full((nrow * (height + pad) - pad, ncol * (width + pad) - pad, *images.shape[3:]), float("nan"))
    hidden = torch.zeros(canvas.shape[:2], dtype=torch.bool)  # NaN pixels inside an image
    for i, image in enumerate(images):
        r, c = divmod(i, ncol)
        cell = slice(r * (height + pad), r * (height + pad) + height), slice(c * (width + pad), c * (width + pad) + width)
        canvas[cell] = image
        if images.dim() == 3:
            hidden[cell] = image.isnan()
    if ax is None:
        _, ax = plt.subplots(figsize=(ncol * 0.5 + 0.5, nrow * 0.5 + 0.5))
    shown = canvas if images.dim() == 3 else canvas.nan_to_num(1.0)
    colormap = plt.get_cmap(cmap).copy()
    colormap.set_bad("white")
    ax.imshow(shown.numpy(), cmap=colormap, vmin=0, vmax=1, interpolation="nearest")
    for r, c in hidden.nonzero().tolist():
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="0.85", edgecolor="0.6",
                                   hatch="///", linewidth=0))
    ax.set_axis_off()
    if row_labels is not None or col_labels is not None:
        ax.set_axis_on()
        ax.set_xticks([c * (width + pad) + (width - 1) / 2 for c in range(len(col_labels or []))],
                      col_labels or [])
        ax.set_yticks([r * (height + pad) + (height - 1) / 2 for r in range(len(row_labels or []))],
                      row_labels or [])
        ax.tick_params(length=0, labeltop=True, labelbottom=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


def real_vs_samples(real: torch.Tensor, samples: torch.Tensor, *, num_vals: int = NUM_VALS, nrow: int = 4,
                    image_shape=IMAGE_SHAPE, title: str = "samples"):
    """Real images beside model samples, the same number of each."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4))
    image_grid(real, nrow, num_vals=num_vals, ax=left, title="real (test split)", image_shape=image_shape)
    image_grid(samples, nrow, num_vals=num_vals, ax=right, title=title, image_shape=image_shape)
    return left, right


def learning_curve(*histories, labels=None, ax=None, reference: float | None = None, x: str = "epoch"):
    """Train and validation NLL per epoch (``x="epoch"``) or against training time (``x="seconds"``)
    for one or more ``History`` objects; an optional horizontal ``reference`` line."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    labels = labels or [None] * len(histories)
    for history, label, colour in zip(histories, labels, plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        steps = history.seconds if x == "seconds" else range(1, history.epochs + 1)
        prefix = f"{label}: " if label else ""
        ax.plot(steps, history.train_nll, color=colour, alpha=0.5, linestyle="--", label=prefix + "train")
        ax.plot(steps, history.val_nll, color=colour, label=prefix + "validation")
    if reference is not None:
        ax.axhline(reference, color="black", linewidth=0.8, linestyle=":", label=f"reference {reference:g}")
    ax.set_xlabel("training time [s]" if x == "seconds" else "epoch")
    ax.set_ylabel("NLL [nats per image]")
    ax.legend()
    return ax


def show_receptive_field(gradient: torch.Tensor, position, *, ax=None, title: str | None = None,
                         beyond_reach: bool = True):
    """Draw log10 |gradient| (white where it is zero), the position in a red frame and every
    blind-spot pixel crossed out in red. With ``beyond_reach=False`` the crosses mark only the holes
    inside the field and the pixels ``out_of_reach`` get small grey dots."""
    row, column = check_position(position, *gradient.shape)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    magnitude = gradient.detach().double().numpy()
    shown = np.ma.masked_equal(magnitude, 0.0)
    colormap = plt.get_cmap("Blues").with_extremes(bad="white")
    ax.imshow(np.ma.log10(shown), cmap=colormap, interpolation="nearest")
    ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2))
    for r, c in blind_spot(gradient, position, beyond_reach=beyond_reach):
        ax.plot(c, r, marker="x", color="red", markersize=5)
    for r, c in set() if beyond_reach else out_of_reach(gradient, position):
        ax.plot(c, r, marker=".", color="0.55", markersize=4)
    height, width = gradient.shape
    ax.set_xticks(np.arange(-0.5, width), minor=True)
    ax.set_yticks(np.arange(-0.5, height), minor=True)
    ax.grid(which="minor", color="lightgray", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if title:
        ax.set_title(title)
    return ax
