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
# # Solutions to chapter 01: Probability rules
#
# Worked answers to the exercises of [chapter 01](../01_probability_rules.ipynb), each computed and
# checked by the cells under it. Try each exercise yourself before you read its solution.

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

import armlib
from armlib import ladder
from armlib.book.display import table
from armlib.probability import (chain_rule, conditional, full_table_params, joint_from_chain, marginal,
                                mlp_params, random_joint)

armlib.setup(seed=0)

SMALL_VARS, SMALL_VALS = 3, 4   # the chapter's small joint: x_1, x_2, x_3, each in {0, 1, 2, 3}
V = armlib.NUM_VALS             # 17 grey levels
DIGIT_DIMS = 64
EXACT = 1e-12                   # "equal" for float64 numbers that went through a few divisions

# the chapter's joint: the same generator, seeded the same way, drawn first
joint = random_joint(SMALL_VARS, SMALL_VALS, generator=torch.Generator().manual_seed(0))
x_train, x_val, x_test = (armlib.load_digits(split) for split in ("train", "val", "test"))


def free_parameters(factors: list[torch.Tensor]) -> int:
    """Free entries of a list of conditional tables: each context holds a distribution over its last
    axis, whose entries sum to 1, so one entry per context is not free."""
    return sum(factor.numel() - factor[..., 0].numel() for factor in factors)


# %% [markdown]
# ## Exercise 1
#
# **Independence.** Build a joint in which $x_3$ is independent of $(x_1, x_2)$, show that every row
# of $p(x_3 \mid x_1, x_2)$ is then the same, and count the free parameters of
# $p(x_1)\,p(x_2 \mid x_1)\,p(x_3)$.
#
# The outer product $p(x_1, x_2)\, p(x_3)$ is a joint in which $x_3$ is independent of the other two
# by construction. Its conditional is, by the product rule,
# $p(x_3 \mid x_1, x_2) = p(x_1, x_2)\, p(x_3) / p(x_1, x_2) = p(x_3)$: the context cancels, so all
# 16 rows (one per context $(x_1, x_2)$) are the same distribution, $p(x_3)$. In the chapter's
# joint they are not: there the rows differ, which is what "$x_3$ depends on its context" means.

# %%
independent = marginal(joint, [0, 1])[:, :, None] * marginal(joint, [2])[None, None, :]
rows_independent = conditional(independent, 2, [0, 1]).reshape(-1, SMALL_VALS)   # 16 rows, one per (x_1, x_2)
rows_chapter = conditional(joint, 2, [0, 1]).reshape(-1, SMALL_VALS)
spread = lambda rows: (rows.max(dim=0).values - rows.min(dim=0).values).max().item()
print(f"the independent joint sums to {independent.sum().item():.12f}")
print(f"largest spread of p(x_3 = v | x_1, x_2) over the 16 contexts: independent joint {spread(rows_independent):.1e}, "
      f"chapter's joint {spread(rows_chapter):.3f}")
assert abs(independent.sum().item() - 1) < EXACT
assert torch.allclose(rows_independent, marginal(joint, [2]).expand(16, SMALL_VALS), rtol=0, atol=EXACT)
assert spread(rows_chapter) > 0.1  # the chapter's joint is not independent

# %% [markdown]
# Counting free parameters: a distribution over 4 values has 3 free entries. $p(x_1)$ has 3,
# $p(x_2 \mid x_1)$ has 3 for each of the 4 values of $x_1$, 12, and $p(x_3)$ has 3: $3 + 12 + 3 = 18$,
# against the $63 = 4^3 - 1$ of the full joint. Independence is an assumption that shrinks the
# table; the chain rule alone never does. The cell counts both from the tables themselves.

# %%
factors = [marginal(joint, [0]), conditional(joint, 1, [0]), marginal(joint, [2])]
rebuilt = factors[0][:, None, None] * factors[1][:, :, None] * factors[2][None, None, :]
print(f"p(x_1) p(x_2 | x_1) p(x_3): {free_parameters(factors)} free parameters; the full joint: "
      f"{full_table_params(SMALL_VARS, SMALL_VALS)}")
assert torch.allclose(rebuilt, independent, rtol=0, atol=EXACT)
assert free_parameters(factors) == 18 and full_table_params(SMALL_VARS, SMALL_VALS) == 63

