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
# probabilities of $x_d$. This is the first model of Tomczak (2022):
#
# $$[x_{d-1}, x_{d-2}] \rightarrow \mathrm{Linear}(2, M) \rightarrow \mathrm{ReLU}
#   \rightarrow \mathrm{Linear}(M, 17) \rightarrow \mathrm{softmax} \rightarrow \theta_d,
#   \qquad p(x_d = l \mid x_{d-1}, x_{d-2}) = \theta_{d,l}.$$
#
# This chapter is also where training first happens, so it shows once, on this small model, the
# three pieces every later chapter reuses: the log-likelihood as a sum of one term per pixel
# (section 2), the step that maximises it (section 3), and the way a model draws a pixel, the
# Gumbel-max trick (section 4). Then it looks at what the model draws and asks what it is
# missing. The answer has two parts, and we measure both: *memory* (the pixel above $x_d$ is eight
# steps back, far outside a window of two) and *position* (the shared MLP does not know whether it
# is predicting a corner, which is almost always blank, or the middle of the digit).

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

import armlib
from armlib import diagrams, ladder, plots
from armlib.book.display import table
from armlib.heads import Categorical
from armlib.models.mlp import PAD_VALUE, FiniteMemoryMLP, finite_memory_mlp
from armlib.heads.noise import gumbel_noise
from armlib.sampling import sample
from armlib.train import train_epoch

armlib.setup(seed=0)

WINDOW = 2          # K: how many previous pixels the MLP reads (Tomczak's choice)
HIDDEN = 128        # M: hidden units (Tomczak suggests 300; section 3 trains that width too)
TOMCZAK_HIDDEN = 300
LR = 1e-2           # Adam's learning rate
EPOCHS = 100        # upper limit on the epochs of a run
PATIENCE = 10       # epochs without a better validation NLL before stopping
NUM_SAMPLES = 16    # digits drawn from each model
DIGIT_INDEX = 0     # the test digit whose contexts we print
GUMBEL_DRAWS = 100_000  # draws for the check of the Gumbel-max trick
GUMBEL_POSITION = 4     # the pixel d whose distribution that check draws from

x_train, x_val, x_test = (armlib.load_digits(split) for split in ("train", "val", "test"))

# %% [markdown]
# ## 1. The model
#
# Figure 2.1 draws the model over a sequence of five pixels. Read it bottom up: each hidden vector
# $h_d$ is computed from the two pixels before position $d$, and $\theta_d$ from $h_d$ alone. The
# red arrows are those of one position, $d = 4$: $\theta_4$ reads $x_3$ and $x_2$, never $x_4$
# itself, and never anything earlier than $x_2$. Every column uses the same weights.

# %%
fig, ax = plt.subplots(figsize=(9, 3.4))
diagrams.shared_mlp_diagram(length=5, window=WINDOW, highlight=4, ax=ax)
armlib.show_figure("2.1", "The finite-memory MLP over $x_1, \\ldots, x_5$ (after Tomczak (2022), Fig. 1): "
                   "inputs blue, hidden vectors orange, output probabilities green; `pad` stands for the "
                   "predecessors of $x_1$ and $x_2$, which do not exist. The edges into $\\theta_4$ are red.")

# %% [markdown]
# In `armlib` an ARM, an autoregressive model, is built from two parts: a **network** that returns,
# for every position $d$, the parameters of $p(x_d \mid \mathbf{x}_{<d})$ (here the 17 scores
# that become $\theta_d$), and a **head** that turns those parameters into `log_prob` (the
# log-likelihood of data) and `sample` (a draw); `ARM(net, head, shape)` joins them.
# `FiniteMemoryMLP` is the network half of this chapter's ARM. Its `context` method builds, for
# every position $d$, the window $[x_{d-1}, \ldots, x_{d-K}]$; `forward` runs the one MLP over all 64 windows at
# once (a `Linear` layer acts on the last axis, so the 64 positions are just more rows). The
# softmax is not in the network: the `Categorical` head applies `log_softmax` when it scores the
# data (section 2) and the Gumbel-max trick when it samples (section 4).
#
# Two details the equation leaves open. The first pixels have fewer than $K$ predecessors; the
# missing ones are filled with `PAD_VALUE`, blank paper, which is what the top-left corner of
# every digit holds anyway. And pixel values enter scaled to $[0, 1]$, so the first layer starts
# with inputs of a sensible size. The optional `num_positions` argument is section 6's business.

