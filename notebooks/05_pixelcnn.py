# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · PixelCNN: causal convolutions in two dimensions
#
# Chapter 04 read the digits as a sequence of 64 pixels and predicted each one with causal 1-D
# convolutions. But an image is not a sequence: the pixel just above $x_{ij}$ touches it in the
# picture, yet in the sequence it lies a whole row back, eight steps on the digits and $W$ steps on
# an image $W$ pixels wide. Tomczak (2022) calls 1-D causal convolutions typically insufficient for
# images, because of these dependencies in two dimensions, and turns to PixelCNN
# (van den Oord et al., 2016b), which keeps the image two-dimensional and keeps the raster order of
# the chain rule. Rows and columns count from 0, as in PyTorch, throughout this chapter: on an
# image of $H$ rows and $W$ columns,
#
# $$p(\mathbf{x}) = \prod_{i=0}^{H-1} \prod_{j=0}^{W-1} p\big(x_{ij} \mid \mathbf{x}_{<ij}\big),
#   \qquad \mathbf{x}_{<ij} = \{x_{kl} : k < i \ \text{or} \ (k = i,\ l < j)\},$$
#
# every row above, and the pixels to the left in the current row. A 2-D convolution looks at a
# square around each pixel, so we make it causal as Tomczak (2022) does: by **masking** the weights
# that would read the future. This chapter works the mask out with numbers, trains a PixelCNN on the
# digits, and finds the flaw of stacked masks: a **blind spot**. It also puts Tomczak's argument to
# the test. On the digits the PixelCNN does *not* score better than chapter 04's dilated 1-D
# network; section 7 measures what the second dimension does buy, and where.

# %%
import copy
import itertools

import matplotlib.pyplot as plt
import torch
from IPython.display import display
from torch import nn

import armlib
from armlib import diagrams, ladder, plots
from armlib.models.conv1d import DilatedConvNet
from armlib.book.display import MarkdownText, table
from armlib.layers import MaskedConv2d, causal_mask
from armlib.models.pixelcnn import PixelCNN
from armlib.diagnostics.receptive_field_2d import (blind_spot, field_map, influencing_positions, out_of_reach,
                                                   position_gradient, raster_past)
from armlib.book.plots import show_receptive_field

armlib.setup(seed=0)

CHANNELS = 64         # feature maps in every hidden layer
LAYERS = 5            # residual type-B layers after the type-A layer
FIRST_KERNEL = 5      # the type-A layer reads a 5x5 window (its causal half: 12 pixels)
DROPOUT = 0.2         # on the input of every type-B layer: the digits are few, the model overfits
LR = 3e-3             # Adam's learning rate
EPOCHS = 40           # upper limit
PATIENCE = 5          # epochs without a better validation NLL before stopping
NUM_SAMPLES = 16      # digits drawn from the model
DEPTH = 8             # masked 3x3 layers in the blind-spot stack: they reach 8 rows up, 8 columns aside
CANVAS = 17           # the canvas for the blind-spot pictures: room for that reach around ...
TARGET = (8, 8)       # ... the pixel whose receptive field we draw
LARGE_CANVAS = 25     # a larger canvas, to check that the border of the first one hides nothing
FIELD_ROWS = 8        # canvases of 8 rows ...
WIDTHS = (8, 16, 32, 64, 128)  # ... and these widths, for comparing the 1-D and the 2-D network
DRAWN_WIDTH = 32      # the width whose receptive fields we draw

x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)) for split in ("train", "val", "test"))
print(x_train.shape, x_val.shape, x_test.shape)

# %% [markdown]
# ## 1. The mask
#
# A $k \times k$ kernel centred on pixel $(i, j)$ covers $k$ rows; the rows below the centre and
# the pixels right of the centre come later in raster order, so their weights must be zero. What
# happens to the centre itself is the choice between the two types:
#
# - **type A** hides the centre. The first layer reads the image, and its output at $(i, j)$ must not
#   see $x_{ij}$, the very pixel it predicts.
# - **type B** keeps the centre. Every later layer reads *features*, and the feature at $(i, j)$
#   already depends only on pixels before $(i, j)$; reading it is safe, and it carries what the
#   network knows about the current position.
#
# This is the 2-D version of chapter 04's option A and option B; Tomczak (2022) uses those names
# for the 2-D kernels too, van den Oord et al. (2016b) call them masks A and B. `causal_mask` builds
# the mask:

# %%
armlib.show_source(causal_mask)

# %% tags=["nbval-check-output"]
print("type A:\n", causal_mask(3, "A").int().numpy())
print("type B:\n", causal_mask(3, "B").int().numpy())
print("type A, 5x5:\n", causal_mask(FIRST_KERNEL, "A").int().numpy())

