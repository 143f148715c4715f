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
# # 01 · Probability rules: the chain rule every autoregressive model stands on
#
# This book models the distribution $p(\mathbf{x})$ of small images: an $8 \times 8$ digit is a
# vector $\mathbf{x} = [x_1, \ldots, x_{64}]^\top$ of pixels, each taking one of 17 grey levels
# $\{0, 1, \ldots, 16\}$. Before any neural network, two rules of probability decide what such a
# model looks like:
#
# - the **sum rule**, which turns a joint distribution into a marginal by summing out variables;
# - the **product rule**, which splits a joint into a marginal times a conditional.
#
# Applied again and again, the product rule gives the **chain rule**,
# $p(\mathbf{x}) = p(x_1) \prod_{d=2}^{D} p(x_d \mid \mathbf{x}_{<d})$, the factorisation that names
# *autoregressive* models. This chapter works all three with numbers on a joint small enough to
# write down in full, then counts what it would cost to do the same for a digit, and ends with
# what a single conditional $p(x_d \mid \mathbf{x}_{<d})$ means for a real image.
#
# Nothing here is trained or sampled: every probability below comes from enumerating every
# configuration, so the checks are exact up to floating-point rounding.
#
# ### The text this book follows
#
# The book is built around one chapter of a textbook: Jakub M. Tomczak, *Deep Generative Modeling*,
# Springer, 2022 (2nd edition 2024), chapter 2, "Autoregressive Models", together with its companion
# code (the `intro_dgm` repository, folder `arms/arm_example`). We cite it as Tomczak (2022), and
# its figures as "Tomczak (2022), Fig. 1". You do not need it at hand: every idea we take from it is
# stated here, rebuilt in the small package `armlib`, trained on the same data and scored in the
# same unit, nats per image: a model is scored by $-\ln p(\mathbf{x})$, the negative natural
# logarithm of the probability it gives an image, and a **nat** is the unit of such a natural
# logarithm, as a bit is of $\log_2$ (section 7 comes back to it). It moves from the rules of probability (this chapter) through a
# finite-memory MLP (chapter 02), a recurrent network (chapter 03) and causal convolutions
# (chapter 04) to the PixelCNN family (chapters 05 onwards). Where the book departs from it, the
# chapter says so, and why.
#
# The data are the ones Tomczak's code uses: the $8 \times 8$ handwritten digits bundled with
# scikit-learn (Pedregosa et al., 2011), a copy of the test set of the UCI optical digits (Alpaydin
# & Kaynak, 1998), 1,797 images, split as his code splits them: the first 1000 images for
# training, the next 350 for validation, the last 447 for testing. His text says a pixel takes 16
# values, $\{0, 1, \ldots, 15\}$; his own code uses 17, $\{0, 1, \ldots, 16\}$, as we do. Each
# pixel of these digits counts the inked points in a $4 \times 4$ block of a $32 \times 32$ scan,
# which gives 17 values, 0 to 16 (Alpaydin & Kaynak, 1998), and a model with 16 outputs would have
# no probability to give the value 16. The cell after the imports counts them.

# %%
import math

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle

import armlib
from armlib import ladder
from armlib.book.display import table
from armlib.probability import (chain_rule, conditional, conditional_tables_params, full_table_params,
                                joint_from_chain, marginal, mlp_params, random_joint, separate_mlps_params)

armlib.setup(seed=0)

SMALL_VARS = 3                       # the small joint has variables x_1, x_2, x_3 ...
SMALL_VALS = 4                       # ... each taking the values 0, 1, 2, 3
ORDERS = [(0, 1, 2), (2, 0, 1)]      # two orders for the chain rule (tensor axes; axis 0 is x_1)
DIGIT_DIMS = 64                      # pixels of an 8x8 digit
HIDDEN = 300                         # hidden units M of Tomczak's (2022) finite-memory MLP
MEMORY = 2                           # previous pixels that MLP reads
DIGIT_INDEX = 0                      # the training digit whose contexts we draw
CONTEXT_POSITIONS = [1, 12, 28, 45, 60]  # values of d (counting from 1, as in the equations)
ROUNDING = 1e-15                     # what "reproduces exactly" allows for float64 rounding

generator = torch.Generator().manual_seed(0)

# %% [markdown]
# All 1797 digits, every pixel: how often each grey level occurs.

