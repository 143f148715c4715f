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
# # 07 · The PixelCNN++ likelihood: discretised logistics and their mixture
#
# Every model so far ended in a softmax over the 17 grey levels: a **categorical** distribution per
# pixel. It is exact and flexible, but it treats the levels as unrelated labels. Nothing in it says
# that level 7 is close to level 8, so the network has to learn from data, pixel by pixel, that
# probability mass comes in smooth bumps; and the output layer grows with the number of levels: 17
# logits per pixel for the digits, 256 for an 8-bit image, 768 for an 8-bit colour pixel.
#
# PixelCNN++ (Salimans et al., 2017), one of the follow-ups the seed chapter points to, replaces the
# softmax with a **mixture of discretised logistic distributions**: a few continuous bumps, each
# described by a mean and a scale, cut into bins, one bin per level. Order is built in, and the
# output layer no longer depends on the number of levels. This chapter
#
# 1. draws the discretised logistic: the bins, and the two edge bins that take the tails;
# 2. computes its log-probability without the cancellation that turns a naive version into `-inf`;
# 3. mixes several of them;
# 4. looks at what the bit depth changes;
# 5. puts the mixture head on the gated PixelCNN of chapter 06 and compares it with the categorical
#    head on the same network, on the digits;
# 6. couples the three channels of a colour pixel, as PixelCNN++ does, on digits written in colour.

# %%
import decimal
import math

import matplotlib.pyplot as plt
import torch

import armlib
from armlib import ladder, plots
from armlib.arm import evaluating
from armlib.logistic import LogisticMixtureHead, bin_centres, discretized_logistic_log_prob

armlib.setup(seed=0)

NUM_VALS = armlib.NUM_VALS             # 17 grey levels, 0..16
SHAPES = [(0.0, 0.12), (0.8, 0.25), (-1.3, 0.2)]  # (mean, scale) of the logistics in section 1
MIXTURE = {"logits": [0.0, -0.7, -1.5], "means": [-0.9, 0.1, 0.75], "scales": [0.05, 0.3, 0.08]}
BIT_DEPTHS = [1, 4, 8]                 # 2, 16 and 256 levels per pixel
DEPTH_MEAN, DEPTH_SCALE = 0.2, 0.3     # the logistic binned at each bit depth in section 4

CHANNELS, BLOCKS, DROPOUT = 32, 8, 0.2  # chapter 06's gated PixelCNN, for both heads
NUM_COMPONENTS = 5                     # K logistics per pixel
BATCH_SIZE, LR, EPOCHS = 16, 5e-3, 27  # chapter 06's recipe: small batches, a cosine over 27 epochs
WEIGHT_DECAY = 0.05                    # AdamW's decoupled weight decay
COLOUR_EPOCHS = 5                      # the colour model trains briefly, at a constant LR ...
PATIENCE = 4                           # ... with early stopping after this many epochs without progress
NUM_SAMPLES = 16                       # images drawn from each model
PIXELS = [(5, 2), (3, 3), (4, 5), (6, 2)]  # pixels of a test digit whose predictions are drawn

f64 = torch.float64
levels = torch.arange(NUM_VALS)


def log_probs(mean, scale, num_vals=NUM_VALS):
    """log P(x) of every level x under the discretised logistic(mean, scale), float64."""
    return discretized_logistic_log_prob(torch.arange(num_vals), torch.tensor(mean, dtype=f64),
                                         torch.tensor(math.log(scale), dtype=f64), num_vals)

# %% [markdown]
# ## 1. A logistic, cut into bins
#
# The head works on the scale $[-1, 1]$: level $x \in \{0, \ldots, V-1\}$ sits at the centre
# $c(x) = \frac{2x}{V-1} - 1$ of a bin of half-width $h = \frac{1}{V-1}$. For the digits, $V = 17$,
# the centres are $-1, -0.875, \ldots, 1$ and the bins are $0.125$ wide.
#
# The logistic distribution with mean $\mu$ and scale $s$ has the sigmoid as its CDF,
# $F(y) = \sigma\!\left(\frac{y - \mu}{s}\right)$, and a bell-shaped density
# $f(y) = \sigma(z)\,\sigma(-z)/s$ with $z = (y - \mu)/s$, a little heavier in the tails than a
# Gaussian. The discretised logistic gives level $x$ the mass of its bin,
#
# $$P(x \mid \mu, s) = \sigma\!\left(\frac{c(x) + h - \mu}{s}\right) - \sigma\!\left(\frac{c(x) - h - \mu}{s}\right),
# \qquad 0 < x < V - 1,$$
#
# and the two **edge bins** take everything beyond them:
# $P(0) = \sigma\!\left(\frac{c(0) + h - \mu}{s}\right)$ (the whole left tail) and
# $P(V-1) = 1 - \sigma\!\left(\frac{c(V-1) - h - \mu}{s}\right)$ (the whole right tail). Neighbouring
# bins share an edge, so the sum over all levels telescopes to $F(\infty) - F(-\infty) = 1$: no mass
# is lost outside $[-1, 1]$, however far the mean lies.
#
# The figure draws three of them for the digits. The curve is the density times the bin width, so
# that it sits on the same scale as the bars; the hatched bars are the edge bins and the dotted lines
# their inner edges.