# %% [markdown]
# ## 2. Tomczak (2022), Figs. 4 and 5, with numbers
#
# Tomczak (2022), Figs. 4 and 5, draw a masked $3 \times 3$ kernel, a small image of zeros and ones,
# and the result of the type-A masked convolution with padding 1. Here is the same kind of
# computation on a $5 \times 5$ image, with type B and a plain kernel beside type A. So that each
# output is easy to check by eye, every kernel weight is 1: the output at $(i, j)$ then *counts* the
# ones the kernel sees. The plain kernel sees the pixel's eight neighbours and the pixel itself; the
# type-A kernel sees only the three pixels above and the one to the left; type B adds the centre.
# (PyTorch's `conv2d` is a cross-correlation: the kernel is not flipped, so the mask reads as drawn.)
#
# `MaskedConv2d` is an ordinary `nn.Conv2d` whose weights are multiplied by the mask in every
# forward pass:

# %%
armlib.show_source(MaskedConv2d, methods=["__init__", "forward"])

# %% tags=["nbval-check-output"]
image = torch.tensor([[0, 1, 1, 1, 0],
                      [0, 0, 0, 1, 0],
                      [0, 0, 1, 0, 0],
                      [0, 1, 0, 0, 0],
                      [0, 1, 0, 0, 0]], dtype=torch.float32)


def unit_kernel(mask_type: str | None) -> nn.Conv2d:
    """A 3x3 convolution with padding 1 and every weight 1: plain (None), or masked A / B."""
    conv = (nn.Conv2d(1, 1, 3, padding=1, bias=False) if mask_type is None
            else MaskedConv2d(1, 1, 3, mask_type, bias=False))
    with torch.no_grad():
        conv.weight.fill_(1.0)
    return conv


with torch.no_grad():
    results = {name: unit_kernel(kind)(image[None, None])[0, 0].int()
               for name, kind in [("plain kernel", None), ("type A", "A"), ("type B", "B")]}

# %%
fig, axes = plt.subplots(1, 4, figsize=(11, 3.2))
for ax, (title, picture) in zip(axes, [("image", image.int()), *results.items()]):
    ax.imshow(picture.numpy(), cmap="Oranges", vmin=0, vmax=4)
    for r in range(5):
        for c in range(5):
            ax.text(c, r, int(picture[r, c]), ha="center", va="center", fontsize=12)
    ax.set_title(title)
    ax.set_axis_off()
armlib.show_figure("5.1", "A $5 \\times 5$ image and its convolutions (padding 1) with a $3 \\times 3$ kernel of "
                   "ones: plain, type A, type B; each entry counts the ones that the kernel sees there.")
above, left, centre = image[1, 1:4].sum(), image[2, 1], image[2, 2]
assert results["type A"][2, 2] == above + left == 1
assert results["type B"][2, 2] == above + left + centre == 2
assert results["plain kernel"][2, 2] == image[1:4, 1:4].sum() == 3

# %% [markdown]
# Read the entry at row 2, column 2 of Figure 5.1, a pixel that is 1. The type-A kernel counts 1:
# of the three pixels above and the one to its left only $x_{1,3}$ is 1, and all four come earlier
# in raster order. Type B counts 2, because it adds the centre, $x_{2,2}$ itself: fine for a layer
# that reads features, cheating for the first layer, which would see the answer it is asked to
# predict. The plain kernel counts 3: it also reads $x_{3,1}$ below, a pixel drawn *after*
# $x_{2,2}$. The asserts under the figure state the same.

# %% [markdown]
# ## 3. PixelCNN
#
# Tomczak (2022) describes the masked kernel but trains no 2-D network: his companion code trains
# the 1-D network of chapter 04. The network here is therefore the book's own. It follows the
# outline of van den Oord et al. (2016b), a type-A layer, then type-B layers, then $1 \times 1$
# convolutions to a softmax over the pixel values, but is much smaller (their first layer is
# $7 \times 7$, ours $5 \times 5$, with five hidden layers of 64 channels). Figure 5.2 draws it:
#
# - the pixel enters as its value scaled to $[0, 1]$ (the default `inputs="value"`; chapter 06's
#   network reads one indicator per level instead) and goes through the $5 \times 5$ type-A layer
#   to 64 feature maps $h_0$;
# - five residual type-B layers follow, $h \leftarrow h + \mathrm{conv}_B(\mathrm{dropout}(\mathrm{ReLU}(h)))$:
#   the residual connection (He et al., 2016) keeps a deep stack easy to train, and dropout
#   (Srivastava et al., 2014) on the input of each $3 \times 3$ type-B convolution fights
#   overfitting;
# - ReLU, $1 \times 1$, ReLU, $1 \times 1$ give 17 logits per pixel, which the `Categorical` head
#   of chapter 02 turns into $p(x_{ij} \mid \mathbf{x}_{<ij})$.
#
# Nothing else mixes positions: no pooling, and no batch normalisation, whose statistics over
# $H \times W$ would let every pixel peek at the whole image, the future included.