# %%
armlib.show_source(FiniteMemoryMLP, methods=["__init__", "context", "theta", "forward"])

# %% [markdown]
# Here are the windows the MLP sees at the first positions of a test digit (positions counted from
# 1, as in the equations). Position 1 sees only padding, position 2 sees $x_1$ and one pad, and from
# position 3 on the window slides along the row, then wraps to the start of the next row, where
# the "previous pixels" are the end of the row above, not its neighbours.

# %% tags=["nbval-check-output"]
digit = x_test[DIGIT_INDEX:DIGIT_INDEX + 1]
windows = FiniteMemoryMLP(armlib.NUM_VALS, WINDOW).context(digit)[0]
print(f"PAD_VALUE = {PAD_VALUE}")
print("first row of the digit:", digit[0, :8].tolist())
display(table(["$d$", "$x_d$", "window $[x_{d-1}, x_{d-2}]$"],
              [[d, digit[0, d - 1].item(), windows[d - 1].tolist()] for d in (1, 2, 3, 4, 9, 10)]))

# %% [markdown]
# The whole model is small: $2M + M$ weights and biases in, $17M + 17$ out, and the same weights
# serve all 64 positions.

# %% tags=["nbval-check-output"]
memory_model = finite_memory_mlp(window=WINDOW, hidden=HIDDEN)
print(memory_model)
print(f"parameters: {sum(p.numel() for p in memory_model.parameters()):,}")

# %% [markdown]
# ## 2. The log-likelihood, one gathered term per pixel
#
# Training maximises the likelihood of the training digits. By the chain rule (chapter 01), the
# log-likelihood of one digit is a sum of one term per pixel, and with a categorical distribution
# for each pixel Tomczak (2022) writes each term with an Iverson bracket, $[a = b]$, which is 1
# when $a = b$ and 0 otherwise:
#
# $$\ln p(\mathbf{x}) = \sum_{d=1}^{D} \ln p(x_d \mid \mathbf{x}_{<d})
#   = \sum_{d=1}^{D} \sum_{l} [x_d = l] \ln \theta_{d,l}.$$
#
# Of the 17 terms in the inner sum only one survives, the one for the value the pixel actually
# has: $\ln \theta_{d, x_d}$. (Tomczak counts the values $l$ from 1; here they are the pixel values
# themselves, $l = 0, \ldots, 16$.) In code, the network returns for every position 17 unnormalised
# scores, the **logits**; `log_softmax` over them gives $\ln \theta_{d,l}$, computed stably as
# logit minus log-sum-exp; and the bracket becomes either a one-hot mask multiplied in and summed
# (the formula literally) or a `gather` that picks the one entry directly (what the library does).
# The cell below computes $\ln p(\mathbf{x})$ of four test digits all three ways, with the untrained
# model.

# %% tags=["nbval-check-output"]
x = x_test[:4]
with torch.no_grad():
    logits = memory_model.net(x)                                   # (B, 17, 64): a score per value l and position d
    log_theta = F.log_softmax(logits, dim=1)                       # ln theta_{d,l}, normalised over l
    iverson = F.one_hot(x, armlib.NUM_VALS).transpose(1, 2)        # [x_d = l], (B, 17, 64)
    by_bracket = (iverson * log_theta).sum(dim=(1, 2))             # sum over d and l, as the formula reads
    by_gather = log_theta.gather(1, x.unsqueeze(1)).sum(dim=(1, 2))  # pick ln theta_{d, x_d}, sum over d
    by_library = memory_model.log_prob(x)