# %%
def logistic_density(y, mean, scale):
    """f(y) of the logistic(mean, scale): sigma(z) sigma(-z) / scale with z = (y - mean) / scale."""
    z = (y - mean) / scale
    return torch.sigmoid(z) * torch.sigmoid(-z) / scale


def draw_discretised(ax, probs, density, colour="tab:blue", label=None):
    """P(x) as bars at the bin centres (edge bins hatched) over density x bin width, on [-1.8, 1.8];
    the tails of the density that the edge bins collect are shaded."""
    num_vals = len(probs)
    width = 2 / (num_vals - 1)
    bars = ax.bar(bin_centres(torch.arange(num_vals), num_vals, f64), probs, width=0.9 * width,
                  color=colour, alpha=0.55, label=label)
    for edge_bin in (bars[0], bars[-1]):
        edge_bin.set(hatch="///", edgecolor="black")
    y = torch.linspace(-1.8, 1.8, 721, dtype=f64)
    curve = density(y) * width
    ax.plot(y, curve, color="black", linewidth=1)
    for tail in (y <= -1 + width / 2, y >= 1 - width / 2):
        ax.fill_between(y[tail], curve[tail], color="grey", alpha=0.3, linewidth=0)
        ax.axvline(y[tail][0 if tail[-1] else -1], color="grey", linewidth=0.6, linestyle=":")
    ax.set_xlim(-1.8, 1.8)


fig, axes = plt.subplots(1, len(SHAPES), figsize=(12, 3))
for ax, (mean, scale) in zip(axes, SHAPES):
    draw_discretised(ax, log_probs(mean, scale).exp(), lambda y: logistic_density(y, mean, scale))
    ax.set(title=f"$\\mu$ = {mean:+.1f}, s = {scale}", xlabel="level on the [-1, 1] scale")
axes[0].set_ylabel("P(x)")
plt.tight_layout()
plt.show()

# %% [markdown]
# Left, a narrow logistic in the middle: the bars follow the curve. Middle, the mean close to the
# top: the last bin collects the whole right tail (the shaded area) and becomes the most likely
# level. Right, a mean *outside* $[-1, 1]$: still a proper distribution, now almost all on level 0.
# The digits need exactly this: most of their pixels are blank paper (level 0) or full ink (16).

# %%
# NBVAL_CHECK_OUTPUT
for mean, scale in SHAPES:
    p = log_probs(mean, scale).exp()
    print(f"mean {mean:+.1f}, scale {scale:.2f}: sum over 17 levels = {p.sum().item():.12f}, "
          f"P(0) = {p[0].item():.4f}, P(16) = {p[-1].item():.4f}")
    assert abs(p.sum().item() - 1) < 1e-12

# %% [markdown]
# ## 2. Computing it without cancellation
#
# In code the obvious line is `log(sigmoid(a) - sigmoid(b))` with $a = (c + h - \mu)/s$ and
# $b = (c - h - \mu)/s$ the bin's edges in standard units. It fails exactly where a trained model
# lives. When the bin is far to the right of the mean, both sigmoids are within rounding of 1, their
# difference is $0$, its log is $-\infty$, and one such pixel makes the loss of a whole batch
# infinite. PixelCNN++'s original code patched this with a fallback to the density at the bin
# centre when the difference got too small.
#
# An identity removes the problem instead of patching it. For $a > b$,
#
# $$\sigma(a) - \sigma(b) = \sigma(a)\,\sigma(-b)\,\bigl(1 - e^{-(a - b)}\bigr),$$
#
# (multiply out $\sigma(a)\sigma(-b) = \frac{e^a}{(1 + e^a)(1 + e^b)}$). Every factor is computed in
# log space without a difference of nearly equal numbers: $\log\sigma$ is exact in both tails
# (`logsigmoid`), and $a - b = 2h/s$ is formed directly, never as a difference; $\log(1 - e^{-d})$
# has a standard accurate form (`expm1` for small $d$, `log1p` for large). The edge bins need only
# one $\log\sigma$ each. That is all of `discretized_logistic_log_prob`:

