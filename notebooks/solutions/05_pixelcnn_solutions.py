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
# # Solutions to chapter 05: PixelCNN
#
# Worked answers to the exercises of [chapter 05](../05_pixelcnn.ipynb), computed and checked by the
# cells below. Try each exercise on your own first: the answers are only worth reading once you have
# one of your own to compare.

# %%
import copy
import statistics

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import display
from torch import nn

import armlib
from armlib import plots
from armlib.book.display import table
from armlib.layers import INPUTS, MaskedConv2d
from armlib.models.pixelcnn import PixelCNN
from armlib.diagnostics.receptive_field_2d import (blind_spot, field_map, influencing_positions, out_of_reach, position_gradient, raster_past)

armlib.setup(seed=0)

SEEDS = (0, 1)        # exercises 2 and 3: two seeds per network
EPOCHS = 6            # ... each trained for this many epochs
FIT = dict(epochs=EPOCHS, lr=3e-3, patience=5)  # chapter 05's settings (LR, PATIENCE), fewer epochs
CANVAS, TARGET = 17, (8, 8)  # chapter 05's canvas for receptive fields, and the pixel we look at

x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)) for split in ("train", "val", "test"))


def mean_sd(values) -> str:
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"


# %% [markdown]
# ## Exercise 1
#
# **The type-B output by hand.** Work out the type-B output at row 3, column 2 of the example in
# section 2 of the chapter, then check it against Figure 5.1.
#
# The image of section 2, rows and columns counted from 0:
#
# $$\begin{matrix} 0 & 1 & 1 & 1 & 0 \\ 0 & 0 & 0 & 1 & 0 \\ 0 & 0 & 1 & 0 & 0 \\
#   0 & \mathbf{1} & \boxed{0} & 0 & 0 \\ 0 & 1 & 0 & 0 & 0 \end{matrix}$$
#
# A type-B $3 \times 3$ kernel of ones centred on $(3, 2)$ (boxed) adds up five pixels: the three in
# the row above, $x_{2,1} + x_{2,2} + x_{2,3} = 0 + 1 + 0 = 1$, the one to the left, $x_{3,1} = 1$
# (bold), and the centre, $x_{3,2} = 0$. The output is $1 + 1 + 0 = 2$. The centre is 0 here, so
# type A gives 2 as well; a plain kernel would add the row below, $x_{4,1} + x_{4,2} + x_{4,3} = 1$,
# and $x_{3,3} = 0$, for 3. The cell recomputes all three with the chapter's layers.

# %% tags=["nbval-check-output"]
image = torch.tensor([[0, 1, 1, 1, 0],
                      [0, 0, 0, 1, 0],
                      [0, 0, 1, 0, 0],
                      [0, 1, 0, 0, 0],
                      [0, 1, 0, 0, 0]], dtype=torch.float32)
by_hand = {"type B": image[2, 1:4].sum() + image[3, 1] + image[3, 2]}
by_hand["type A"] = by_hand["type B"] - image[3, 2]
by_hand["plain"] = image[2:5, 1:4].sum()
layers = {"type B": MaskedConv2d(1, 1, 3, "B", bias=False), "type A": MaskedConv2d(1, 1, 3, "A", bias=False),
          "plain": nn.Conv2d(1, 1, 3, padding=1, bias=False)}
with torch.no_grad():
    for name, layer in layers.items():
        layer.weight.fill_(1.0)
        output = layer(image[None, None])[0, 0]
        print(f"{name}: by hand {int(by_hand[name])}, computed {int(output[3, 2])}")
        assert output[3, 2] == by_hand[name]
assert int(by_hand["type B"]) == 2 and int(by_hand["type A"]) == 2 and int(by_hand["plain"]) == 3

# %% [markdown]
# In Figure 5.1, the type-B panel shows 2 at row 3, column 2.
#
# ## Exercise 2
#
# **A smaller first kernel.** Train the PixelCNN with
# `first_kernel_size=3` and with the chapter's `first_kernel_size=5`, each on seeds 0 and 1
# (`armlib.setup(seed=s)` before building the model and `seed=s` in `armlib.fit`), with the chapter's
# settings but `epochs=6`. How does the blind spot change (use `field_map`)? Report the mean and
# standard deviation of the test NLL of each: is the difference of the means larger than the spread?
#
# The blind spot first. Which pixels reach which is a property of the layers, not of the weights, so
# an untrained network of each kind will do; as in the chapter, we probe it in float64 on a random
# input, on the $17 \times 17$ canvas, for the pixel $(8, 8)$. `field_map` prints `o` for the target,
# `#` for a pixel that reaches it, `x` for the blind spot, `-` for a pixel out of reach.