# %% tags=["nbval-check-output"]
splits = {split: armlib.load_digits(split) for split in ("train", "val", "test")}
print(", ".join(f"{split}: {tuple(x.shape)}" for split, x in splits.items()))
levels, counts = torch.cat(list(splits.values())).unique(return_counts=True)
print(f"{len(levels)} grey levels, {levels.min().item()} to {levels.max().item()}")
display(table(["grey level", "pixels", "share of all pixels"],
              [[level, f"{count:,}", f"{100 * count / counts.sum().item():.1f}%"]
               for level, count in zip(levels.tolist(), counts.tolist())]))
assert levels.tolist() == list(range(armlib.NUM_VALS)) and armlib.NUM_VALS == 17

# %% [markdown]
# Half the pixels are blank paper (level 0, 48.9%), and the top level, 16, which 16 values
# $\{0, \ldots, 15\}$ would leave out, is the next most common: 9.1% of all pixels, full ink.

# %% [markdown]
# ## 1. A joint distribution you can hold in your hand
#
# Take $D = 3$ variables with $V = 4$ values each. Their joint distribution
# $p(x_1, x_2, x_3)$ is nothing more than a table of $V^D = 4^3 = 64$ numbers, one per configuration,
# non-negative and summing to 1. In code it is a tensor of shape `(4, 4, 4)`: axis 0 holds $x_1$,
# axis 1 holds $x_2$, axis 2 holds $x_3$ (the code counts axes from 0, the equations count variables
# from 1).
#
# We draw one such table at random. Normalising independent exponential draws gives a sample from
# the flat Dirichlet distribution, i.e. a table chosen uniformly among all tables that sum to 1.

# %%
armlib.show_source(random_joint)

# %% tags=["nbval-check-output"]
joint = random_joint(SMALL_VARS, SMALL_VALS, generator=generator)
print(f"shape {tuple(joint.shape)}: {joint.numel()} configurations")
print(f"sum over all configurations: {joint.sum().item():.12f}")
print(f"smallest entry {joint.min().item():.5f}, largest entry {joint.max().item():.5f}")
print(f"p(x_1=0, x_2=0, x_3=0) = {joint[0, 0, 0].item():.5f}")
assert abs(joint.sum().item() - 1) < ROUNDING and (joint > 0).all()

# %% [markdown]
# ## 2. The sum rule
#
# To get the distribution of some variables alone, sum the joint over every value of the others:
#
# $$p(x_1) = \sum_{x_2} \sum_{x_3} p(x_1, x_2, x_3), \qquad
#   p(x_1, x_2) = \sum_{x_3} p(x_1, x_2, x_3).$$
#
# On the tensor that is a `sum` over the axes we drop; `marginal` also lets us choose the order of
# the axes we keep, which the chain rule will need.

# %%
armlib.show_source(marginal)

# %% tags=["nbval-check-output"]
for variable in range(SMALL_VARS):
    p = marginal(joint, [variable])
    print(f"p(x_{variable + 1}) = {[round(v, 4) for v in p.tolist()]}   sums to {p.sum().item():.12f}")
p_x1_x2 = marginal(joint, [0, 1])
print(f"p(x_1, x_2) has {p_x1_x2.numel()} entries and sums to {p_x1_x2.sum().item():.12f}")
# Summing out in two steps gives the same as in one: p(x_1) = sum_{x_2} p(x_1, x_2).
assert torch.allclose(p_x1_x2.sum(dim=1), marginal(joint, [0]), rtol=0, atol=ROUNDING)
assert all(abs(marginal(joint, [v]).sum().item() - 1) < ROUNDING for v in range(SMALL_VARS))

# %% [markdown]
# ## 3. The product rule
#
# A joint of two variables is a marginal times a conditional, and it can be split either way:
#
# $$p(x_1, x_2) = p(x_2 \mid x_1)\, p(x_1) = p(x_1 \mid x_2)\, p(x_2).$$
#
# Read backwards, the product rule *defines* the conditional:
# $p(x_2 \mid x_1) = p(x_1, x_2) / p(x_1)$. On the table this divides each row $x_1$ of
# $p(x_1, x_2)$ by its total, so every row becomes a distribution over $x_2$ that sums to 1.
# `conditional` does exactly that, for any target variable and any set of variables given.

# %%
armlib.show_source(conditional)