# %%
armlib.show_source(discretized_logistic_log_prob)

# %% [markdown]
# Move the mean of a narrow logistic ($s = 1/16$) further and further to the left of the level-8 bin
# (centre 0, edges $\pm 1/16$) and compare the two ways with the exact value, computed with 50
# significant digits by Python's `decimal` module.

# %%
# NBVAL_CHECK_OUTPUT
def exact_log_mass(upper: float, lower: float) -> float:
    """log(sigma(upper) - sigma(lower)) to 50 significant digits."""
    decimal.getcontext().prec = 50
    sigmoid = lambda t: 1 / (1 + (-decimal.Decimal(t)).exp())
    return float((sigmoid(upper) - sigmoid(lower)).ln())


scale, x = 1 / 16, torch.tensor(8)
print(" mean  lower edge b   naive log P   stable log P    exact log P")
for mean in [-0.5, -1.5, -2.0, -2.3, -2.5, -4.0]:
    upper, lower = (1 / 16 - mean) / scale, (-1 / 16 - mean) / scale
    naive = torch.log(torch.sigmoid(torch.tensor(upper, dtype=f64)) - torch.sigmoid(torch.tensor(lower, dtype=f64)))
    stable = discretized_logistic_log_prob(x, torch.tensor(mean, dtype=f64), torch.tensor(math.log(scale), dtype=f64),
                                           NUM_VALS).item()
    exact = exact_log_mass(upper, lower)
    print(f"{mean:5.1f}  {lower:12.1f}  {naive.item():12.4f}  {stable:13.4f}  {exact:13.4f}")
    assert abs(stable - exact) < 1e-12 * abs(exact)

# %% [markdown]
# The naive value loses its digits as $e^{-b}$ approaches the spacing of float64 numbers near 1
# (about $10^{-16}$, reached at $b \approx 37$): it is wrong in the fourth decimal at $b = 31$, by
# 0.1 at $b = 35.8$, and $-\infty$ beyond. The stable value follows the exact one all the way.
# The unit tests check the same for every level, at 2, 17 and 256 levels, means far outside
# $[-1, 1]$ and log-scales from $-10$ to $5$: the probabilities sum to 1 within $10^{-9}$ in float64,
# and neither value nor gradient is ever `nan` or `inf` (also as hypothesis property tests).
#
# ## 3. A mixture of discretised logistics
#
# One bump is not enough for a pixel that is either blank or inked. A mixture of $K$ of them,
#
# $$P(x) = \sum_{k=1}^{K} \pi_k\, P(x \mid \mu_k, s_k), \qquad \pi = \mathrm{softmax}(\text{logits}),$$
#
# takes $3K$ numbers per pixel: $K$ logits, $K$ means, $K$ log-scales. It is a distribution
# because each component is one, and its log is a `logsumexp` of $\log \pi_k + \log P_k(x)$, stable
# again. `armlib.discretized_logistic_mixture` builds one as a `torch.distributions` object (a
# `MixtureSameFamily` of `armlib.DiscretizedLogistic` components), with `log_prob`, `sample` and
# `support` like any distribution in PyTorch. Three components can place a spike near blank
# paper, a broad shoulder in the middle and a bump near full ink:

# %%
logits, means, scales = (torch.tensor(MIXTURE[key], dtype=f64) for key in ("logits", "means", "scales"))
mixture = armlib.discretized_logistic_mixture(logits, means, scales.log(), NUM_VALS)
weights = logits.softmax(0)
print(mixture)
print("support:", mixture.support)
print("P summed over the levels:", round(mixture.log_prob(levels).exp().sum().item(), 12))

fig, ax = plt.subplots(figsize=(8, 3.2))
draw_discretised(ax, mixture.log_prob(levels).exp(),
                 lambda y: sum(w * logistic_density(y, m, s) for w, m, s in zip(weights, means, scales)),
                 colour="tab:purple", label="mixture P(x)")
