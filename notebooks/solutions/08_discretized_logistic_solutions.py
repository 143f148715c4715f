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
# # Solutions to chapter 08: The discretised logistic, a likelihood for ordered levels
#
# Worked answers to the exercises of [chapter 08](../08_discretized_logistic.ipynb).
# Try each exercise yourself before you read its solution.

# %%
import decimal
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import display

import armlib
from armlib.book.display import table
from armlib.heads.logistic import discretized_logistic_log_prob, discretized_logistic_sample

armlib.setup(seed=0)

NUM_VALS = armlib.NUM_VALS  # 17 grey levels, 0..16
f64 = torch.float64
levels = torch.arange(NUM_VALS)


def log_probs(function, mean, scale, num_vals=NUM_VALS):
    """log P(x) of every level x under ``function``'s discretised logistic(mean, scale), float64."""
    return function(torch.arange(num_vals), torch.as_tensor(mean, dtype=f64),
                    torch.as_tensor(math.log(scale), dtype=f64), num_vals)

# %% [markdown]
# ## Exercise 1
#
# **Edge bins.** Remove the special case of the edge bins from a copy of
# `discretized_logistic_log_prob` (the interior formula for every level), sum the probabilities over
# the 17 levels for a mean of 0.9 and a scale of 0.3, and say how much mass is lost. What would
# training do to a model whose probabilities do not sum to 1?
#
# The copy keeps the stable interior formula and drops the last line's `torch.where`:

# %%
def interior_only_log_prob(x, mean, log_scale, num_vals):
    """log(sigma(a) - sigma(b)) for every level, edge bins included: no bin takes the tails."""
    half_width = 1 / (num_vals - 1)
    inv_scale = torch.exp(-log_scale)
    twice_x = 2 * x.to(torch.promote_types(mean.dtype, log_scale.dtype))
    upper = ((twice_x + 1) * half_width - 1 - mean) * inv_scale
    lower = ((twice_x - 1) * half_width - 1 - mean) * inv_scale
    d = 2 * half_width * inv_scale  # a - b > 0; log(1 - exp(-d)) in its accurate form (Mächler, 2012)
    log_one_minus_exp = torch.where(d < math.log(2), torch.log(-torch.expm1(-d)), torch.log1p(-torch.exp(-d)))
    return F.logsigmoid(upper) + F.logsigmoid(-lower) + log_one_minus_exp


MEAN, SCALE = 0.9, 0.3
with_edges = log_probs(discretized_logistic_log_prob, MEAN, SCALE).exp()
without_edges = log_probs(interior_only_log_prob, MEAN, SCALE).exp()
half_width = 1 / (NUM_VALS - 1)
left_tail = torch.sigmoid(torch.tensor((-1 - half_width - MEAN) / SCALE, dtype=f64)).item()
right_tail = 1 - torch.sigmoid(torch.tensor((1 + half_width - MEAN) / SCALE, dtype=f64)).item()
print(f"sum over the 17 levels with edge bins:    {with_edges.sum().item():.6f}")
print(f"sum over the 17 levels without edge bins: {without_edges.sum().item():.6f}, "
      f"lost {1 - without_edges.sum().item():.4f}")
print(f"the two tails beyond [-1 - h, 1 + h]: left {left_tail:.4f}, right {right_tail:.4f}")
assert abs(with_edges.sum().item() - 1) < 1e-12
assert torch.allclose(with_edges[1:-1], without_edges[1:-1], rtol=1e-12, atol=0)  # only the edge bins differ
assert abs(1 - without_edges.sum().item() - (left_tail + right_tail)) < 1e-12
assert 0.36 < 1 - without_edges.sum().item() < 0.38

