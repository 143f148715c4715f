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
# # 08 · The discretised logistic: a likelihood for ordered levels
#
# Every model so far ended in a softmax over the 17 grey levels: a **categorical** distribution per
# pixel. It is exact and flexible, but it treats the levels as unrelated labels. Nothing in it says
# that level 7 is close to level 8, so the network has to learn from data, pixel by pixel, that
# probability mass comes in smooth bumps; and the output layer grows with the number of levels: 17
# logits per pixel for the digits, 256 for an 8-bit image, 768 for an 8-bit colour pixel.
#
# PixelCNN++ (Salimans et al., 2017), which Tomczak (2022) names among the important follow-ups of
# PixelCNN, replaces the softmax with a **mixture of discretised logistic distributions**: a few
# continuous bumps, each described by a mean and a scale, cut into bins, one bin per level. Order is
# built in, and the output layer no longer depends on the number of levels. This chapter builds
# that distribution and trains nothing; chapter 09 puts it on a network. It
#
# 1. draws the discretised logistic: the bins, and the two edge bins that take the tails;
# 2. computes its log-probability without the cancellation that turns a naive version into `-inf`;
# 3. mixes several of them, and draws from the mixture;
# 4. looks at what the bit depth changes: the size of the output layer and the scale of the scores.

# %%
import decimal
import math

import matplotlib.pyplot as plt
import torch
from IPython.display import display

import armlib
from armlib.book.display import table
from armlib.heads.logistic import LogisticMixtureHead, bin_centres, discretized_logistic_log_prob

armlib.setup(seed=0)

NUM_VALS = armlib.NUM_VALS             # 17 grey levels, 0..16
SHAPES = [(0.0, 0.12), (0.8, 0.25), (-1.3, 0.2)]  # (mean, scale) of the logistics in section 1
MIXTURE = {"logits": [0.0, -0.7, -1.5], "means": [-0.9, 0.1, 0.75], "scales": [0.05, 0.3, 0.08]}
NUM_DRAWS = 200_000                    # draws from the mixture, to compare with its probabilities
BIT_DEPTHS = [1, 4, 8]                 # 2, 16 and 256 levels per pixel
DEPTH_MEAN, DEPTH_SCALE = 0.2, 0.3     # the logistic binned at each bit depth in section 4

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
# Figure 8.1 draws three of them for the digits. The curve is the density times the bin width, so
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
    ax.set(title=f"$\\mu = {mean:+.1f},\\ s = {scale}$", xlabel="level on the $[-1, 1]$ scale")
axes[0].set_ylabel("$P(x)$")
plt.tight_layout()
armlib.show_figure("8.1", "Three discretised logistics over the 17 levels of the digits: bars $P(x)$, the curve "
                          "the density times the bin width, the shaded tails collected by the hatched edge bins.")

# %% [markdown]
# Left, a narrow logistic in the middle: the bars follow the curve. Middle, the mean close to the
# top: the last bin collects the whole right tail (the shaded area) and becomes the most likely
# level. Right, a mean *outside* $[-1, 1]$: still a proper distribution, now mostly (86%) on
# level 0. The digits need exactly this: more than half of their pixels are blank paper (level 0)
# or full ink (16), as chapter 09 counts. The sums and the two edge bins of the three:

# %% tags=["nbval-check-output"]
rows = []
for mean, scale in SHAPES:
    p = log_probs(mean, scale).exp()
    assert abs(p.sum().item() - 1) < 1e-12
    rows.append([f"{mean:+.1f}", f"{scale:.2f}", f"{p.sum().item():.12f}", f"{p[0].item():.4f}", f"{p[-1].item():.4f}"])
display(table(["mean μ", "scale s", "sum over the 17 levels", "P(0)", "P(16)"], rows))