for w, m, s in zip(weights, means, scales):
    y = torch.linspace(-1.8, 1.8, 721, dtype=f64)
    ax.plot(y, w * logistic_density(y, m, s) * 2 / (NUM_VALS - 1), linewidth=0.8, linestyle="--",
            label=f"$\\pi$ = {w:.2f}, $\\mu$ = {m:+.2f}, s = {s:.2f}")
ax.set(title="a mixture of three discretised logistics", xlabel="level on the [-1, 1] scale", ylabel="P(x)")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 4. What the bit depth changes
#
# Nothing in the head depends on $V$ except the bin width $2/(V-1)$. Bin the same logistic at 1, 4
# and 8 bits:

# %%
fig, axes = plt.subplots(1, len(BIT_DEPTHS), figsize=(12, 3))
for ax, bits in zip(axes, BIT_DEPTHS):
    draw_discretised(ax, log_probs(DEPTH_MEAN, DEPTH_SCALE, 2**bits).exp(),
                     lambda y: logistic_density(y, DEPTH_MEAN, DEPTH_SCALE))
    ax.set(title=f"{bits} bit{'s' * (bits > 1)}: {2**bits} levels", xlabel="level on the [-1, 1] scale")
axes[0].set_ylabel("P(x)")
plt.tight_layout()
plt.show()

# %% [markdown]
# At 1 bit the two bins are the two halves of the line and the head is a Bernoulli with
# $P(1) = \sigma(\mu/s)$; at 8 bits the bars trace the density, each interior bin holding about
# density $\times$ width. What that changes is printed below for this logistic: the number of
# outputs a head needs per pixel, and the entropy of the binned distribution, the NLL a perfect
# model of it would score.

# %%
# NBVAL_CHECK_OUTPUT
print("bits  levels  categorical outputs  mixture outputs (K=5)  entropy [nats]  entropy [bits]")
for bits in BIT_DEPTHS:
    log_p = log_probs(DEPTH_MEAN, DEPTH_SCALE, 2**bits)
    entropy = -(log_p.exp() * log_p).sum().item()
    print(f"{bits:4d}  {2**bits:6d}  {2**bits:19d}  {LogisticMixtureHead(2**bits, 5).num_params(1):21d}  "
          f"{entropy:14.3f}  {entropy / math.log(2):14.3f}")

# %% [markdown]
# - **Outputs.** A categorical head needs $V$ logits per pixel and channel, the mixture $3K$ whatever
#   $V$ is: 256 against 15 for one 8-bit channel. PixelCNN++ used $K = 10$ on 8-bit colour images
#   (the table in section 5 counts those outputs: 100 per colour pixel against 768 for a softmax).
# - **Scores.** Halving the bins roughly halves the mass in each, so the entropy grows by almost
#   $\ln 2 = 0.69$ nats per pixel for every extra bit: here by 2.624 - 0.641 = 1.98 nats from 1 to 4 bits
#   and by 5.252 - 2.624 = 2.63 nats from 4 to 8 bits, about 0.66 per bit (a little less, because the
#   edge bins keep their tails). Likelihoods are comparable only at the same bit depth: the 17-level
#   digits of this book and the 8-bit CIFAR-10 of the papers (about 3 bits per dimension) are two
#   different scales.

# %% [markdown]
# ## 5. The mixture head on the gated PixelCNN
#
# As a head of an ARM, the mixture works like the categorical head of the earlier chapters: the
# network gives $3K$ numbers per pixel instead of 17, and `log_prob`, `noise` and `sample` do the
# rest. Sampling stays exact and a function of noise drawn up front: Gumbel-max picks the component
# from $K$ Gumbel variables, then the inverse CDF of the logistic,
# $y = \mu + s \log\frac{u}{1-u}$, turns a uniform $u$ into a draw, which lands in its bin (clamped
# into the edge bins beyond $\pm 1$). The unit tests compare the frequencies of such draws with the
# probabilities by a chi-square test.
#
# The network is chapter 06's gated PixelCNN, unchanged except for its output layer, which now
# gives the head's parameters; `armlib.gated_pixelcnn_for_head` makes that change, and the model is
# registered as `"gated_pixelcnn_logistic_mixture"`.

# %%
armlib.show_source(armlib.gated_pixelcnn_for_head)