# %% [markdown]
# ## Exercise 2
#
# **Finite memory.** Build $p(x_1)\, p(x_2 \mid x_1)\, p(x_3 \mid x_2)$ from the chapter's joint,
# check that its own $p(x_3 \mid x_1, x_2)$ no longer depends on $x_1$, and count the free
# parameters of a table-based model with memory two for the digits, with one table per $d$ and
# with one table shared by every $d$.
#
# `conditional(joint, 2, [1])` has axes $(x_2, x_3)$; `.expand(4, 4, 4)` puts a new first axis in
# front, $x_1$, along which it repeats, so it is a third factor $p(x_3 \mid x_1, x_2)$ that ignores
# $x_1$. `joint_from_chain` multiplies the three factors into a new joint. Read back with
# `conditional`, that joint's $p(x_3 \mid x_1, x_2)$ is the factor we put in: for every $x_2$, the
# four rows that differ only in $x_1$ are equal. Its first two variables are untouched:
# $p(x_1, x_2)$ is the chapter's.

# %%
first, second, _ = chain_rule(joint, [0, 1, 2])
third = conditional(joint, 2, [1]).expand(SMALL_VALS, SMALL_VALS, SMALL_VALS)   # axes x_1, x_2, x_3
memory_one = joint_from_chain([first, second, third], [0, 1, 2])
its_conditional = conditional(memory_one, 2, [0, 1])                             # axes x_1, x_2, x_3
over_x1 = (its_conditional - its_conditional[:1]).abs().max().item()
print(f"the new joint sums to {memory_one.sum().item():.12f}")
print(f"largest change of p(x_3 | x_1, x_2) when only x_1 changes: new joint {over_x1:.1e}, chapter's joint "
      f"{(conditional(joint, 2, [0, 1]) - conditional(joint, 2, [0, 1])[:1]).abs().max().item():.3f}")
assert abs(memory_one.sum().item() - 1) < EXACT
assert over_x1 < EXACT
assert torch.allclose(its_conditional, third, rtol=0, atol=EXACT)
assert torch.allclose(marginal(memory_one, [0, 1]), marginal(joint, [0, 1]), rtol=0, atol=EXACT)

# %% [markdown]
# For the digits, with $V = 17$ and $D = 64$: a table for $p(x_d \mid x_{d-1}, x_{d-2})$ has one
# distribution, $V - 1 = 16$ free entries, for each of the $V^2 = 289$ contexts, $4{,}624$ in all.
# The first two pixels have shorter contexts: $p(x_1)$ has 16 free entries and $p(x_2 \mid x_1)$ has
# $17 \cdot 16 = 272$.
#
# - **One table per $d$**: $16 + 272 + 62 \cdot 4{,}624 = 286{,}976$ free parameters.
# - **One table shared by every $d$**: $4{,}624$, if the missing predecessors of $x_1$ and $x_2$ are
#   filled with a pad value, as chapter 02's MLP does (or $16 + 272 + 4{,}624 = 4{,}912$ if $x_1$ and
#   $x_2$ keep tables of their own).
#
# Either is tiny next to the $17^{64} - 1$ of the full table, and the shared table is of the same
# order as Tomczak's shared MLP with 300 hidden units (6,017 parameters). Memory, not the
# factorisation, is what makes the tables small.

# %%
per_position = (V - 1) + V * (V - 1) + (DIGIT_DIMS - 2) * V**2 * (V - 1)
shared_padded = V**2 * (V - 1)
shared_own_start = (V - 1) + V * (V - 1) + V**2 * (V - 1)
contexts = [V ** min(d - 1, 2) for d in range(1, DIGIT_DIMS + 1)]   # how many contexts table d has
display(table(["model with memory two", "free parameters"],
              [["one table per position $d$", f"{per_position:,}"],
               ["one table shared by every $d$ (padded start)", f"{shared_padded:,}"],
               ["one shared table, own tables for $x_1$, $x_2$", f"{shared_own_start:,}"],
               ["Tomczak's shared MLP, $M = 300$", f"{mlp_params(2, 300, V):,}"],
               ["the full table", f"{full_table_params(DIGIT_DIMS, V):.3e}"]]))
assert per_position == sum(c * (V - 1) for c in contexts) == 286_976
assert shared_padded == 4_624 and shared_own_start == 4_912

# %% [markdown]
# ## Exercise 3
#
# **Another order.** Repeat the counting of section 6 with the digits read column by column. Does
# the context become unique sooner or later? Why might the order matter to a model even though it
# does not matter to the chain rule?
#
# Read column by column, the context stays shared much longer. The table below counts, for the
# chapter's digit (training digit 0), how many training digits share its first $d - 1$ pixels in
# each order: in raster order the context is unique from $d = 6$ on, in column order only from
# $d = 15$. The same holds for the training set as a whole: the second table gives, over all 1000
# training digits, the first $d$ at which each digit's context is its own.
#
# The reason is the left margin. The first column is blank in almost every digit, so the first
# eight pixels in column order tell the digits apart hardly at all, while the first row of a digit
# already has ink in its middle columns (the second table says how often each is entirely blank).

