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
# # Solutions to chapter 06: Gated PixelCNN, two stacks and no blind spot
#
# Worked answers to the exercises of [chapter 06](../06_gated_pixelcnn.ipynb).
# Try each exercise yourself before you read its solution.

# %%
import contextlib
import math
import statistics

import matplotlib.pyplot as plt
import torch
from IPython.display import display

import armlib
import armlib.models.gated_pixelcnn
from armlib import plots
from armlib.book.display import table
from armlib.models.gated_pixelcnn import GatedPixelCNN
from armlib.layers import VerticalConv
from armlib.diagnostics.receptive_field_2d import blind_spot, field_map, influencing_positions, position_gradient
from armlib.train import learning_rate

armlib.setup(seed=0)

x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)) for split in ("train", "val", "test"))
canvas = torch.rand(1, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))


def mean_sd(values) -> str:
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"

# %% [markdown]
# ## Exercise 1
#
# **An unshifted first block.** Build chapter 06's model, replace the first block's vertical
# convolution with one that is not shifted (`shift=False`) and run `armlib.check_autoregressive`.
# Which position does the check name, and why that one?
#
# The model as built passes the check. With the unshifted convolution it fails, and the message
# names the very first pixel:

# %%
model = armlib.MODELS["gated_pixelcnn"](channels=32, blocks=8, dropout=0.2)
armlib.check_autoregressive(model)  # as built: causal, no exception
block = model.net.blocks[0]
block.vertical = VerticalConv(block.vertical.conv.in_channels, block.vertical.conv.out_channels, 3, shift=False)
try:
    armlib.check_autoregressive(model)
    message = None
except armlib.NotAutoregressive as error:
    message = str(error)
print(message)
assert message is not None and message.startswith(
    "the network's parameters at position x[0, 0] change when x[0, 0, 0] changes")

# %% [markdown]
# The check changes the input elements one at a time in raster order and stops at the first leak it
# finds. The first element it changes is pixel $(0, 0)$, and that already leaks into the prediction
# *for $(0, 0)$ itself*. Without the shift the first vertical kernel covers the row above and the
# current row, three columns wide, centred on the pixel: at $(i, j)$ it reads $x_{i,j-1}$, $x_{ij}$
# and $x_{i,j+1}$ of the image. So the vertical stack sees the pixel it is meant to predict, and
# passes it to the horizontal stack through the link. The pixel to the right, $x_{i,j+1}$, leaks
# too, and so does, after a few blocks, the rest of the row (each later vertical kernel is again
# three columns wide and now reads features that already hold row $i$). Rows below stay out of
# reach: no kernel reaches down.
#
# The check names $(0, 0)$ not because that position is special but because it comes first:
# every position leaks. The receptive fields of the broken network show it, at one position as a
# map (`o` the position, `#` an input that reaches it, `.` one that does not, `x` an earlier pixel
# that does not), and at all 64 positions as a count:

# %%
broken = model.net.double()
print(field_map(position_gradient(broken, canvas, (3, 3)), (3, 3)))
for i in range(8):
    for j in range(8):
        field = influencing_positions(position_gradient(broken, canvas, (i, j)))
        assert (i, j) in field, f"pixel {(i, j)} does not reach its own prediction"
        assert {(i, c) for c in range(j, 8)} <= field, "the rest of the row should reach it"
        assert all(r <= i for r, _ in field), "no row below may reach it"
print("every one of the 64 positions is reached by its own pixel and the rest of its row, "
      "and by no row below")

# %% [markdown]
# That is what the shift of the first block is for: moved down one row, the first vertical kernel
# reads rows $i-2$ and $i-1$ only, and every later block inherits a stack that has never seen
# row $i$.
#
# ## Exercise 2
#
# **The gate against a ReLU.** Replace
# `gate` with a ReLU on the first half of the channels, `torch.relu(a.chunk(2, dim=1)[0])`, by
# assigning it to `armlib.models.gated_pixelcnn.gate`. Train the gated and the ReLU network, each with 16
# features per stack in 8 blocks, for 4 epochs of chapter 06's recipe (cosine schedule from 5e-3,
# batches of 16, dropout 0.2, weight decay 0.05), on random seeds 0 and 1, and compare them seed
# by seed on the test split. How much of the NLL is the gate's, against the spread over seeds?
#
# `GatedBlock.forward` looks `gate` up in its module each time it runs, so a context manager that
# swaps the function in and always puts the original back is all we need. The second halves of
# the outputs of the horizontal convolution and of the vertical-to-horizontal link are then unused
# (the vertical convolution's outputs all still feed the link, whole): the ReLU network has the
# same parameters as the gated one, some of them idle. A check after training confirms that the
# swap takes effect: with the same weights, the two give different outputs. A seed fixes the initial weights (drawn when the model is built), the
# shuffling and the dropout, so the two networks of a seed start from the same weights.

