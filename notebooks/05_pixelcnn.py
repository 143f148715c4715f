# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · PixelCNN: causal convolutions in two dimensions
#
# Chapter 04 read the digits as a sequence of 64 pixels and predicted each one with causal 1-D
# convolutions. But an image is not a sequence: the pixel above $x_{ij}$ is its closest relative,
# and a 1-D convolution finds it only eight steps back. PixelCNN (van den Oord et al., 2016) keeps the
# image two-dimensional and keeps the raster order of the chain rule,
#
# $$p(\mathbf{x}) = \prod_{i=1}^{H} \prod_{j=1}^{W} p\big(x_{ij} \mid \mathbf{x}_{<ij}\big),
#   \qquad \mathbf{x}_{<ij} = \{x_{kl} : k < i \ \text{or} \ (k = i,\ l < j)\},$$
#
# every row above, and the pixels to the left in the current row. A 2-D convolution looks at a
# square around each pixel, so we make it causal the way the seed does: by **masking** the weights
# that would read the future. This chapter works the mask out with numbers, trains a PixelCNN on the
# digits, and then finds the flaw of stacked masks: a **blind spot**.

# %%
import copy

import matplotlib.pyplot as plt
import torch
from torch import nn

import armlib
from armlib import ladder, plots
from armlib.pixelcnn import MaskedConv2d, PixelCNN, causal_mask
from armlib.receptive_field_2d import blind_spot, field_map, position_gradient, show_receptive_field

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
# This is the 2-D version of chapter 04's option A and option B. `causal_mask` builds the mask:

# %%
armlib.show_source(causal_mask)

# %%
# NBVAL_CHECK_OUTPUT
print("type A:\n", causal_mask(3, "A").int().numpy())
print("type B:\n", causal_mask(3, "B").int().numpy())
print("type A, 5x5:\n", causal_mask(FIRST_KERNEL, "A").int().numpy())

# %% [markdown]
# ## 2. The seed's Figures 4 and 5, with numbers
#
# The seed draws a $3 \times 3$ kernel, a small image of zeros and ones, and the result of the
# masked convolution with padding 1. Here is the same computation. So that each output is easy to
# check by eye, every kernel weight is 1: the output at $(i, j)$ then *counts* the ones the kernel
# sees. The plain kernel sees all nine neighbours; the type-A kernel sees only the three pixels
# above and the one to the left; type B adds the centre. (PyTorch's `conv2d` is a cross-correlation:
# the kernel is not flipped, so the mask reads as drawn.)
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
# $x_{2,2}$. The asserts state the same:

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
plt.show()

# %% [markdown]
# ## 3. PixelCNN
#
# The network is a type-A layer, then type-B layers, then $1 \times 1$ convolutions to 17 logits per
# pixel, which the `Categorical` head of chapter 02 turns into $p(x_{ij} \mid \mathbf{x}_{<ij})$.
# The type-B layers are residual, $h \leftarrow h + \mathrm{conv}_B(\mathrm{ReLU}(h))$, which
# keeps a deep stack easy to train, and dropout on their input fights overfitting. Nothing
# else mixes positions: no pooling, and no batch normalisation, whose statistics over $H \times W$
# would let every pixel peek at the whole image, the future included.

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
# In the run shown here the best validation NLL came at epoch 34 of 39, and the test NLL is 80.47
# nats per image (1.814 bits per dimension): less than half of the 181.33 nats of the uniform
# model, and well under the 85 this chapter asks for. The learning curve
# shows the usual picture of a small data set: the training NLL (measured with dropout on) keeps
# falling while the validation NLL flattens out.

# %%
plots.learning_curve(history, labels=["PixelCNN"])
plt.show()

# %%
samples = model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title="PixelCNN samples")
plt.show()

# %% [markdown]
# ## 5. The ladder

# %%
ladder.record("05_pixelcnn", [ladder.entry("PixelCNN", model, score, history)])
print(ladder.markdown(through="05_pixelcnn"))

# %% [markdown]
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
# `o` is the pixel being predicted, `#` the pixels that reach it, `x` the pixels that come before
# it and yet never reach it: the **blind spot**, here 28 pixels in a wedge up and to the right. The reason is in the
# mask. A type-B kernel moves the field one row up *and* at most one column right, or stays in the
# row and moves left; it never moves right without also moving up. So after any number of layers a
# pixel $c$ columns to the right must be at least $c$ rows up to be seen. Stacking more layers
# widens the field to the left and upward, but the wedge stays: it is a property of the mask, not of
# the depth.
#
# Below, the same picture as an image (log of the path count, white where it is zero, blind-spot
# pixels crossed out), beside the trained PixelCNN itself. Its layers are fully convolutional, so
# it runs on the 16x16 canvas too; its 5x5 type-A layer shifts the wedge one column to the right
# (22 blind pixels instead of 28), but does not close it.

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
plt.show()

# %% [markdown]
# On the digits the blind spot may cost less than the picture suggests: the image is small, and
# much of what lies in the wedge can be guessed from the pixels around it that the model does see.
# But it is a hole in the model's view, and it is exactly where strokes continue. Chapter 06 closes it with
# two stacks of convolutions, one looking up, one looking left.
#
# ## Exercises
#
# 1. Work out by hand the type-B output at row 3, column 2 of the example in section 2, then check
#    it against the printed array.
# 2. Train the PixelCNN with `first_kernel_size=3`. How does the blind spot change (use
#    `field_map`), and does the test NLL notice?
# 3. Replace the residual type-B layers with plain ones, $h \leftarrow \mathrm{conv}_B(\mathrm{ReLU}(h))$.
#    How do the learning curves compare?
# 4. Put `nn.BatchNorm2d` after the type-A layer. `armlib.check_autoregressive` runs the model in
#    eval mode: does it complain? Write a check that runs in training mode and catches the leak.
# 5. With `DEPTH = 8` the field reaches 8 rows up. How many masked 3x3 layers does a pixel at the
#    bottom right of an 8x8 digit need to see the top-left corner?