# %% [markdown]
# Over a third of the mass is lost: everything of the logistic beyond the outer edges
# $\pm(1 + h)$ of the first and last bins. The sum telescopes to
# $F(c(V-1) + h) - F(c(0) - h)$ instead of $F(\infty) - F(-\infty) = 1$, and with the mean at 0.9,
# close to the top, the right tail beyond $1 + h$ is large (the printout: the lost mass is
# exactly the two tails). The interior bins are the same in both versions; only the two edge bins
# shrink.
#
# **What training would do.** Maximum likelihood raises the probability of the levels it sees,
# and every bit of mass in the tails is mass no level gets, so training pays for it and moves the
# bumps away from the ends of the scale. That is exactly where the digits have most of their
# pixels: nearly half of them are blank paper (level 0). To see it, fit one discretised logistic
# (two numbers, a mean and a log-scale) by maximum likelihood to all 64,000 pixel values of the
# training digits, once with edge bins and once without, and compare the fits:

# %%
x = armlib.load_digits("train").flatten()
frequency = torch.bincount(x, minlength=NUM_VALS).to(f64) / len(x)


def fit_one_logistic(function) -> tuple[torch.Tensor, float]:
    """The maximum-likelihood mean and log-scale for the pixel values of the training digits, and
    the NLL per pixel there, by L-BFGS in float64 from mean 0, scale 1."""
    params = torch.zeros(2, dtype=f64, requires_grad=True)
    optimiser = torch.optim.LBFGS([params], max_iter=500, line_search_fn="strong_wolfe",
                                  tolerance_grad=1e-12, tolerance_change=1e-15)

    def nll():
        optimiser.zero_grad()
        loss = -(frequency * function(levels, params[0], params[1], NUM_VALS)).sum()
        loss.backward()
        return loss

    optimiser.step(nll)
    return params.detach(), nll().item()


rows, fits = [], {}
for name, function in [("with edge bins", discretized_logistic_log_prob), ("without", interior_only_log_prob)]:
    (mean, log_scale), nll = fit_one_logistic(function)
    p = function(levels, mean, log_scale, NUM_VALS).exp()
    fits[name] = {"nll": nll, "sum": p.sum().item(), "p0": p[0].item(), "p16": p[-1].item()}
    rows.append([name, f"{mean.item():+.3f}", f"{log_scale.exp().item():.3f}", f"{p.sum().item():.3f}",
                 f"{p[0].item():.3f}", f"{p[-1].item():.3f}", f"{nll:.3f}"])
rows.append(["share of the training pixels", "", "", "", f"{frequency[0].item():.3f}", f"{frequency[-1].item():.3f}", ""])
display(table(["fit", "mean μ", "scale s", "sum of P", "P(0)", "P(16)", "NLL [nats per pixel]"], rows, align="lrrrrrr",
              caption="**Table S8.1.** One discretised logistic fitted to the pixel values of the 1,000 training digits."))
edges, no_edges = fits["with edge bins"], fits["without"]
assert abs(edges["sum"] - 1) < 1e-12 and 0.2 < 1 - no_edges["sum"] < 0.3
assert edges["p0"] > 0.4 and no_edges["p0"] < 0.1
assert no_edges["nll"] > edges["nll"] + 1
renormalised = no_edges["nll"] + math.log(no_edges["sum"])
print(f"without edge bins, divided by its sum: {renormalised:.3f} nats per pixel instead of {no_edges['nll']:.3f}")
assert renormalised < no_edges["nll"] - 0.2

# what the sampler draws: it clamps the logistic's draws into the edge bins, so its level-16
# frequency is P(16) of the model with edge bins
u = torch.rand(200_000, dtype=f64, generator=torch.Generator().manual_seed(0))
draws = discretized_logistic_sample(torch.tensor(MEAN, dtype=f64), torch.tensor(math.log(SCALE), dtype=f64), u, NUM_VALS)
drawn_16 = (draws == NUM_VALS - 1).double().mean().item()
standard_error = math.sqrt(with_edges[-1].item() * (1 - with_edges[-1].item()) / len(u))
print(f"mean 0.9, scale 0.3: level 16 drawn {drawn_16:.4f} of the time; P(16) with edge bins "
      f"{with_edges[-1].item():.4f}, without {without_edges[-1].item():.4f}")