# %%
columns = lambda x: x.reshape(-1, 8, 8).transpose(1, 2).reshape(-1, DIGIT_DIMS)   # the exercise's reordering
orders = {"raster (row by row)": x_train, "column by column": columns(x_train)}
SHOWN = 17  # d = 1 .. 16


def sharing(data: torch.Tensor, index: int, last: int) -> list[int]:
    """For d = 1..last - 1: how many digits of ``data`` share the first d - 1 pixels of digit ``index``."""
    return [int((data[:, :d - 1] == data[index, :d - 1]).all(dim=1).sum()) for d in range(1, last)]


def first_unique(data: torch.Tensor) -> torch.Tensor:
    """For every digit: the first d at which no other digit of ``data`` shares its context x_<d."""
    found = torch.full((len(data),), DIGIT_DIMS + 1)
    for d in range(DIGIT_DIMS, 1, -1):   # from the longest context down (d = 1, no context, is shared by all)
        _, which, shared = torch.unique(data[:, :d - 1], dim=0, return_inverse=True, return_counts=True)
        found[shared[which] == 1] = d
    return found


counts = {name: sharing(data, 0, SHOWN) for name, data in orders.items()}
unique_from = {name: first_unique(data) for name, data in orders.items()}
print("training digits (of 1000) whose x_<d equals digit 0's:")
display(table(["order, $d$ =", *(f"{d}" for d in range(1, SHOWN))], [[name, *c] for name, c in counts.items()]))
blank = {"raster (row by row)": (x_train.reshape(-1, 8, 8)[:, 0, :] == 0).all(dim=1),
         "column by column": (x_train.reshape(-1, 8, 8)[:, :, 0] == 0).all(dim=1)}
display(table(["order", "digit 0 unique from $d =$", "all digits: mean first unique $d$", "median",
               "first 8 pixels all blank"],
              [[name, counts[name].index(1) + 1, f"{unique_from[name].float().mean().item():.1f}",
                int(unique_from[name].median()), f"{100 * blank[name].float().mean().item():.1f}%"]
               for name in orders]))
assert counts["raster (row by row)"].index(1) + 1 == 6 and counts["column by column"].index(1) + 1 == 15
assert (unique_from["column by column"].float().mean() > unique_from["raster (row by row)"].float().mean() + 5)
assert blank["column by column"].float().mean() > 0.95 and blank["raster (row by row)"].float().mean() < 0.05

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
for name, c in counts.items():
    ax.semilogy(range(1, SHOWN), c, marker="o", label=name)
ax.set(xlabel="position $d$ in the reading order", ylabel="training digits sharing $\\mathbf{x}_{<d}$",
       xticks=range(1, SHOWN, 2))
ax.legend()
armlib.show_figure("S1.1", "How many of the 1000 training digits share training digit 0's context "
                   "$\\mathbf{x}_{<d}$, read row by row and column by column (log scale).")

# %% [markdown]
# Why the order can matter to a model: the chain rule is exact in every order, but a model's
# conditionals are not the true ones. They come from a restricted family (a window of two pixels,
# a shared network of a given size, a state of a given length), and what that family can express
# depends on which pixels come before $x_d$ and how far back they are. A model that remembers only
# the previous pixel sees the pixel to the left in raster order and the pixel *above* in column
# order. The cell below fits the simplest such model by counting, one table
# $p(x_d \mid x_{d-1})$ shared by every $d$ (the pixel before $x_1$ padded with blank paper, one added
# to every count as in exercise 4), and scores it on the test digits in both orders. The same kind
# of model, the same data, and the two orders differ by several nats per image: here the column
# order wins. The conditionals of the true distribution multiply to the same $p(\mathbf{x})$ in any
# order; the conditionals a finite model can learn do not.

# %%
def memory_one_table_nll(train: torch.Tensor, test: torch.Tensor) -> float:
    """Test NLL [nats/image] of one shared, add-one smoothed table p(x_d | x_{d-1}), x_0 = 0."""
    previous = lambda x: F.pad(x[:, :-1], (1, 0), value=0)
    counts = torch.zeros(V, V, dtype=torch.float64)
    counts.index_put_((previous(train).flatten(), train.flatten()), torch.ones(train.numel(), dtype=torch.float64),
                      accumulate=True)
    log_p = ((counts + 1) / (counts + 1).sum(dim=1, keepdim=True)).log()
    return -log_p[previous(test), test].sum(dim=1).mean().item()