# %%
x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)) for split in ("train", "val", "test"))
network = {"channels": CHANNELS, "blocks": BLOCKS, "dropout": DROPOUT}
torch.manual_seed(0)
categorical = armlib.MODELS["gated_pixelcnn"](**network)
torch.manual_seed(0)
mixture_model = armlib.MODELS["gated_pixelcnn_logistic_mixture"](num_components=NUM_COMPONENTS, **network)


def output_layer_params(model):
    return sum(p.numel() for p in model.net.to_logits.parameters())


# %% [markdown]
# The two models differ only in their last $1 \times 1$ convolution: 17 logits per pixel against
# $3K = 15$ mixture parameters. For the digits that is almost the same size; the table after those
# two lines shows how the two heads grow with the bit depth and the channels.

# %%
# NBVAL_CHECK_OUTPUT
for name, model in [("categorical", categorical), ("logistic mixture", mixture_model)]:
    armlib.check_autoregressive(model)
    total = sum(p.numel() for p in model.parameters())
    print(f"{name:17s}: {model.head.num_params(1):3d} outputs per pixel, output layer "
          f"{output_layer_params(model):4d} weights, whole model {total:,}; causal")
print()
print("outputs per pixel       levels   categorical   mixture K=5   mixture K=10")
for channels in (1, 3):
    for num_vals in (17, 256):
        k5, k10 = (LogisticMixtureHead(num_vals, k).num_params(channels) for k in (5, 10))
        print(f"{channels} channel{'s' if channels > 1 else ' '}             {num_vals:9d}  {channels * num_vals:12d}  "
              f"{k5:12d}  {k10:13d}")

# %% [markdown]
# One step of `gated_pixelcnn_for_head` is new: the output layer's bias starts at the head's
# `initial_bias`. A mixture has a difficulty a softmax does not: its $K$ components are
# interchangeable. Left at PyTorch's default, a bias close to zero, every component would start at
# mean 0 with scale $e^0 = 1$, half the whole range: $K$ alike, nearly flat distributions that get
# alike gradients and take many steps to tell themselves apart. `initial_bias` gives each one its
# own stretch of levels instead: equal weights, means spread evenly from level 0 to level 16, each
# scale a bin's half-width $h$. The weights stay PyTorch's, so at first every pixel predicts
# roughly this spread mixture.

# %%
armlib.show_source(LogisticMixtureHead.initial_bias)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3), sharey=True)
starts = {"bias 0, about PyTorch's default: alike components": torch.zeros(mixture_model.head.num_params(1)),
          "initial_bias: each component its own levels": mixture_model.head.initial_bias(1)}
for ax, (title, bias) in zip(axes, starts.items()):
    logits, means, log_scales = bias.split(NUM_COMPONENTS)  # one channel: no coupling coefficients
    components = discretized_logistic_log_prob(levels[:, None], means, log_scales, NUM_VALS).exp()  # (level, k)
    for k in range(NUM_COMPONENTS):
        ax.plot(levels, components[:, k], marker=".", alpha=0.7, label=f"component {k + 1}")
    ax.plot(levels, components @ logits.softmax(0), color="black", linewidth=2, label="mixture")
    ax.set_title(title)
    ax.set_xlabel("level")
axes[0].set_ylabel("probability")
axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
plt.tight_layout()
plt.show()

# %% [markdown]
# Chapter 06 trained the categorical model with dropout, batches of 16, weight decay and a cosine
# learning rate over 27 epochs. The mixture model gets the same recipe: the same batches in the
# same order and the same dropout masks, so that the heads are what differs (and the random
# initial weights, which the two chapters draw from different points of the random stream).
# Training both here would not fit the chapter's three minutes, so the categorical head's score is
# the one chapter 06 recorded in the ladder.

# %%
history = armlib.fit(mixture_model, x_train, x_val, epochs=EPOCHS, batch_size=BATCH_SIZE, lr=LR,
                     lr_schedule="cosine", weight_decay=WEIGHT_DECAY, patience=EPOCHS)
mixture_score = armlib.evaluate(mixture_model, x_test)
categorical_nats = ladder.find("06_gated_pixelcnn", "gated PixelCNN")["test_nats"]
print(f"{history.epochs} epochs, {history.seconds[-1]:.0f} s of training")
print(f"logistic mixture: test NLL {mixture_score.nats:.2f} nats per image, {mixture_score.bpd:.3f} bits/dim")
print(f"categorical (chapter 06's ladder row): {categorical_nats:.2f} nats per image")
assert mixture_score.nats <= 78, "the mixture head should score at most 78 nats per test image"