# %% [markdown]
# ## 2. Computing it without cancellation
#
# In code the obvious line is `log(sigmoid(a) - sigmoid(b))` with $a = (c + h - \mu)/s$ and
# $b = (c - h - \mu)/s$ the bin's edges in standard units. It fails exactly where a confident,
# narrow model lives. When the bin is far to the right of the mean, both sigmoids are within
# rounding of 1, their difference is $0$, its log is $-\infty$, and one such pixel makes the loss of
# a whole batch infinite. Salimans et al.'s (2017) released code patched this with a fallback to
# the density at the bin centre when the difference got too small.
#
# An identity removes the problem instead of patching it. For $a > b$,
#
# $$\sigma(a) - \sigma(b) = \sigma(a)\,\sigma(-b)\,\bigl(1 - e^{-(a - b)}\bigr),$$
#
# (multiply out $\sigma(a)\sigma(-b) = \frac{e^a}{(1 + e^a)(1 + e^b)}$). Every factor is computed in
# log space without a difference of nearly equal numbers: $\log\sigma$ is exact in both tails
# (`logsigmoid`), and $a - b = 2h/s$ is formed directly, never as a difference; $\log(1 - e^{-d})$
# has a standard accurate form, `expm1` for small $d$ and `log1p` for large (Mächler, 2012). The
# edge bins need only one $\log\sigma$ each. That is all of `discretized_logistic_log_prob`:

# %%
armlib.show_source(discretized_logistic_log_prob)

# %% [markdown]
# Move the mean of a narrow logistic ($s = 1/16$) further and further to the left of the level-8 bin
# (centre 0, edges $\pm 1/16$) and compare the two ways with the exact value, computed with 50
# significant digits by Python's `decimal` module.

# %% tags=["nbval-check-output"]
def exact_log_mass(upper: float, lower: float) -> float:
    """log(sigma(upper) - sigma(lower)) to 50 significant digits."""
    decimal.getcontext().prec = 50
    sigmoid = lambda t: 1 / (1 + (-decimal.Decimal(t)).exp())
    return float((sigmoid(upper) - sigmoid(lower)).ln())


scale, x = 1 / 16, torch.tensor(8)
rows = []
for mean in [-0.5, -1.5, -2.0, -2.3, -2.5, -4.0]:
    upper, lower = (1 / 16 - mean) / scale, (-1 / 16 - mean) / scale
    naive = torch.log(torch.sigmoid(torch.tensor(upper, dtype=f64)) - torch.sigmoid(torch.tensor(lower, dtype=f64)))
    stable = discretized_logistic_log_prob(x, torch.tensor(mean, dtype=f64), torch.tensor(math.log(scale), dtype=f64),
                                           NUM_VALS).item()
    exact = exact_log_mass(upper, lower)
    rows.append([f"{mean:.1f}", f"{lower:.1f}", f"{naive.item():.4f}", f"{stable:.4f}", f"{exact:.4f}"])
    assert abs(stable - exact) < 1e-12 * abs(exact)
display(table(["mean μ", "lower edge b", "naive log P", "stable log P", "exact log P"], rows,
              caption="**Table 8.1.** The log-probability of the level-8 bin under a logistic with scale 1/16, "
                      "as its mean moves to the left.", align="rrrrr"))

# %% [markdown]
# In Table 8.1 the naive value loses its digits as $e^{-b}$ approaches the spacing of float64 numbers near 1
# (about $10^{-16}$, reached at $b \approx 37$): it is wrong in the fourth decimal at $b = 31$, by
# 0.1 at $b = 35.8$, and $-\infty$ at $b = 39$ and beyond. The stable value follows the exact one
# all the way.
#
# One bin is not a proof. The next cell tries every level at 2, 17 and 256 levels, for 103 means
# (every 0.1 from $-5$ to $5$, and $\pm 1000$, far outside $[-1, 1]$) and 61 log-scales from $-10$
# to $5$ (scales from $5 \times 10^{-5}$ to 148), in float64: how far the probabilities of a
# distribution sum from 1, and whether any log-probability or gradient is `nan` or infinite.
# (The unit tests check the same at random points, by hypothesis.)

# %% tags=["nbval-check-output"]
means = torch.cat([torch.linspace(-5, 5, 101, dtype=f64), torch.tensor([-1e3, 1e3], dtype=f64)])
log_scales = torch.linspace(-10, 5, 61, dtype=f64)
for num_vals in (2, 17, 256):
    mean, log_scale = means[:, None].clone().requires_grad_(), log_scales[None, :].clone().requires_grad_()
    log_p = discretized_logistic_log_prob(torch.arange(num_vals).reshape(-1, 1, 1), mean, log_scale, num_vals)
    log_p.sum().backward()
    gap = (log_p.logsumexp(0).exp() - 1).abs().max().item()
    finite = all(torch.isfinite(t).all() for t in (log_p, mean.grad, log_scale.grad))
    print(f"{num_vals:3d} levels, {mean.numel()} x {log_scale.numel()} distributions: largest |sum - 1| = {gap:.1e}, "
          f"values and gradients finite: {finite}")
    assert gap < 1e-12 and finite