# %% tags=["nbval-check-output"]
p_x2_given_x1 = conditional(joint, 1, [0])       # axes: x_1, then x_2
p_x1_given_x2 = conditional(joint, 0, [1])       # axes: x_2, then x_1
one_way = p_x2_given_x1 * marginal(joint, [0])[:, None]           # p(x_2 | x_1) p(x_1), axes (x_1, x_2)
other_way = (p_x1_given_x2 * marginal(joint, [1])[:, None]).T     # p(x_1 | x_2) p(x_2), axes (x_1, x_2)
print("row sums of p(x_2 | x_1):", [round(v, 12) for v in p_x2_given_x1.sum(dim=1).tolist()])
print("p(x_2 | x_1) p(x_1) reproduces p(x_1, x_2):", torch.allclose(one_way, p_x1_x2, rtol=0, atol=ROUNDING))
print("p(x_1 | x_2) p(x_2) reproduces p(x_1, x_2):", torch.allclose(other_way, p_x1_x2, rtol=0, atol=ROUNDING))
assert torch.allclose(one_way, p_x1_x2, rtol=0, atol=ROUNDING)
assert torch.allclose(other_way, p_x1_x2, rtol=0, atol=ROUNDING)
assert torch.allclose(p_x2_given_x1.sum(dim=1), torch.ones(SMALL_VALS, dtype=torch.float64))

# %% [markdown]
# Figure 1.1 shows the same numbers as pictures. Left, the joint $p(x_1, x_2)$; middle, its row
# totals $p(x_1)$ (the sum rule); right, each row divided by its total, $p(x_2 \mid x_1)$ (the
# product rule). Rows that were faint on the left are as dark as any other on the right: a
# conditional forgets how probable its context was.

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), gridspec_kw={"width_ratios": [4, 1.4, 4]})
panels = [(p_x1_x2, "$p(x_1, x_2)$", "$x_2$"), (marginal(joint, [0])[:, None], "$p(x_1)$", ""),
          (p_x2_given_x1, "$p(x_2 \\mid x_1)$", "$x_2$")]
for ax, (grid, title, xlabel) in zip(axes, panels):
    image = ax.imshow(grid.numpy(), cmap="Blues", vmin=0)
    for (row, col), value in zip(torch.cartesian_prod(*map(torch.arange, grid.shape)).tolist(), grid.flatten()):
        ax.text(col, row, f"{value:.3f}", ha="center", va="center")
    ax.set(title=title, xlabel=xlabel, ylabel="$x_1$", xticks=range(grid.shape[1]) if xlabel else [],
           yticks=range(SMALL_VALS))
plt.tight_layout()
armlib.show_figure("1.1", "The sum and product rules on the small joint: $p(x_1, x_2)$, its row totals "
                   "$p(x_1)$, and each row divided by its total, $p(x_2 \\mid x_1)$.")

# %% [markdown]
# ## 4. The chain rule
#
# Apply the product rule to $p(x_1, x_2, x_3)$, splitting off the last variable, then again to
# what is left:
#
# $$p(x_1, x_2, x_3) = p(x_3 \mid x_1, x_2)\, p(x_1, x_2) = p(x_1)\, p(x_2 \mid x_1)\, p(x_3 \mid x_1, x_2).$$
#
# For $D$ variables this is the chain rule,
#
# $$p(\mathbf{x}) = p(x_1) \prod_{d=2}^{D} p(x_d \mid \mathbf{x}_{<d}), \qquad
#   \mathbf{x}_{<d} = [x_1, \ldots, x_{d-1}]^\top .$$
#
# No assumption went in: it holds for every distribution, and in every order of the variables.
# Taking them as $(x_3, x_1, x_2)$ gives just as valid a factorisation,
# $p(\mathbf{x}) = p(x_3)\, p(x_1 \mid x_3)\, p(x_2 \mid x_3, x_1)$. `chain_rule` returns the $D$
# factors for a given order, and `joint_from_chain` multiplies them back together.

# %%
armlib.show_source(chain_rule)

# %%
armlib.show_source(joint_from_chain)

# %% tags=["nbval-check-output"]
rows = []
for order in ORDERS:
    factors = chain_rule(joint, order)
    names = [f"x_{v + 1}" for v in order]
    for d, factor in enumerate(factors):
        written = f"$p({names[d]}" + (f" \\mid {', '.join(names[:d])})$" if d else ")$")
        sums_to_one = torch.allclose(factor.sum(dim=-1), torch.ones(factor.shape[:-1], dtype=torch.float64))
        rows.append([f"$({', '.join(names)})$" if d == 0 else "", d + 1, written, factor.numel(),
                     factor[..., 0].numel(), "yes" if sums_to_one else "no"])
        assert sums_to_one
    rebuilt = joint_from_chain(factors, order)
    print(f"order ({', '.join(names)}): the product reproduces the joint:",
          torch.allclose(rebuilt, joint, rtol=0, atol=ROUNDING))
    assert torch.allclose(rebuilt, joint, rtol=0, atol=ROUNDING)