# %%
plots.learning_curve(history, labels=["logistic mixture"])
plt.show()

# %%
generator = torch.Generator().manual_seed(0)
plots.real_vs_samples(x_test[:NUM_SAMPLES], mixture_model.sample(NUM_SAMPLES, generator=generator),
                      title="gated PixelCNN, logistic mixture head")
plt.show()

# %% [markdown]
# What does the head predict? For one test digit, the distribution $p(x_d \mid \mathbf{x}_{<d})$ at
# a few pixels, with the true value marked: a background pixel, a pixel at the edge of a stroke,
# and two inside it.

# %%
digit = x_test[:1]
with torch.no_grad(), evaluating(mixture_model):
    params = mixture_model.params(digit).expand(NUM_VALS, -1, -1, -1)  # one copy per level
    every_level = levels.reshape(-1, 1, 1, 1).expand(-1, 1, 8, 8)
    distributions = mixture_model.head.log_prob(params, every_level).exp()[:, 0]  # (level, i, j)
fig, axes = plt.subplots(1, len(PIXELS) + 1, figsize=(13, 2.6))
plots.image_grid(digit, 1, ax=axes[0], title="test digit")
for ax, (i, j) in zip(axes[1:], PIXELS):
    axes[0].add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red"))
    ax.bar(levels, distributions[:, i, j], color="tab:blue")
    ax.axvline(digit[0, 0, i, j], color="red", linestyle=":", label="true value")
    ax.set_title(f"pixel ({i}, {j})")
    ax.set_xlabel("level")
axes[1].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The mixture head scores 77.81 nats per test image; chapter 06's categorical head, on the same
# network and recipe, 78.10. One run of each cannot settle 0.3 nats: another seed (other initial
# weights, batches and dropout masks) moves a score by about as much. The script
# `benchmarks/heads.py` therefore trains four heads on three seeds each, with this network and
# recipe: the categorical head; the categorical head with a careful start of its own, its logits
# at the digits' overall histogram of levels; this mixture head; and the mixture head with
# PyTorch's default bias. Its seed 0 mixture run is this chapter's run; its categorical runs start
# from other initial weights than chapter 06's. Its run on the development machine (11.5 minutes,
# table in the README):
#
# | test NLL [nats/image] | seed 0 | seed 1 | seed 2 | mean |
# |---|---:|---:|---:|---:|
# | categorical head | 78.10 | 78.51 | 78.14 | 78.25 |
# | categorical head, histogram start | 78.12 | 78.36 | 78.12 | 78.20 |
# | mixture head, components spread at the start | 77.81 | 77.82 | 77.84 | 77.82 |
# | mixture head, PyTorch's default start | 78.23 | 78.25 | 78.11 | 78.20 |
#
# So the mixture head does beat the softmax on the digits: on every seed, by 0.3 to 0.7 nats per
# image, 0.43 on average. It does so only when its components start apart; started alike, it ends
# where the softmax does. A careful start is not the whole story either: the softmax started at
# the histogram averages 78.20, against 78.25 from PyTorch's start.
#
# The four pictures show that the mixture is no straitjacket: five logistics and two edge bins make
# every shape these pixels need. A spike on blank paper below the stroke, pixel (5, 2); a spike at
# full ink with a shoulder on 15, pixel (4, 5); mass on 0 with a decaying tail where a stroke may or
# may not begin, pixel (3, 3); and a broad bump around 12 where the ink is surely there but its
# darkness is not, pixel (6, 2).
#
# Why should the less flexible head win? A softmax can put any distribution on the 17 levels; a
# mixture of five logistics cannot. What the mixture has instead is smoothness: a logistic that
# puts mass on level 12 puts some on 11 and 13 as well, so every pixel seen at 12 also teaches the
# model about its neighbours, while a softmax learns each of its 17 logits on its own. With 1,000
# training digits, in which each level between 1 and 15 makes up only 2-4% of the pixels, a context
# that has seen few of them gains from that shared evidence. That is our reading, not a
# measurement. What the table does show is that neither ingredient is enough alone. The mixture
# with alike components is just as smooth and only ties the softmax, presumably because components
# that must first part spend much of the 27 epochs doing so; and the careful start we tried for
# the softmax, its histogram, hardly moves it. Exercise 7 looks for the lead level by level. The
# smoothness should pay more where the levels are many and each is rarely seen, as in 8-bit images
# (exercise 3).
#
# The row goes into the likelihood ladder (the categorical head's row is chapter 06's):

