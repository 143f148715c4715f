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
# # 02 · Finite memory: one small MLP that remembers two pixels
#
# Chapter 01 ended with the chain rule, $p(\mathbf{x}) = \prod_{d=1}^{D} p(x_d \mid \mathbf{x}_{<d})$,
# and with the bill for taking it literally: a separate model for each of the 64 conditionals, each
# with a longer input than the last. The cheapest way out is to **forget**. Assume that a pixel
# depends on the two pixels just before it and on nothing else:
#
# $$p(\mathbf{x}) = p(x_1)\, p(x_2 \mid x_1) \prod_{d=3}^{D} p(x_d \mid x_{d-1}, x_{d-2}),$$
#
# and let **one** small network, shared by every position, map those two pixels to the 17
# probabilities of $x_d$:
#
# $$[x_{d-1}, x_{d-2}] \rightarrow \mathrm{Linear}(2, M) \rightarrow \mathrm{ReLU}
#   \rightarrow \mathrm{Linear}(M, 17) \rightarrow \mathrm{softmax} \rightarrow \theta_d,
#   \qquad p(x_d = l \mid x_{d-1}, x_{d-2}) = \theta_{d,l}.$$
#
# This chapter trains that model on the digits, looks at what it draws, and then asks what it is
# missing. The answer has two parts, and we measure both: *memory* (the pixel above $x_d$ is eight
# steps back, far outside a window of two) and *position* (the shared MLP does not know whether it
# is predicting a corner, which is always blank, or the middle of the digit).

# %%
import matplotlib.pyplot as plt
import torch

import armlib
from armlib import ladder, plots
from armlib.mlp import PAD_VALUE, FiniteMemoryMLP, finite_memory_mlp

armlib.setup(seed=0)

WINDOW = 2          # K: how many previous pixels the MLP reads (the seed's choice)
HIDDEN = 128        # M: hidden units (the seed suggests 300; 128 learns as well here, faster)
LR = 1e-2           # Adam's learning rate
EPOCHS = 100        # upper limit; early stopping ends every run well before it
PATIENCE = 10       # epochs without a better validation NLL before stopping
NUM_SAMPLES = 16    # digits drawn from each model
DIGIT_INDEX = 0     # the test digit whose contexts we print

x_train, x_val, x_test = (armlib.load_digits(split) for split in ("train", "val", "test"))

# %% [markdown]
# ## 1. The model
#
# `FiniteMemoryMLP` is the network half of the ARM. Its `context` method builds, for every position
# $d$, the window $[x_{d-1}, \ldots, x_{d-K}]$; `forward` runs the one MLP over all 64 windows at
# once (a `Linear` layer acts on the last axis, so the 64 positions are just more rows). The
# softmax is not in the network: the `Categorical` head applies `log_softmax` when it scores the
# data and the Gumbel-max trick when it samples.
#
# Two details the equation leaves open. The first pixels have fewer than $K$ predecessors; the
# missing ones are filled with `PAD_VALUE`, blank paper, which is what the top-left corner of
# every digit holds anyway. And pixel values enter scaled to $[0, 1]$, so the first layer starts
# with inputs of a sensible size. The optional `num_positions` argument is section 4's business.

# %%
armlib.show_source(FiniteMemoryMLP)

# %% [markdown]
# Here are the windows the MLP sees at the first positions of a test digit (positions counted from
# 1, as in the equations). Position 1 sees only padding, position 2 sees $x_1$ and one pad, and from
# position 3 on the window slides along the row, then wraps to the start of the next row, where
# the "previous pixels" are the end of the row above, not its neighbours.

# %%
# NBVAL_CHECK_OUTPUT
digit = x_test[DIGIT_INDEX:DIGIT_INDEX + 1]
windows = FiniteMemoryMLP(armlib.NUM_VALS, WINDOW).context(digit)[0]
print(f"PAD_VALUE = {PAD_VALUE}")
print("first row of the digit:", digit[0, :8].tolist())
for d in (1, 2, 3, 4, 9, 10):
    print(f"d = {d:2d}: x_d = {digit[0, d - 1].item():2d}, window [x_(d-1), x_(d-2)] = {windows[d - 1].tolist()}")

# %% [markdown]
# The whole model is small: $2M + M$ weights and biases in, $17M + 17$ out, and the same weights
# serve all 64 positions.

# %%
# NBVAL_CHECK_OUTPUT
memory_model = finite_memory_mlp(window=WINDOW, hidden=HIDDEN)
print(memory_model)
print(f"parameters: {sum(p.numel() for p in memory_model.parameters()):,}")

