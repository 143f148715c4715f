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
# the chain rule,
#
# $$p(\mathbf{x}) = \prod_{i=1}^{H} \prod_{j=1}^{W} p\big(x_{ij} \mid \mathbf{x}_{<ij}\big),
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

import matplotlib.pyplot as plt
import torch
from IPython.display import Markdown
from torch import nn

import armlib
from armlib import ladder, plots
from armlib.conv1d import DilatedConvNet
from armlib.pixelcnn import MaskedConv2d, PixelCNN, causal_mask
from armlib.receptive_field_2d import (blind_spot, field_map, influencing_positions, position_gradient, raster_past,
                                       show_receptive_field)

armlib.setup(seed=0)

CHANNELS = 64         # feature maps in every hidden layer
LAYERS = 5            # residual type-B layers after the type-A layer
FIRST_KERNEL = 5      # the type-A layer reads a 5x5 window (its causal half: 12 pixels)
DROPOUT = 0.2         # on the input of every type-B layer: the digits are few, the model overfits
LR = 3e-3             # Adam's learning rate
EPOCHS = 40           # upper limit
PATIENCE = 5          # epochs without a better validation NLL before stopping
NUM_SAMPLES = 16      # digits drawn from the model
CANVAS = 16           # the larger canvas for the blind-spot pictures
TARGET = (7, 7)       # the pixel whose receptive field we draw
DEPTH = 8             # masked 3x3 layers in the blind-spot stack
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

# %%
# NBVAL_CHECK_OUTPUT
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
# ones the kernel sees. The plain kernel sees all nine neighbours; the type-A kernel sees only the
# three pixels above and the one to the left; type B adds the centre. (PyTorch's `conv2d` is a
# cross-correlation: the kernel is not flipped, so the mask reads as drawn.)
#
# `MaskedConv2d` is an ordinary `nn.Conv2d` whose weights are multiplied by the mask in every
# forward pass:

# %%
armlib.show_source(MaskedConv2d)

# %%
# NBVAL_CHECK_OUTPUT
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
print("image:\n", image.int().numpy())
for name, result in results.items():
    print(f"{name}:\n", result.numpy())

# %% [markdown]
# Read the entry at row 2, column 2 (counting from 0), a pixel that is 1. The type-A kernel counts
# 1: of the three pixels above and the one to its left only $x_{1,3}$ is 1, and all four come
# earlier in raster order. Type B counts 2, because it adds the centre, $x_{2,2}$ itself: fine for
# a layer that reads features, cheating for the first layer, which would see the answer it is asked
# to predict. The plain kernel counts 3: it also reads $x_{3,1}$ below, a pixel drawn *after*
# $x_{2,2}$. The asserts state the same, and Figure 1 draws the four arrays:

# %%
above, left, centre = image[1, 1:4].sum(), image[2, 1], image[2, 2]
assert results["type A"][2, 2] == above + left == 1
assert results["type B"][2, 2] == above + left + centre == 2
assert results["plain kernel"][2, 2] == image[1:4, 1:4].sum() == 3

fig, axes = plt.subplots(1, 4, figsize=(11, 3))
for ax, (title, picture) in zip(axes, [("image", image.int()), *results.items()]):
    ax.imshow(picture.numpy(), cmap="Oranges", vmin=0, vmax=4)
    for r in range(5):
        for c in range(5):
            ax.text(c, r, int(picture[r, c]), ha="center", va="center")
    ax.set_title(title)
    ax.set_axis_off()
fig.suptitle("Figure 1. A 5x5 image and its convolution with a 3x3 kernel of ones: plain, type A, type B")
plt.show()

