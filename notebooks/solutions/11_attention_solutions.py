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
# # Solutions to chapter 11: Attention
#
# These are worked solutions to the exercises of [chapter 11](../11_attention.ipynb).
# Try each exercise yourself before you read its solution.
#
# Exercises 3 and 4 study the hybrid the chapter trained (6 gated blocks and one attention block).
# The setup below loads the weights the chapter saved, so the model is the chapter's own; it scores
# the test NLL the chapter recorded (a test checks that the file still does).

# %%
import math

import matplotlib.pyplot as plt
import torch
from IPython.display import display

import armlib
from armlib import ladder
from armlib.book.display import table
from armlib.layers import CausalSelfAttention, attention
from armlib.models.transformer import CausalTransformer

armlib.setup(seed=0)

SIDES = (8, 28)               # exercise 1: the digits (D = 64) and MNIST-sized canvases (D = 784)
WINDOW = 8                    # exercise 2: keys at most this many positions back
WATCHED = (5, 3)              # exercise 2: the pixel whose view we draw
CHEAT_EPOCHS = 2              # exercise 5

x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)) for split in ("train", "val", "test"))
hybrid = ladder.load_weights("11_attention_hybrid", armlib.MODELS["transformer_hybrid"]())
hybrid_nats = armlib.evaluate(hybrid, x_test).nats
print(f"chapter 11's hybrid: test NLL {hybrid_nats:.2f} nats per image")
assert hybrid_nats < 80.5, hybrid_nats

# %% [markdown]
# ## Exercise 1
#
# **What the cache holds.** After the last sampling step, how many numbers does the KV cache of the
# registered Transformer (4 blocks, $W = 64$) hold per sample, at $D = 64$ and at $D = 784$? How
# many attention weights does one plain forward pass compute per sample (4 blocks, 4 heads, the
# whole $D \times D$ square)? Check the first count on the caches of a `CausalTransformer`'s
# `stepper`.
#
# **By hand.** Every block keeps a key and a value, $W = 64$ numbers each (4 heads of 16), for each
# of the $D$ positions: $2 \cdot 64 \cdot D$ numbers per block, $4 \cdot 2 \cdot 64 \cdot D = 512 D$
# for the four. That is $32\,768$ numbers at $D = 64$ (128 KiB in float32) and $401\,408$ at
# $D = 784$ (1.5 MiB): linear in $D$. A plain pass computes, per block and head, a $D \times D$
# matrix of weights: $16 D^2$ numbers for the network, $65\,536$ at $D = 64$ and $9\,834\,496$ at
# $D = 784$. The cache grows like $D$, the full pass's weights like $D^2$. (Each attention layer also
# keeps a $D \times D$ table of which relative score belongs to which pair of positions: one table
# per layer for every sample alike, like a table of positions, not part of the cache.) The cell
# counts the cache of the library's stepper.

# %%
rows = []
for side in SIDES:
    net = CausalTransformer(grid=(side, side))
    stepper = net.stepper(batch=1, positions=(side, side))
    cached = sum(cache.keys.numel() + cache.values.numel() for cache in stepper.caches)
    length = side * side
    width, blocks, heads = net.start.numel(), len(net.blocks), net.blocks[0].attention.heads
    assert cached == blocks * 2 * width * length
    rows.append([length, f"{cached:,}", f"{cached * 4 / 2 ** 20:.2f}", f"{blocks * heads * length ** 2:,}"])
display(table(["D", "numbers in the KV cache", "MiB in float32", "attention weights of one pass"], rows,
              caption="**Table S11.1.** Per sample, for the registered Transformer (4 blocks, W = 64, 4 heads)."))

# %%
assert [row[1] for row in rows] == ["32,768", "401,408"]

# %% [markdown]
# ## Exercise 2
#
# **The mask as a bias.** Check that `attention(q, k, v, causal=True)` equals
# `attention(q, k, v, causal=False, bias=b)` with $b = -\infty$ above the diagonal and $0$ elsewhere.
# Then hide also every key more than 8 positions back, a local window like the local attention of
# Parmar et al. (2018). Is the result still causal? Which pixels can pixel $(5, 3)$ see through one
# such block, and through four?
#
# **Solution.** The two calls agree (a difference of the order of $10^{-16}$ would be rounding: the
# fused kernel may add in another order):