assert abs(drawn_16 - with_edges[-1].item()) < 4 * standard_error

# %% [markdown]
# In Table S8.1, with edge bins the fit gives blank paper nearly the share it has in the data.
# Without them it cannot: a bump centred near $-1$ would lose half its mass below $-1 - h$, so the
# fit pulls the mean inwards and gives level 0 less than a tenth of the probability, still wastes
# between a fifth and a third of its mass on the tails, and its NLL is worse by more than a nat per
# pixel (the asserts check these margins), more than 64 nats per image. Two more things go wrong
# with a model that does not sum to 1:
#
# - its NLL is not a likelihood. Divided by its sum it would be a distribution whose NLL is lower
#   by $-\ln(\text{sum})$ per pixel (the printout above), so the score overstates the cost of
#   the data and cannot be compared with another model's.
# - its samples come from another model: the sampler clamps draws beyond the end bins into them,
#   so it draws from the model *with* edge bins (the last printout), not from the one whose NLL
#   was reported.
#
# ## Exercise 2
#
# **The patch.** Write the fallback of Salimans et al.'s (2017) released code: where
# $\sigma(a) - \sigma(b) < 10^{-5}$, use $\log(f(c) \cdot 2h)$, the density at the bin centre times
# the bin width. Add it as a column to Table 8.1. How far from the exact value is it at $b = 39$
# and at $b = 63$?
#
# Table 8.1 again, for the level-8 bin (centre 0, half-width $h = 1/16$) under a logistic of scale
# $s = 1/16$, with the patched value and its error beside the exact one:

# %%
def exact_log_mass(upper: float, lower: float) -> float:
    """log(sigma(upper) - sigma(lower)) to 50 significant digits."""
    decimal.getcontext().prec = 50
    sigmoid = lambda t: 1 / (1 + (-decimal.Decimal(t)).exp())
    return float((sigmoid(upper) - sigmoid(lower)).ln())


def patched_log_mass(centre, mean, scale, half_width, threshold=1e-5):
    """Salimans et al.'s fallback: log(sigma(a) - sigma(b)), or log(f(c) 2h) where the difference
    falls below ``threshold``."""
    upper, lower = (centre + half_width - mean) / scale, (centre - half_width - mean) / scale
    difference = torch.sigmoid(upper) - torch.sigmoid(lower)
    z = (centre - mean) / scale
    log_density_times_width = F.logsigmoid(z) + F.logsigmoid(-z) - math.log(scale) + math.log(2 * half_width)
    return torch.where(difference > threshold, torch.log(difference.clamp_min(1e-300)), log_density_times_width)


scale, h = 1 / 16, 1 / 16
rows, errors = [], {}
for mean in [-0.5, -1.5, -2.0, -2.3, -2.5, -4.0]:
    upper, lower = (h - mean) / scale, (-h - mean) / scale
    mean_t = torch.tensor(mean, dtype=f64)
    naive = torch.log(torch.sigmoid(torch.tensor(upper, dtype=f64)) - torch.sigmoid(torch.tensor(lower, dtype=f64)))
    stable = discretized_logistic_log_prob(torch.tensor(8), mean_t, torch.tensor(math.log(scale), dtype=f64),
                                           NUM_VALS).item()
    patched = patched_log_mass(torch.tensor(0.0, dtype=f64), mean_t, scale, h).item()
    exact = exact_log_mass(upper, lower)
    errors[round(lower)] = patched - exact
    error = f"{patched - exact:+.4f}" if abs(patched - exact) >= 5e-5 else "0.0000"
    rows.append([f"{mean:.1f}", f"{lower:.1f}", f"{naive.item():.4f}", f"{stable:.4f}", f"{patched:.4f}",
                 f"{exact:.4f}", error])