display(table(["$\\ln p(\\mathbf{x})$ by", *(f"test digit {i}" for i in range(len(x)))],
              [[name, *(f"{v:.3f}" for v in values.tolist())]
               for name, values in [("Iverson bracket", by_bracket), ("gather", by_gather),
                                    ("`ARM.log_prob`", by_library)]]))
assert torch.allclose(by_bracket, by_library) and torch.allclose(by_gather, by_library)

# %% [markdown]
# The three agree, up to the rounding of 32-bit floats. The untrained model scores $-166.9$ to
# $-172.1$ nats on these four digits: its logits start close to one another, so it is near the
# uniform model's $-64 \ln 17 = -181.3$ nats, but 9 to 14 nats better, as a random readout bias can
# happen to favour the values that are common in digits (blank paper above all). Here is that
# computation in the library, where it lives once for every model of the book: `ARM.log_prob`
# asks the network for the parameters at every position and hands them to the head, and the
# `Categorical` head's `log_prob` is the `log_softmax` and `gather` of the cell above.

# %%
armlib.show_source(armlib.ARM.log_prob)

# %%
armlib.show_source(Categorical.log_prob)

# %% [markdown]
# ## 3. Training the two-pixel model
#
# `armlib.fit` is the book's one training loop. It minimises the negative log-likelihood, in nats
# per image, averaged over a mini-batch of 64 training digits, with Adam (Kingma & Ba, 2015). An
# epoch is one pass over the 1000 training digits in a random order; after every epoch it measures
# the validation NLL, it stops after `PATIENCE` epochs without improvement, and it restores the
# weights of the best epoch. `fit` is a short loop over named steps; the heart of it is one epoch,
# `train_epoch`: for every batch, the loss, a check that it is finite, the learning rate of this step
# (constant here), the gradient, an optional clipping of it (chapter 03), and Adam's update.

# %%
armlib.show_source(train_epoch)

# %% [markdown]
# `armlib.evaluate` then scores the whole test split, the book's one metric. For scale, a model
# that knows nothing, the uniform distribution over 17 values per pixel, scores
# $64 \ln 17 = 181.3$ nats.