# %% [markdown]
# ## 2. Training the two-pixel model
#
# `armlib.fit` maximises the likelihood: it minimises $-\log p(\mathbf{x})$ in nats per image with
# Adam, measures the validation NLL after each epoch, stops after `PATIENCE` epochs without
# improvement and restores the best weights. `armlib.evaluate` then scores the whole test split.
# For scale, a model that knows nothing, the uniform distribution over 17 values per pixel, scores
# $64 \ln 17 = 181.3$ nats.

# %%
memory_history = armlib.fit(memory_model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
memory_score = armlib.evaluate(memory_model, x_test)
print(f"2-pixel MLP: test NLL {memory_score.nats:.2f} nats/image = {memory_score.bpd:.3f} bits/dim "
      f"(best epoch {memory_history.best_epoch} of {memory_history.epochs}, "
      f"{memory_history.seconds[-1]:.0f} s)")
assert memory_score.nats < 115, "the 2-pixel MLP should reach < 115 nats on test"

# %% [markdown]
# The two-pixel model scores 110.11 nats per image on test, far better than the uniform 181.3: two
# neighbours say a lot about a pixel. What does it draw? Short horizontal dashes of ink, scattered
# over the whole square, the blank margins included. Nothing ties one row to the next: the pixel
# above $x_d$ is $x_{d-8}$, six steps outside the window, so the dashes of one row do not continue
# the strokes of the row above, and no sample has the shape of a digit.

# %%
memory_samples = memory_model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], memory_samples, title="2-pixel MLP samples")
plt.show()

# %% [markdown]
# ## 3. No memory at all: one categorical per position
#
# Before giving the MLP its position, a baseline that has a position and no memory: every pixel
# gets its own categorical distribution, learned from the data and independent of every other
# pixel,
#
# $$p(\mathbf{x}) = \prod_{d=1}^{D} p(x_d), \qquad p(x_d = l) = \theta_{d,l}.$$
#
# It is still an ARM (each conditional simply ignores $\mathbf{x}_{<d}$), and it is our MLP with a
# window of zero and a learned vector $e_d$ per position:
# $\theta_d = \mathrm{softmax}(W_2\, \mathrm{ReLU}(e_d) + b_2)$ depends on $d$ alone.

# %%
position_only_model = finite_memory_mlp(window=0, hidden=HIDDEN, position=True)
position_only_history = armlib.fit(position_only_model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
position_only_score = armlib.evaluate(position_only_model, x_test)
print(f"independent pixels: test NLL {position_only_score.nats:.2f} nats/image "
      f"(best epoch {position_only_history.best_epoch} of {position_only_history.epochs}, "
      f"{position_only_history.seconds[-1]:.0f} s)")

# %% [markdown]
# ## 4. Two pixels and the position
#
# The position enters the first layer as a learned vector $e_d \in \mathbb{R}^M$ per position,
#
# $$\theta_d = \mathrm{softmax}\big(W_2\, \mathrm{ReLU}(W_1 [x_{d-1}, x_{d-2}] + b_1 + e_d) + b_2\big),$$
#
# which is exactly what appending a one-hot encoding of $d$ to the input of $\mathrm{Linear}(2, M)$
# would add: the column of the weight matrix that the one-hot picks out. It costs $64M$ weights,
# and the model stays finite-memory: $\theta_d$ still reads only $x_{d-1}$ and $x_{d-2}$ of the
# data.

# %%
position_model = armlib.MODELS["mlp_position"](window=WINDOW, hidden=HIDDEN)
position_history = armlib.fit(position_model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
position_score = armlib.evaluate(position_model, x_test)
print(f"2-pixel MLP + position: test NLL {position_score.nats:.2f} nats/image = {position_score.bpd:.3f} bits/dim "
      f"(best epoch {position_history.best_epoch} of {position_history.epochs}, "
      f"{position_history.seconds[-1]:.0f} s)")
assert position_score.nats < memory_score.nats - 5, "the position should buy several nats"
assert position_score.nats < position_only_score.nats - 5, "two pixels of memory should add to the position"

# %% [markdown]
# ## 5. Where the nats go
#
# The NLL of an image is a sum over its 64 pixels, so we can ask where each model pays. The maps
# below show the test-split average of $-\log p(x_d \mid \mathbf{x}_{<d})$ at every pixel.
#
# The printout splits each total into the 28 pixels of the outer ring and the 36 inside it.
#
# - In the interior, two pixels of memory and no position (81.5 nats) are worth as much as the
#   position and no memory (81.8 nats).
# - At the border the memory-only model pays more: 28.6 nats against 24.7. After two blank pixels
#   it cannot tell the blank margin from a blank gap inside a digit, and at the left edge its
#   window holds the end of the row above. The top row costs it most: it cannot know that it is
#   there, where the strokes of a digit begin.
# - The combined model is better in both regions, 21.7 nats at the border and 74.9 inside, which
#   adds up to its 96.66. What it still pays sits in the middle of the digit, where the pixels
#   above matter and a window of two cannot reach them.

# %%
models = {"2-pixel MLP": memory_model, "independent pixels": position_only_model,
          "2-pixel MLP + position": position_model}
with torch.no_grad():
    cost_maps = {name: -model.log_prob(x_test, reduction="none").mean(0).reshape(8, 8)
                 for name, model in models.items()}
border = torch.ones(8, 8, dtype=torch.bool)
border[1:-1, 1:-1] = False  # the 28 pixels of the outer ring; the other 36 are the interior
for name, cost in cost_maps.items():
    print(f"{name:24s} border {cost[border].sum().item():5.1f} nats, interior {cost[~border].sum().item():5.1f} nats")
top = max(cost.max().item() for cost in cost_maps.values())
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, (name, cost) in zip(axes, cost_maps.items()):
    image = ax.imshow(cost.numpy(), cmap="magma", vmin=0, vmax=top)
    ax.set_title(f"{name}\n{cost.sum().item():.1f} nats/image")
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(image, ax=axes, label="mean -log p(x_d | x_<d) [nats]", shrink=0.85)
plt.show()

# %% [markdown]
# The position fixes the margins but not the shapes: samples of the combined model keep ink in the
# middle and paper at the edges, and a few look like a rough 5 or 9, yet most strokes still do not
# connect from one row to the next.

# %%
position_samples = position_model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], position_samples, title="2-pixel MLP + position samples")
plt.show()