# %%
ax = diagrams.pixelcnn_diagram(LAYERS, first_kernel_size=FIRST_KERNEL, channels=CHANNELS, num_vals=armlib.NUM_VALS)
armlib.show_figure("5.2", "This chapter's PixelCNN, from the image $x$ (left) to the logits $\\theta$ (right).",
                   fig=ax.figure)

# %% [markdown]
# The class `PixelCNN` is that diagram in code:

# %%
armlib.show_source(PixelCNN, methods=["__init__", "encode", "hidden_input", "forward"])

# %% [markdown]
# The builder registered as `"pixelcnn"` joins the network to the head. Before training, the
# causality check of chapter 04 changes every one of the 64 pixels in turn and confirms that no
# earlier conditional moves:

# %% tags=["nbval-check-output"]
model = armlib.MODELS["pixelcnn"](channels=CHANNELS, layers=LAYERS, first_kernel_size=FIRST_KERNEL,
                                  dropout=DROPOUT)
armlib.check_autoregressive(model)
print("causal over all 64 positions")
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# ## 4. Training
#
# Maximum likelihood with `armlib.fit`, as in chapters 02-04: Adam (Kingma & Ba, 2015), batches of
# 64 digits (`fit`'s default), the validation NLL after every epoch, early stopping, the best weights
# restored.

# %%
history = armlib.fit(model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
score = armlib.evaluate(model, x_test)
print(f"best epoch {history.best_epoch} of {history.epochs}, {history.seconds[-1]:.0f} s of training")
print(f"test NLL {score.nats:.2f} nats per image, {score.bpd:.3f} bits per dimension")
assert score.nats <= 85, "PixelCNN should reach 85 nats per image or better on test"

# %% [markdown]
# In the run shown here the best validation NLL came at epoch 34 of 39, and the test NLL is 80.61
# nats per image (1.817 bits per dimension): less than half of the 181.33 nats of the uniform
# model, and well under the 85 this chapter asks for. The learning curve (Figure 5.3)
# shows the usual picture of a small data set: the training NLL (measured with dropout on) keeps
# falling while the validation NLL flattens out.

# %%
ax = plots.learning_curve(history, labels=["PixelCNN"])
armlib.show_figure("5.3", "The PixelCNN's learning curve: training NLL (dashed, with dropout on) and validation "
                   "NLL (solid) per epoch.", fig=ax.figure)

# %% [markdown]
# Figure 5.4 sets 16 digits of the test split beside 16 samples drawn from the model, pixel by pixel
# in raster order.

# %%
samples = model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title="PixelCNN samples")
armlib.show_figure("5.4", "Sixteen test digits (left) and sixteen samples from the PixelCNN (right).")

# %% [markdown]
# ## 5. The ladder
#
# The PixelCNN's row joins the ladder of every model so far, all scored the same way on the same
# test split (Table 5.1).

# %%
ladder.record("05_pixelcnn", [ladder.entry("PixelCNN", model, score, history)])
display(MarkdownText(f"**Table 5.1.** The ladder so far: test NLL of every model, on the same {len(x_test)} test "
                     "digits.\n\n" + ladder.markdown(through="05_pixelcnn")))

# %% [markdown]
# Set it against the best row so far, chapter 04's dilated 1-D network, read from the results that
# chapter recorded:

# %%
dilated = ladder.find("04_causal_conv1d", "CausalConv1d, dilated gated residual (64 channels)")
pixelcnn_params = sum(p.numel() for p in model.parameters())
display(table(["network", "test NLL [nats per image]", "parameters", "epochs run (cap)"],
              [["PixelCNN, 2-D (this chapter)", f"{score.nats:.2f}", f"{pixelcnn_params:,}",
                f"{history.epochs} ({EPOCHS})"],
               ["dilated CausalConv1D, 1-D (chapter 04)", f"{dilated['test_nats']:.2f}", f"{dilated['params']:,}",
                f"{dilated['epochs']} (30)"]], align="lrrr"))
print(f"difference (2-D minus 1-D): {score.nats - dilated['test_nats']:+.2f} nats per image")