# %%
SMALL = {"channels": 16, "blocks": 8, "dropout": 0.2}
RECIPE = {"batch_size": 16, "lr": 5e-3, "lr_schedule": "cosine", "weight_decay": 0.05, "progress": False}
GATE_EPOCHS, GATE_SEEDS = 4, (0, 1)


def relu_half(pre_activation: torch.Tensor) -> torch.Tensor:
    """A ReLU on the first half of the channels; the second half is dropped."""
    return torch.relu(pre_activation.chunk(2, dim=1)[0])


@contextlib.contextmanager
def unit(function):
    """Every GatedBlock uses ``function`` in place of ``gate`` inside the block."""
    original = armlib.models.gated_pixelcnn.gate
    armlib.models.gated_pixelcnn.gate = function
    try:
        yield
    finally:
        armlib.models.gated_pixelcnn.gate = original


units = {"gate": armlib.models.gated_pixelcnn.gate, "ReLU": relu_half}
gate_nats = {name: [] for name in units}
for seed in GATE_SEEDS:
    for name, function in units.items():
        with unit(function):
            torch.manual_seed(seed)
            net = armlib.MODELS["gated_pixelcnn"](**SMALL)
            armlib.fit(net, x_train, x_val, epochs=GATE_EPOCHS, patience=GATE_EPOCHS, seed=seed, **RECIPE)
            gate_nats[name].append(armlib.evaluate(net, x_test).nats)
assert armlib.models.gated_pixelcnn.gate is units["gate"], "the original gate is back"
gate_gain = [r - g for g, r in zip(gate_nats["gate"], gate_nats["ReLU"])]
display(table(["random seed", "gate", "ReLU", "ReLU − gate"],
              [*([str(seed), f"{g:.2f}", f"{r:.2f}", f"{d:+.2f}"]
                 for seed, g, r, d in zip(GATE_SEEDS, gate_nats["gate"], gate_nats["ReLU"], gate_gain)),
               ["mean ± sd", mean_sd(gate_nats["gate"]), mean_sd(gate_nats["ReLU"]), mean_sd(gate_gain)]],
              caption=f"**Table S6.1.** Test NLL in nats per image after {GATE_EPOCHS} epochs, 16 features per stack, "
                      "with the gate and with a ReLU."))
print(f"seed-to-seed spread: gate {statistics.stdev(gate_nats['gate']):.2f}, "
      f"ReLU {statistics.stdev(gate_nats['ReLU']):.2f}; paired difference {mean_sd(gate_gain)}")
assert all(n < 100 for values in gate_nats.values() for n in values), "both networks learn (uniform: 181.3)"
assert abs(statistics.mean(gate_gain)) < 1.5
assert abs(statistics.mean(gate_gain)) < statistics.stdev(gate_nats["gate"])   # no larger than the spread over random seeds
with torch.random.fork_rng(devices=[]), torch.no_grad():   # a side check that leaves the random state as it was
    torch.manual_seed(0)
    probe = armlib.MODELS["gated_pixelcnn"](**SMALL).eval()
    by_gate = probe.log_prob(x_test[:4])
    with unit(relu_half):
        by_relu = probe.log_prob(x_test[:4])
assert not torch.allclose(by_gate, by_relu), "the swap takes effect: same weights, other outputs"

# %% [markdown]
# Both networks learn (far below the 181.3 nats of a uniform model), and after 4 epochs they are
# level: in Table S6.1 the paired difference, ReLU minus gate, is $+0.36$ on one seed and $-0.19$ on
# the other, 0.09 on average, less than the spread of the gated network over the two seeds (sd
# 0.47; the asserts check this and, more loosely, a bound of 1.5 nats that should hold on any CPU). At this budget no part of the NLL can be credited to the gate: a difference
# that seed noise could produce is not a gain.
#
# That does not show the gate is useless. van den Oord et al. (2016c) introduced it to give a
# convolutional network multiplicative interactions, and what it is worth may show
# only in a larger network trained to the end; chapter 06's ablation credits the gated network as a
# whole (stacks, gates, width and depth together), not the gate. To measure the gate's share
# there, repeat this comparison with chapter 06's network and recipe, 27 epochs, on three or more
# seeds (each run takes minutes on one CPU thread; chapter 06 prints the time of its own): the same
# code with `SMALL` and `GATE_EPOCHS` changed.
#
# ## Exercise 3
#
# **Dropout or weight decay?** Section 5's ablation removes dropout
# and weight decay together. On the first 100 training images, where a network overfits within a
# few hundred steps, train the 16-feature network of exercise 2 for 40 epochs of chapter 06's
# recipe three ways: the full recipe, with `dropout=0` alone and with `weight_decay=0` alone
# (validation on the first 100 validation images), and plot the three learning curves together.
# Which of the two does the work? Compute how much AdamW's weight decay shrinks a weight over this
# run and over chapter 06's 1,701 steps.