display(table(["order", "factor", "conditional", "entries", "contexts", "each context sums to 1"], rows,
              align="lrlrrl"))

# %% [markdown]
# Up to float64 rounding the two products are the joint itself (the largest difference, printed
# below, is at the level of $10^{-17}$). Look at the sizes too: the factors hold
# $4 + 16 + 64$ numbers, of which $3 + 4 \cdot 3 + 16 \cdot 3 = 63$ are free (each distribution of
# 4 values has 3 free entries). That is exactly $4^3 - 1$, the free entries of the joint itself.
# Factorising has reorganised the table; it has not shrunk it. We come back to this in section 5.

# %%
for order in ORDERS:
    difference = (joint_from_chain(chain_rule(joint, order), order) - joint).abs().max().item()
    print(f"order {order}: largest |product - joint| = {difference:.1e}")

# %% [markdown]
# ### In log space: a sum of per-variable terms
#
# Taking logarithms turns the product into a sum,
# $\ln p(\mathbf{x}) = \sum_{d} \ln p(x_d \mid \mathbf{x}_{<d})$. Every later chapter trains on exactly
# this sum (negated, in nats): one term per pixel, each the log-probability of the pixel given
# the pixels before it. For one configuration of the small joint, both orders give different
# terms but the same total:

# %% tags=["nbval-check-output"]
x = (2, 0, 3)  # x_1 = 2, x_2 = 0, x_3 = 3
print(f"ln p(x) for x = {x}: {joint[x].log().item():.4f}")
for order in ORDERS:
    factors = chain_rule(joint, order)
    terms = [factors[d][tuple(x[v] for v in order[:d + 1])].log().item() for d in range(len(order))]
    print(f"  order {order}: terms {[round(t, 4) for t in terms]}, sum {sum(terms):.4f}")
    assert abs(sum(terms) - joint[x].log().item()) < 1e-12

# %% [markdown]
# ## 5. Why not model every conditional separately?
#
# The chain rule turns one hard problem (a distribution over $V^D$ configurations) into $D$ smaller
# ones (a distribution over $V$ values, given a context). If each conditional got its own table,
# how much would we have to store? Count parameters, with $V = 17$ grey levels. For a table they
# are its free entries (a distribution over $V$ values has $V - 1$, the last being fixed by the sum
# to 1); for a network, its weights and biases.
#
# - **the full table** $p(\mathbf{x})$: $V^D - 1$.
# - **$D$ separate conditional tables**: $p(x_d \mid \mathbf{x}_{<d})$ needs one distribution
#   ($V - 1$ free entries) for each of the $V^{d-1}$ contexts, and
#   $\sum_{d=1}^{D} V^{d-1}(V - 1) = V^D - 1$. The sum telescopes to the full table's count: the
#   conditionals grow as fast as the joint, because the context $\mathbf{x}_{<d}$ grows with $d$.
# - **$D$ separate neural networks**, network $d$ reading the $d - 1$ values of $\mathbf{x}_{<d}$
#   (Tomczak's MLP, $\mathrm{Linear}(d-1, M) \to \mathrm{ReLU} \to \mathrm{Linear}(M, V)$): each
#   network grows with its context, so the total grows as $D^2$.
# - **one shared network** for every $d$, Tomczak's finite-memory MLP
#   $[x_{d-1}, x_{d-2}] \to \mathrm{Linear}(2, M) \to \mathrm{ReLU} \to \mathrm{Linear}(M, V)
#   \to \mathrm{softmax}$ with $M = 300$: the same parameters at every position, so the count does
#   not depend on $D$ at all.

# %%
armlib.show_source(conditional_tables_params)

# %%
armlib.show_source(mlp_params)

# %% tags=["nbval-check-output"]
counts = {
    "full table": lambda D: full_table_params(D, armlib.NUM_VALS),
    "$D$ conditional tables": lambda D: conditional_tables_params(D, armlib.NUM_VALS),
    "$D$ separate MLPs": lambda D: separate_mlps_params(D, HIDDEN, armlib.NUM_VALS),
    "one shared MLP": lambda D: mlp_params(MEMORY, HIDDEN, armlib.NUM_VALS),
}