# %% [markdown]
# The two-dimensional network does not win: 80.61 against 80.19 nats per image, 0.42 nats worse,
# with more parameters. Nor do these runs show firmly that it loses. Each number comes from a
# single training run, and the random seed, which picks the initial weights, the order of the
# batches and the dropout masks, moves a test NLL too. By how much, this chapter does not measure.
# Chapter 06's ablation (Table 6.1) trains this chapter's configuration on three seeds, on another
# CPU: its test NLL is 80.62 ± 0.13 nats per image. If chapter 04's network varied as much, the
# difference of two single runs would vary by about $\sqrt{2} \times 0.13 \approx 0.18$ nats, and
# the gap of 0.42 would be a little more than twice that. But the 1-D network's spread over seeds
# has not been measured, so the gap leans towards the 1-D network and one run of each cannot
# settle it.
#
# And more than the dimension differs between the two runs (Table 5.2):
#
# **Table 5.2.** What differs between chapter 04's dilated network and this chapter's PixelCNN.
#
# | | chapter 04: dilated 1-D network | chapter 05: PixelCNN |
# |---|---|---|
# | the image as | a sequence of 64 pixels | an $8 \times 8$ grid |
# | a pixel enters as | one-hot vector over the 17 levels | its value scaled to $[0, 1]$ |
# | first layer | causal, option A, kernel 3 | masked, type A, $5 \times 5$ |
# | hidden layers | 5 gated residual blocks, kernel 3, dilations 1, 2, 4, 8, 16 | 5 plain residual type-B layers, $3 \times 3$ |
# | dropout 0.2 | inside each block, on the gated output before the $1 \times 1$ $W_o$ | on the input of each type-B convolution |
# | output layers | ReLU, $1 \times 1$, ReLU, $1 \times 1$ | the same |
# | parameters | 152,913 | 191,569 |
# | batch size | 32 | 64 |
# | learning rate, patience | $3 \cdot 10^{-3}$, 5 | the same |
# | epochs: cap, run | 30, 22 | 40, 39 |
#
# Neither cap was reached: both runs were ended by early stopping. So on the digits the ladder does
# not bear out the argument this chapter opened with, and it could not credit a difference to the
# second dimension if it found one. Section 7 measures what each network can see, and what the
# second dimension does buy.
#
# ## 6. The blind spot
#
# Which input pixels can reach the prediction at $(i, j)$? Take the gradient of the outputs at
# $(i, j)$ with respect to the input image: it is zero wherever no path through the network
# connects the two. We start with the cleanest case, a stack of eight masked $3 \times 3$ layers
# (one type A, seven type B) with every weight 1 and no non-linearity. Then the gradient counts the
# paths from each input pixel to $(i, j)$. Each layer reaches at most one row further up and one
# column further to either side, so eight layers reach 8 rows up and 8 columns aside; on a
# $17 \times 17$ canvas with the target at $(8, 8)$ the whole reach fits, and the border cuts
# nothing off.

# %%
armlib.show_source(position_gradient)

# %% tags=["nbval-check-output"]
stack = nn.Sequential(unit_kernel("A"), *[unit_kernel("B") for _ in range(DEPTH - 1)]).double()
canvas = torch.zeros(1, 1, CANVAS, CANVAS, dtype=torch.float64)
stack_gradient = position_gradient(stack, canvas, TARGET)
row, column = TARGET
field = influencing_positions(stack_gradient)
print(f"the field reaches {row - min(r for r, _ in field)} rows up, {column - min(c for _, c in field)} columns "
      f"left and {max(c for _, c in field) - column} columns right")
stack_blind = blind_spot(stack_gradient, TARGET, beyond_reach=False)
print(f"{len(stack_blind)} pixels in the blind spot of {TARGET}, "
      f"{len(out_of_reach(stack_gradient, TARGET))} out of reach")

# %%
fig, ax = plt.subplots(figsize=(5.5, 4.5))
show_receptive_field(stack_gradient, TARGET, ax=ax, title=f"{DEPTH} masked $3 \\times 3$ layers (unit weights)",
                     beyond_reach=False)
fig.colorbar(ax.images[0], ax=ax, shrink=0.8, label="$\\log_{10}$ number of paths")
armlib.show_figure("5.5", f"What reaches {TARGET} (red frame) on a ${CANVAS} \\times {CANVAS}$ canvas through "
                   f"{DEPTH} masked $3 \\times 3$ layers: shaded, the pixels with a path to it; red x, its blind "
                   "spot.")

# %% [markdown]
# In Figure 5.5 the red frame is the pixel being predicted, shaded pixels reach it, and red crosses
# mark pixels that come before it and yet never reach it; white pixels without a cross come after
# it. The shade is the base-10 logarithm of the gradient: with unit weights and no non-linearity,
# the number of paths from each pixel to the target. (`field_map` prints the same picture as text:
# `o` the target, `#` a pixel that reaches it, `x` a crossed-out pixel, `-` a pixel out of reach,
# `.` a later pixel.) Not every earlier pixel that fails to reach a target is in its blind spot.
# Some are merely too far: a pixel 9 rows up lies beyond what eight layers span, as a pixel 100 steps
# back lies beyond the 65 steps of chapter 04's network, and more layers would reach it. We call
# such pixels **out of reach**: neither they nor any pixel above them in their column reaches the
# target; the pictures mark them with small grey dots, and here there are none. The **blind spot**
# is the other kind: pixels the field passes over. A pixel higher up in the same column reaches the
# target, they do not. Here it is a wedge of 28 pixels up and to the right of the target. The two
# functions:

# %%
armlib.show_source(out_of_reach)

# %%
armlib.show_source(blind_spot)