# %%
SUBSET, REG_EPOCHS, REG_SEED = 100, 40, 0
VALIDATION = x_val[:100]
variants = {"full recipe": (0.2, 0.05), "dropout 0": (0.0, 0.05), "weight decay 0": (0.2, 0.0)}
histories = {}
for name, (dropout, weight_decay) in variants.items():
    torch.manual_seed(REG_SEED)
    net = armlib.MODELS["gated_pixelcnn"](**{**SMALL, "dropout": dropout})
    histories[name] = armlib.fit(net, x_train[:SUBSET], VALIDATION, epochs=REG_EPOCHS, patience=REG_EPOCHS,
                                 seed=REG_SEED, **{**RECIPE, "weight_decay": weight_decay})
display(table(["configuration", "lowest validation NLL", "at epoch", f"validation NLL, epoch {REG_EPOCHS}",
               f"training NLL, epoch {REG_EPOCHS}"],
              [[name, f"{h.best_val:.2f}", str(h.best_epoch), f"{h.val_nll[-1]:.2f}", f"{h.train_nll[-1]:.2f}"]
               for name, h in histories.items()],
              caption=f"**Table S6.2.** {SUBSET} training images, 16 features per stack, {REG_EPOCHS} epochs; "
                      "NLL in nats per image (validation: the first 100 validation images)."))

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
plots.learning_curve(*histories.values(), labels=list(histories), ax=ax)
for line in ax.lines[:2]:  # the full recipe, drawn wide so the runs without weight decay show on top of it
    line.set(linewidth=5, alpha=0.35)
ax.legend(ncol=3, fontsize=8)
ax.set_ylim(75, 125)
armlib.show_figure("S6.1", f"Learning curves on {SUBSET} training images: dashed, the training NLL; solid, the "
                           "validation NLL. The full recipe (wide, pale blue) lies under the runs without weight decay.")

# %%
steps_here = math.ceil(SUBSET / RECIPE["batch_size"]) * REG_EPOCHS
steps_chapter = math.ceil(len(x_train) / RECIPE["batch_size"]) * 27


def shrink(steps: int, lr: float = 5e-3, weight_decay: float = 0.05) -> float:
    """The factor AdamW's decoupled decay alone multiplies a weight by over a cosine run."""
    return math.prod(1 - learning_rate(lr, "cosine", step, steps) * weight_decay for step in range(steps))


print(f"this run: {steps_here} steps, weight decay alone multiplies every weight by {shrink(steps_here):.3f}")
print(f"chapter 06: {steps_chapter:,} steps, {shrink(steps_chapter):.3f}")
assert steps_chapter == 1701
# on average a cosine runs at half its peak rate: the product is close to exp(-lr wd steps / 2)
assert all(abs(shrink(n) - math.exp(-5e-3 * 0.05 * n / 2)) < 1e-3 for n in (steps_here, steps_chapter))

full, no_dropout, no_decay = (histories[name] for name in variants)
assert abs(full.train_nll[-1] - no_decay.train_nll[-1]) < 1 and abs(full.val_nll[-1] - no_decay.val_nll[-1]) < 1
assert no_dropout.train_nll[-1] < full.train_nll[-1] - 2, "without dropout the training NLL ends lower"
assert no_dropout.val_nll[-1] > full.val_nll[-1] + 1, "... and the validation NLL ends higher"
assert no_dropout.val_nll[-1] > no_dropout.best_val + 1, "... after turning back up"