# %% [markdown]
# ## 6. Learning curves
#
# Training (dashed, measured on the batches while the weights change) and validation NLL per
# epoch. The independent-pixels model has the fewest things to learn and stops first.

# %%
fig, ax = plt.subplots(figsize=(7, 4))
plots.learning_curve(memory_history, position_only_history, position_history,
                     labels=list(models), ax=ax)
ax.set_ylim(top=140)
plt.show()

# %% [markdown]
# ## 7. The ladder
#
# The chapter's three models go into the likelihood ladder, the one table that every chapter of the
# book adds its rows to (`results/02_finite_memory_mlp.json`).

# %%
rows = [ladder.entry("2-pixel MLP", memory_model, memory_score, memory_history),
        ladder.entry("independent pixels (position only)", position_only_model, position_only_score,
                     position_only_history),
        ladder.entry("2-pixel MLP + position", position_model, position_score, position_history)]
ladder.record("02_finite_memory_mlp", rows)
for row in rows:
    print(f"{row['model']:36s} {row['test_nats']:7.2f} nats  {row['test_bpd']:.3f} bits/dim  "
          f"{row['params']:6,} parameters")

# %% [markdown]
# ## Summary
#
# | model | what $\theta_d$ reads | parameters | test NLL [nats/image] |
# |---|---|---:|---:|
# | uniform | nothing | 0 | 181.3 |
# | 2-pixel MLP (the seed's) | $x_{d-1}, x_{d-2}$ | 2,577 | 110.11 |
# | independent pixels | $d$ | 10,385 | 106.53 |
# | 2-pixel MLP + position | $x_{d-1}, x_{d-2}, d$ | 10,769 | 96.66 |
#
# - One MLP shared by every position turns the chain rule into a model with a few thousand
#   parameters that trains in well under a minute on one thread.
# - Two pixels of memory alone do *worse* than no memory and a position: a shared MLP with a short
#   window does not know where it is, and the margins of a digit are where that costs.
# - Memory and position add up: 96.66 nats. What is left is the pixel above, eight steps back. The
#   next chapter keeps the sharing but drops the window: a recurrent network carries a summary of
#   all the pixels so far.
#
# ## Exercises
#
# 1. **The row above.** Train `finite_memory_mlp(window=9, hidden=HIDDEN)`, whose window reaches
#    the pixel directly above $x_d$ (and the one above-left). How much of the gap to the
#    position-aware model does it close, and how do its samples change? Then add the position too.
# 2. **How long a memory?** Plot the test NLL against the window $K \in \{1, 2, 4, 8, 9, 16\}$, with
#    and without the position. Where does it stop paying, and why might it get worse?
# 3. **Padding.** Change the padding constant to 16 (full ink) by editing a copy of `context`. Which
#    positions' costs change in the cost map, and does the position-aware model care?
# 4. **One-hot inputs.** The MLP reads pixel values as numbers, so it has to learn that 7 and 8 are
#    alike. Feed each predecessor as a one-hot vector of 17 values instead (a `Linear(2 * 17, M)`
#    first layer). Does the two-pixel model improve?
# 5. **Counting.** The independent-pixels model has a closed-form maximum-likelihood solution: the
#    frequency of each value at each position in the training split. Compute it (add a small count
#    to every cell so no probability is zero) and compare its test NLL with the trained model's.