# %%
torch.manual_seed(0)
length = armlib.DIGIT_LENGTH
query, key, value = torch.randn(3, 1, 2, length, 16, dtype=torch.float64)
t, s = torch.arange(length)[:, None], torch.arange(length)[None]
future = s > t
causal_bias = torch.zeros(length, length, dtype=torch.float64).masked_fill(future, -math.inf)
difference = (attention(query, key, value, causal=True) - attention(query, key, value, causal=False,
                                                                    bias=causal_bias)).abs().max().item()
print(f"largest difference: {difference:.1e}")
assert difference < 1e-12

# %% [markdown]
# A window keeps key $s$ for query $t$ only if $t - 8 \le s \le t$. It hides more, never less, than the
# causal mask, so it is still causal: the future stays at weight zero. What it costs is reach. One
# block lets position $t$ read positions $t-8, \dots, t$; with the shift right, position $t$ holds pixel
# $t - 1$, so the pixel at raster index $d$ sees pixels $d-9, \dots, d-1$. Four blocks chain four
# windows: $d - 33, \dots, d - 1$. The cell computes both reaches by multiplying the windows' patterns
# (which position can reach which through $n$ blocks) instead of by counting:

# %%
window = ~future & (t - s <= WINDOW)                     # (query, key): True where the weight can be non-zero
reach = {1: window.clone()}
reach[4] = window.clone()
for _ in range(3):
    reach[4] = (reach[4].long() @ window.long()) > 0     # through one more block
d = WATCHED[0] * 8 + WATCHED[1]
fig, axes = plt.subplots(1, 2, figsize=(6, 3))
seen_pixels = {}
for ax, (blocks, pattern) in zip(axes, reach.items()):
    seen = torch.zeros(length)
    positions = pattern[d].nonzero().flatten()
    pixels = positions[positions >= 1] - 1                 # position s carries pixel s - 1
    seen[pixels] = 1
    seen_pixels[blocks] = pixels.tolist()
    ax.imshow(seen.reshape(8, 8), cmap="Blues", vmin=0, vmax=1.5)
    ax.add_patch(plt.Rectangle((WATCHED[1] - 0.5, WATCHED[0] - 0.5), 1, 1, fill=False, ec="red", lw=2))
    ax.set_title(f"{blocks} block{'s' if blocks > 1 else ''}: {len(pixels)} pixels")
    ax.set_xticks([])
    ax.set_yticks([])
armlib.show_figure("S11.1", f"The pixels that pixel {WATCHED} (red) can read through windows of {WINDOW} positions "
                            "back, after one block and after four.", fig=fig)
print(f"pixel {WATCHED} is raster index {d}: it reads pixels {seen_pixels[1][0]} to {seen_pixels[1][-1]} through one "
      f"block, {seen_pixels[4][0]} to {seen_pixels[4][-1]} through four")

# %%
assert reach[1][d].nonzero().flatten().tolist() == list(range(d - WINDOW, d + 1))
assert reach[4][d].nonzero().flatten().tolist() == list(range(max(d - 4 * WINDOW, 0), d + 1))
assert not (reach[4] & future).any()  # still causal
assert seen_pixels[1] == list(range(d - WINDOW - 1, d)) and seen_pixels[4] == list(range(d - 4 * WINDOW - 1, d))

# %% [markdown]
# **Answer.** Still causal (the assert), and a pixel sees the 9 pixels before it through one block,
# 33 through four. For pixel $(5, 3)$, index 43, that is the row above from column 2 on and the
# three pixels before it in its own row after one block, and every pixel from $(1, 2)$ on after four (Figure S11.1):
# a convolution's growing receptive field again, bought back with a cost of $O(D \cdot 9)$ per block
# instead of $O(D^2)$. With windows, attention gives up the one thing a convolution could not do,
# reach anywhere in one step; Image Transformer keeps it by attending within larger blocks of the
# image.