display(table(["mean μ", "lower edge b", "naive log P", "stable log P", "patched log P", "exact log P",
               "patched − exact"], rows, align="rrrrrrr",
              caption="**Table S8.2.** Table 8.1 with Salimans et al.'s patch: the log-probability of the level-8 bin "
                      "under a logistic with scale 1/16."))

# %% [markdown]
# The patch avoids the $-\infty$, but where it takes over it is wrong by the same amount in every
# row: about 0.16 nats too low, at $b = 39$ and at $b = 63$ alike, and already at $b = 23$ (for
# $b = 7$ the difference of the sigmoids is far above $10^{-5}$ and the patch is the naive value).
# The reason is the shape of the tail. Far to the right of the mean the logistic density falls as
# $f(y) \approx e^{-(y - \mu)/s}/s$, so the exact mass of a bin is the integral of an exponential,
#
# $$\int_b^{a} e^{-z}\,dz = e^{-b}\bigl(1 - e^{-(a - b)}\bigr),$$
#
# while the patch takes the density at the centre $z = b + (a-b)/2$ times the width $a - b$:
# $(a - b)\, e^{-b - (a-b)/2}$. Their ratio depends on $a - b = 2h/s$ only, not on $b$:
#
# $$\log\frac{\text{patch}}{\text{exact}} = \log\frac{(a - b)\,e^{-(a - b)/2}}{1 - e^{-(a - b)}},$$
#
# here with $a - b = 2$: $\log(2e^{-1}/(1 - e^{-2})) = -0.1614$ nats (the next cell computes it and
# checks it against the table). A convex function is lower at the middle of an interval than on
# average over it, and the tails of the density are convex, so there the patch always
# underestimates. It also makes the loss jump where it switches on (between $b = 11$ and $12$,
# where the difference of the sigmoids crosses $10^{-5}$; the next cell finds the place): a step of 0.16 nats in the loss as the mean moves.
# The identity of chapter 08, section 2, needs no threshold and is exact everywhere.

# %%
d = 2 * h / scale
predicted = math.log(d * math.exp(-d / 2) / -math.expm1(-d))
print(f"predicted error of the patch far in the tail: {predicted:+.4f} nats; "
      f"at b = 39: {errors[39]:+.4f}, at b = 63: {errors[63]:+.4f}")
assert all(abs(errors[b] - predicted) < 1e-3 for b in (23, 31, 39, 63))
assert abs(errors[7]) < 1e-12  # above the threshold the patch is the plain difference

threshold_b = [b / 100 for b in range(900, 1400) if math.exp(exact_log_mass(b / 100 + d, b / 100)) < 1e-5][0]
print(f"the patch takes over from b = {threshold_b:.2f}")
assert 11 < threshold_b < 12

# %% [markdown]
# ## Exercise 3
#
# **Entropy per bit.** Extend Table 8.3 to 12 and 16 bits. Does the growth per bit approach
# $(1 - \text{edge mass}) \ln 2$? Explain why from the formula of an interior bin.
#
# The same logistic as Table 8.3 ($\mu = 0.2$, $s = 0.3$), now at 1, 4, 8, 12 and 16 bits, with the
# growth of the entropy per extra bit since the row above, and $(1 - \text{edge mass}) \ln 2$ for
# the edge mass of the row:

# %%
DEPTH_MEAN, DEPTH_SCALE = 0.2, 0.3


def entropy_and_edges(bits: int) -> tuple[float, float]:
    p = log_probs(discretized_logistic_log_prob, DEPTH_MEAN, DEPTH_SCALE, 2**bits).exp()
    return torch.special.entr(p).sum().item(), (p[0] + p[-1]).item()


# the edge mass as the bins shrink to nothing: the logistic's mass beyond -1 and beyond 1
limit_edges = (torch.sigmoid(torch.tensor((-1 - DEPTH_MEAN) / DEPTH_SCALE, dtype=f64))
               + 1 - torch.sigmoid(torch.tensor((1 - DEPTH_MEAN) / DEPTH_SCALE, dtype=f64))).item()