by_order = {"raster (row by row)": memory_one_table_nll(x_train, x_test),
            "column by column": memory_one_table_nll(columns(x_train), columns(x_test))}
display(table(["order", "previous pixel is", "test NLL [nats/image]"],
              [[name, where, f"{nats:.2f}"] for (name, nats), where in zip(by_order.items(), ["to the left", "above"])]))
assert by_order["raster (row by row)"] - by_order["column by column"] > 3

# %% [markdown]
# ## Exercise 4
#
# **The second rung.** One table per pixel that ignores the context, $p(x_d \mid \mathbf{x}_{<d}) = p(x_d)$,
# estimated from the training split by counting with one added to every count: its test NLL in
# nats per image, how far below 181.3, and with how many parameters.
#
# For each of the 64 pixels, count how often each of the 17 values occurs in the 1000 training
# digits, add one to every count and divide by $1000 + 17$. By the chain rule in log space, the
# NLL of a digit is the sum of $-\ln p(x_d)$ over its pixels. The model has $64 \cdot 16 = 1{,}024$
# free parameters, and the printout gives its test NLL: about 75 nats below the uniform model. The
# added one matters: a few test pixels take a value that never occurs at their position in the
# training split, and a plain frequency table would give those digits probability 0, an infinite
# NLL (exercise 5 of chapter 02 comes back to this table).

# %%
counts = torch.stack([torch.bincount(x_train[:, d], minlength=V) for d in range(DIGIT_DIMS)]).double()  # (64, 17)
log_p = ((counts + 1) / (counts + 1).sum(dim=1, keepdim=True)).log()
nll = -log_p.gather(1, x_test.T).sum(dim=0).mean().item()           # x_test.T: (64, 447), pixel d in row d
unseen = int((counts.gather(1, x_test.T) == 0).sum())
uniform = armlib.uniform_nats(DIGIT_DIMS, V)
free = DIGIT_DIMS * (V - 1)
print(f"one smoothed table per pixel: test NLL {nll:.2f} nats/image, "
      f"{uniform - nll:.2f} below the uniform model's {uniform:.2f}, with {free:,} free parameters")
print(f"test pixels whose value never occurs at their position in the training split: {unseen}")
assert 74 < uniform - nll < 76 and free == 1_024 and unseen > 0
assert math.isclose(ladder.rows()[0]["test_nats"], round(uniform, 2))

# %% [markdown]
# ## Exercise 5
#
# **Memory.** A float64 number takes 8 bytes. Up to which $D$ does the full table over 17 values fit
# in 16 GB of memory? And a table over 2 values (binarised digits)?
#
# A table over $V$ values for $D$ variables stores $V^D$ numbers, $8 V^D$ bytes. With 16 GB taken as
# $16 \cdot 10^9$ bytes, it fits while $V^D \le 2 \cdot 10^9$: up to $D = 7$ for 17 values
# ($17^7 \approx 4.1 \cdot 10^8$ numbers, 3.3 GB; $D = 8$ would need 56 GB), and up to $D = 30$ for 2
# values (8.6 GB; $D = 31$ would need 17.2 GB). Taken as $16 \cdot 2^{30}$ bytes (16 GiB), the answer
# for 2 values becomes $D = 31$, which fills the memory exactly; for 17 values it stays 7. Either
# way, a whole $8 \times 8$ digit, $D = 64$, is out of reach even binarised: $2^{64}$ numbers take
# $1.5 \cdot 10^{11}$ GB.

# %%
BYTES = 8


def largest_fitting(num_vals: int, memory: int) -> int:
    """The largest D with num_vals ** D float64 numbers in ``memory`` bytes (exact integer arithmetic)."""
    D = 0
    while BYTES * num_vals ** (D + 1) <= memory:
        D += 1
    return D


rows = []
for memory, name in [(16 * 10**9, "16 GB = $16 \\cdot 10^9$ bytes"), (16 * 2**30, "16 GiB = $16 \\cdot 2^{30}$ bytes")]:
    for num_vals in (V, 2):
        D = largest_fitting(num_vals, memory)
        rows.append([name, num_vals, D, f"{BYTES * num_vals**D / 1e9:.1f} GB", f"{BYTES * num_vals**(D + 1) / 1e9:.1f} GB"])
display(table(["memory", "values $V$", "largest $D$", "table at that $D$", "table at $D + 1$"], rows))
print(f"binarised 8x8 digits, D = 64: {BYTES * 2**64 / 1e9:.1e} GB")
assert largest_fitting(V, 16 * 10**9) == 7 and largest_fitting(2, 16 * 10**9) == 30
assert largest_fitting(V, 16 * 2**30) == 7 and largest_fitting(2, 16 * 2**30) == 31
