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
# # 11 · Attention: the causal Transformer as an ARM
#
# Every network of chapters 04 to 07 computes the conditional $p(x_d \mid \mathbf{x}_{<d})$ from a
# fixed neighbourhood: a causal convolution reads the $k$ positions its kernel covers, with the same
# weights wherever it is, and only depth or dilation lets it see further. Tomczak (2022) builds his
# ARMs this way, and the book followed. The autoregressive models met everywhere today are built
# differently. The **Transformer** (Vaswani et al., 2017) lets every position look at *all* the
# positions before it at once, and decides from the data how much each of them matters. Image
# Transformer (Parmar et al., 2018) and ImageGPT (Chen et al., 2020) model images pixel by pixel this
# way; PixelSNAIL (Chen et al., 2018) interleaves attention with causal convolutions.
#
# This chapter builds a causal Transformer for the book's `ARM(net, head, shape)`, on the same digits
# and the same ladder:
#
# 1. self-attention as a weighted average whose weights depend on the data;
# 2. the causal mask, the one thing that makes it an ARM, and `check_autoregressive` catching a
#    network without it;
# 3. positions: attention knows no order, rows or columns until it is given them, and what each way
#    of giving them is worth on the digits;
# 4. the price, $O(D^2)$ work per pass against a convolution's $O(D)$;
# 5. the **KV cache**, chapter 10's cached generation for attention: the same samples, faster;
# 6. training: attention alone, attention on top of a small gated PixelCNN, and the same parameters
#    spent on convolutions instead, over three seeds;
# 7. what the trained attention looks at.

# %%
import copy
import json
import math
import statistics
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import display
from scipy import stats

import armlib
from armlib import ladder, plots
from armlib.book.display import MarkdownText, table
from armlib.layers import KVCache, attention
from armlib.models.transformer import CausalTransformer
from armlib.sampling import sample

armlib.setup(seed=0)

SEQUENCE = 6                      # positions in the worked example of section 1
SWAPPED = ((1, 3), (3, 6))        # two pixels whose values section 3 swaps...
WATCHED = (5, 0)                  # ...and the later pixel whose prediction it watches
COST_SIDES = (8, 28)              # canvases side x side: the digits (D = 64) and MNIST's size (D = 784)
COST_PIXELS = 3136                # pixels per timed forward pass: 49 digits of 8 x 8, or 4 images of 28 x 28
TIMING_BATCHES = (1, 16, 64)      # batch sizes for the cached and the plain sampler
TIMING_REPEATS = 2                # every timing: the fastest of this many runs
MAPPED_PIXELS = ((2, 5), (5, 3), (7, 4))  # the pixels whose attention section 7 draws
NUM_SAMPLES = 16                  # digits drawn
MIN_CACHED_SPEEDUP = 4.0          # the cached sampler at least this much faster at batch 64 (timings are noisy)

x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)) for split in ("train", "val", "test"))
print(f"train {tuple(x_train.shape)}, validation {tuple(x_val.shape)}, test {tuple(x_test.shape)}")

# %% [markdown]
# ## 1. Attention: an average whose weights depend on the data
#
# Take $T$ vectors $\mathbf{h}_1, \dots, \mathbf{h}_T$, one per position. Self-attention maps each of
# them to three vectors by three learned linear maps: a **query** $\mathbf{q}_t$ (what position $t$
# looks for), a **key** $\mathbf{k}_s$ (what position $s$ offers to be found by) and a **value**
# $\mathbf{v}_s$ (what it passes on when found). Position $t$'s output is an average of the values,
#
# $$\mathbf{o}_t = \sum_{s} a_{ts}\, \mathbf{v}_s, \qquad
#   a_{ts} = \frac{\exp(\mathbf{q}_t^\top \mathbf{k}_s / \sqrt{d_k})}
#                 {\sum_{s'} \exp(\mathbf{q}_t^\top \mathbf{k}_{s'} / \sqrt{d_k})},$$
#
# with weights $a_{ts} \ge 0$ that sum to one over $s$: a softmax of the scores
# $\mathbf{q}_t^\top \mathbf{k}_s / \sqrt{d_k}$, where $d_k$ is the length of a key (dividing by
# $\sqrt{d_k}$ keeps the scores of long vectors from saturating the softmax). A convolution also
# computes a weighted sum of its inputs, but its weights are parameters, fixed after training and
# tied to offsets ("the pixel above"). Attention's weights are computed afresh for every input, from
# the contents of the positions.
#
# To make it an ARM, position $t$ must not read the future. The **causal mask** adds $-\infty$ to
# every score with $s > t$ before the softmax, so those weights are exactly zero and position $t$
# averages over $s \le t$ only. Figure 11.1 shows the weights for random queries and keys at
# $T = 6$ positions, numbered from 0 as in the rest of the chapter, without and with the mask.
#
# The library's `attention` is this formula, with an optional learned `bias` added to the scores
# (section 3 uses it); it hands the work to PyTorch's fused `scaled_dot_product_attention`. It is the
# only place in `armlib` where attention is computed: the network's forward pass, its cached step
# (section 5) and its attention maps (section 7) all call it.

# %%
armlib.show_source(attention)

# %% [markdown]
# The weights are not returned by the fused kernel, but we can read them off it: attending with the
# identity matrix as the values returns the weights themselves, since
# $\sum_s a_{ts} \mathbf{e}_s$ is row $t$ of the weight matrix. Computed by hand from the formula,
# they agree:

# %%
torch.manual_seed(0)
query, key = torch.randn(2, 1, 1, SEQUENCE, 4, dtype=torch.float64)  # (batch 1, 1 head, T, d_k)
identity = torch.eye(SEQUENCE, dtype=torch.float64).expand(1, 1, SEQUENCE, SEQUENCE)
weights = {masked: attention(query, key, identity, causal=masked)[0, 0] for masked in (False, True)}
scores = query[0, 0] @ key[0, 0].T / math.sqrt(query.shape[-1])
future = torch.ones(SEQUENCE, SEQUENCE, dtype=torch.bool).triu(1)
by_hand = scores.masked_fill(future, -math.inf).softmax(dim=-1)
print(f"largest difference from the formula: {(weights[True] - by_hand).abs().max():.1e}")
print(f"weight on the future with the mask: {weights[True][future].abs().max():.1f}")
print(f"rows sum to one: {torch.allclose(weights[True].sum(-1), torch.ones(SEQUENCE, dtype=torch.float64))}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
for ax, (masked, matrix) in zip(axes, weights.items()):
    image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    for (t, s), value in zip(((t, s) for t in range(SEQUENCE) for s in range(SEQUENCE)), matrix.flatten()):
        ax.text(s, t, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if value > 0.6 else "black")
    ax.set_xticks(range(SEQUENCE))
    ax.set_yticks(range(SEQUENCE))
    ax.set_xlabel("key position $s$")
    ax.set_ylabel("query position $t$")
    ax.set_title("causal: $s \\leq t$ only" if masked else "no mask: every $s$")
fig.colorbar(image, ax=axes, label="weight $a_{ts}$", shrink=0.8)
armlib.show_figure("11.1", "Attention weights $a_{ts}$ for random queries and keys, $T = 6$, $d_k = 4$. Each row "
                           "sums to one. With the causal mask (right) row $t$ spreads its weight over positions "
                           "$0, \\dots, t$; the same scores, renormalised.", fig=fig)

# %% [markdown]
# A layer runs several such averages side by side, the **heads**: the $W$ numbers of each position
# are split into `heads` groups, each with its own queries, keys and values, so one head can look for
# the pixel above while another looks for the last dark pixel. `CausalSelfAttention` holds the
# linear maps; a **Transformer block** wraps it as Vaswani et al. (2017) do, with a residual
# connection and layer normalisation around the attention and around a small MLP applied at every
# position. Layer normalisation (Ba et al., 2016) rescales each position's vector to mean 0 and
# variance 1, then applies a learned scale and shift; the MLP is two linear maps with a GELU
# between them (Hendrycks & Gimpel, 2016), a smooth relative of the ReLU. We normalise before each
# part rather than after, the "pre-norm" order most models use now:
#
# $$\mathbf{h} \leftarrow \mathbf{h} + \text{attention}(\text{LayerNorm}(\mathbf{h})), \qquad
#   \mathbf{h} \leftarrow \mathbf{h} + \text{MLP}(\text{LayerNorm}(\mathbf{h})).$$
#
# ## 2. The causal Transformer as an ARM
#
# The mask keeps position $t$ from reading positions after it, but it may still read itself: $a_{tt}$
# is not masked. So the input at position $d$ must not be $x_d$, or the network could copy the value
# it is asked to predict. We **shift right**: position $0$ holds a learned start vector and position
# $d \geq 1$ the embedding of $x_{d-1}$, the pixel before it in raster order,
#
# $$\mathbf{s}_0 = \text{start}, \qquad \mathbf{s}_d = \text{embed}(x_{d-1}), \quad d = 1, \dots, D-1.$$
#
# Then position $d$'s output depends on $\mathbf{s}_0, \dots, \mathbf{s}_d$, that is on
# $x_0, \dots, x_{d-1} = \mathbf{x}_{<d}$ (pixels counted from $0$ in raster order), and gives the parameters of
# $p(x_d \mid \mathbf{x}_{<d})$. This is the type-A mask of chapter 05 in another form: there the
# first layer excluded the centre of the kernel, here the input is moved one position on. A pixel
# enters as its 17 level indicators, as in chapter 06, which the linear `embed` turns into a learned
# vector per grey level.

# %%
armlib.show_source(CausalTransformer, methods=["tokens", "forward"])

# %% [markdown]
# `armlib.MODELS["transformer"]` is this network with 4 blocks, 64 numbers per position, 4 heads and
# the categorical head of chapter 05. `check_autoregressive` (chapter 04) changes every input in turn
# and checks that no prediction at or before it moves. It passes; and the same network built with
# `mask=False`, which lets every position attend to every other, is caught at once, because the
# prediction for the very first pixel already reads the pixels after it:

# %%
model = armlib.MODELS["transformer"]()
armlib.check_autoregressive(model)
print(f"causal Transformer: autoregressive, {sum(p.numel() for p in model.parameters()):,} parameters")
try:
    armlib.check_autoregressive(armlib.MODELS["transformer"](mask=False))
except armlib.NotAutoregressive as error:
    print(f"without the mask: NotAutoregressive: {error}")

# %% [markdown]
# ## 3. Where is each pixel?
#
# The attention average has no idea where its inputs sit. Permute the positions $s$, and the same
# values meet the same weights, only in another order of summation. A convolution knows "the pixel
# above" by construction; attention must be told. Here is a one-block Transformer with nothing that
# marks positions. We swap the values of two earlier pixels, $x_{(1,3)}$ and $x_{(3,6)}$ (row,
# column), in a test digit and watch the prediction for pixel $(5, 0)$, which comes after both:

# %%
digit = x_test[:1].clone()
swapped = digit.clone()
(r1, c1), (r2, c2) = SWAPPED
swapped[0, 0, r1, c1], swapped[0, 0, r2, c2] = digit[0, 0, r2, c2], digit[0, 0, r1, c1]
print(f"values swapped: {digit[0, 0, r1, c1].item()} and {digit[0, 0, r2, c2].item()}")


def change_in_prediction(**network) -> float:
    """Largest change in the logits at pixel WATCHED, in float64, when the two pixels swap values."""
    torch.manual_seed(0)
    net = CausalTransformer(dropout=0.0, **network).double().eval()
    with torch.no_grad():
        return (net(digit) - net(swapped))[0, :, WATCHED[0], WATCHED[1]].abs().max().item()


rows = [[f"{layers} block{'s' if layers > 1 else ''}, {label}",
         f"{change_in_prediction(layers=layers, positions=positions, relative_bias=False):.1e}"]
        for layers in (1, 4) for label, positions in (("no positions", "none"), ("1-D positions", "1d"))]
display(table(["network (random weights)", f"largest change in the 17 logits at pixel {WATCHED}"], rows))

# %% [markdown]
# One block without positions cannot tell the two digits apart: to pixel $(5, 0)$ the
# earlier pixels are a bag of values, and the change, $10^{-16}$ or so, is rounding in the order of
# summation. Four blocks can, even without positions (these are random weights, so the sizes of the
# changes say nothing about what a trained network would make of them; only zero against not zero
# matters). The mask gives each position a different number of things to average (position $t$
# averages $t + 1$ vectors), so the first block's outputs carry a trace of how far along they are,
# and the later blocks see it. Haviv et al. (2022) found that language models without positions
# learn them from this alone. That is a weak signal to learn rows and columns from. The book's
# networks can be given their order in four ways, which `CausalTransformer` offers as options:
#
# - **no positions**: only what the mask gives;
# - **1-D positions**: a learned vector per raster position added to its input, as Vaswani et al.
#   (2017) and ImageGPT do; 64 vectors to learn from 1000 images;
# - **row + column positions**: a learned vector per row plus one per column, so the network is told
#   directly that pixel 9 lies under pixel 1 (16 vectors);
# - **relative scores**: no vector at all, but a learned number per head and (row, column) offset,
#   added to the score $\mathbf{q}_t^\top \mathbf{k}_s / \sqrt{d_k}$, after Shaw et al. (2018); in one
#   dimension, as a single slope per head, it is the ALiBi of Press et al. (2022). The offset is
#   measured from the pixel being predicted to the pixel the key carries (position $s$ carries pixel
#   $s - 1$; the start vector has a number of its own), so "the pixel above" is one offset in every
#   row and column, and a head can prefer it wherever the query is, as a convolution does, while
#   the data still decide the rest. We start each head's numbers as minus a slope times the offset's
#   length, slopes $1, \tfrac12, \tfrac14, \tfrac18$, so every head starts out looking near, some
#   nearer than others.
#
# `benchmarks/attention.py` trains each on the digits with the same recipe (AdamW with weight decay
# 0.05, batches of 16, dropout 0.1, a cosine learning rate from 8e-3 over 16 epochs), keeps the
# weights of the best validation epoch and scores them on test once. Its runs are in
# `results/attention/learning_curves.json`:

# %%
with open(ladder.COMMITTED_RESULTS / "attention" / "learning_curves.json") as file:
    study = json.load(file)
runs = {(run["variant"], run["seed"]): run for run in study["runs"]}
POSITIONS = ["no positions", "1-D positions", "row + column positions", "relative scores"]


def seeds_of(variant):
    return sorted(seed for name, seed in runs if name == variant)


def mean_sd(values):
    return f"{statistics.mean(values):.2f}" + (f" ± {statistics.stdev(values):.2f}" if len(values) > 1 else "")


def best_val(run):
    return run["val_nll"][run["best_epoch"] - 1]


display(table(["positions", "seeds", "best validation NLL", "test NLL [nats/image]"],
              [[name, len(seeds_of(name)), mean_sd([best_val(runs[name, s]) for s in seeds_of(name)]),
                mean_sd([runs[name, s]["test_nll"] for s in seeds_of(name)])] for name in POSITIONS],
              align="lrrr",
              caption="**Table 11.1.** Four ways of giving attention its positions: the same Transformer "
                      "(4 blocks, 64 wide, 4 heads, dropout 0.1) and recipe; mean ± standard deviation over "
                      "the seeds."))

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name in POSITIONS:
    run = runs[name, 0]
    ax.plot(range(1, len(run["val_nll"]) + 1), run["val_nll"], marker="o", markersize=3, label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("validation NLL [nats/image]")
ax.set_ylim(top=max(runs[name, 0]["val_nll"][0] for name in POSITIONS[1:]) + 2)  # all but the first epochs without positions
ax.legend()
armlib.show_figure("11.2", "Validation NLL per epoch of the four Transformers of Table 11.1 (seed 0). The first "
                           "epochs of the one without positions lie above the plot.", fig=fig)

# %% [markdown]
# Positions matter, and how they are given matters more. Without them the Transformer ends at
# 101.26 nats per test image (one seed), about 11 behind the two kinds of learned vectors and 18
# behind the relative scores: the mask's weak signal is not enough to learn the rows and columns
# of an image from. Learned 1-D positions (90.09 ± 0.52) and row + column positions
# (90.77 ± 1.33) come out level: they differ by less than their seed-to-seed spread, so under this
# recipe telling the network which pixels share a row or column did not help. (A recipe tuned for
# each, say with more dropout, might separate them; we did not search.) Relative scores do help:
# 82.85 ± 0.94, 7 to 8 nats ahead of 1-D positions on every seed. A vector per position must be
# learned for each of the 64 positions separately; a score per offset is shared by every pair of
# pixels that lie that far apart, so "the pixel to the left" is learned once for the whole image,
# as a convolution's kernel is. In Figure 11.2 the relative scores start far behind (their first
# epoch is off the plot) and overtake 1-D positions in the second epoch.
#
# ## 4. What a pass costs
#
# A causal convolution computes each position from a fixed number of others: $O(D)$ work for $D$
# positions. Attention computes a score for every pair $s \le t$: $O(D^2)$. Per block of width $W$,
# the linear maps cost about $12 D W^2$ multiply-adds (queries, keys, values and the output map,
# $4 D W^2$; the MLP, $8 D W^2$), and the scores and the weighted sum $2 D^2 W$ (PyTorch computes the
# whole square and masks half of it). The quadratic part takes over when $D$ passes $6W$: at
# $W = 64$, past 384 positions. Our digits have 64; MNIST's $28 \times 28$ digits have 784. We time one
# forward pass of the Transformer and of chapter 06's gated PixelCNN (random weights: this is about
# speed only) over the same number of pixels, 3136: a batch of 49 digits, or of 4 images of
# $28 \times 28$. A network whose cost per pixel does not depend on $D$ takes the same time for both.

# %%
def pass_seconds(net, side, repeats=3):
    """The fastest of ``repeats`` forward passes over COST_PIXELS random pixels, as images side x side."""
    batch = COST_PIXELS // (side * side)
    x = torch.randint(armlib.NUM_VALS, (batch, 1, side, side), generator=torch.Generator().manual_seed(0))
    elapsed = []
    with torch.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            net(x)
            elapsed.append(time.perf_counter() - start)
    return min(elapsed)


def multiply_adds(length, width=64, blocks=4):
    """Per image: the Transformer's linear maps, and its attention scores and averages."""
    return blocks * 12 * length * width ** 2, blocks * 2 * length ** 2 * width


cost_rows, seconds = [], {}
for side in COST_SIDES:
    length = side * side
    transformer_net = CausalTransformer(grid=(side, side)).eval()
    gated_net = armlib.GatedPixelCNN(channels=32, blocks=8).eval()
    linear, quadratic = multiply_adds(length)
    seconds[length] = {"Transformer": pass_seconds(transformer_net, side),
                       "gated PixelCNN": pass_seconds(gated_net, side)}
    cost_rows.append([length, COST_PIXELS // length, f"{linear / length:,.0f}", f"{quadratic / length:,.0f}",
                      f"{seconds[length]['Transformer'] * 1e3:.0f}", f"{seconds[length]['gated PixelCNN'] * 1e3:.0f}"])
print(f"timed on: {armlib.machine()}; fastest of 3 passes")
display(table(["D", "images", "Transformer: linear maps", "Transformer: attention", "Transformer [ms]",
               "gated PixelCNN [ms]"], cost_rows,
              caption=f"**Table 11.2.** One forward pass over {COST_PIXELS} pixels: the Transformer's "
                      "multiply-adds per pixel (4 blocks, W = 64), and the measured time of both networks."))
small, large = (side * side for side in COST_SIDES)
growth = {name: seconds[large][name] / seconds[small][name] for name in seconds[small]}
print(f"time for the same pixels at D = {large} against D = {small}: "
      + ", ".join(f"{name} {factor:.1f}x" for name, factor in growth.items()))
print("Transformer against gated PixelCNN, same pixels: "
      + ", ".join(f"{times['Transformer'] / times['gated PixelCNN']:.1f}x at D = {length}"
                  for length, times in seconds.items()))

# %%
assert growth["Transformer"] > 2 * growth["gated PixelCNN"], growth

# %% [markdown]
# The count explains the shape. At $D = 64$ the attention is a small part of the Transformer's
# work (32,768 of 229,376 multiply-adds per pixel), and the Transformer takes 1.6 times as long as
# the gated PixelCNN for the same pixels. At $D = 784$ each pixel's share of the attention has
# grown twelvefold, past the linear maps; the Transformer takes 7.2 times as long as it did for the
# same pixels at $D = 64$, and 11.3 times as long as the gated PixelCNN, which, its work per pixel
# not depending on $D$, takes as long as before. The Transformer's time grows more than its count of multiply-adds, which grows 2.6 times
# per pixel; arithmetic is not the whole cost, and a likely reading (not measured here) is the
# memory traffic of the scores, a $784 \times 784$ matrix per head and image, written and read
# again. For a $256 \times 256$ image, $D = 65\,536$, the matrix would have 4.3 billion entries per
# head: this is why image Transformers attend within windows or blocks (exercise 2) or model a
# compressed image instead of the pixels.
#
# ## 5. The KV cache
#
# Sampling from an ARM is a loop over the $D$ positions, and the plain sampler runs the whole network
# at every step (chapter 10). For attention the waste is easy to see: at step $d$ the keys and values
# of positions $0, \dots, d-1$ are the ones computed at the last step, since their inputs have not
# changed (causality again). So each block keeps them in a **KV cache**: at step $d$ it computes the
# query, key and value of position $d$ only, appends the key and the value to the cache, and lets the
# one query attend over the $d + 1$ cached positions. No mask is needed: the future is simply not in
# the cache yet. A step costs $O(d\,W)$ for the attention and $O(W^2)$ for the rest, instead of a
# whole pass.

# %%
armlib.show_source(KVCache)

# %% [markdown]
# `CausalTransformer.stepper` puts one `KVCache` per block behind the book's one raster loop,
# `ARM.conditionals` (chapter 10), so `model.sample(n, cached=True)` and the sampling functions use
# it like any other cached network. Every sampler draws its random numbers up front and is a
# deterministic function of them, so the plain and the cached sampler must return the same samples.
# In float64, where rounding cannot flip a draw, they do:

# %% tags=["nbval-check-output"]
exact = copy.deepcopy(model).double()
plain_draws = sample(exact, 4, "plain", generator=torch.Generator().manual_seed(1))
cached_draws = sample(exact, 4, "cached", generator=torch.Generator().manual_seed(1))
print(f"float64, 4 samples: identical: {torch.equal(plain_draws, cached_draws)}")

# %%
assert torch.equal(plain_draws, cached_draws)

# %% [markdown]
# How much faster is it? We time both samplers on the registered Transformer (random weights, speed
# only) at batch 1, 16 and 64, each the fastest of two runs. `benchmarks/sampling.py --models
# transformer` measures the same on more batch sizes and on $28 \times 28$ canvases; the README
# quotes it.

# %%
def sampler_seconds(method, batch):
    elapsed = []
    for _ in range(TIMING_REPEATS):
        start = time.perf_counter()
        sample(model, batch, method, generator=torch.Generator().manual_seed(2))
        elapsed.append(time.perf_counter() - start)
    return min(elapsed)


speedups, timing_rows = {}, []
for batch in TIMING_BATCHES:
    plain_s, cached_s = sampler_seconds("plain", batch), sampler_seconds("cached", batch)
    speedups[batch] = plain_s / cached_s
    timing_rows.append([batch, f"{plain_s:.2f}", f"{cached_s:.2f}", f"{speedups[batch]:.1f}x"])
print(f"timed on: {armlib.machine()}; fastest of {TIMING_REPEATS} runs each")
display(table(["batch", "plain [s]", "KV cache [s]", "speed-up"], timing_rows,
              caption="**Table 11.3.** Drawing a batch of digits ($D = 64$) from the causal Transformer."))

# %%
assert speedups[TIMING_BATCHES[-1]] >= MIN_CACHED_SPEEDUP, speedups
assert speedups[TIMING_BATCHES[-1]] > speedups[TIMING_BATCHES[0]], speedups

# %% [markdown]
# The cached sampler returns the same samples, faster, and more so the larger the batch: at batch
# 1 it is 1.9 times as fast, at batch 64 14.5 times. As for chapter 10's caches, a one-position
# step at batch 1 is mostly fixed cost (every layer is a separate Python call and a PyTorch
# dispatch), which a full pass of 64 positions spreads more thinly; a larger batch fills the step
# with useful work. The gain grows with $D$ too: the plain sampler's $D$ passes cost $O(D^2)$ each
# for the attention, $O(D^3)$ in all, against $O(D^2)$ for the $D$ cached steps. At $D = 784$
# `benchmarks/sampling.py` estimated the cache about 400 times faster at batch 64, timing two of
# the plain sampler's 784 passes and scaling (the README quotes its table; its runs use two threads
# and trained weights, so its speed-ups on the digits differ from this table's).
#
# The cache holds every key and value: $2 \cdot 64$ numbers per position, block and sample, a
# memory that grows with $D$ (exercise 1), where chapter 10's convolution queues held a fixed
# number of inputs set by the dilations. That is attention's price again: it can look anywhere
# before, so it must keep everything before.
#
# ## 6. Training: attention alone, and attention on a convolution
#
# The relative-score Transformer of Table 11.1 is the book's attention-only model. Its row on the
# ladder is seed 0 of `benchmarks/attention.py`, read from the same file:

# %%
transformer_run = runs["relative scores", 0]
transformer_row = {"model": "causal Transformer, relative scores", "test_nats": round(transformer_run["test_nll"], 2),
                   "test_bpd": round(armlib.bits_per_dim(transformer_run["test_nll"], armlib.DIGIT_LENGTH), 6),
                   "params": sum(p.numel() for p in model.parameters()),
                   "train_seconds": transformer_run["seconds"], "epochs": len(transformer_run["val_nll"])}
gated_nats = ladder.find("06_gated_pixelcnn", "gated PixelCNN")["test_nats"]
print(f"causal Transformer: {transformer_row['test_nats']:.2f} nats per test image after "
      f"{transformer_row['epochs']} epochs ({transformer_row['train_seconds']:.0f} s), "
      f"{transformer_row['params']:,} parameters")
print(f"chapter 06's gated PixelCNN: {gated_nats:.2f}")

# %% [markdown]
# After 16 epochs the attention-only Transformer scores 83.82 nats per test image on seed 0 (the
# seed of every row on the ladder, and the worst of the three here; over three seeds,
# $82.85 \pm 0.94$), 5.63 nats behind chapter 06's gated PixelCNN (78.19, 27 epochs, 166,705
# parameters), with more parameters (206,001). (Its
# training seconds were measured with another run beside it on the 2 cores, and are longer than on
# an idle machine.) Why is it behind? With 1000 training digits,
# inductive bias decides. A convolution is built with two facts about images: nearby pixels matter
# most, and what matters is the same everywhere in the image. Attention must learn both from data.
# The relative scores hand it back the second (an offset means the same everywhere) and, through
# their starting values, a preference for the first; that is why they are worth 7 to 8 nats over
# 1-D positions in Table 11.1. What remains is the local detail a stack of small kernels gets for
# free.
#
# PixelSNAIL (Chen et al., 2018) gives attention the local view it lacks: causal convolutions carry
# the neighbourhood, attention blocks reach anywhere before. Our version is as small as it can be:
# chapter 06's gated PixelCNN with 6 blocks of 32 channels gives each position its features, which
# are added to the Transformer's inputs, and *one* attention block (64 wide, 4 heads, relative
# scores) follows. It is registered as `transformer_hybrid`. Both parts are causal, so the sum is:

# %%
torch.manual_seed(0)  # the hybrid's initial weights: seed 0, as benchmarks/attention.py seeds its runs
hybrid = armlib.MODELS["transformer_hybrid"]()
armlib.check_autoregressive(hybrid)
print(f"hybrid: autoregressive, {sum(p.numel() for p in hybrid.parameters()):,} parameters")

# %% [markdown]
# Does the attention block earn its place? The comparison that answers it keeps everything else:
# the same 6 gated blocks with and without the Transformer on top, the same recipe (AdamW with
# weight decay 0.05, batches of 16, a cosine learning rate from 5e-3 over 16 epochs), three seeds
# each. What the Transformer adds is more than attention, though: the attention block's MLP, its
# layer normalisations, and the embedding of the pixels and the output layer around it, and with
# them parameters. So a third column spends a similar number of parameters on convolutions
# instead: chapter 06's network, 8 gated blocks, with the same recipe.
# `benchmarks/attention.py` ran all three:

# %%
GATED_SIX, HYBRID, GATED_EIGHT = "gated PixelCNN, 6 blocks", "hybrid", "gated PixelCNN, 8 blocks"
pair_seeds = sorted(set(seeds_of(GATED_SIX)) & set(seeds_of(HYBRID)) & set(seeds_of(GATED_EIGHT)))


def test_nll(variant):
    return [runs[variant, seed]["test_nll"] for seed in pair_seeds]


def paired(a, b):
    """Seed by seed, a's test NLL minus b's, with a 95% t interval for the mean difference."""
    differences = [x - y for x, y in zip(test_nll(a), test_nll(b))]
    mean = statistics.mean(differences)
    half = stats.t.ppf(0.975, len(differences) - 1) * statistics.stdev(differences) / math.sqrt(len(differences))
    return differences, (mean - half, mean + half)


def signed(differences):
    return ("+" if statistics.mean(differences) > 0 else "") + mean_sd(differences)


def parameters(variant):
    settings = study["settings"][variant]
    return sum(p.numel() for p in armlib.MODELS[settings["model"]](**settings["network"]).parameters())


six_minus_hybrid, six_interval = paired(GATED_SIX, HYBRID)
eight_minus_hybrid, eight_interval = paired(GATED_EIGHT, HYBRID)
columns = [GATED_SIX, HYBRID, GATED_EIGHT]
display(table(["seed", *columns, "6 blocks − hybrid", "8 blocks − hybrid"],
              [[seed, *(f"{runs[v, seed]['test_nll']:.2f}" for v in columns), f"{d6:+.2f}", f"{d8:+.2f}"]
               for seed, d6, d8 in zip(pair_seeds, six_minus_hybrid, eight_minus_hybrid)]
              + [["mean ± sd", *(mean_sd(test_nll(v)) for v in columns), signed(six_minus_hybrid),
                  signed(eight_minus_hybrid)],
                 ["parameters", *(f"{parameters(v):,}" for v in columns), "", ""]],
              align="lrrrrr",
              caption="**Table 11.4.** Test NLL [nats/image] of 6 gated blocks alone, with one attention block on "
                      "top (the hybrid), and of 8 gated blocks; same recipe and seeds."))
for name, (low, high) in (("6 blocks − hybrid", six_interval), ("8 blocks − hybrid", eight_interval)):
    print(f"{name}: 95% interval of the mean difference [{low:+.2f}, {high:+.2f}] nats per image "
          f"(t distribution, {len(pair_seeds) - 1} degrees of freedom)")

# %%
assert all(d > 0 for d in six_minus_hybrid), six_minus_hybrid

# %% [markdown]
# On every seed the hybrid scores lower than the same 6 gated blocks alone, by 0.52 nats on average
# (95% interval +0.28 to +0.75): a small gain, but not seed noise. Some of it is attention's own, a
# look at any earlier pixel chosen by content (exercise 4 switches the attention off in the trained
# hybrid); some may be the MLP and the rest the Transformer brings, which this table cannot tell
# apart. The Transformer also added 54,888 parameters, and the third column shows what the same
# budget buys as convolutions: 8 gated blocks, with 11,432 *fewer* parameters than the hybrid, beat
# it by 0.57 nats on average (interval on the printed line). On 1000 digits of $8 \times 8$ pixels,
# two more gated blocks are worth more than one Transformer block. (All three are behind chapter
# 06's own run of the 8-block network, 78.19, which trained for 27 epochs instead of 16.)
#
# Here is the hybrid's run of seed 0, trained in this notebook with the recipe the benchmark used
# (its settings are in the same file). On the same machine it reproduces the benchmark's run to the
# last digit the file keeps; on another processor it rounds differently and ends a few tenths of a
# nat away.

# %%
recipe = study["settings"]["hybrid"]["recipe"]
history = armlib.fit(hybrid, x_train, x_val, **recipe, seed=0)
score = armlib.evaluate(hybrid, x_test)
print(f"{history.epochs} epochs, {history.seconds[-1]:.0f} s of training, best validation NLL at "
      f"epoch {history.best_epoch}")
print(f"test NLL: {score.nats:.2f} nats per image, {score.bpd:.3f} bits per dimension")
print(f"benchmarks/attention.py, seed 0: {runs['hybrid', 0]['test_nll']:.4f}; this run: {score.nats:.4f}")

# %%
assert score.nats <= 80, "the hybrid should reach 80 nats per image or better on test"

# %% [markdown]
# The solutions to this chapter's exercises study this trained hybrid, so the chapter keeps its
# weights beside its ladder row: `results/11_attention_hybrid.pt`.

# %%
ladder.save_weights("11_attention_hybrid", hybrid)  # under the test suite: a scratch folder

# %%
ax = plots.learning_curve(history, labels=["hybrid"])
armlib.show_figure("11.3", "Learning curve of the hybrid: training NLL (dashed, with dropout on) and validation NLL "
                           "(solid) per epoch.", fig=ax.figure)

# %% [markdown]
# ## 7. What the attention looks at
#
# The hybrid's attention block has 4 heads. For three pixels of a test digit, Figure 11.4 shows how
# each head spreads its weight over the positions before the pixel. Remember the shift: position
# $s$ holds pixel $s - 1$, so we draw the weight of position $s$ on the pixel it carries, and give
# the weight on the start vector (position 0) in the panel's title. The pixel being predicted is
# outlined in red; it and the pixels after it get no weight (grey).

# %%
MASKED_GREY = plt.get_cmap("Blues").with_extremes(bad="lightgrey")  # pixels attention cannot see
digit = x_test[3:4]
(maps,) = hybrid.net.attention_weights(digit)  # one block: (1, heads, D, D)
side = armlib.IMAGE_SHAPE[-1]
heads = maps.shape[1]
fig, axes = plt.subplots(len(MAPPED_PIXELS), heads + 1, figsize=(2.1 * (heads + 1), 2.3 * len(MAPPED_PIXELS)))
for row, (r, c) in zip(axes, MAPPED_PIXELS):
    d = r * side + c
    plots.image_grid(digit, ax=row[0], title=f"pixel ({r}, {c})")
    row[0].add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red", lw=2))
    for head, ax in enumerate(row[1:]):
        weights_d = maps[0, head, d]                       # over positions 0 .. D-1
        on_pixels = torch.full((side * side,), float("nan"))
        on_pixels[:d] = weights_d[1:d + 1]                 # position s carries pixel s - 1
        ax.imshow(on_pixels.reshape(side, side), cmap=MASKED_GREY, vmin=0, vmax=weights_d.max())
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red", lw=2))
        ax.set_title(f"head {head + 1}, start {weights_d[0]:.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
plt.tight_layout()
armlib.show_figure("11.4", "Where the hybrid's attention block looks, for three pixels (outlined in red) of a "
                           "test digit: one column per head, darker is more weight, each panel on its own scale; "
                           "pixels from the outlined one on, which it cannot see, are grey.", fig=fig)

# %% [markdown]
# The heads have divided the work. In this digit, head 1 looks at the pixels just above the one
# being predicted (for $(5, 3)$, the two above it in its column); heads 2 and 4 put most of their
# weight on one or two pixels a few rows up; head 3 spreads its weight thinly over much of the digit
# so far. The gated blocks below already see the neighbourhood, so what attention adds is reach: a
# weighted look at any earlier pixel, chosen by content. The start vector gets little weight (at
# most 0.07 here). These are maps of one digit, read by eye; exercise 3 looks at what each head's
# relative scores learned to prefer, for every digit alike.
#
# Finally, samples. The hybrid steps with a KV cache for its attention block and chapter 10's
# caches for its gated blocks:

# %%
samples = hybrid.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0), cached=True)
real, _ = plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title="hybrid samples")
armlib.show_figure("11.5", "Sixteen test digits (left) beside sixteen samples of the trained hybrid (right).",
                   fig=real.figure)