# %% [markdown]
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
# paper, a broad shoulder in the middle and a bump near full ink (Figure 8.2):

# %%
logits, means, scales = (torch.tensor(MIXTURE[key], dtype=f64) for key in ("logits", "means", "scales"))
mixture = armlib.discretized_logistic_mixture(logits, means, scales.log(), NUM_VALS)
weights = logits.softmax(0)
components, support = mixture.component_distribution, mixture.component_distribution.support
print(f"a {type(mixture).__name__} of {components.batch_shape[-1]} {type(components).__name__} components, "
      f"support the integers {support.lower_bound} to {support.upper_bound}")
print("P summed over the levels:", round(mixture.log_prob(levels).exp().sum().item(), 12))

fig, ax = plt.subplots(figsize=(8, 3.2))
draw_discretised(ax, mixture.log_prob(levels).exp(),
                 lambda y: sum(w * logistic_density(y, m, s) for w, m, s in zip(weights, means, scales)),
                 colour="tab:purple", label="mixture $P(x)$")
for w, m, s in zip(weights, means, scales):
    y = torch.linspace(-1.8, 1.8, 721, dtype=f64)
    ax.plot(y, w * logistic_density(y, m, s) * 2 / (NUM_VALS - 1), linewidth=0.8, linestyle="--",
            label=f"$\\pi = {w:.2f},\\ \\mu = {m:+.2f},\\ s = {s:.2f}$")
ax.set(xlabel="level on the $[-1, 1]$ scale", ylabel="$P(x)$")
ax.legend(loc="upper right")
plt.tight_layout()
armlib.show_figure("8.2", "A mixture of three discretised logistics: the bars are the mixture's $P(x)$, the dashed "
                          "curves its components (density times bin width, each weighted by its $\\pi_k$).")

# %% [markdown]
# Drawing from the mixture is two draws, each an exact function of noise drawn up front: the
# component, by the Gumbel-max trick of chapter 02 applied to the $K$ logits, then the value, by
# the inverse CDF of that component's logistic, $y = \mu + s \log\frac{u}{1-u}$ for a uniform $u$,
# rounded to the nearest bin centre and clamped into the edge bins beyond $\pm 1$ (exactly the mass
# the edge bins take). `LogisticMixtureHead`, the head chapter 09 trains, draws this way. Its
# listing is written for colour pixels too, whose channels are coupled: with one channel, as here,
# the loop over channels runs once, there are no coupling coefficients (`_split` returns none, so
# `_channel_mean` is just the chosen component's mean), and chapter 09, section 4, explains them.

# %%
armlib.show_source(LogisticMixtureHead.sample)

# %% [markdown]
# For a check, the head is given the mixture above as its parameters at every one of 200,000
# "pixels" (logits, means and log-scales, in its layout) and draws once at each. The frequencies of
# the levels should match $P(x)$ up to sampling noise: a frequency estimated from $N$ draws has a
# standard error of $\sqrt{P(1 - P)/N}$, at most 0.0010 here (for level 1, the likeliest).

# %% tags=["nbval-check-output"]
head = LogisticMixtureHead(NUM_VALS, num_components=len(logits))
params = torch.cat([logits, means, scales.log()]).reshape(1, -1, 1).expand(NUM_DRAWS, -1, 1)  # (N, 3K, 1)
draws = head.sample(params, head.noise((NUM_DRAWS, 1, 1), torch.Generator().manual_seed(0), f64))
frequency = torch.bincount(draws.flatten(), minlength=NUM_VALS) / NUM_DRAWS
probability = mixture.log_prob(levels).exp()
standard_error = (probability * (1 - probability) / NUM_DRAWS).sqrt()
display(table(["level", "P(x)", f"drawn, frequency in {NUM_DRAWS:,}"],
              [[str(v), f"{p:.4f}", f"{f:.4f}"] for v, p, f in zip(levels.tolist(), probability.tolist(),
                                                                   frequency.tolist())]))