# %% [markdown]
# ## 3. PixelCNN
#
# Tomczak (2022) describes the masked kernel but trains no 2-D network: his companion code trains
# the 1-D network of chapter 04. The network here is therefore the book's own. It follows the
# outline of van den Oord et al. (2016b), a type-A layer, then type-B layers, then $1 \times 1$
# convolutions to a softmax over the pixel values, but is much smaller (their first layer is
# $7 \times 7$, ours $5 \times 5$, with five hidden layers of 64 channels). The $1 \times 1$
# convolutions give 17 logits per pixel, which the `Categorical` head of chapter 02 turns into
# $p(x_{ij} \mid \mathbf{x}_{<ij})$. The pixel enters as its value scaled to $[0, 1]$ (the default
# `inputs="value"`; chapter 06's network reads one indicator per level instead). The type-B layers are
# residual, $h \leftarrow h + \mathrm{conv}_B(\mathrm{ReLU}(h))$, which keeps a deep stack easy to
# train, and dropout on their input fights overfitting. Nothing else mixes positions: no pooling,
# and no batch normalisation, whose statistics over $H \times W$ would let every pixel peek at the
# whole image, the future included.

# %%
armlib.show_source(PixelCNN)

# %% [markdown]
# The builder registered as `"pixelcnn"` joins the network to the head. Before training, the
# causality check of chapter 04 changes every one of the 64 pixels in turn and confirms that no
# earlier conditional moves:

# %%
# NBVAL_CHECK_OUTPUT
model = armlib.MODELS["pixelcnn"](channels=CHANNELS, layers=LAYERS, first_kernel_size=FIRST_KERNEL,
                                  dropout=DROPOUT)
armlib.check_autoregressive(model)
print("causal over all 64 positions")
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# ## 4. Training
#
# Maximum likelihood with `armlib.fit`, as in every chapter: Adam, the validation NLL after every
# epoch, early stopping, the best weights restored.

# %%
history = armlib.fit(model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
score = armlib.evaluate(model, x_test)
print(f"best epoch {history.best_epoch} of {history.epochs}, {history.seconds[-1]:.0f} s of training")
print(f"test NLL {score.nats:.2f} nats per image, {score.bpd:.3f} bits per dimension")
assert score.nats <= 85, "PixelCNN should reach 85 nats per image or better on test"

# %% [markdown]
# In the run shown here the best validation NLL came at epoch 34 of 39, and the test NLL is 80.46
# nats per image (1.814 bits per dimension): less than half of the 181.33 nats of the uniform
# model, and well under the 85 this chapter asks for. The learning curve (Figure 2)
# shows the usual picture of a small data set: the training NLL (measured with dropout on) keeps
# falling while the validation NLL flattens out.

# %%
ax = plots.learning_curve(history, labels=["PixelCNN"])
ax.set_title("Figure 2. The PixelCNN's learning curve")
plt.show()

# %% [markdown]
# Figure 3 sets 16 digits of the test split beside 16 samples drawn from the model, pixel by pixel
# in raster order.

# %%
samples = model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title="PixelCNN samples")
plt.suptitle("Figure 3. Test digits and samples from the PixelCNN")
plt.show()

# %% [markdown]
# ## 5. The ladder
#
# The PixelCNN's row joins the ladder of every model so far, all scored the same way on the same
# test split.

# %%
ladder.record("05_pixelcnn", [ladder.entry("PixelCNN", model, score, history)])
Markdown(ladder.markdown(through="05_pixelcnn"))

# %% [markdown]
# Set it against the best row so far, chapter 04's dilated 1-D network, read from the results that
# chapter recorded:

# %%
dilated = ladder.find("04_causal_conv1d", "CausalConv1d, dilated gated residual (64 channels)")
pixelcnn_params = sum(p.numel() for p in model.parameters())
print(f"PixelCNN, 2-D (this chapter):         test NLL {score.nats:.2f} nats per image, {pixelcnn_params:,} parameters")
print(f"dilated CausalConv1D, 1-D (chapter 04): test NLL {dilated['test_nats']:.2f} nats per image, "
      f"{dilated['params']:,} parameters")