# %% [markdown]
# ## 8. The ladder
#
# The two models of this chapter join the ladder: the attention-only Transformer (seed 0 of the
# benchmark) and the hybrid trained above.

# %%
ladder.record("11_attention", [transformer_row,
                               ladder.entry("hybrid: 6 gated blocks + 1 attention block", hybrid, score, history)])
display(MarkdownText(f"**Table 11.5.** The ladder so far: test NLL of every model, on the same {len(x_test)} test "
                     "digits.\n\n" + ladder.markdown(through="11_attention")))

# %% [markdown]
# The hybrid, at 79.39, lands between chapter 04's dilated network (80.19) and chapter 06's gated
# PixelCNN (78.19), with about as many parameters as the latter; the attention-only Transformer, at
# 83.82, is behind every convolutional network from chapter 04 on except Tomczak's (86.89), and
# level with the GRU of chapter 03 (83.97). On 1000 digits of $8 \times 8$ pixels attention is not the best tool: what it offers,
# reach and weights chosen by content, costs data to learn, and here the data are few and the
# images small enough for a few convolutions to see all of them. Image Transformers and ImageGPT
# were trained on far more images than this, where the assumptions a convolution builds in matter
# less.
#
# ## Summary
#
# - **Self-attention** is a weighted average of values, with weights from a softmax of
#   query-key scores computed from the data; a convolution's weights are fixed and tied to offsets.
# - The **causal mask** ($-\infty$ above the diagonal) and the **shift right** (position $d$ holds
#   $x_{d-1}$, position 0 a start vector) make a Transformer an ARM; without the mask
#   `check_autoregressive` catches it at the first pixel.
# - Attention knows no order: one block without positions sees the earlier pixels as a bag. Of four
#   ways to give it positions, relative scores per (row, column) offset, measured to the pixel a key
#   carries, were best on the digits by far (Table 11.1).
# - A pass costs $O(D^2)$ for the attention: small at $D = 64$, dominant at $D = 784$.
# - The **KV cache** keeps each block's keys and values, so a sampling step attends from one new
#   position: the same samples, 14.5 times faster at batch 64 on the digits here, and memory that
#   grows with $D$.
# - On 1000 digits the attention-only Transformer ($82.85 \pm 0.94$ over three seeds) is behind
#   the convolutional networks of chapters 04 to 07. One Transformer block on top of 6 gated blocks
#   gains 0.52 nats over the same blocks alone, on every one of three seeds, and scores 79.39 on
#   seed 0; but two more gated blocks instead, with fewer parameters, gain more (78.91 on average).
#
# ## Exercises
#
# 1. **What the cache holds.** After the last sampling step, how many numbers does the KV cache of
#    the registered Transformer (4 blocks, $W = 64$) hold per sample, at $D = 64$ and at $D = 784$?
#    How many attention weights does one plain forward pass compute per sample (4 blocks, 4 heads,
#    the whole $D \times D$ square)? Check the first count on the caches of a
#    `CausalTransformer`'s `stepper`. ([solution](solutions/11_attention_solutions.ipynb#exercise-1))
# 2. **The mask as a bias.** Check that `attention(q, k, v, causal=True)` equals
#    `attention(q, k, v, causal=False, bias=b)` with $b = -\infty$ above the diagonal and $0$
#    elsewhere. Then hide also every key more than 8 positions back, a local window like the local
#    attention of Parmar et al. (2018). Is the result still causal? Which pixels can pixel $(5, 3)$
#    see through one such block, and through four? ([solution](solutions/11_attention_solutions.ipynb#exercise-2))
# 3. **What the trained attention scores favour.** Load the hybrid this chapter saved
#    (`ladder.load_weights("11_attention_hybrid", armlib.MODELS["transformer_hybrid"]())`) and draw
#    each head's relative scores as a $15 \times 15$ image of (row, column) offsets, beside their
#    starting values. Which offsets does each head favour after training? ([solution](solutions/11_attention_solutions.ipynb#exercise-3))
# 4. **Without its attention.** Evaluate the trained hybrid with its attention block's output
#    replaced by zeros (a forward hook on `hybrid.net.blocks[0].attention` that returns
#    `torch.zeros_like(output)`). How many nats does the test NLL lose? Compare with Table 11.4's
#    difference between the two models trained separately; why are the two numbers not the same
#    thing? ([solution](solutions/11_attention_solutions.ipynb#exercise-4))
# 5. **A model that cheats.** Train `armlib.MODELS["transformer"](mask=False, layers=1)` for 2
#    epochs. Its NLL on the validation digits falls far below any model on the ladder. Why is that
#    number not the likelihood of anything, and what do its samples (plain sampler) look like? Why
#    does the cached sampler refuse it? ([solution](solutions/11_attention_solutions.ipynb#exercise-5))