z = ((frequency - probability) / standard_error).abs().max().item()
print(f"largest standard error {standard_error.max().item():.4f}; largest gap: {z:.1f} standard errors")
assert z < 4

# %% [markdown]
# The largest gap, 2.1 standard errors, is well within what sampling noise gives over 17 levels:
# every level, the edge bins included, is drawn as often as its probability says.
#
# ## 4. What the bit depth changes
#
# Nothing in the head depends on $V$ except the bin width $2/(V-1)$. Bin the same logistic at 1, 4
# and 8 bits (Figure 8.3):

# %%
fig, axes = plt.subplots(1, len(BIT_DEPTHS), figsize=(12, 3))
for ax, bits in zip(axes, BIT_DEPTHS):
    draw_discretised(ax, log_probs(DEPTH_MEAN, DEPTH_SCALE, 2**bits).exp(),
                     lambda y: logistic_density(y, DEPTH_MEAN, DEPTH_SCALE))
    ax.set(title=f"{bits} bit{'s' * (bits > 1)}: {2**bits} levels", xlabel="level on the $[-1, 1]$ scale")
axes[0].set_ylabel("$P(x)$")
plt.tight_layout()
armlib.show_figure("8.3", "One logistic ($\\mu = 0.2$, $s = 0.3$) binned at 1, 4 and 8 bits; as in Figure 8.1, "
                          "the curve is the density times the bin width.")

# %% [markdown]
# In Figure 8.3, at 1 bit both bins are edge bins, so the whole
# line is shaded as tail, and with a bin width of 2 the curve rises to $2/(4s) = 1.67$, above any
# probability: in that panel it shows the density's shape only. At 8 bits the two edge bins are the
# thin spikes at $\pm 1$, taller than every interior bar (0.018 and 0.066, in Table 8.3 below): each
# collects a whole tail.
#
# At 1 bit the two bins are the two halves of the line and the head is a Bernoulli with
# $P(1) = \sigma(\mu/s)$; at 8 bits the interior bars trace the density, each bin holding about
# density $\times$ width. Two things change with the depth: the number of outputs a head needs,
# and the scores. The outputs first, per pixel, for one grey channel and for a colour pixel of
# three channels. A colour pixel's mixture needs, per component, one logit, three means, three
# log-scales and three coefficients that couple the channels (chapter 09 explains them): $10K$
# numbers.

# %% tags=["nbval-check-output"]
rows = []
for channels in (1, 3):
    for num_vals in (17, 256):
        k5, k10 = (LogisticMixtureHead(num_vals, k).num_params(channels) for k in (5, 10))
        rows.append([f"{channels} channel{'s' if channels > 1 else ''}", str(num_vals), str(channels * num_vals),
                     str(k5), str(k10)])
display(table(["outputs per pixel", "levels", "categorical", "mixture, K = 5", "mixture, K = 10"], rows,
              caption="**Table 8.2.** Outputs per pixel of a categorical head and of mixture heads."))

# %% [markdown]
# A categorical head (Table 8.2) needs $V$ logits per pixel and channel, the mixture $3K$ per channel (plus the
# coupling) whatever $V$ is: 256 against 15 for one 8-bit channel. Salimans et al.'s (2017)
# released code uses $K = 10$ on 8-bit colour images: 100 outputs per pixel against 768 for a
# softmax.
#
# The scores next. For this logistic, the entropy of the binned distribution, the NLL per pixel that
# a perfect model of it would score, at each depth, and the mass of the two edge bins, $P(0)$ and
# $P(V-1)$ (Table 8.3):

# %% tags=["nbval-check-output"]
rows = []
for bits in BIT_DEPTHS:
    p = log_probs(DEPTH_MEAN, DEPTH_SCALE, 2**bits).exp()
    entropy = -(p * p.log()).sum().item()
    rows.append([str(bits), str(2**bits), f"{entropy:.3f}", f"{entropy / math.log(2):.3f}",
                 f"{(p[0] + p[-1]).item():.3f}", f"{p[0].item():.3f}", f"{p[-1].item():.3f}"])