print(f"difference (2-D minus 1-D): {score.nats - dilated['test_nats']:+.2f} nats per image")

# %% [markdown]
# The two-dimensional network does not win: 80.46 against 80.39 nats per image, 0.07 nats worse,
# with more parameters. Nor do these runs show it losing. Each number comes from a single training
# run, and a single run per network cannot separate a gap this small from the luck of the seed,
# which picks the initial weights, the order of the batches and the dropout masks (chapter 06
# trains each of its configurations on three seeds to measure that luck). We call it a draw. And
# more than the dimension differs between the two runs: chapter 04's network reads each pixel as a
# one-hot vector over the 17 levels, this one as a scaled value; its blocks are gated, these plain;
# it trained on batches of 32, this one on batches of 64. So on the digits the ladder does not
# bear out the argument this chapter opened with. Section 7 measures what each network can see,
# and what the second dimension does buy.
#
# ## 6. The blind spot
#
# Which input pixels can reach the prediction at $(i, j)$? Take the gradient of the outputs at
# $(i, j)$ with respect to the input image: it is zero wherever no path through the network
# connects the two. We start with the cleanest case, a stack of masked $3 \times 3$ layers with
# every weight 1 and no non-linearity, on a larger canvas of 16x16 so that the shape is not cut
# off by the border. Then the gradient counts the paths from each input pixel to $(i, j)$.

# %%
armlib.show_source(position_gradient)

# %%
# NBVAL_CHECK_OUTPUT
stack = nn.Sequential(unit_kernel("A"), *[unit_kernel("B") for _ in range(DEPTH - 1)]).double()
canvas = torch.zeros(1, 1, CANVAS, CANVAS, dtype=torch.float64)
stack_gradient = position_gradient(stack, canvas, TARGET)
print(field_map(stack_gradient, TARGET))
stack_blind = blind_spot(stack_gradient, TARGET)
print(f"{len(stack_blind)} pixels before {TARGET} never reach it")

# %% [markdown]
# `o` is the pixel being predicted, `#` the pixels that reach it, `x` the pixels that come before it
# and yet never reach it: the **blind spot**, here 28 pixels in a wedge up and to the right. It was
# pointed out by van den Oord et al. (2016c), and it is why chapter 06 changes the architecture. The
# reason is in the mask. A type-B kernel moves the field one row up *and* at most one column right,
# or stays in the row and moves left; it never moves right without also moving up. So after any
# number of layers a pixel $c$ columns to the right must be at least $c$ rows up to be seen.
# Stacking more layers widens the field to the left and upward, but the wedge stays: it is a
# property of the mask, not of the depth.
#
# Figure 4 shows the same picture as an image (log of the path count, white where it is zero,
# blind-spot pixels crossed out), beside the trained PixelCNN itself. Its layers are fully
# convolutional, so it runs on the 16x16 canvas too; its 5x5 type-A layer reaches two columns to the
# right instead of one, which narrows the wedge (22 blind pixels instead of 28) but does not close
# it.

# %%
row, column = TARGET
assert stack_blind == {(r, c) for r in range(row) for c in range(CANVAS) if c - column > row - r}

trained_net = copy.deepcopy(model.net).double()
random_canvas = torch.rand(1, 1, CANVAS, CANVAS, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
net_gradient = position_gradient(trained_net, random_canvas, TARGET)
net_blind = blind_spot(net_gradient, TARGET)
print(f"trained PixelCNN: {len(net_blind)} pixels in the blind spot of {TARGET}")
assert net_blind and all(c > column for _, c in net_blind), "the blind spot lies up and to the right"

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.5))
show_receptive_field(stack_gradient, TARGET, ax=left, title=f"{DEPTH} masked 3x3 layers (unit weights)")
show_receptive_field(net_gradient, TARGET, ax=right, title="the trained PixelCNN")
fig.suptitle(f"Figure 4. What reaches {TARGET} on a {CANVAS}x{CANVAS} canvas")
plt.show()