# %% [markdown]
# ## References
#
# - Ba, J. L., Kiros, J. R., & Hinton, G. E. (2016). Layer Normalization. *arXiv preprint arXiv:1607.06450*.
# - Chen, X., Mishra, N., Rohaninejad, M., & Abbeel, P. (2018). PixelSNAIL: An Improved Autoregressive Generative Model. *Proceedings of the 35th International Conference on Machine Learning (ICML)*, 864–872.
# - Chen, M., Radford, A., Child, R., Wu, J., Jun, H., Luan, D., & Sutskever, I. (2020). Generative Pretraining From Pixels. *Proceedings of the 37th International Conference on Machine Learning (ICML)*, 1691–1703.
# - Haviv, A., Ram, O., Press, O., Izsak, P., & Levy, O. (2022). Transformer Language Models without Positional Encodings Still Learn Positional Information. *Findings of the Association for Computational Linguistics: EMNLP 2022*, 1382–1390.
# - Hendrycks, D., & Gimpel, K. (2016). Gaussian Error Linear Units (GELUs). *arXiv preprint arXiv:1606.08415*.
# - Parmar, N., Vaswani, A., Uszkoreit, J., Kaiser, Ł., Shazeer, N., Ku, A., & Tran, D. (2018). Image Transformer. *Proceedings of the 35th International Conference on Machine Learning (ICML)*, 4055–4064.
# - Press, O., Smith, N. A., & Lewis, M. (2022). Train Short, Test Long: Attention with Linear Biases Enables Input Length Extrapolation. *International Conference on Learning Representations (ICLR)*.
# - Shaw, P., Uszkoreit, J., & Vaswani, A. (2018). Self-Attention with Relative Position Representations. *Proceedings of the 2018 Conference of the North American Chapter of the Association for Computational Linguistics: Human Language Technologies (NAACL-HLT), Volume 2 (Short Papers)*, 464–468.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
# - Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., et al. (2017). Attention Is All You Need. *Advances in Neural Information Processing Systems 30 (NeurIPS)*, 5998–6008.