display(table(["bits", "levels", "entropy [nats]", "entropy [bits]", "edge bins P(0) + P(V − 1)", "P(0)", "P(V − 1)"],
              rows, caption="**Table 8.3.** The logistic of Figure 8.3 binned at each bit depth: its entropy and "
                            "the mass of its edge bins."))

# %% [markdown]
# Halving the bins roughly halves the mass in each, so the entropy grows by almost
# $\ln 2 = 0.69$ nats per pixel for every extra bit: here by 2.624 - 0.641 = 1.98 nats from 1 to
# 4 bits and by 5.252 - 2.624 = 2.63 nats from 4 to 8 bits, about 0.66 per bit. It stays below
# $\ln 2$ because the mass $E$ in the two edge bins, 0.084 at 8 bits, is not split however many
# bins there are: as the bins shrink, the growth per bit tends to $(1 - E) \ln 2 \approx 0.636$
# (exercise 3); at 4 to 8 bits it is still above that. Likelihoods are therefore comparable only at the same bit depth: the
# 17-level digits of this book and 8-bit CIFAR-10, on which PixelCNN++ scores 2.92 bits per
# dimension (Salimans et al., 2017), are two different scales.

# %% [markdown]
# ## Summary
#
# - The **discretised logistic** gives each level the mass of its bin, a difference of two sigmoids,
#   on the $[-1, 1]$ scale with bins $2/(V-1)$ wide; the **edge bins** take the tails, so the
#   probabilities sum to 1 for any mean and scale.
# - It is computed in log space through $\sigma(a) - \sigma(b) = \sigma(a)\,\sigma(-b)\,(1 - e^{-(a-b)})$,
#   with no cancellation: exact where the naive difference returns $-\infty$, and finite, values
#   and gradients, at means from $-5$ to $5$ and $\pm 1000$ (random means up to $\pm 10^4$ in the
#   unit tests) and log-scales from $-10$ to $5$.
# - A **mixture** of $K$ of them needs $3K$ outputs per pixel and channel at any bit depth (plus
#   the coupling coefficients for colour). It is
#   available as `torch.distributions` objects and as an ARM head, `LogisticMixtureHead`, whose
#   draws are exact functions of noise drawn up front.
# - The **bit depth** changes the categorical head's size ($V$ outputs) but not the mixture's, and
#   moves every score: about $\ln 2$ nats per pixel for each extra bit. Compare likelihoods only at
#   the same depth.
#
# ## Exercises
#
# 1. **Edge bins.** Remove the special case of the edge bins from a copy of
#    `discretized_logistic_log_prob` (use the interior formula for every level). Sum the
#    probabilities over the 17 levels for a mean of $0.9$ and a scale of $0.3$: how much mass is
#    lost? What would training do to a model whose probabilities do not sum to 1? ([solution](solutions/08_discretized_logistic_solutions.ipynb#exercise-1))
# 2. **The patch.** Write the fallback of Salimans et al.'s (2017) released code: where
#    $\sigma(a) - \sigma(b) < 10^{-5}$, use $\log(f(c)\cdot 2h)$, the density at the bin centre
#    times the bin width. Add it as a column to Table 8.1. How far from the exact
#    value is it at $b = 39$ and at $b = 63$? ([solution](solutions/08_discretized_logistic_solutions.ipynb#exercise-2))
# 3. **Entropy per bit.** Extend Table 8.3 to 12 and 16 bits. Does the growth per bit approach
#    $(1 - \text{edge mass}) \ln 2$? Explain why from the formula of an interior bin. ([solution](solutions/08_discretized_logistic_solutions.ipynb#exercise-3))

# %% [markdown]
# ## References
#
# - Mächler, M. (2012). Accurately Computing log(1 - exp(-|a|)) Assessed by the Rmpfr Package. *Vignette of the R package Rmpfr, CRAN*.
# - Salimans, T., Karpathy, A., Chen, X., & Kingma, D. P. (2017). PixelCNN++: Improving the PixelCNN with Discretized Logistic Mixture Likelihood and Other Modifications. *International Conference on Learning Representations (ICLR)*.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