# %% [markdown]
# The blind spot is a hole in the model's view: pixels the chain rule allows it to use, and that no
# path through the network reaches. This chapter does not measure what the hole costs in nats.
# Chapter 06 closes it with two stacks of convolutions, one looking up, one looking left.
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
# its layers, not by the values of its weights, so chapter 04's network can be an untrained copy
# (in float64, on a random input, so that no ReLU happens to hide a path); the PixelCNN is the one
# trained above. The last column asks how many doubling blocks (dilations $1, 2, 4, \dots$) a 1-D
# network of chapter 04's design would need to read the pixel above, found with the same probe.

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
            "above": (i - 1, j) in seen, "window": len(seen & window)}


def blocks_for_the_pixel_above(width: int) -> tuple[int, int]:
    """The fewest doubling blocks (dilations 1, 2, 4, ...) with which chapter 04's design reads the
    pixel above, and that network's parameter count."""
    blocks = 1
    while not reads(net := sequence_net(dilations=[2 ** b for b in range(blocks)]), armlib.NUM_VALS, width)["above"]:
        blocks += 1
    return blocks, sum(p.numel() for p in net.parameters())


yes_no = {True: "yes", False: "no"}
one_d, two_d, table = {}, {}, [
    "| width | pixels before the target | 1-D: reads | 1-D: pixel above | 1-D: 5x5 window | PixelCNN: reads "
    "| PixelCNN: pixel above | PixelCNN: 5x5 window | 1-D blocks needed for the pixel above (parameters) |",
    "|---:|---:|---:|:---:|---:|---:|:---:|---:|---:|"]
for width in WIDTHS:
    one_d[width], two_d[width] = reads(sequence_net(), armlib.NUM_VALS, width), reads(trained_net, 1, width)
    a, b = one_d[width], two_d[width]
    blocks, params = blocks_for_the_pixel_above(width)
    table.append(f"| {width} | {a['past']} | {a['read']} | {yes_no[a['above']]} | {a['window']} of 12 | {b['read']} "
                 f"| {yes_no[b['above']]} | {b['window']} of 12 | {blocks} ({params:,}) |")
Markdown("\n".join(table))

# %% [markdown]
# Read the table row by row. On the digits (width 8) chapter 04's network reads all 60 pixels
# before the target: on an image this small, 65 steps back cover everything. The PixelCNN reads 59
# of them; the one it misses is in its blind spot. On the digits the 1-D network sees *more* than
# the 2-D one, and the draw of section 5 is no surprise.
#
# From width 16 on, each network reads a fixed number of pixels, 65 and 97, whatever the width;
# what changes is *which*. The 1-D network reads the last 65 pixels in raster order, and as the
# image widens those are the pixels to the left in the target's own row and a shrinking part of
# the row above: at width 64 it reads only 6 of the 12 pixels of the window, at width 128 not even
# the pixel directly above. To keep that pixel in view a network of chapter 04's design needs one
# more doubling block each time the width doubles, and the parameters that come with it (last
# column). The PixelCNN reads the pixel above and the whole window at every width, with the same
# layers and the same 191,569 parameters: its field is a neighbourhood in the picture, because its
# kernels are.
#
# Figure 5 draws the two fields on the canvas of width 32, as in section 6: blue where a pixel
# reaches the target (red frame), red crosses on pixels before the target that do not.

# %%
assert one_d[8]["read"] == one_d[8]["past"], "on the digits the 1-D network reads every earlier pixel"
assert not one_d[WIDTHS[-1]]["above"], "on the widest canvas the pixel above is out of the 1-D network's reach"
assert all(two_d[width]["above"] and two_d[width]["window"] == 12 for width in WIDTHS)