# %% [markdown]
# The blind spot was pointed out by van den Oord et al. (2016c), and it is why chapter 06 changes
# the architecture. The reason is in the mask. A type-B kernel links a pixel to itself (its
# centre), to the pixel on its left, and to the three pixels in the row above, one column left,
# straight above, or one column right. So a path may move one column right only by moving one row
# up as well: after any number of layers, a pixel $c$ columns to the right of the target must be at
# least $c$ rows up to be seen. Stacking more layers extends the field left and upward, but the
# wedge stays: it is a property of the mask, not of the depth.
#
# Nor is the count of 28 an effect of the border. On a $25 \times 25$ canvas, with the target 12
# rows and columns in, the same stack has the same blind spot, shifted by 4 rows and columns, and
# the earlier pixels more than 8 rows up or 8 columns aside, which the small canvas did not have,
# are out of reach:

# %% tags=["nbval-check-output"]
middle = LARGE_CANVAS // 2
large_gradient = position_gradient(stack, torch.zeros(1, 1, LARGE_CANVAS, LARGE_CANVAS, dtype=torch.float64),
                                   (middle, middle))
large_blind = blind_spot(large_gradient, (middle, middle), beyond_reach=False)
print(f"{LARGE_CANVAS}x{LARGE_CANVAS} canvas: {len(large_blind)} pixels in the blind spot of {(middle, middle)}, "
      f"{len(out_of_reach(large_gradient, (middle, middle)))} out of reach")
shift = middle - row
assert large_blind == {(r + shift, c + shift) for r, c in stack_blind}
assert stack_blind == {(r, c) for r in range(row) for c in range(CANVAS) if c - column > row - r}

# %% [markdown]
# Figure 5.6 shows the same picture for the trained PixelCNN itself. Its layers are
# fully convolutional, so it runs on the $17 \times 17$ canvas too; we give it a random input in
# float64 (why, section 7 explains). Its kernels span less: 2 rows and columns for the $5 \times 5$
# layer, one for each of the five $3 \times 3$ layers, 7 in all. So the top row and the columns at
# the far left and right are out of reach (grey dots). Its $5 \times 5$ type-A layer reaches two
# columns to the right in the row above, where a $3 \times 3$ one reaches one, and that pushes the
# wedge one column further right.