# %% tags=["nbval-check-output"]
def field_of(first_kernel_size: int):
    """The gradient picture of an untrained PixelCNN with this first kernel, on the chapter's canvas."""
    torch.manual_seed(0)
    net = PixelCNN(first_kernel_size=first_kernel_size).double()
    canvas = torch.rand(1, 1, CANVAS, CANVAS, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    return position_gradient(net, canvas, TARGET)


blind, reach = {}, {}
for first_kernel_size in (3, 5):
    gradient = field_of(first_kernel_size)
    blind[first_kernel_size] = blind_spot(gradient, TARGET, beyond_reach=False)
    reach[first_kernel_size] = TARGET[0] - min(r for r, _ in influencing_positions(gradient))
    print(f"first_kernel_size={first_kernel_size}: reaches {reach[first_kernel_size]} rows up, "
          f"{len(blind[first_kernel_size])} pixels in the blind spot, "
          f"{len(out_of_reach(gradient, TARGET))} out of reach")
    print(field_map(gradient, TARGET, beyond_reach=False), "\n")
row, column = TARGET
assert reach == {3: 6, 5: 7} and len(blind[3]) == len(blind[5]) == 15
assert (row - 1, column + 2) in blind[3] and (row - 1, column + 2) not in blind[5]
for size, spot in blind.items():
    spread = size // 2  # how many columns right of the centre the first layer reads in the rows above
    assert spot == {(r, c) for r in range(row) for c in range(CANVAS) if row - r + spread - 1 < c - column <= reach[size]}

# %% [markdown]
# Both blind spots are the same wedge of 15 pixels, but not in the same place. The network has six
# masked layers either way, and each reaches one row up and one column aside, except the $5 \times
# 5$ first layer, which reaches two: with it the field reaches 7 rows up and 7 columns to either side
# instead of 6. In the rows above the target, a $3 \times 3$ first layer lets a path move right only
# as fast as it moves up, so a pixel $c$ columns right of the target is seen only from $c$ rows up;
# the $5 \times 5$ one gives the path one column for free, so $c - 1$ rows up suffice. The wedge
# moves one column to the right, away from the target: the pixel one row up and two columns right,
# blind to the $3 \times 3$ network, is seen by the $5 \times 5$ one. On this canvas the field also
# widens by a column, so the wedge keeps its 15 pixels. A wider first kernel moves the blind spot; it
# does not close it. The asserts check both wedges against this rule.
#
# Now the likelihood: four runs, two per first kernel.

# %%
def train_pixelcnn(seed: int, net_class=PixelCNN, **options):
    """A PixelCNN trained with FIT from seed ``seed``: (its test NLL, its history)."""
    armlib.setup(seed=seed)
    model = armlib.ARM(net_class(**options), armlib.Categorical(armlib.NUM_VALS), armlib.IMAGE_SHAPE)
    history = armlib.fit(model, x_train, x_val, seed=seed, progress=False, **FIT)
    return armlib.evaluate(model, x_test).nats, history


runs = {size: [train_pixelcnn(seed, first_kernel_size=size) for seed in SEEDS] for size in (3, 5)}
nats = {size: [score for score, _ in found] for size, found in runs.items()}
paired = [small - large for small, large in zip(nats[3], nats[5])]
display(table(["first kernel", *[f"seed {s}" for s in SEEDS], "mean ± sd"],
              [*[[f"${size} \\times {size}$", *[f"{v:.2f}" for v in nats[size]], mean_sd(nats[size])] for size in (3, 5)],
               ["$3 \\times 3$ minus $5 \\times 5$", *[f"{x:+.2f}" for x in paired], mean_sd(paired)]],
              caption=f"**Table S5.1.** Test NLL in nats per image after {EPOCHS} epochs."))
spread = max(statistics.stdev(nats[3]), statistics.stdev(nats[5]))
gap = statistics.mean(nats[3]) - statistics.mean(nats[5])
print(f"difference of the means (3x3 minus 5x5): {gap:+.2f}; the larger sd over seeds: {spread:.2f}; "
      f"larger than the spread: {'yes' if abs(gap) > spread else 'no'}")
assert all(20 < score < armlib.uniform_nats(64, armlib.NUM_VALS) for found in nats.values() for score in found)
assert spread < abs(gap) < 2 * spread and all(x > 0 for x in paired)   # only just larger; same sign on both seeds

# %% [markdown]
# In Table S5.1 the $5 \times 5$ first kernel scores better on both seeds, by about one nat per
# image (1.05 and 0.99). The difference of the means, 1.02, is only just larger than the spread of
# either network over the seeds (the line under the table): compared as two separate sets of
# scores, the two barely separate. But most of that spread is shared. Seed 1 is worse than seed 0
# for both networks, by a similar amount, and the paired differences, seed by seed, agree to within
# a tenth of a nat. Pairing the runs by seed is the sharper comparison; still, two seeds and six
# epochs are a small experiment. The gain does not come from a smaller blind spot, which keeps its
# 15 pixels; the $5 \times 5$ layer reads 12 pixels of the image where the $3 \times 3$ one reads 4,
# and its field reaches a row further, and this exercise does not separate the two.
#
# ## Exercise 3
#
# **Plain layers instead of residual ones.** Replace the residual type-B layers with plain ones,
# $h \leftarrow \mathrm{conv}_B(\mathrm{ReLU}(h))$, keeping everything else (dropout included), and
# train it as in exercise 2 on seeds 0 and 1. How do the learning curves compare with those of the
# residual network?
#
# The plain network has the same layers and the same parameters; only its forward pass drops the
# `h +` of each hidden layer. Dropout stays where the chapter puts it, on the input of each type-B
# convolution, so that one thing changes.

# %%
class PlainPixelCNN(PixelCNN):
    """The chapter's PixelCNN without the residual connections: h <- conv_B(dropout(ReLU(h)))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.first(INPUTS[self.inputs](x, self.num_vals, self.first.weight))
        for conv in self.hidden:
            h = conv(self.dropout(F.relu(h)))  # the chapter's PixelCNN adds this to h
        return self.to_logits(h)


assert sum(p.numel() for p in PlainPixelCNN().parameters()) == sum(p.numel() for p in PixelCNN().parameters())
plain_runs = [train_pixelcnn(seed, PlainPixelCNN) for seed in SEEDS]
residual_runs = runs[5]  # exercise 2's 5x5 runs: the same network with its residual connections

fig, ax = plt.subplots(figsize=(7, 4))
epochs = range(1, EPOCHS + 1)
for name, found, colour in [("residual", residual_runs, "tab:blue"), ("plain", plain_runs, "tab:orange")]:
    for seed, (_, history) in zip(SEEDS, found):
        style = dict(color=colour, alpha=1.0 if seed == SEEDS[0] else 0.5)
        ax.plot(epochs[:history.epochs], history.train_nll, linestyle="--", **style)
        ax.plot(epochs[:history.epochs], history.val_nll, label=f"{name}, seed {seed}", **style)
ax.set_xlabel("epoch")
ax.set_ylabel("NLL [nats per image]")
ax.set_ylim(75, 130)
ax.legend()
armlib.show_figure("S5.1", "Training (dashed, dropout on) and validation (solid) NLL per epoch of the PixelCNN with "
                   "residual type-B layers (blue) and with plain ones (orange), two seeds each.")

# %%
curves = {name: [history.val_nll for _, history in found] for name, found in [("residual", residual_runs),
                                                                                 ("plain", plain_runs)]}
display(table(["network", *[f"validation NLL after epoch {e}" for e in (1, 3)], "best validation NLL",
               "test NLL"],
              [[name, *[mean_sd([curve[e - 1] for curve in curves[name]]) for e in (1, 3)],
                mean_sd([min(curve) for curve in curves[name]]), mean_sd([score for score, _ in found])]
               for name, found in [("residual", residual_runs), ("plain", plain_runs)]],
              caption="**Table S5.2.** Validation NLL early in training and at its best, and the test NLL (of the best "
                      "epoch's weights); each mean ± sd over the two seeds."))
for (_, residual), (_, plain) in zip(residual_runs, plain_runs):  # seed by seed
    assert plain.val_nll[0] > residual.val_nll[0] + 5 and plain.best_val > residual.best_val + 1

# %% [markdown]
# Without its residual connections the network learns much more slowly (Figure S5.1, Table S5.2).
# After one epoch the plain network's validation NLL is some 26 nats worse on average (149.16
# against 122.89), after three about 15 (115.88 against 100.84), and its best validation NLL in six
# epochs, 100.07, is still about 7 nats behind the residual network's 93.26; the test NLL follows
# (97.25 against 90.07). The asserts check the shape of this, seed by seed, with a margin: the plain
# network is more than 5 nats behind after the first epoch and more than 1 nat behind at its best.
# The reason is in the sum. At the start, a residual stack passes the type-A features almost
# unchanged to the output layers, and the gradient reaches the first layer along the same short
# path; each type-B layer only has to learn a correction. A plain stack must first learn to carry
# the information through five ReLU-convolution layers. Whether the plain network would catch up,
# these six epochs cannot say: at the end its curves are still falling much faster than the
# residual network's.
#
# ## Exercise 4
#
# **Batch normalisation leaks the future.** Put `nn.BatchNorm2d` after the type-A layer.
# `armlib.check_autoregressive` runs the model in eval mode: does it complain? Write a check that runs
# in training mode and catches the leak.
#
# The network below is the chapter's with a `BatchNorm2d` over the 64 feature maps of the type-A
# layer.

# %%
class NormalisedPixelCNN(PixelCNN):
    """The chapter's PixelCNN with batch normalisation after the type-A layer."""

    def __init__(self, **options):
        super().__init__(**options)
        self.norm = nn.BatchNorm2d(self.first.out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(self.first(INPUTS[self.inputs](x, self.num_vals, self.first.weight)))
        for conv in self.hidden:
            h = h + conv(self.dropout(F.relu(h)))
        return self.to_logits(h)


def pixelcnn_arm(net: nn.Module) -> armlib.ARM:
    return armlib.ARM(net, armlib.Categorical(armlib.NUM_VALS), armlib.IMAGE_SHAPE)


armlib.setup(seed=0)
normalised = pixelcnn_arm(NormalisedPixelCNN())
armlib.check_autoregressive(normalised)
print("check_autoregressive (eval mode): no complaint")

# %% [markdown]
# It does not complain, and it is right to pass the model *as it runs in eval mode*: there,
# `BatchNorm2d` uses the running mean and variance it stored during training, two fixed numbers per
# channel, so it is a per-channel affine map that mixes no positions. In training mode it normalises
# each channel with the mean and variance of the current batch, taken over every image and every
# position, the pixels after $(i, j)$ included. The output at $(i, j)$ then depends, a little, on the
# whole image (and on the other images of the batch), and the training loss of pixel $(i, j)$ is
# computed by a network that has seen the pixel itself.
#
# The check below changes each pixel of the first image of a batch in turn and lists the pairs
# (changed pixel $j$, pixel $d \le j$ whose parameters moved), with the network in training mode.
# Dropout draws random masks in training mode; reseeding before each of the two passes makes it draw
# the same masks, so only the changed pixel can move anything. It also reports whether changing
# another image of the batch moves the first image's parameters.

# %%
@torch.no_grad()
def training_mode_leaks(model, batch: int = 4, seed: int = 0):
    """With ``model``'s network in training mode: the pairs (j, d), positions in raster order, such
    that changing pixel j of the first image moves the parameters at some d <= j; and whether
    changing another image of the batch moves the first image's parameters."""
    probe = copy.deepcopy(model).double().train()
    generator = torch.Generator().manual_seed(seed)
    x = torch.randint(model.num_vals, (batch, *model.shape), generator=generator)

    def params(images):
        torch.manual_seed(seed)  # the same dropout masks in every pass
        return probe.params(images)[0].flatten(1)  # the first image: (parameters, positions)

    unchanged = params(x)
    leaks = []
    for j in range(unchanged.shape[1]):
        changed = x.clone()
        changed[0].view(-1)[j] = (x[0].view(-1)[j] + 1) % model.num_vals
        moved = (params(changed) != unchanged).any(0)
        leaks += [(j, d) for d in range(j + 1) if moved[d]]
    other = x.clone()
    other[1] = (x[1] + 1) % model.num_vals
    return leaks, bool((params(other) != unchanged).any())


armlib.setup(seed=0)
chapter_model = armlib.MODELS["pixelcnn"]()
found = {"the chapter's PixelCNN": training_mode_leaks(chapter_model),
         "with BatchNorm2d after type A": training_mode_leaks(normalised)}
for name, (leaks, across) in found.items():
    print(f"{name}: {len(leaks)} leaking pairs of {64 * 65 // 2}; another image moves the first: {across}")
leaks, across = found["with BatchNorm2d after type A"]
assert found["the chapter's PixelCNN"] == ([], False)
assert sorted(leaks) == [(j, d) for j in range(63) for d in range(j + 1)] and across

# %% [markdown]
# Without normalisation, training mode changes nothing: no pixel moves a parameter at or before it,
# and the other images of the batch move nothing. With `BatchNorm2d` the check finds the leak
# at once, in 2,016 of the 2,080 pairs: a change to any pixel but the last moves the parameters of
# that pixel and of every pixel before it, down to the first, and even a change to another image of
# the batch moves them. The last pixel is the exception because no type-A output reads it (no pixel
# comes after it), so the batch statistics never see it; the assert checks that the leaking pairs
# are exactly the others.
# That last finding is a second flaw: in training mode a batch-normalised model's $p(\mathbf{x})$ is
# not a function of $\mathbf{x}$ alone.
#
# ## Exercise 5
#
# **Reaching the corner.** With `DEPTH = 8` the field reaches 8 rows up (Figure 5.5). How many masked
# $3 \times 3$ layers does a pixel at the bottom right of an $8 \times 8$ digit need to see the
# top-left corner?
#
# The bottom-right pixel is $(7, 7)$ and the corner $(0, 0)$: 7 rows up and 7 columns left. Every
# masked $3 \times 3$ kernel, type A or B, has the tap up and to the left, so every layer can move a
# path one row up and one column left at once, and no layer can move it further. Seven rows need at
# least seven layers, and seven layers suffice: **7 layers**, one type A and six type B. The corner
# is not in the blind spot (that lies to the right of the target), so nothing else stands in the
# way. The cell builds the chapter's stacks of unit kernels with $1, 2, \ldots$ layers and finds the
# first that reaches the corner.

# %% tags=["nbval-check-output"]
def unit_stack(depth: int) -> nn.Sequential:
    """Chapter 05's blind-spot stack: a type-A 3x3 layer, then type-B ones, every weight 1, float64."""
    layers = [MaskedConv2d(1, 1, 3, "A" if index == 0 else "B", bias=False) for index in range(depth)]
    with torch.no_grad():
        for layer in layers:
            layer.weight.fill_(1.0)
    return nn.Sequential(*layers).double()


corner, target = (0, 0), (7, 7)
digit = torch.zeros(1, 1, 8, 8, dtype=torch.float64)
depth = next(depth for depth in range(1, 20) if position_gradient(unit_stack(depth), digit, target)[corner] > 0)
field = influencing_positions(position_gradient(unit_stack(depth), digit, target))
six_layers = influencing_positions(position_gradient(unit_stack(depth - 1), digit, target))
print(f"{depth} layers: the corner reaches {target}; of its 63 earlier pixels, {len(six_layers)} reach it "
      f"through {depth - 1} layers, {len(field)} through {depth}")
assert depth == 7 and field == raster_past(target, 8, 8)
assert raster_past(target, 8, 8) - six_layers == {(r, c) for r in range(8) for c in range(8) if r == 0 or c == 0}

torch.manual_seed(0)
pixelcnn = PixelCNN().double()
random_digit = torch.rand(1, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
assert position_gradient(pixelcnn, random_digit, target)[corner] > 0

# %% [markdown]
# Seven layers let $(7, 7)$ see the corner, and with it all 63 pixels before it: the bottom-right
# pixel has no pixels to its right, so it has no blind spot on the digit. With six layers the
# top row and the left column, 7 steps away, are out of reach: 15 pixels. The chapter's PixelCNN has six masked layers, but its $5 \times 5$ first
# layer moves two rows and two columns at once, so it reaches the corner too (the last assert).