# %% [markdown]
# ## Exercise 3
#
# **What the trained attention scores favour.** Load the hybrid the chapter saved and draw each
# head's relative scores as a $15 \times 15$ image of (row, column) offsets, beside their starting
# values. Which offsets does each head favour after training?
#
# **Solution.** `CausalSelfAttention.relative` holds one score per head and offset, in the order of
# `relative_offsets`: the row of the pixel being predicted minus the row of the pixel the key
# carries, $-7, \dots, 7$, then the same for columns; one more score, the last, is the start
# vector's. We draw the offsets turned round, as the key pixel's place relative to the predicted one
# (key minus query), so that the pixel above is drawn one row above the centre. Only pixels before
# the predicted one are ever used (the rest are masked); we blank the others, the centre included.

# %%
layer = hybrid.net.blocks[0].attention


def key_minus_query(scores):
    """(heads, 226) scores: 225 over query-minus-key offsets, then the start vector's ->
    (heads, 15, 15) over key-minus-query offsets."""
    return scores.detach()[:, :15 * 15].reshape(layer.heads, 15, 15).flip(1, 2)


trained = key_minus_query(layer.relative)
start = key_minus_query(CausalSelfAttention(64, layer.heads, relative=(8, 8), key_shift=1).relative)
rows_, columns_ = torch.meshgrid(torch.arange(-7, 8), torch.arange(-7, 8), indexing="ij")
used = (rows_ < 0) | ((rows_ == 0) & (columns_ < 0))       # key pixel before the predicted one
fig, axes = plt.subplots(2, layer.heads, figsize=(2.4 * layer.heads, 5))
for head in range(layer.heads):
    for ax, scores, label in ((axes[0, head], start[head], "start"), (axes[1, head], trained[head], "trained")):
        shown = scores.masked_fill(~used, float("nan"))
        ax.imshow(shown, cmap="viridis", extent=(-7.5, 7.5, 7.5, -7.5))
        best = shown.nan_to_num(-math.inf).argmax()
        ax.set_title(f"head {head + 1}, {label}\nbest: ({rows_.flatten()[best].item()}, "
                     f"{columns_.flatten()[best].item()})", fontsize=9)
        ax.set_xlabel("key column - query column", fontsize=8)
        ax.set_ylabel("key row - query row", fontsize=8)
plt.tight_layout()
armlib.show_figure("S11.2", "Each head's relative score per offset of the key from the query (rows, columns), "
                            "before (top) and after (bottom) training; brighter is a higher score, each panel on its "
                            "own scale. Offsets the mask never lets through are left blank.", fig=fig)
favourites = {head + 1: (rows_.flatten()[i].item(), columns_.flatten()[i].item())
              for head, i in enumerate(trained.masked_fill(~used, -math.inf).flatten(1).argmax(1))}
print(f"the offset each trained head scores highest: {favourites}")

# %%
assert not torch.allclose(trained, start)  # training moved the scores
assert favourites[1] == (-1, 0) and favourites[2] == (0, -1)  # the pixel above, the pixel to the left

# %% [markdown]
# **Answer.** All four heads start alike, highest next to the predicted pixel (the pixel above and
# the pixel to the left tie; the title names the first) and falling with distance, each at its own
# slope. Training split them. Head 1 now prefers the pixel directly above, $(-1, 0)$, and head 2 the
# pixel to the left, $(0, -1)$, with the pixels above next: both look by position, as a small
# convolution would. Heads 3 and 4 gave the smooth pattern up; their highest scores lie 7 and 4
# rows up, and the rest are scattered, so what they attend to is left mostly to the query and the
# key, to content. A relative score is only part of a head's score: the content term
# $\mathbf{q}_t^\top \mathbf{k}_s / \sqrt{d_k}$ is added to it, so on a given digit a head can look
# elsewhere than its favourite offset, as head 2 does in Figure 11.4 of the chapter. (A score is
# added before the softmax, so what matters is its differences between keys, not its level.)