def readable(count: int) -> str:
    return f"{count:,}" if count < 10**7 else f"{count:.3e}"


display(table(["$D$", *counts], [[D, *(readable(count(D)) for count in counts.values())]
                                  for D in (1, 2, 4, 8, 16, 32, DIGIT_DIMS)], align="rrrrr"))
assert all(full_table_params(D, armlib.NUM_VALS) == conditional_tables_params(D, armlib.NUM_VALS)
           for D in range(1, DIGIT_DIMS + 1))

# %%
dims = range(1, DIGIT_DIMS + 1)
fig, ax = plt.subplots(figsize=(8, 4.5))
styles = {"full table": dict(linewidth=5, alpha=0.35), "$D$ conditional tables": dict(linestyle="--", color="black"),
          "$D$ separate MLPs": dict(), "one shared MLP": dict()}
label_shift = {"$D$ conditional tables": 0, "$D$ separate MLPs": 7, "one shared MLP": -7}  # points, so labels don't overlap
for name, count in counts.items():
    line, = ax.plot(dims, [float(count(D)) for D in dims], label=name, **styles[name])
    if name != "full table":  # label the value at D = 64 (the full table's equals the tables')
        ax.annotate(readable(count(DIGIT_DIMS)), (DIGIT_DIMS, float(count(DIGIT_DIMS))), xytext=(4, label_shift[name]),
                    textcoords="offset points", va="center", color=line.get_color())
ax.set(yscale="log", xlabel="number of variables $D$", ylabel="parameters", xlim=(0, DIGIT_DIMS + 18),
       title=f"Parameters to model $p(\\mathbf{{x}})$ over {armlib.NUM_VALS} values per variable")
ax.axvline(DIGIT_DIMS, color="grey", linewidth=0.8, linestyle=":")
ax.legend()
armlib.show_figure("1.2", "Parameters needed to model $p(\\mathbf{x})$ against the number of variables $D$ "
                   "(log scale): free table entries for the tables, weights and biases for the networks.")

# %% [markdown]
# On the log scale of Figure 1.2 the tables are a straight line, 17 times more parameters for every
# variable added: at $D = 64$, an $8 \times 8$ digit, they need $17^{64} - 1 \approx 5.6 \times 10^{78}$
# numbers, within two orders of magnitude of the roughly $10^{80}$ atoms usually quoted for the
# observable universe; no training set could fill more than a
# vanishing fraction of them. Separate networks are far cheaper (951,488 parameters
# at $D = 64$) but still grow with every pixel added, and each learns from its own position only,
# nothing from what the other 63 see. One shared network costs 6,017 parameters for any $D$.
#
# Sharing is what an autoregressive model buys, and it has a price: a single function must
# produce $p(x_d \mid \mathbf{x}_{<d})$ for every $d$, so it has to squeeze a context of varying length
# into a fixed-size input. The finite-memory MLP simply drops all but the last two values; the
# next chapters replace it with networks that remember more (recurrent networks, causal
# convolutions, PixelCNNs).

# %% [markdown]
# ## 6. What $p(x_d \mid \mathbf{x}_{<d})$ means for a digit
#
# A digit is flattened in raster order: $x_1$ is the top-left pixel, the first row is
# $x_1, \ldots, x_8$, and $x_{64}$ is the bottom-right pixel. So the context $\mathbf{x}_{<d}$ of pixel
# $d$ is every row above it and the pixels to its left in its own row. Figure 1.3 shows it for a
# digit of the training split: grey levels are the context the model may look at, the red square
# is $x_d$, the pixel whose distribution it must give, and the pale blue pixels are not yet known.
# A model that "writes" a digit goes through these pictures in order, drawing each $x_d$ from
# $p(x_d \mid \mathbf{x}_{<d})$.

# %%
train = armlib.load_digits("train")
digit = train[DIGIT_INDEX]