# %%
trained_net = copy.deepcopy(model.net).double()
random_canvas = torch.rand(1, 1, CANVAS, CANVAS, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
net_gradient = position_gradient(trained_net, random_canvas, TARGET)
net_blind, net_far = blind_spot(net_gradient, TARGET, beyond_reach=False), out_of_reach(net_gradient, TARGET)
print(f"trained PixelCNN: {len(net_blind)} pixels in the blind spot of {TARGET}, {len(net_far)} out of reach")
reach = FIRST_KERNEL // 2 + LAYERS * (3 // 2)  # rows up and columns aside that its kernels span: 2 + 5 = 7
unseen = raster_past(TARGET, CANVAS, CANVAS) - influencing_positions(net_gradient)
assert net_far == {(r, c) for r, c in unseen if max(row - r, abs(c - column)) > reach}
assert net_blind and all(c - column > row - r for r, c in net_blind), "the blind spot lies up and to the right"

fig, ax = plt.subplots(figsize=(5.5, 4.5))
show_receptive_field(net_gradient, TARGET, ax=ax, title="the trained PixelCNN", beyond_reach=False)
fig.colorbar(ax.images[0], ax=ax, shrink=0.8, label=r"$\log_{10}\,|\partial f(\mathbf{x})_{ij} / \partial x_{kl}|$")
armlib.show_figure("5.6", f"What reaches {TARGET} (red frame) on a ${CANVAS} \\times {CANVAS}$ canvas through "
                   "the trained PixelCNN: red x, its blind spot; grey dots, pixels out of reach.")

# %% [markdown]
# In Figure 5.6 the shade is the base-10 logarithm of the gradient of the trained network on a
# random input, white where it is zero. Figure 5.5's field reaches the canvas's edges, 8 rows up and
# 8 columns to either side, with the 28-pixel wedge crossed out. This one is smaller, 7 rows up and
# 7 columns to either side, with 15 pixels in its blind spot and 32 out of reach.
#
# The blind spot is a hole in the model's view: pixels the chain rule allows it to use, that lie
# within the span of its kernels, and that no path through the network reaches. This chapter does
# not measure what the hole costs in nats. Chapter 06 closes it with two stacks of convolutions,
# one looking up, one looking left.
#
# ## 7. One dimension or two
#
# Section 5 found no difference in likelihood between the PixelCNN and chapter 04's 1-D network that
# one run of each could resolve. The tools of section 6 show what each network reads, and what the
# second dimension does buy. Chapter 04's network reads the image as a sequence, so its field is
# measured in *steps back along the sequence*: its kernels and dilations reach the last 65
# positions, whatever the shape of the image. The PixelCNN's field is measured in *rows and columns*
# of the picture.
#
# To probe both the same way, `RasterOrder` wraps chapter 04's network as an image network: it
# reads the image row by row, as chapter 04 did, and folds the outputs back into rows. Both
# networks are fully convolutional, so they run on canvases of any size. We take 8 rows, widths
# from 8 (the digits) to 128, and as the target the middle pixel of the bottom row, and we ask
# three questions of each network: how many of the pixels before the target it reads, whether it
# reads the pixel directly above, and how many of the 12 pixels of a causal $5 \times 5$ window
# around the target (the ones of the type-A mask) it reads. Which pixels a network reads is set by
# its layers, not by the values of its weights, so chapter 04's network can be an untrained copy;
# the PixelCNN is the one trained above. Both are probed on a random input, which makes it very
# unlikely that the ReLUs switch off every path from some pixel (a zero gradient would then be a
# coincidence of the input, not a property of the layers), and in float64, so that small gradients
# are not lost to rounding.

# %%
class RasterOrder(nn.Module):
    """A sequence network as an image network: it reads the image row by row, as chapter 04 did,
    and folds its outputs back into rows, (B, C, H, W) -> (B, P, H, W)."""

    def __init__(self, sequence_net: nn.Module):
        super().__init__()
        self.sequence_net = sequence_net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sequence_net(x.flatten(2)).unflatten(2, x.shape[2:])


def sequence_net(**options) -> RasterOrder:
    """Chapter 04's network (its defaults unless ``options`` say otherwise), untrained and in
    float64, as an image network."""
    return RasterOrder(DilatedConvNet(**options).layers).double()


def reads(net, in_channels: int, width: int) -> dict:
    """What reaches the middle pixel of the bottom row of a FIELD_ROWS x width canvas through net."""
    target = (FIELD_ROWS - 1, width // 2)
    canvas = torch.rand(1, in_channels, FIELD_ROWS, width, dtype=torch.float64,
                        generator=torch.Generator().manual_seed(0))
    gradient = position_gradient(net, canvas, target)
    seen, past = influencing_positions(gradient), raster_past(target, FIELD_ROWS, width)
    (i, j), half = target, FIRST_KERNEL // 2
    window = {(i + r - half, j + c - half) for r, c in causal_mask(FIRST_KERNEL, "A").nonzero().tolist()}
    return {"target": target, "gradient": gradient, "past": len(past), "read": len(seen & past),
            "above": (i - 1, j) in seen, "window": len(seen & window),
            "blind": len(blind_spot(gradient, target, beyond_reach=False))}


yes_no = {True: "yes", False: "no"}
one_d, two_d, rows = {}, {}, []
for width in WIDTHS:
    one_d[width], two_d[width] = reads(sequence_net(), armlib.NUM_VALS, width), reads(trained_net, 1, width)
    a, b = one_d[width], two_d[width]
    rows.append([width, a["past"], a["read"], yes_no[a["above"]], f"{a['window']} of 12",
                 b["read"], yes_no[b["above"]], f"{b['window']} of 12"])
display(table(["width", "earlier pixels", "1-D: reads", "1-D: above", "1-D: window", "2-D: reads", "2-D: above",
               "2-D: window"], rows, align="rrrlrrlr",
              caption=f"**Table 5.3.** What reaches the middle pixel of the bottom row of an {FIELD_ROWS}-row canvas: "
                      "how many of the earlier pixels, whether the pixel directly above, how many of the 12 pixels "
                      f"of the causal ${FIRST_KERNEL} \\times {FIRST_KERNEL}$ window."))

# %% [markdown]
# Read Table 5.3 row by row ("1-D" is chapter 04's network, "2-D" the PixelCNN). On the digits
# (width 8) chapter 04's network reads all 60 pixels before the target: on an image this small, 65
# steps back cover everything. The PixelCNN reads 59 of them; the one it misses is in its blind
# spot. On the digits the 1-D network sees *more* than the 2-D one, 60 pixels against 59: the second
# dimension gives the PixelCNN no advantage in reach here.
#
# From width 16 on, each network reads a fixed number of pixels, 65 and 97, whatever the width, but
# in different ways. The PixelCNN reads the same patch around the target at every width: the pixel
# above and the whole window included. The 1-D network reads the last 65 pixels in raster order, and
# which pixels of the picture those are changes with the width: as the image widens they are the
# pixels to the left in the target's own row and a shrinking part of the row above. At width 64 it
# reads only 6 of the 12 pixels of the window, at width 128 not even the pixel directly above, and
# 2 of the 12. The 1-D network has no blind spot at any width: whatever it does not read is out of
# reach. The PixelCNN's blind spot is the 15-pixel wedge of section 6 from width 16 on; on the 8x8
# digits the border leaves 1 pixel of it.

# %% tags=["nbval-check-output"]
print("blind-spot pixels at widths", WIDTHS)
print("  1-D network:", [one_d[width]["blind"] for width in WIDTHS])
print("  PixelCNN:   ", [two_d[width]["blind"] for width in WIDTHS])

# %% [markdown]
# Chapter 04's network can be made to keep up: each block with twice the dilation of the last
# doubles the steps back it reads. How many blocks of that design (dilations $1, 2, 4, \dots$) does
# it take, at each width, to read the pixel above, and to read the whole $5 \times 5$ window, and
# what do they cost in parameters? The same probe answers (Table 5.4).

# %%
def smallest_sequence_net(width: int, enough) -> tuple[int, int, dict]:
    """The fewest doubling blocks (dilations 1, 2, 4, ...) with which chapter 04's design reads enough
    at this width (``enough`` tests what ``reads`` found): blocks, parameters, what it reads."""
    for blocks in itertools.count(1):
        net = sequence_net(dilations=[2 ** b for b in range(blocks)])
        found = reads(net, armlib.NUM_VALS, width)
        if enough(found):
            return blocks, sum(p.numel() for p in net.parameters()), found


for_above = {width: smallest_sequence_net(width, lambda found: found["above"]) for width in WIDTHS}
for_window = {width: smallest_sequence_net(width, lambda found: found["window"] == 12) for width in WIDTHS}
rows = []
for width in WIDTHS:
    (blocks_a, params_a, _), (blocks_w, params_w, found_w) = for_above[width], for_window[width]
    rows.append([width, blocks_a, f"{params_a:,}", blocks_w, f"{params_w:,}", found_w["read"]])
display(table(["width", "blocks for the pixel above", "their parameters", "blocks for the window", "their parameters",
               "pixels they read"], rows,
              caption=f"**Table 5.4.** The smallest 1-D network of chapter 04's design that reads the pixel above, "
                      f"and the whole ${FIRST_KERNEL} \\times {FIRST_KERNEL}$ window, at each width. The PixelCNN "
                      f"reads both at every width, with {pixelcnn_params:,} parameters and "
                      f"{two_d[WIDTHS[-1]]['read']} pixels read."))

# %% tags=["nbval-check-output"]
per_block = {params_b - params_a for (_, params_a, _), (_, params_b, _) in
             itertools.pairwise(for_above[width] for width in WIDTHS)}
print(f"parameters per doubling block: {', '.join(f'{p:,}' for p in sorted(per_block))}")
print(f"pixel above at width {WIDTHS[-1]}: 1-D {for_above[WIDTHS[-1]][1]:,} parameters, "
      f"PixelCNN {pixelcnn_params:,}")
assert one_d[8]["read"] == one_d[8]["past"], "on the digits the 1-D network reads every earlier pixel"
assert not one_d[WIDTHS[-1]]["above"], "on the widest canvas the pixel above is out of the 1-D network's reach"
assert all(two_d[width]["above"] and two_d[width]["window"] == 12 for width in WIDTHS)
assert all(for_above[width][1] < pixelcnn_params for width in WIDTHS)
assert all(for_window[width][0] == for_above[width][0] + 2 for width in WIDTHS)

# %% [markdown]
# Parameters are not where the two networks differ. The 1-D network needs one more doubling block
# each time the width doubles, 28,864 parameters a block: its size grows with the logarithm of the
# width, and the one that reads the pixel above is smaller than the PixelCNN at every width here,
# 181,777 parameters against 191,569 at width 128. To read the whole window it needs two blocks
# more at every width (239,505 parameters at width 128).
#
# Where they differ is *which* pixels they read. The PixelCNN reads a patch of 97 pixels around the
# target, the same at every width from 16 on. A 1-D network reads a stretch of the sequence: to reach the
# window's pixels two rows up, it must read every pixel in between, 513 of them at width 128, and
# most of those are far from the target in the picture. Figure 5.7 draws the two fields of the
# chapter's networks on the canvas of width 32, as in section 6: shaded where a pixel reaches the
# target (red frame), crosses on the blind spot, grey dots on pixels out of reach.

# %%
fig, axes = plt.subplots(2, 1, figsize=(10, 6))
for ax, (name, found) in zip(axes, [("chapter 04's 1-D network, read row by row", one_d),
                                    ("the PixelCNN", two_d)]):
    show_receptive_field(found[DRAWN_WIDTH]["gradient"], found[DRAWN_WIDTH]["target"], ax=ax, title=name,
                         beyond_reach=False)
armlib.show_figure("5.7", f"What reaches the target (red frame) on the ${FIELD_ROWS} \\times {DRAWN_WIDTH}$ canvas "
                   "through chapter 04's 1-D network (top) and the PixelCNN (bottom); shade, $\\log_{10}$ of the "
                   "gradient; red x, blind spot; grey dots, out of reach.")

# %% [markdown]
# In Figure 5.7 the 1-D network's field is a band: the row to the left of the target, the whole row
# above, and the right half of the row above that, because that is where the last 65 positions of
# the sequence lie. Everything else is out of reach. The PixelCNN's field is a patch around the
# target, reaching the top of the canvas 7 rows up and 7 columns to either side, with the wedge of
# its blind spot crossed out on the upper right and the columns beyond its reach dotted on both
# sides.
#
# So the second dimension buys a field shaped like the picture: the same neighbourhood around the
# target whatever the picture's width. A 1-D network can be grown to read the same neighbours, at a
# cost in parameters that grows only with the logarithm of the width, but only by reading the whole
# stretch of the sequence in between. The PixelCNN pays for its shape with the blind spot, and on
# 8x8 digits, where 65 steps back already reach every pixel, the second dimension adds no reach.
# Whether it buys nats on larger images, this chapter does not measure.
#
# ## Summary
#
# - A 2-D convolution is made causal by **masking** its kernel: the rows below the centre and the
#   pixels right of the centre are zero; type A (first layer) hides the centre too, type B (every
#   later layer) keeps it. With unit weights the masked outputs count what each mask lets through:
#   Tomczak (2022), Figs. 4 and 5, in numbers.
# - This chapter's PixelCNN, a 5x5 type-A layer, five residual type-B layers and 1x1 layers to 17
#   logits per pixel, is causal over all 64 positions and scores 80.61 nats per image on the test
#   split.
# - Chapter 04's dilated 1-D network scores 80.19. With one run each, a gap of 0.42 nats leans
#   towards the 1-D network but does not settle which is better (chapter 06's ablation measures a
#   standard deviation over seeds of 0.13 nats for this chapter's configuration; the 1-D network's
#   has not been measured); the two also differ in input encoding, layers, dropout and batch size.
# - Stacked masks leave a **blind spot**, a wedge up and to the right of the target that the field
#   passes over: 28 pixels for eight 3x3 layers, on any canvas large enough, and 15 for the trained
#   PixelCNN. Pixels **out of reach**, beyond what the kernels span, are another matter: more layers
#   reach them, but no number of layers closes the blind spot. Chapter 06's two stacks do.
# - What two dimensions buy is the shape of the receptive field: a neighbourhood in the picture at
#   any width, with a fixed set of layers. A 1-D network reads the last positions of the sequence;
#   it needs one more doubling block per doubling of the width to keep the pixel above in view,
#   a logarithmic cost in parameters (still below the PixelCNN's at width 128), and it then reads
#   the whole stretch of the sequence in between. On the 8x8 digits, where the 1-D network already
#   reads every earlier pixel, the second dimension adds no reach.
#
# ## Exercises
#
# 1. Work out by hand the type-B output at row 3, column 2 of the example in section 2, then check
#    it against Figure 5.1. ([solution](solutions/05_pixelcnn_solutions.ipynb#exercise-1))
# 2. Train the PixelCNN with `first_kernel_size=3` and with the chapter's `first_kernel_size=5`,
#    each on seeds 0 and 1 (`armlib.setup(seed=s)` before building the model and `seed=s` in
#    `armlib.fit`), with the chapter's settings but `epochs=6` (short runs, to fit the solutions'
#    budget). How does the blind spot change (use `field_map`)? Report the mean and standard
#    deviation of the test NLL of each: is the difference of the means larger than the spread? ([solution](solutions/05_pixelcnn_solutions.ipynb#exercise-2))
# 3. Replace the residual type-B layers with plain ones,
#    $h \leftarrow \mathrm{conv}_B(\mathrm{dropout}(\mathrm{ReLU}(h)))$, and train the network as
#    in exercise 2 on seeds 0 and 1. How do its learning curves compare with those of the residual
#    network of exercise 2? ([solution](solutions/05_pixelcnn_solutions.ipynb#exercise-3))
# 4. Put `nn.BatchNorm2d` after the type-A layer. `armlib.check_autoregressive` runs the model in
#    eval mode: does it complain? Write a check that runs in training mode and catches the leak. ([solution](solutions/05_pixelcnn_solutions.ipynb#exercise-4))
# 5. With `DEPTH = 8` the field reaches 8 rows up (Figure 5.5). How many masked 3x3 layers does a
#    pixel at the bottom right of an 8x8 digit need to see the top-left corner? ([solution](solutions/05_pixelcnn_solutions.ipynb#exercise-5))

# %% [markdown]
# ## References
#
# - He, K., Zhang, X., Ren, S., & Sun, J. (2016). Deep Residual Learning for Image Recognition. *Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)*, 770–778.
# - Kingma, D. P., & Ba, J. (2015). Adam: A Method for Stochastic Optimization. *International Conference on Learning Representations (ICLR)*.
# - Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I., & Salakhutdinov, R. (2014). Dropout: A Simple Way to Prevent Neural Networks from Overfitting. *Journal of Machine Learning Research*, 15(56), 1929–1958.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
# - van den Oord, A., Kalchbrenner, N., & Kavukcuoglu, K. (2016b). Pixel Recurrent Neural Networks. *Proceedings of the 33rd International Conference on Machine Learning (ICML)*, 1747–1756.
# - van den Oord, A., Kalchbrenner, N., Espeholt, L., Vinyals, O., Graves, A., & Kavukcuoglu, K. (2016c). Conditional Image Generation with PixelCNN Decoders. *Advances in Neural Information Processing Systems 29 (NeurIPS)*, 4790–4798.