# %%
memory_history = armlib.fit(memory_model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
memory_score = armlib.evaluate(memory_model, x_test)
print(f"2-pixel MLP: test NLL {memory_score.nats:.2f} nats/image = {memory_score.bpd:.3f} bits/dim "
      f"(best epoch {memory_history.best_epoch} of {memory_history.epochs}, "
      f"{memory_history.seconds[-1]:.0f} s on {torch.get_num_threads()} CPU thread(s))")
assert memory_score.nats < 115, "the 2-pixel MLP should reach < 115 nats on test"

# %% [markdown]
# The two-pixel model scores 110.11 nats per image on test, far better than the uniform 181.3: two
# neighbours say a lot about a pixel.
#
# We used $M = 128$ hidden units where Tomczak (2022) suggests $M = 300$. Does the smaller width
# cost anything? The same model with 300 units, trained the same way (the same data, learning rate,
# batches and stopping rule; only its own random initial weights differ):

# %%
wide_model = finite_memory_mlp(window=WINDOW, hidden=TOMCZAK_HIDDEN)
wide_history = armlib.fit(wide_model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
wide_score = armlib.evaluate(wide_model, x_test)
display(table(["2-pixel MLP", "parameters", "test NLL [nats/image]", "best validation NLL", "best epoch",
               "epochs run", "training [s]"],
              [[f"$M = {hidden}$", f"{sum(p.numel() for p in model.parameters()):,}", f"{score.nats:.2f}",
                f"{history.best_val:.2f}", history.best_epoch, history.epochs, f"{history.seconds[-1]:.0f}"]
               for hidden, model, score, history in [(HIDDEN, memory_model, memory_score, memory_history),
                                                     (TOMCZAK_HIDDEN, wide_model, wide_score, wide_history)]]))

# %% [markdown]
# The two widths score within a few hundredths of a nat of each other: on test the 300 units come
# out 0.03 nats ahead (110.08 against 110.11), on validation 0.02 nats behind (112.68 against
# 112.66). That is one run each, too little to rank two models this close (exercise 6 asks for
# more seeds). What it does show is that the width Tomczak suggests buys no large gain here, for
# 2.3 times the parameters (6,017 against 2,577). We keep $M = 128$ for the rest of the chapter.

# %% [markdown]
# ## 4. Drawing a digit: the Gumbel-max trick
#
# To draw a digit, the model goes through the positions in order: compute $\theta_d$ from the pixels
# drawn so far, draw $x_d$ from it, move on. Drawing one value from a categorical distribution
# $\theta_d = (\theta_{d,0}, \ldots, \theta_{d,16})$ is done here with the **Gumbel-max trick**
# (Gumbel, 1954; Maddison et al., 2014): draw 17 independent uniform numbers $u_l \in (0, 1)$, turn
# each into standard Gumbel noise $g_l = -\ln(-\ln u_l)$, and take
#
# $$x_d = \arg\max_{l} \big(\ln \theta_{d,l} + g_l\big).$$
#
# The result is an exact draw from $\theta_d$: value $l$ wins with probability $\theta_{d,l}$.
# Since $\ln \theta_{d,l}$ is the logit minus a constant that is the same for every $l$, the
# argmax can be taken over the logits directly, with no softmax at all. The head does exactly that;
# its noise comes from `gumbel_noise`:

# %%
armlib.show_source(Categorical.sample)

# %%
armlib.show_source(gumbel_noise)

# %% [markdown]
# A numerical check. Take the trained model's $\theta_d$ at one position of a test digit, draw
# `GUMBEL_DRAWS` values by the trick, and compare how often each value came up with its
# probability. With 100,000 draws a frequency has a standard deviation of at most
# $\sqrt{0.25 / 100{,}000} \approx 0.0016$, so the two should agree to about two decimals.

# %%
with torch.no_grad():
    logits = memory_model.net(x_test[DIGIT_INDEX:DIGIT_INDEX + 1])[:, :, GUMBEL_POSITION - 1]  # (1, 17)
theta = F.softmax(logits[0], dim=0)
noise = gumbel_noise((GUMBEL_DRAWS, armlib.NUM_VALS), torch.Generator().manual_seed(0), logits.dtype)
draws = (logits + noise).argmax(dim=1)            # one Gumbel-max draw per row of noise
frequency = torch.bincount(draws, minlength=armlib.NUM_VALS) / GUMBEL_DRAWS
print(f"theta_{GUMBEL_POSITION} of test digit {DIGIT_INDEX} against the frequencies of {GUMBEL_DRAWS:,} draws:")
display(table(["value $l$", f"$\\theta_{{{GUMBEL_POSITION},l}}$", "frequency"],
              [[value, f"{theta[value].item():.4f}", f"{frequency[value].item():.4f}"]
               for value in range(armlib.NUM_VALS)]))
print(f"largest difference: {(frequency - theta).abs().max().item():.4f}")
assert (frequency - theta).abs().max() < 0.006

# %% [markdown]
# Why draw the noise first and take an argmax, rather than call `torch.multinomial` at each step as
# Tomczak's companion code does? Because then a sample is a deterministic function of noise drawn
# **up front**: `ARM.sample` draws all the noise a batch of digits will need, one Gumbel vector per
# pixel (an array of shape (digits, channels = 1, values, positions), printed below), and then runs the loop, `ARM.sample_from_noise`. Any other sampler that consumes the same
# noise must return the same digits, value for value, which makes a faster sampler testable against
# the plain one. Chapter 10 builds such samplers. One of them, predictive sampling (in the
# fixed-point form of Wiggers & Hoogeboom (2020), without the learned forecaster, a second network
# that they train to guess the next pixels), works for any
# model: it guesses the whole digit, runs the network once on the guess, keeps every pixel up to the
# first one whose draw differs from the guess (those were all conditioned on exact values), takes
# the draws as the next guess, and repeats until every pixel is fixed. Here it is on our model,
# beside the plain loop:

# %% tags=["nbval-check-output"]
memory_samples = memory_model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
noise = memory_model.noise(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
print(f"noise for {NUM_SAMPLES} digits, drawn up front: shape {tuple(noise.shape)}")
again = memory_model.sample_from_noise(noise)
predictive = sample(memory_model, NUM_SAMPLES, method="predictive", generator=torch.Generator().manual_seed(0))
print("sample_from_noise(noise) returns the same digits:", torch.equal(again, memory_samples))
print("the predictive sampler returns the same digits:  ", torch.equal(predictive, memory_samples))
assert torch.equal(again, memory_samples) and torch.equal(predictive, memory_samples)

# %% [markdown]
# What does the two-pixel model draw (Figure 2.2)? Short horizontal dashes of ink, scattered over the
# whole square, the blank margins included. Nothing ties one row to the next: the pixel above $x_d$ is
# $x_{d-8}$, six steps outside the window, so the dashes of one row do not continue the strokes of
# the row above, and no sample has the shape of a digit.

# %%
plots.real_vs_samples(x_test[:NUM_SAMPLES], memory_samples, title="2-pixel MLP samples")
armlib.show_figure("2.2", "Test digits (left) and digits drawn from the two-pixel MLP (right).")

# %% [markdown]
# ## 5. No memory at all: one categorical per position
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
# ## 6. Two pixels and the position
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
uniform = armlib.uniform_nats(64, armlib.NUM_VALS)
print(f"gain over the uniform model ({uniform:.2f} nats), and size:")
display(table(["model", "gain [nats/image]", "parameters"],
              [[name, f"{uniform - score.nats:.1f}", f"{sum(p.numel() for p in model.parameters()):,}"]
               for name, model, score in [(f"2-pixel MLP, $M = {HIDDEN}$", memory_model, memory_score),
                                          (f"2-pixel MLP, $M = {TOMCZAK_HIDDEN}$", wide_model, wide_score),
                                          ("independent pixels", position_only_model, position_only_score),
                                          ("2-pixel MLP + position", position_model, position_score)]]))

# %% [markdown]
# The position takes the two-pixel MLP from 110.11 down to 96.68 nats, but it also brings
# parameters: the two position models have 10,385 and 10,769 against the 2,577 of the two-pixel
# MLP. Could the extra size alone explain the gain? Section 3 has a control: the $M = 300$ MLP,
# with 6,017 parameters and no position, scored 110.08 against 110.11, and over two seeds it comes
# out ahead of $M = 128$ by only a few tenths of a nat (exercise 6). More than doubling the width,
# to 6,017 parameters, buys a fraction of a nat, not 13. That is not a control of the position
# model's full size (10,769 parameters), but exercise 1 adds one: a window of nine pixels and no
# position, with only 3,473 parameters, scores 94.09 even when trained for at most 20 epochs,
# better than the 10,769-parameter position model. What a model is given to look at matters far
# more here than its number of parameters.
#
# Memory and position complement each other, but their gains do not add up. Measured from the
# uniform model, two pixels of memory gain 71.2 nats, the position alone 74.8, both together 84.6,
# far less than the sum. Part of what the two pixels tell the model, the position tells it too
# (section 7 shows one such part, at the left margin).

# %% [markdown]
# ## 7. Where the nats go
#
# The NLL of an image is a sum over its 64 pixels, so we can ask where each model pays. The first
# three maps of Figure 2.3 show the test-split average of $-\ln p(x_d \mid \mathbf{x}_{<d})$ at
# every pixel; the fourth is the difference between the first two, memory only minus position only
# (red where the memory-only model pays more, blue where it pays less).
#
# Table 2.1 splits each total into the 28 pixels of the outer ring and the 36 inside it.
#
# - In the interior, two pixels of memory and no position (81.5 nats) are worth about as much as
#   the position and no memory (81.8 nats).
# - At the border the memory-only model pays more: 28.6 nats against 24.7. Table 2.2 shows where,
#   as the mean cost of a pixel in each part of the border, and the line under it splits the
#   3.9-nat gap between the two by part of the border. The largest share, 1.9 nats from only 7
#   pixels, is the **left column**, where each row starts: 0.29 nats per pixel for the memory-only
#   model, against 0.01 for both models that know the position; in the difference map it is the
#   dark red left edge. The rest of the border, the right column and the bottom row (13 pixels),
#   adds 1.5 nats, and the top row 0.5. At a row start the window holds the last two pixels of the row
#   above, usually blank paper, and a blank window cannot tell the margin, which is almost always
#   blank, from a blank gap inside a digit where the next pixel may well be ink.
# - The top row contributes little (0.5 nats): 1.55 nats per pixel there, against 1.49 for the
#   position-only model. Where the first strokes begin is uncertain for any model.
# - The combined model is better in both regions, 21.7 nats at the border and 74.9 inside. What
#   it still pays sits in the middle of the digit, where the pixels above matter and a window of
#   two cannot reach them.

# %%
models = {"2-pixel MLP": memory_model, "independent pixels": position_only_model,
          "2-pixel MLP + position": position_model}
with torch.no_grad():
    cost_maps = {name: -model.log_prob(x_test, reduction="none").mean(0).reshape(8, 8)
                 for name, model in models.items()}
border = torch.ones(8, 8, dtype=torch.bool)
border[1:-1, 1:-1] = False  # the 28 pixels of the outer ring; the other 36 are the interior
display(table(["model", "border [nats]", "interior [nats]"],
              [[name, f"{cost[border].sum().item():.1f}", f"{cost[~border].sum().item():.1f}"]
               for name, cost in cost_maps.items()],
              caption="**Table 2.1.** Test NLL per image, split into the 28 border pixels and the 36 inside."))
regions = {"top row": torch.zeros(8, 8, dtype=torch.bool), "left column": torch.zeros(8, 8, dtype=torch.bool)}
regions["top row"][0] = True        # 8 pixels
regions["left column"][1:, 0] = True  # the 7 pixels below the top row: each one starts a row
regions["rest of border"] = border & ~regions["top row"] & ~regions["left column"]  # 13 pixels
regions["interior"] = ~border         # 36 pixels
display(table(["model", *regions], [[name, *(f"{cost[mask].mean().item():.2f}" for mask in regions.values())]
                                    for name, cost in cost_maps.items()],
              caption="**Table 2.2.** Mean cost of one pixel in each region [nats]."))
gap = cost_maps["2-pixel MLP"] - cost_maps["independent pixels"]
print(f"border gap, 2-pixel MLP minus independent pixels: {gap[border].sum().item():.1f} nats, of which "
      + ", ".join(f"{region} {gap[mask].sum().item():.1f}" for region, mask in regions.items() if region != "interior"))
top = max(cost.max().item() for cost in cost_maps.values())
fig, axes = plt.subplots(1, 4, figsize=(14, 3.6), layout="constrained")
for ax, (name, cost) in zip(axes, cost_maps.items()):
    image = ax.imshow(cost.numpy(), cmap="magma", vmin=0, vmax=top)
    ax.set_title(f"{name}\n{cost.sum().item():.1f} nats/image")
fig.colorbar(image, ax=axes[:3], label=r"mean $-\ln p(x_d \mid \mathbf{x}_{<d})$ [nats]", shrink=0.85)
extent = gap.abs().max().item()
difference = axes[3].imshow(gap.numpy(), cmap="RdBu_r", vmin=-extent, vmax=extent)
axes[3].set_title("2-pixel MLP minus\nindependent pixels")
fig.colorbar(difference, ax=axes[3], label="difference [nats]", shrink=0.85)
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
armlib.show_figure("2.3", "Mean cost of each pixel on the test split for the three models (left three, one "
                   "colour scale), and the difference between the first two (right).")

# %% [markdown]
# The position fixes the margins but not the shapes: samples of the combined model (Figure 2.4) keep ink in the
# middle and paper at the edges, and a few look like a rough 5 or 9, yet most strokes still do not
# connect from one row to the next.

# %%
position_samples = position_model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], position_samples, title="2-pixel MLP + position samples")
armlib.show_figure("2.4", "Test digits (left) and digits drawn from the two-pixel MLP with the position (right).")

# %% [markdown]
# ## 8. Learning curves
#
# Figure 2.5 shows the training (dashed, measured on the batches while the weights change) and
# validation NLL per epoch. The independent-pixels model stops first: its function has no input to
# learn from, only a $64 \times 17$ table of probabilities, one row per position, and its
# validation NLL stops improving early (best epoch 7 of 17) while its training NLL settles a few
# nats lower.

# %%
fig, ax = plt.subplots(figsize=(7, 4))
plots.learning_curve(memory_history, position_only_history, position_history,
                     labels=list(models), ax=ax)
ax.set_ylim(top=140)
armlib.show_figure("2.5", "Training (dashed) and validation NLL of the chapter's three models, epoch by epoch.")

# %% [markdown]
# ## 9. The ladder
#
# The chapter's three models go into the likelihood ladder, the one table that every chapter of the
# book adds its rows to (`results/02_finite_memory_mlp.json`).

# %%
rows = [ladder.entry("2-pixel MLP", memory_model, memory_score, memory_history),
        ladder.entry("independent pixels (position only)", position_only_model, position_only_score,
                     position_only_history),
        ladder.entry("2-pixel MLP + position", position_model, position_score, position_history)]
ladder.record("02_finite_memory_mlp", rows)
display(table(["model", "test NLL [nats/image]", "bits/dim", "parameters"],
              [[row["model"], f"{row['test_nats']:.2f}", f"{row['test_bpd']:.3f}", f"{row['params']:,}"]
               for row in rows]))

# %% [markdown]
# ## Summary
#
# | model | what $\theta_d$ reads | parameters | test NLL [nats/image] |
# |---|---|---:|---:|
# | uniform | nothing | 0 | 181.3 |
# | 2-pixel MLP (Tomczak's form, $M = 128$) | $x_{d-1}, x_{d-2}$ | 2,577 | 110.11 |
# | independent pixels | $d$ | 10,385 | 106.53 |
# | 2-pixel MLP + position | $x_{d-1}, x_{d-2}, d$ | 10,769 | 96.68 |
#
# - One MLP shared by every position turns the chain rule into a model with a few thousand
#   parameters that trained in about half a minute on one CPU thread here (the first training
#   printout gives the time and the number of threads; timings vary with the machine and its load).
# - The log-likelihood of a digit is a sum of one term per pixel, $\ln \theta_{d, x_d}$: a
#   `log_softmax` over the network's 17 logits, then a `gather` of the value the pixel has
#   (Tomczak's Iverson bracket). `armlib.fit` minimises its negative, averaged over mini-batches,
#   with Adam, and keeps the weights of the best validation epoch.
# - The head draws a pixel with the Gumbel-max trick, $\arg\max_l (\ln \theta_{d,l} + g_l)$, an
#   exact draw from $\theta_d$. The noise is drawn up front, so every sampler that consumes it
#   returns the same digits.
# - Two pixels of memory alone do *worse* than no memory and a position: a shared MLP with a short
#   window does not know where it is, and the starts of the rows, at the left margin, are where
#   that costs most.
# - Memory and position complement each other, though their gains do not add up: 96.68 nats
#   together. The position's gain is not a matter of size: 300 hidden units and no position score
#   110.08 against 110.11 for 128, and a nine-pixel window without position beats the position model with a
#   third of its parameters (exercise 1). What is left is the pixel above, eight steps back. The
#   next chapter keeps the sharing but drops the window: a recurrent network carries a summary of
#   all the pixels so far.
#
# ## Exercises
#
# 1. **The row above.** Train `finite_memory_mlp(window=9, hidden=HIDDEN)`, whose window reaches
#    the pixel directly above $x_d$ (and the one above-left). How much of the gap to the
#    position-aware model does it close, and how do its samples change? Then add the position too. ([solution](solutions/02_finite_memory_mlp_solutions.ipynb#exercise-1))
# 2. **How long a memory?** Plot the test NLL against the window $K \in \{2, 8, 9, 16\}$ without
#    the position, and for $K \in \{2, 9\}$ with it (one run each). Where does it stop paying, and
#    why might it get worse? ([solution](solutions/02_finite_memory_mlp_solutions.ipynb#exercise-2))
# 3. **Padding.** Change the padding constant to 16 (full ink) by editing a copy of `context`. Which
#    positions' costs change in the cost map, and does the position-aware model care? ([solution](solutions/02_finite_memory_mlp_solutions.ipynb#exercise-3))
# 4. **One-hot inputs.** The MLP reads pixel values as numbers, so its first layer treats the grey
#    levels as points on a line: 8 is one step past 7. Feed each predecessor as a one-hot vector of
#    17 values instead (a `Linear(2 * 17, M)` first layer), which lets each value have its own
#    effect. Does the two-pixel model improve? ([solution](solutions/02_finite_memory_mlp_solutions.ipynb#exercise-4))
# 5. **Counting, continued.** Exercise 4 of chapter 01 computed the smoothed frequency table of
#    each pixel's values in the training split and its test NLL. That table is, up to the
#    smoothing, the maximum-likelihood solution of this chapter's independent-pixels model. Compare
#    its test NLL with the trained model's (106.53): which is better, and what do early stopping and
#    the added counts each do? ([solution](solutions/02_finite_memory_mlp_solutions.ipynb#exercise-5))
# 6. **Width, with seeds.** Section 3 compared $M = 128$ and $M = 300$ with one run each. Repeat
#    the comparison over two seeds, with at most 20 epochs a run (`armlib.seed_everything(seed)`
#    before building each model, and `fit(..., seed=seed)`), pairing the two widths by seed. Report
#    the mean and standard deviation of the paired difference on validation and on test (with two
#    seeds, look at the ranges too). Is the wider model better, and by how much compared with the
#    spread over random seeds? ([solution](solutions/02_finite_memory_mlp_solutions.ipynb#exercise-6))

# %% [markdown]
# ## References
#
# - Gumbel, E. J. (1954). *Statistical Theory of Extreme Values and Some Practical Applications*. National Bureau of Standards, Applied Mathematics Series 33.
# - Kingma, D. P., & Ba, J. (2015). Adam: A Method for Stochastic Optimization. *International Conference on Learning Representations (ICLR)*.
# - Maddison, C. J., Tarlow, D., & Minka, T. (2014). A* Sampling. *Advances in Neural Information Processing Systems 27 (NeurIPS)*, 3086–3094.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
# - Wiggers, A. J., & Hoogeboom, E. (2020). Predictive Sampling with Forecasting Autoregressive Models. *Proceedings of the 37th International Conference on Machine Learning (ICML)*, 10260–10269.