rows, previous, growth = [], None, {}
for bits in (1, 4, 8, 12, 16):
    entropy, edge_mass = entropy_and_edges(bits)
    per_bit = "" if previous is None else f"{(entropy - previous[1]) / (bits - previous[0]):.4f}"
    if previous is not None:
        growth[bits] = (entropy - previous[1]) / (bits - previous[0])
    rows.append([str(bits), f"{2**bits:,}", f"{entropy:.4f}", per_bit, f"{edge_mass:.4f}",
                 f"{(1 - edge_mass) * math.log(2):.4f}"])
    previous = (bits, entropy)
display(table(["bits", "levels", "entropy [nats]", "growth per bit since the row above", "edge mass",
               "(1 − edge mass) ln 2"], rows, align="rrrrrr",
              caption="**Table S8.3.** Table 8.3 extended to 12 and 16 bits."))
target = (1 - limit_edges) * math.log(2)
print(f"edge mass as the bins shrink: {limit_edges:.4f}; (1 - that) ln 2 = {target:.4f}")
assert abs(growth[16] - target) < 1e-3 < abs(growth[4] - target)
assert abs(growth[16] - target) < abs(growth[12] - target) < abs(growth[8] - target)

# %% [markdown]
# Yes: by 12 to 16 bits the growth per bit agrees with $(1 - \text{edge mass}) \ln 2$ to within
# $10^{-3}$ nats (the asserts check it, and that the agreement improves from row to row from 8 bits
# on), where from 1 to 4 bits it was off by more than that. The edge mass here tends to the logistic's mass beyond $\pm 1$,
# printed under the table.
#
# Why, from the formula of an interior bin: its mass is
# $P(x) = F(c + h) - F(c - h) = 2h\, f(c) + O(h^3)$, the density at the centre times the width.
# Its contribution to the entropy is
#
# $$-P(x)\log P(x) = -P(x)\log f(c) - P(x)\log 2h + \ldots$$
#
# Summed over the interior bins, the first term tends to the differential entropy of the logistic
# restricted to $[-1, 1]$, the same at every depth; the second is $-(1 - E)\log 2h$, with $E$ the
# mass of the two edge bins. One more bit halves $h$, which adds $(1 - E)\ln 2$. The edge bins
# contribute $-P(0)\log P(0) - P(V-1)\log P(V-1)$, which tends to a constant: their mass tends to
# the tails beyond $\pm 1$, which no refinement splits. So the growth per bit tends to
# $(1 - E)\ln 2$ with $E$ the tail mass beyond $\pm 1$; at low depth the $O(h^3)$ terms and the
# changing edge bins still move it. Figure S8.1 shows the growth of every single bit from 1 to 16.

# %%
entropies = [entropy_and_edges(bits)[0] for bits in range(1, 17)]
fig, ax = plt.subplots(figsize=(6.5, 3.2))
ax.plot(range(2, 17), [b - a for a, b in zip(entropies, entropies[1:])], marker="o", label="growth of the entropy")
ax.axhline(target, color="black", linewidth=0.8, linestyle=":", label="$(1 - E_\\infty) \\ln 2$")
ax.axhline(math.log(2), color="grey", linewidth=0.8, linestyle="--", label="$\\ln 2$")
ax.set(xlabel="bits $b$", ylabel="$H_b - H_{b-1}$ [nats]")
ax.legend(loc="lower right")
armlib.show_figure("S8.1", "Growth of the entropy per extra bit of the logistic of Table 8.3: it settles at "
                           "$(1 - E_\\infty) \\ln 2$, with $E_\\infty$ the logistic's mass beyond $\\pm 1$.")
assert abs(entropies[-1] - entropies[-2] - target) < 1e-3