fig, axes = plt.subplots(2, 1, figsize=(10, 6))
for ax, (name, found) in zip(axes, [("chapter 04's 1-D network, read row by row", one_d),
                                    ("the PixelCNN", two_d)]):
    show_receptive_field(found[DRAWN_WIDTH]["gradient"], found[DRAWN_WIDTH]["target"], ax=ax, title=name)
fig.suptitle(f"Figure 5. What reaches the target on the {FIELD_ROWS} x {DRAWN_WIDTH} canvas")
plt.show()

# %% [markdown]
# In Figure 5 the 1-D network's field is a band: the row to the left of the target, the whole row
# above, and the right half of the row above that, because that is where the last 65 positions of
# the sequence lie. The PixelCNN's field is a patch around the target, reaching the top of the
# canvas 7 rows up but only some columns to either side, and cut on the right by the wedge of its
# blind spot.
#
# So the second dimension buys a field shaped like the picture, whatever the picture's width, at
# a cost that does not grow with the width. It pays for it with the blind spot, and on 8x8 digits,
# where 65 steps back already reach every pixel, it buys nothing the 1-D network lacks. Whether it
# buys nats on larger images, this chapter does not measure.
#
# ## Summary
#
# - A 2-D convolution is made causal by **masking** its kernel: the rows below the centre and the
#   pixels right of the centre are zero; type A (first layer) hides the centre too, type B (every
#   later layer) keeps it. With unit weights the masked outputs count what each mask lets through:
#   Tomczak (2022), Figs. 4 and 5, in numbers.
# - This chapter's PixelCNN, a 5x5 type-A layer, five residual type-B layers and 1x1 layers to 17
#   logits per pixel, is causal over all 64 positions and scores 80.46 nats per image on the test
#   split.
# - Chapter 04's dilated 1-D network scores 80.39. With one run each, a gap of 0.07 nats is no
#   evidence that either network is better; the two also differ in input encoding, blocks and
#   batch size.
# - Stacked masks leave a **blind spot**, a wedge up and to the right of the target that no path
#   reaches: 28 pixels for eight 3x3 layers on a 16x16 canvas, 22 for the trained PixelCNN. More
#   layers do not close it; chapter 06's two stacks do.
# - What two dimensions buy is the shape of the receptive field: a neighbourhood in the picture at
#   any width, with a fixed set of layers. A 1-D network reads the last positions of the sequence,
#   and it needs one more doubling block per doubling of the width to keep the pixel above in
#   view. On the 8x8 digits, where the 1-D network already reads every earlier pixel, the second
#   dimension adds no reach.
#
# ## Exercises
#
# 1. Work out by hand the type-B output at row 3, column 2 of the example in section 2, then check
#    it against the printed array.
# 2. Train the PixelCNN with `first_kernel_size=3`. How does the blind spot change (use
#    `field_map`), and does the test NLL notice?
# 3. Replace the residual type-B layers with plain ones,
#    $h \leftarrow \mathrm{conv}_B(\mathrm{ReLU}(h))$. How do the learning curves compare?
# 4. Put `nn.BatchNorm2d` after the type-A layer. `armlib.check_autoregressive` runs the model in
#    eval mode: does it complain? Write a check that runs in training mode and catches the leak.
# 5. With `DEPTH = 8` the field reaches 8 rows up. How many masked 3x3 layers does a pixel at the
#    bottom right of an 8x8 digit need to see the top-left corner?

# %% [markdown]
# ## References
#
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
# - van den Oord, A., Kalchbrenner, N., & Kavukcuoglu, K. (2016b). Pixel Recurrent Neural Networks. *Proceedings of the 33rd International Conference on Machine Learning (ICML)*, 1747–1756.
# - van den Oord, A., Kalchbrenner, N., Espeholt, L., Vinyals, O., Graves, A., & Kavukcuoglu, K. (2016c). Conditional Image Generation with PixelCNN Decoders. *Advances in Neural Information Processing Systems 29 (NeurIPS)*, 4790–4798.