def draw_context(ax, image: torch.Tensor, d: int) -> None:
    """One digit (64 pixels, raster order) as the model sees it when predicting x_d (d counts from 1):
    x_<d in grey levels, x_d framed in red, later pixels pale blue. d = 65 shows the whole digit."""
    known = torch.arange(DIGIT_DIMS) < d - 1
    shown = torch.where(known, image / (armlib.NUM_VALS - 1), torch.nan).reshape(8, 8)
    colormap = plt.get_cmap("gray_r").copy()
    colormap.set_bad("#d6e6f5")  # pixels not known yet
    ax.imshow(shown.numpy(), cmap=colormap, vmin=0, vmax=1)
    if d <= DIGIT_DIMS:
        row, col = divmod(d - 1, 8)
        ax.add_patch(Rectangle((col - 0.45, row - 0.45), 0.9, 0.9, fill=False, edgecolor="red", linewidth=2.5))
    ax.set(xticks=[], yticks=[], xlim=(-0.6, 7.6), ylim=(7.6, -0.6))


fig, axes = plt.subplots(1, len(CONTEXT_POSITIONS) + 1, figsize=(2 * (len(CONTEXT_POSITIONS) + 1), 2.4))
draw_context(axes[0], digit, DIGIT_DIMS + 1)  # every pixel known: the digit itself
axes[0].set_title("the whole digit")
for ax, d in zip(axes[1:], CONTEXT_POSITIONS):
    draw_context(ax, digit, d)
    ax.set_title(f"$p(x_{{{d}}} \\mid \\mathbf{{x}}_{{<{d}}})$")
plt.tight_layout()
armlib.show_figure("1.3", "One training digit, and the context $\\mathbf{x}_{<d}$ (grey levels) that "
                   "$p(x_d \\mid \\mathbf{x}_{<d})$ reads for five positions $d$ ($x_d$ in red, later pixels "
                   "pale blue).")

# %% [markdown]
# Could we estimate a conditional by counting, the way we computed them from the small table?
# $p(x_d \mid \mathbf{x}_{<d})$ for this digit would be the histogram of $x_d$ over the training images
# whose first $d - 1$ pixels equal this digit's. Count how many there are:

# %% tags=["nbval-check-output"]
sharing = {d: int((train[:, :d - 1] == digit[:d - 1]).all(dim=1).sum()) for d in range(1, 13)}
print(f"training images (of {len(train)}) whose x_<d equals this digit's, for d = 1 to {max(sharing)}:")
display(table(["$d$", *sharing], [["images", *sharing.values()]], align="l" + "r" * len(sharing)))
assert sharing[1] == len(train) and sharing[12] == 1

# %% [markdown]
# With an empty context ($d = 1$) all 1000 images count. The first two pixels are blank in 877 of
# them, but three known pixels leave 59 images with this digit's context, four leave 7, and from
# $d = 6$ on the digit is alone: the counting estimate of $p(x_d \mid \mathbf{x}_{<d})$ would be a single
# spike on the value this digit happens to have. From the sixth pixel to the last, the context has
# been seen exactly once in 1000 images (the count can only fall, and the digit itself always counts), out of $17^{d-1}$ possible contexts. A useful conditional
# has to *generalise* across contexts: two contexts that look alike should get similar predictions. That is the job of the shared network.

# %% [markdown]
# ## 7. The first rung of the ladder: knowing nothing
#
# The simplest conditional ignores its context and spreads its mass evenly:
# $p(x_d \mid \mathbf{x}_{<d}) = 1/17$ for every $d$. By the chain rule in log space its negative
# log-likelihood is the same for every image,
#
# $$-\ln p(\mathbf{x}) = -\sum_{d=1}^{64} \ln \tfrac{1}{17} = 64 \ln 17 \ \text{nats}
#   = \log_2 17 \ \text{bits per dimension}.$$
#
# This is the metric of the whole book: negative log-likelihood on the test split, in nats per
# image (and bits per dimension, nats divided by $64 \ln 2$). The **likelihood ladder** is the
# book's running scoreboard: one table, in the README and at the end of each model chapter, with
# one row per model trained in the book and its test NLL in this unit, so every model can be
# compared with every other. The uniform model is its bottom rung; every model in the following
# chapters must score below it.

# %% tags=["nbval-check-output"]
test = armlib.load_digits("test")
uniform_terms = torch.full(test.shape, -math.log(armlib.NUM_VALS), dtype=torch.float64)  # ln p(x_d | x_<d)
uniform_nll = -uniform_terms.sum(dim=1).mean().item()   # chain rule: sum over d, then average over images
print(f"uniform model on {len(test)} test digits: {uniform_nll:.2f} nats per image, "
      f"{armlib.bits_per_dim(uniform_nll, DIGIT_DIMS):.3f} bits per dimension")