# %%
ladder.record("07_pixelcnn_pp_likelihood", [
    ladder.entry(f"gated PixelCNN, mixture of {NUM_COMPONENTS} discretised logistics", mixture_model,
                 mixture_score, history)])
print(ladder.markdown(through="07_pixelcnn_pp_likelihood"))

# %% [markdown]
# ## 6. Colour: one pixel, three coupled channels
#
# A colour pixel has three values, red, green and blue, and the chain rule orders them too: the ARM
# reads the image pixel by pixel in raster order and, inside a pixel, channel by channel,
#
# $$p(\mathbf{x}) = \prod_{i} p(r_i \mid \mathbf{x}_{<i})\,
#   p(g_i \mid r_i, \mathbf{x}_{<i})\, p(b_i \mid r_i, g_i, \mathbf{x}_{<i}).$$
#
# PixelCNN++ does not run the network three times per pixel. The network sees only earlier pixels
# and gives, per pixel and mixture component $k$, one set of parameters for all three channels; the
# head then lets a channel's mean depend linearly on the channels before it in the same pixel,
#
# $$\mu_{g,k} = \tilde\mu_{g,k} + \alpha_k\, c(r), \qquad
#   \mu_{b,k} = \tilde\mu_{b,k} + \beta_k\, c(r) + \gamma_k\, c(g),$$
#
# with $c(\cdot)$ the value on the $[-1, 1]$ scale and $\alpha, \beta, \gamma \in (-1, 1)$ (a
# $\tanh$). The three channels share the component: the pixel's joint is
# $\sum_k \pi_k\, P(r; \mu_{r,k}, s_{r,k})\, P(g; \mu_{g,k}, s_{g,k})\, P(b; \mu_{b,k}, s_{b,k})$, with
# $K(1 + 3 + 3 + 3) = 10K$ numbers per pixel. `LogisticMixtureHead` returns the chain-rule terms of
# that joint, $\log p(g \mid r) = \log p(r, g) - \log p(r)$ and so on, so the term of each channel
# depends only on the channels before it; with one channel it is the plain mixture of sections 3
# and 5.

# %%
armlib.show_source(LogisticMixtureHead)

# %% [markdown]
# The data: every digit written in its own random ink on white paper (`armlib.load_colour_digits`).
# A pixel's three channels are three linear functions of the same amount of ink, so once red is
# known, green and blue are nearly determined: what the coupling is made for.

# %%
colour_train, colour_val, colour_test = (armlib.load_colour_digits(split) for split in ("train", "val", "test"))
print("colour digits:", tuple(colour_train.shape), "values", int(colour_train.min()), "to", int(colour_train.max()))
plots.image_grid(colour_test[:NUM_SAMPLES], 2, title="colour digits (test split)")
plt.show()

# %% [markdown]
# The registered `"gated_pixelcnn_logistic_mixture_colour"` model is the same gated network with a
# first block that reads three channels. The causality check now runs over 192 elements, 64 pixels
# times 3 channels in the order above: changing the blue value of a pixel must not move the red or
# green term of that pixel, nor anything earlier.

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
colour_model = armlib.MODELS["gated_pixelcnn_logistic_mixture_colour"](num_components=NUM_COMPONENTS, **network)
armlib.check_autoregressive(colour_model)
print(f"causal over all {math.prod(colour_model.shape)} elements (pixels x channels); "
      f"{colour_model.head.num_params(3)} outputs per pixel")

# %%
colour_history = armlib.fit(colour_model, colour_train, colour_val, epochs=COLOUR_EPOCHS, lr=LR, patience=PATIENCE)
colour_score = armlib.evaluate(colour_model, colour_test)
with torch.no_grad():
    per_channel = -colour_model.eval().log_prob(colour_test, reduction="none").sum((2, 3)).mean(0)
print(f"test NLL {colour_score.nats:.1f} nats per colour image ({colour_score.bpd:.3f} bits/dim) "
      f"after {colour_history.epochs} epochs, {colour_history.seconds[-1]:.0f} s; "
      f"uniform: {armlib.uniform_nats(math.prod(armlib.COLOUR_SHAPE), NUM_VALS):.1f}")
for channel, nats in zip(("red  ", "green", "blue "), per_channel.tolist()):
    print(f"  {channel} terms: {nats:6.1f} nats per image")