# ## Exercise 4
#
# **Without its attention.** Evaluate the trained hybrid with its attention block's output replaced
# by zeros (a forward hook on `hybrid.net.blocks[0].attention` that returns `torch.zeros_like(output)`).
# How many nats does the test NLL lose? Compare with Table 11.4's difference between the two models
# trained separately; why are the two numbers not the same thing?
#
# **Solution.**

# %%
hook = hybrid.net.blocks[0].attention.register_forward_hook(lambda module, inputs, output: torch.zeros_like(output))
without_nats = armlib.evaluate(hybrid, x_test).nats
hook.remove()
print(f"hybrid: {hybrid_nats:.2f} nats per test image; attention switched off: {without_nats:.2f} "
      f"(+{without_nats - hybrid_nats:.2f})")

# %%
assert without_nats > hybrid_nats
assert armlib.evaluate(hybrid, x_test).nats == hybrid_nats  # the hook is gone

# %% [markdown]
# **Answer.** Switched off, the attention block costs the trained hybrid 2.45 nats per test image,
# almost five times the 0.52 by which the hybrid beat the gated blocks trained alone (Table 11.4).
# The two numbers answer different questions. Zeroing a part of a trained network measures how much
# *this* network leans on it: the gated blocks were trained beside the attention, the layers after
# it learned to read their sum, and nothing in them had to make up for a missing part. The
# separately trained gated network did have to: whatever the attention block did, it learned to do
# some other way, or to do without. So a knock-out overstates what a part adds; training the model
# without it is the fair comparison, and costs a training run per seed.

# ## Exercise 5
#
# **A model that cheats.** Train `armlib.MODELS["transformer"](mask=False, layers=1)` for 2 epochs.
# Its NLL on the validation digits falls far below any model on the ladder. Why is that number not
# the likelihood of anything, and what do its samples (plain sampler) look like? Why does the cached
# sampler refuse it?
#
# **Solution.**

# %%
torch.manual_seed(0)
cheat = armlib.MODELS["transformer"](mask=False, layers=1)
cheat_history = armlib.fit(cheat, x_train, x_val, epochs=CHEAT_EPOCHS, batch_size=16, lr=3e-3, seed=0)
print(f"after {CHEAT_EPOCHS} epochs: validation 'NLL' {cheat_history.val_nll[-1]:.2f} nats per image")
cheat_samples = cheat.sample(8, generator=torch.Generator().manual_seed(0))
ax = armlib.plots.image_grid(cheat_samples)
print(f"pixels of the samples that are 0 (white): {(cheat_samples == 0).float().mean():.0%}")
armlib.show_figure("S11.3", "Eight samples of the network without a mask, drawn by the plain sampler.", fig=ax.figure)
try:
    cheat.sample(1, cached=True)
except ValueError as error:
    print(f"cached sampler: {error}")

# %%
best_on_ladder = min(row["test_nats"] for row in ladder.rows(ladder.COMMITTED_RESULTS)
                     if "given the class" not in row["model"])  # models of x alone
assert cheat_history.val_nll[-1] < best_on_ladder / 2, (cheat_history.val_nll[-1], best_on_ladder)
assert (cheat_samples == 0).float().mean() > 0.9

# %% [markdown]
# **Answer.** Without the mask, position $d$ attends to every position, among them position $d + 1$,
# which holds $x_d$ itself (the shift right put it there). The network learns to copy the value it
# is asked to predict, and after two epochs its "NLL" on the validation digits is under 2 nats per
# image, against 77.81 for the best model of the digits alone on the ladder. It is not a
# likelihood: the product of its
# conditionals is not a distribution over images (each factor looks at the answer), and
# `check_autoregressive` refuses it (chapter section 2). Its samples show it: the plain sampler
# draws pixel $d$ from the network's output on a canvas whose pixels from $d$ on are still zero, and
# a network that copies what is there copies the zeros, so the pixels come out white (the printed
# share). The
# cached sampler cannot even start: a KV cache works because position $d$ needs only what came
# before, and without the mask it needs what has not been drawn yet.