first_rung = ladder.rows()[0]
print(f"the ladder's first rung: {first_rung['model']}, {first_rung['test_nats']} nats")
assert abs(uniform_nll - armlib.uniform_nats(DIGIT_DIMS, armlib.NUM_VALS)) < 1e-9
assert round(uniform_nll, 1) == 181.3

# %% [markdown]
# ## Summary
#
# - The book follows Tomczak (2022), chapter 2 of *Deep Generative Modeling*, on the $8 \times 8$
#   digits, whose pixels take 17 grey levels, 0 to 16 (his text says 16, his code uses 17).
# - The **sum rule** marginalises: sum the joint over the variables you drop.
# - The **product rule** factorises: joint = marginal × conditional, either way round; read
#   backwards, it defines the conditional.
# - The **chain rule** applies the product rule $D - 1$ times:
#   $p(\mathbf{x}) = p(x_1) \prod_{d} p(x_d \mid \mathbf{x}_{<d})$, exact, in any order; in log space
#   it is a sum of one term per variable.
# - Tabulating the conditionals costs as much as tabulating the joint, $V^D - 1$ numbers, and
#   counting cannot fill them: from the sixth pixel on, our digit's context is unique in the
#   training set. An autoregressive model instead uses **one shared network** for every
#   $p(x_d \mid \mathbf{x}_{<d})$.
# - Knowing nothing costs $64 \ln 17 \approx 181.3$ nats per digit. Chapter 02 trains the first
#   shared network, Tomczak's finite-memory MLP, and measures how far below that it gets.
#
# ## Exercises
#
# 1. **Independence.** Build a joint in which $x_3$ is independent of $(x_1, x_2)$: the outer
#    product of `marginal(joint, [0, 1])` and `marginal(joint, [2])`. Show with `conditional` that
#    every row of $p(x_3 \mid x_1, x_2)$ is then the same. How many free parameters does the
#    factorisation $p(x_1)\,p(x_2 \mid x_1)\,p(x_3)$ have? ([solution](solutions/01_probability_rules_solutions.ipynb#exercise-1))
# 2. **Finite memory.** (Memory one here.) Build the joint $p(x_1)\, p(x_2 \mid x_1)\, p(x_3 \mid x_2)$: take the first two
#    factors of `chain_rule(joint, [0, 1, 2])` and, as the third, `conditional(joint, 2, [1])`
#    repeated for every value of $x_1$ (`.expand(4, 4, 4)`). Check with `joint_from_chain` and `conditional` that its own
#    $p(x_3 \mid x_1, x_2)$ no longer depends on $x_1$. For the digits, how
#    many free parameters has a table-based model with memory two,
#    $p(x_d \mid x_{d-1}, x_{d-2})$, one table per $d$? And with one table shared by every $d$? ([solution](solutions/01_probability_rules_solutions.ipynb#exercise-2))
# 3. **Another order.** The chain rule holds in any order. Repeat the counting of section 6 with
#    the digits read column by column (`train.reshape(-1, 8, 8).transpose(1, 2).reshape(-1, 64)`).
#    Does the context become unique sooner or later? Why might the order matter to a model even
#    though it does not matter to the chain rule? ([solution](solutions/01_probability_rules_solutions.ipynb#exercise-3))
# 4. **The second rung.** Keep one table per pixel but ignore the context:
#    $p(x_d \mid \mathbf{x}_{<d}) = p(x_d)$, estimated from the training split by counting, with one
#    added to every count so that no value gets probability 0. Compute its test NLL in nats per
#    image. How far below 181.3 does it get, and with how many parameters? ([solution](solutions/01_probability_rules_solutions.ipynb#exercise-4))
# 5. **Memory.** A float64 number takes 8 bytes. Up to which $D$ does the full table over 17 values
#    fit in 16 GB of memory? What about a table over 2 values (binarised digits)? ([solution](solutions/01_probability_rules_solutions.ipynb#exercise-5))

# %% [markdown]
# ## References
#
# - Alpaydin, E., & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. *UCI Machine Learning Repository*. https://doi.org/10.24432/C50P49
# - Pedregosa, F., Varoquaux, G., Gramfort, A., Michel, V., Thirion, B., Grisel, O., et al. (2011). Scikit-learn: Machine Learning in Python. *Journal of Machine Learning Research*, 12, 2825–2830.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