assert colour_score.nats <= 210, "the colour model should get far below the uniform 3 x 181.3 nats"
assert per_channel[1] < per_channel[0] and per_channel[2] < per_channel[0], "coupled channels should be cheaper"

# %%
plots.real_vs_samples(colour_test[:NUM_SAMPLES], colour_model.sample(NUM_SAMPLES, generator=generator),
                      image_shape=armlib.COLOUR_SHAPE, title="samples, coupled channels")
plt.show()

# %% [markdown]
# The coupled head makes the later channels cheap: on the test split the red terms cost 90.8 nats
# per image, green 48.4 and blue 38.0. Red has only the earlier pixels to go on; green also knows the
# red value of its own pixel, blue both, and on these images a pixel's three values are three linear
# functions of one amount of ink. (The shared mixture component helps too; exercise 4 separates the
# two.) The total, 177.1 nats per colour image after 5 epochs, is far below the 544.0 nats of the
# uniform model.
#
# In the samples the colour of each pixel is an ink-like colour, but the ink wanders from pixel to
# pixel. One ink for the whole digit is a long-range dependency between pixels, which only the
# network can learn, and five epochs are not enough for it; the head's part, the coupling inside a
# pixel, is what the per-channel costs above measure.
#
# ## Summary
#
# - The **discretised logistic** gives each level the mass of its bin, a difference of two sigmoids,
#   on the $[-1, 1]$ scale with bins $2/(V-1)$ wide; the **edge bins** take the tails, so the
#   probabilities sum to 1 for any mean and scale.
# - It is computed in log space through $\sigma(a) - \sigma(b) = \sigma(a)\,\sigma(-b)\,(1 - e^{-(a-b)})$,
#   with no cancellation: exact where the naive difference returns $-\infty$.
# - A **mixture** of $K$ of them needs $3K$ outputs per pixel at any bit depth. It is available as
#   `torch.distributions` objects and as an ARM head with exact sampling from noise drawn up front.
# - On the 17-level digits, with chapter 06's gated network and training recipe, the mixture head
#   beats the categorical head: 77.81 against 78.10 nats per image here, 77.82 against 78.25 on
#   average over three seeds. Its components must start apart (`initial_bias`); started alike, it
#   only ties the softmax.
# - For **colour**, one network pass per pixel and a head that couples the channels: the green and
#   blue terms cost 48.4 and 38.0 nats per image against 90.8 for red, and the causality check holds
#   over all 192 elements, channels included.
#
# ## Exercises
#
# 1. **Edge bins.** Remove the special case of the edge bins from a copy of
#    `discretized_logistic_log_prob` (use the interior formula for every level). Sum the
#    probabilities over the 17 levels for a mean of $0.9$ and a scale of $0.3$: how much mass is
#    lost? What would training do to a model whose probabilities do not sum to 1?
# 2. **How many components?** Train the digits model with $K = 1, 2, 10$. Where does one logistic
#    fail (look at pixels that may be blank or inked, such as those at the edge of a stroke)? Does
#    $K = 10$ beat $K = 5$ in the same number of epochs?
# 3. **Bit depth.** Make 8-bit digits: $x \cdot 15$ plus a random integer in $[0, 15)$ (values 0 to
#    254), modelled with 256 levels.
#    Train both heads in the same time. Which one wins now, and why does the categorical head's
#    output layer (and its data per logit) matter more at 256 levels than at 17?
# 4. **No coupling.** Subclass `LogisticMixtureHead` so that `_channel_mean` ignores the earlier
#    channels and retrain the colour model. How much of the green and blue terms was the coupling's,
#    and how much the shared mixture component's?
# 5. **Input.** Give chapter 06's network the scaled pixel value as its only input channel instead
#    of the 17 level indicators (replace `levels_as_input` in a copy of `GatedPixelCNN`), and
#    train both heads. Which head suffers more from the poorer input, and why might smoothness
#    built into the head make up for some of it?
# 6. **Scales.** Plot a histogram of the log-scales the trained digits model predicts for blank
#    pixels and for pixels inside a stroke. Which are sharper, and what does the edge bin let the
#    model do for the background?
# 7. **Where is the lead?** Train both heads with chapter 06's recipe and split each one's test
#    NLL by the true level of the pixel: blank (0), full ink (16) and the levels in between. Where
#    does the mixture gain its 0.3 nats, and does that fit the reading that smoothness lets
#    neighbouring levels share evidence?