# %% [markdown]
# In this one-seed run dropout seems to do the work. Without it (orange in Figure S6.1) the training
# NLL ends well below the full recipe's (78.65 against 84.37), while the validation NLL turns back
# up after its lowest epoch and ends clearly higher (103.65 against 99.68): the network starts to
# overfit the 100 training digits. Two caveats. The full recipe's training NLL is measured with
# dropout on, which inflates it, so part of that training gap is dropout's noise rather than a
# looser fit. And the lowest validation NLLs differ by only 0.9 nats (100.00 without dropout,
# 99.09 with it): what dropout buys here is mostly that the validation NLL does not climb after
# its best epoch. Without weight decay (green) the
# curves lie on top of the full recipe's: final training and validation NLL within a nat of it
# (the asserts check these margins; Table S6.2 has the numbers).
#
# The last printout says why weight decay can do so little. AdamW's decay multiplies every weight
# by $1 - \eta_t \lambda$ at step $t$, apart from the gradient step; with $\lambda = 0.05$ and a
# cosine from $\eta = 0.005$, the product over a run of $T$ steps is close to
# $e^{-\eta \lambda T / 2}$: a shrink of a few percent over this run, and of about a fifth over
# chapter 06's 1,701 steps. The gradient can undo a pull that weak wherever the training data
# reward a weight. These are short runs on a tenth of the data with one seed; the same pattern
# at chapter 06's scale would need its 27-epoch runs (the ablation's "no dropout or weight decay"
# row, with each regulariser removed alone).
#
# ## Exercise 4
#
# **Four blocks.** With `BLOCKS = 4`, which pixels of an 8x8 digit does the bottom-right pixel
# never see? Check with `field_map`.
#
# Count the reach block by block (kernel size 3). The vertical stack: the first block's shifted
# kernel covers rows $i-2$ and $i-1$, columns $j-1$ to $j+1$; every later block adds one row above
# and one column on each side. After $B$ blocks it covers rows $i-B-1$ to $i-1$ and columns $j-B$
# to $j+B$. The horizontal stack: the first block's shifted kernel covers columns $j-2$ and $j-1$ of
# row $i$, every later block one more to the left, so after $B$ blocks columns $j-B-1$ to $j-1$.
# The link adds nothing beyond these: vertical features that enter the horizontal stack at block
# $b$ cover columns from $j-b$ and then move left by at most $B-b$ more, again $j-B$ at most.
#
# For the bottom-right pixel $(7, 7)$ and $B = 4$ that leaves unseen rows 0 and 1 whole, columns 0
# to 2 of rows 2 to 6, and columns 0 and 1 of row 7: $16 + 15 + 2 = 33$ of its 63 earlier pixels.
# `field_map` on an untrained network agrees (random weights are enough, and so are 16 features per
# stack: the question is which paths exist, and neither the weights nor the width change them). By
# chapter 05's definitions all 33 are *out of reach*, beyond the edge of the field (no pixel above
# them in their column reaches $(7, 7)$ either), not a blind spot: the field has no holes. So we
# draw the map with `beyond_reach=False`, which marks them `-`, and check that no blind spot is left:

# %%
def predicted_unseen(blocks: int, i: int = 7, j: int = 7) -> set[tuple[int, int]]:
    """The pixels before (i, j) outside the reach derived above, on an 8x8 canvas."""
    above = {(r, c) for r in range(max(0, i - blocks - 1), i) for c in range(max(0, j - blocks), min(8, j + blocks + 1))}
    left = {(i, c) for c in range(max(0, j - blocks - 1), j)}
    earlier = {(r, c) for r in range(8) for c in range(8) if (r, c) < (i, j)}
    return earlier - above - left


torch.manual_seed(0)
four = GatedPixelCNN(channels=16, blocks=4).double()
gradient = position_gradient(four, canvas, (7, 7))
print(field_map(gradient, (7, 7), beyond_reach=False))
unseen = blind_spot(gradient, (7, 7))
print(f"{len(unseen)} of 63 earlier pixels never reach (7, 7), all of them out of reach; "
      f"blind spot: {len(blind_spot(gradient, (7, 7), beyond_reach=False))} pixels")
assert unseen == predicted_unseen(4) and len(unseen) == 33
assert not blind_spot(gradient, (7, 7), beyond_reach=False)   # all 33 out of reach, none a blind spot
for blocks in (5, 6, 7, 8):  # the same rule for deeper stacks; from 7 blocks on nothing is unseen
    net = GatedPixelCNN(channels=8, blocks=blocks).double()
    assert blind_spot(position_gradient(net, canvas, (7, 7)), (7, 7)) == predicted_unseen(blocks)
assert not predicted_unseen(7) and not predicted_unseen(8)
