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
# # 10 · Fast sampling: the same samples, fewer network passes
#
# Tomczak (2022) closes his section on one-dimensional causal convolutions with their price.
# Evaluating $\ln p(\mathbf{x})$ is one parallel pass, but drawing $\mathbf{x} \sim p$ is a loop
# over the positions, each conditional waiting for the values before it,
#
# $$x_1 \sim p(x_1), \quad x_2 \sim p(x_2 \mid x_1), \quad \dots, \quad
#   x_D \sim p(x_D \mid \mathbf{x}_{<D}),$$
#
# and the plain sampler runs the whole network for every one of them: $D$ full forward passes per
# sample. He calls this a big waste, points to ongoing research on faster sampling, and comes back
# to it among the directions that close his chapter (section 5 below). This chapter pays less of
# that price without changing a single sample, in two ways:
#
# - **cached generation**: still $D$ steps, but each step computes only what the newest value
#   changes, from activations the network keeps. Paine et al. (2016) did this for WaveNet
#   (van den Oord et al., 2016a), and Ramachandran et al. (2017) for convolutional ARMs more
#   generally, PixelCNN++ (Salimans et al., 2017) among them.
# - **predictive sampling** (Wiggers & Hoogeboom, 2020): run the network in parallel on a *guess* of
#   the whole sample and keep every position up to the first one the guess got wrong; often far
#   fewer than $D$ passes.
#   Wiggers & Hoogeboom (2020) make the guess in one of two ways. This chapter implements the
#   simpler one, **fixed-point iteration**: the guess for the next pass is the network's own draws
#   from the last pass, so the sampler re-runs the network and keeps the prefix of positions that
#   did not change. Their other way, a **learned forecaster** (a small module trained to predict the
#   values ahead from the network's features), is not built here; exercise 4 tries a cheap stand-in.
#
# Both are exact. Every sampler in `armlib.sampling` draws all its random numbers up front
# (`ARM.noise`) and is a deterministic function of them, so for the same generator state the plain,
# the cached and the predictive sampler return the same samples, up to floating-point ties: section
# 3 checks that they are *identical* in float64, and section 4 finds the float32 samples of two
# trained models identical too.

# %%
import copy
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import display

import armlib
from armlib import diagrams, ladder, plots
from armlib.book import table
from armlib.layers import CausalConv1d, ConvQueue, MaskedConvCache, Stepper
from armlib.models.conv1d import DilatedConvNet
from armlib.models.gated_pixelcnn import GatedBlockStepper, GatedPixelCNN, GatedPixelCNNStepper
from armlib.sampling import predictive_sample_from_noise, sample

armlib.setup(seed=0)

DIGIT_LENGTH = 64                    # D for the digits: 8 x 8 pixels
DRAWN_LAYER = dict(kernel_size=3, dilation=4, length=16)  # the dilated layer we draw
SAME_SAMPLES_BATCH = 3               # samples per model in the identity check
TIMING_BATCH = 8                     # samples per timed batch
TIMING_SIDES = (4, 6, 8, 11, 16)     # canvases side x side, so D = 16 ... 256
TIMING_NETS = dict(conv1d=dict(channels=32), gated=dict(channels=32, blocks=4))  # random weights: speed only
TIMING_REPEATS = 5                   # every timing: the fastest of this many runs, the same for every sampler
PREDICTIVE_NET = dict(channels=32)   # the DilatedConvNet we train for predictive sampling
FIT = dict(epochs=10, batch_size=32, lr=3e-3, patience=10)
NUM_SAMPLES = 64                     # samples drawn to count predictive sampling's passes
EXACT_CHECK = 16                     # of which this many are redrawn in float64 by the plain sampler
MIN_SAVING_BINARY = 0.5              # at least this fraction of the D passes saved on binarised digits
MIN_CACHED_SPEEDUP = 5.0             # the cached sampler at least this much faster at the largest D (timings are noisy)

train, val, test = (armlib.load_digits(split) for split in ("train", "val", "test"))
print(f"train {tuple(train.shape)}, validation {tuple(val.shape)}, test {tuple(test.shape)}")

# %% [markdown]
# ## 1. Why the plain way costs $O(D)$ passes
#
# Here is the book's one raster loop, `ARM.conditionals`, and `ARM.fill`, which draws each position
# from it. The plain sampler is this loop with `cached=False`: for every position it runs the
# network on the sample so far and keeps the parameters at that one position. Chapter 04 (section
# 8) timed it: drawing 16 digits cost about as much as 64 forward passes over 16 digits.

# %%
armlib.show_source(armlib.ARM, methods=["conditionals", "fill"])

# %% [markdown]
# Counting the network's calls with a forward hook shows where that time goes. Each call computes
# the parameters at all $D$ positions, but the loop keeps one of them: the positions before it
# were computed already (and come out the same, by causality), the positions after it are computed
# from zeros that are not the sample yet. So $D$ passes do $D^2$ positions' work for $D$ useful
# ones, and the cost of a sample grows like $D^2$ for a network whose pass costs $O(D)$.

# %% tags=["nbval-check-output"]
model = armlib.MODELS["causal_conv1d"]()
calls = []
hook = model.net.register_forward_hook(lambda net, inputs, output: calls.append(output.shape[-1]))
sample(model, 4, "plain", generator=torch.Generator().manual_seed(0))
hook.remove()
print(f"network calls for one batch: {len(calls)} (D = {DIGIT_LENGTH})")
print(f"positions computed: {sum(calls)}, positions used: {DIGIT_LENGTH}")

# %% [markdown]
# ## 2. The cache idea, drawn for one dilated layer
#
# A causal convolution with kernel size $k$ and dilation $r$ (option B, chapter 04) computes
#
# $$h_d = b + \sum_{j=0}^{k-1} W_j\, x_{d - jr}.$$
#
# Its output at $d$ reads $k$ inputs, spaced $r$ apart, the oldest $(k-1)r$ steps back. During
# sampling the inputs arrive one per step, and once arrived they never change. So the layer can keep
# a **queue** of its last $(k-1)r + 1$ inputs: at each step the newest input goes in, the oldest falls
# out (no later output will read it), and the output is one product of the kernel with every $r$-th
# entry. That is one position's work instead of $D$. A stack of such layers keeps one queue per
# layer, each as long as its own dilation requires: fast WaveNet generation.
#
# Figure 10.1 shows one layer with $k = 3$ and $r = 4$ at two consecutive steps. The queue (blue box)
# holds $9$ inputs; the three taps (dark blue) feed the output being computed (orange); grey inputs
# have left the queue for good, white ones have not arrived yet. Outputs computed at earlier steps
# (light orange) are this layer's contribution to the *next* layer's queue; they never enter its own.

# %%
QUEUE_COLOURS = {"input: left the queue": "lightgrey", "input: in the queue": "lightsteelblue",
                 "input: tap": "tab:blue", "output: computed earlier": "navajowhite",
                 "output: computed now": "tab:orange", "not there yet": "white"}


def draw_queue_step(ax, step, kernel_size, dilation, length):
    """One dilated causal layer at sampling step ``step``: inputs, queue, taps and the new output."""
    span = (kernel_size - 1) * dilation + 1
    taps = [step - j * dilation for j in range(kernel_size) if step - j * dilation >= 0]
    for d in range(length):
        if d > step:
            face = QUEUE_COLOURS["not there yet"]
        elif d in taps:
            face = QUEUE_COLOURS["input: tap"]
        elif d > step - span:
            face = QUEUE_COLOURS["input: in the queue"]
        else:
            face = QUEUE_COLOURS["input: left the queue"]
        ax.scatter(d, 0, s=180, c=face, edgecolors="black", zorder=3)
        if d == step:
            output = "output: computed now"
        else:
            output = "output: computed earlier" if d < step else "not there yet"
        ax.scatter(d, 1, s=180, c=QUEUE_COLOURS[output], edgecolors="black", zorder=3)
    for d in taps:
        ax.plot([d, step], [0, 1], color="tab:blue", lw=1.5, zorder=2)
    left = max(step - span + 1, 0) - 0.45
    ax.add_patch(plt.Rectangle((left, -0.3), step + 0.45 - left, 0.6, fill=False, ec="tab:blue", lw=2))
    ax.text((left + step + 0.45) / 2, -0.55, f"queue: the last $(k-1)r+1 = {span}$ inputs", ha="center",
            va="center", color="tab:blue")
    ax.set_yticks([0, 1], ["input $x$", "output $h$"])
    ax.set_xticks(range(length), [str(d) for d in range(length)])
    ax.set_ylim(-0.8, 1.4)
    ax.set_xlim(-0.7, length - 0.3)
    terms = " + ".join(f"W_{j} x_{{{d}}}" for j, d in enumerate(taps))
    ax.set_title(f"step d = {step}:   $h_{{{step}}} = b + {terms}$")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


fig, axes = plt.subplots(2, 1, figsize=(10, 5.4))
for ax, step in zip(axes, (10, 11)):
    draw_queue_step(ax, step, **DRAWN_LAYER)
legend = [plt.Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=colour, markeredgecolor="black",
                     label=label) for label, colour in QUEUE_COLOURS.items()]
fig.legend(handles=legend, loc="lower center", ncol=3, frameon=False)
plt.tight_layout(rect=(0, 0.1, 1, 1))
armlib.show_figure("10.1", "One dilated causal layer ($k = 3$, $r = 4$) at two consecutive sampling steps: the queue "
                           "(blue box), its taps (dark blue) and the output computed now (orange).")

# %% [markdown]
# `ConvQueue` is that picture in code; a `CausalConv1d` gives its own with `layer.queue(batch)`, the
# cache living beside the layer it serves. The queue is circular, so a step writes one input instead of
# shifting all of them. The first layer of an ARM is option A, whose output at $d$ reads inputs up to
# $d-1$: it gets $x_{d-1}$ pushed at step $d$, the newest value that is final.

# %%
armlib.show_source(ConvQueue)

# %% [markdown]
# Stepping the queue along a random sequence must reproduce the full convolution exactly, position
# by position (in float64, so that only a real difference could show):

# %% tags=["nbval-check-output"]
torch.manual_seed(0)
layer = CausalConv1d(3, 5, DRAWN_LAYER["kernel_size"], DRAWN_LAYER["dilation"]).double()
h = torch.randn(2, 3, DRAWN_LAYER["length"], dtype=torch.float64)
queue = layer.queue(batch=2)
with torch.no_grad():
    stepped = torch.stack([queue(h[:, :, d]) for d in range(h.shape[-1])], dim=2)
    print("queue equals the full convolution at every position:", torch.allclose(stepped, layer(h), rtol=0, atol=1e-12))

# %% [markdown]
# **Images.** A masked $k \times k$ convolution (chapter 05) reads, for pixel $(i, j)$, the rows
# $i - \lfloor k/2 \rfloor, \dots, i$ of its input around column $j$. `MaskedConvCache` (from
# `MaskedConv2d.input_cache`) keeps the layer's input map and fills it in pixel by pixel; a step multiplies one window, only the rows the
# mask keeps.

# %%
armlib.show_source(MaskedConvCache)

# %% [markdown]
# The **gated PixelCNN** of van den Oord et al. (2016c) (chapter 06) allows a better schedule
# still. Figure 10.2 recalls one of its blocks (chapter 06, Figure 6.1): a vertical stack $\mathbf{v}$
# that reads rows above the current pixel only, and a horizontal stack $\mathbf{h}$ that reads the
# pixels to its left in the current row and, through the red $1 \times 1$ link, the vertical
# pre-activation $\mathbf{a}_v$ at the same pixel.

# %%
fig, ax = plt.subplots(figsize=(8, 4.6))
diagrams.gated_block_diagram(ax=ax)
armlib.show_figure("10.2", "One gated block, as in chapter 06 (dropout not drawn): the vertical stack reads only "
                           "rows above, the horizontal stack the pixels to the left and, through the red link, "
                           "the vertical stack (the link reads $a_v$ before $e_y$ is added).")

# %% [markdown]
# Since nothing flows from the horizontal stack into the vertical one, all of row $i$ of every
# block's vertical stack depends on rows $0, \dots, i-1$ of the image only. So the vertical stacks
# need not go pixel by pixel: once row $i-1$ is drawn, they compute the whole of row $i$ at once,
# block after block. The horizontal stacks then go pixel by pixel along the row, each block keeping
# a **row buffer** of its inputs to the left. In pseudo-code, for $L$ blocks, with the names of the
# listings below in brackets:
#
# ```text
# for each row i:                      (j = 0: row i-1 of the image is final now)
#   if i > 0:                          [vertical.write, encode]
#     block 1's vertical input, row i-1 <- the pixels of row i-1
#   for each block l = 1, ..., L:      [start_row: once per row]
#     a_v, v' <- conv_v and the gate along all of row i
#     block l+1's vertical input, row i <- v'    [vertical.write]
#   for each column j:
#     if j > 0:                        [horizontal.write, encode]
#       block 1's row buffer <- the pixel (i, j-1)
#     h <- block 1 at (i, j):          [first(j, None)]
#          conv_h over its row buffer + link(a_v)[j], gate, out
#     for each block l = 2, ..., L:
#       block l's row buffer, column j <- h      [horizontal.write]
#       h <- h + block l's horizontal output at (i, j)   [block(j, h)]
#     the head's parameters at (i, j) <- to_logits(h)
#                                      [ReLU, then the 1 x 1 output layer]
#     the sampler draws x[i, j] and writes it into the sample
# ```
#
# `encode` (chapter 06's `levels_as_input` by default: 17 indicator channels for the digits) turns
# pixel values into the first block's input; `forward` calls the same `encode`. Each block's vertical convolution keeps its input rows
# (`VerticalConv.rows`) and its horizontal one a row buffer (`HorizontalConv.row`), and the gate,
# class bias, dropout and residual of a step are the very methods `GatedBlock.forward` uses
# (`vertical_output`, `horizontal_output`): the step has no copy of the block's maths to drift from it.
# Per row, the vertical stacks do a row's work once; per pixel, the horizontal stacks do one pixel's
# work per block. Here is the step as the library writes it, then the per-block stepper it calls
# (`first(j, None)`: the first block has no residual, so it takes no horizontal input):

# %%
armlib.show_source(GatedPixelCNNStepper.step)

# %%
armlib.show_source(GatedBlockStepper)

# %% [markdown]
# Every network of the book owns its step this way: a method `net.stepper(batch, positions, y)`
# builds a `Stepper` (`ARM.stepper(batch, y)`, which `ARM.conditionals(..., cached=True)` calls,
# passes the model's positions on), and calling that object, `stepper(x, position)`, gives the
# head's parameters at one position. The recurrent network's cache is simply its hidden state; the
# finite-memory MLP needs none. The loop calls the stepper once per position in raster order; the
# base class refuses any other order, since every cache assumes it saw all the positions before.

# %%
armlib.show_source(Stepper)

# %% [markdown]
# Both refusals, shown: a stepper asked for position 1 first, and a network without a `stepper`
# (here a plain convolution wrapped as an ARM) asked for a cached sample.

# %% tags=["nbval-check-output"]
stepper = armlib.MODELS["causal_conv1d"]().stepper(1)
try:
    stepper(torch.zeros(1, 1, DIGIT_LENGTH, dtype=torch.long), (1,))
except ValueError as error:
    print(f"ValueError: {error}")
no_step = armlib.ARM(torch.nn.Conv1d(1, armlib.NUM_VALS, 1), armlib.Categorical(armlib.NUM_VALS), (DIGIT_LENGTH,))
try:
    no_step.sample(1, cached=True)
except ValueError as error:
    print(f"ValueError: {error}")

# %% [markdown]
# ## 3. Cached sampling: the same samples, in a fraction of the time
#
# First the promise: for the same generator state, all three samplers return the same samples. We
# check it for every model registered in the book (`armlib.MODELS`: the networks of chapters 02 to
# 09 with their heads, a class-conditional one given a label per sample). Random weights will do:
# the check is about the computation, not the model. The models are built in float64, because two samplers
# add the same numbers in different orders, and a draw flips only when two candidate values tie to
# within the rounding error; in float64 that is vanishingly unlikely, though not impossible.

# %% tags=["nbval-check-output"]
rows = []
for name, build in armlib.MODELS.items():
    model = build().double()
    y = None if model.num_classes is None else torch.arange(SAME_SAMPLES_BATCH) % model.num_classes
    draws = {method: sample(model, SAME_SAMPLES_BATCH, method, y=y, generator=torch.Generator().manual_seed(1))
             for method in ("plain", "cached", "predictive")}
    same = all(torch.equal(draws["plain"], draws[method]) for method in ("cached", "predictive"))
    rows.append([f"`{name}`", str(same)])
    assert same, name
display(table(["model (armlib.MODELS)", "plain == cached == predictive"], rows))

# %% [markdown]
# Now the time. We sample a batch of $8$ with the plain and the cached sampler from two untrained
# networks (weights do not change the amount of work) over growing $D$: the improved CausalConv1D
# of chapter 04 (section 5; here with 32 channels) on sequences, and a gated PixelCNN (32 channels,
# 4 blocks) on square canvases of the same $D$ (Figure 10.3). Each sampler is timed $5$ times on the
# same noise and its fastest run kept. The plain sampler makes $D$ passes that each grow with $D$, so
# its curve bends up towards the slope of $D^2$ (dotted) once a pass is big enough for its fixed
# overhead not to matter. A cached step costs the same at any $D$, so the cached curve should follow the slope of $D$
# (dash-dotted), roughly: the timings are noisy, and the speed-up does not grow evenly with $D$ (for
# the CausalConv1D it is 5.3x at $D = 64$, 5.5x at 121 and 8.9x at 256).

# %%
def seconds(run, repeats=TIMING_REPEATS):
    """The fastest of ``repeats`` runs of ``run()``: the least disturbed by whatever else the machine did."""
    elapsed = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        elapsed.append(time.perf_counter() - start)
    return min(elapsed)


print(f"timed on: {armlib.machine()}")

categorical = armlib.Categorical(armlib.NUM_VALS)
builders = {  # side -> an untrained model over D = side x side positions
    "CausalConv1D": lambda side: armlib.ARM(DilatedConvNet(**TIMING_NETS["conv1d"]), categorical, (side * side,)),
    "gated PixelCNN": lambda side: armlib.ARM(GatedPixelCNN(**TIMING_NETS["gated"]), categorical, (1, side, side)),
}
timings = {}
for label, build in builders.items():
    for side in TIMING_SIDES:
        model = build(side)
        noise = model.noise(TIMING_BATCH, torch.Generator().manual_seed(side))
        timings[label, side * side] = (seconds(lambda: model.sample_from_noise(noise)),
                                       seconds(lambda: model.sample_from_noise(noise, cached=True)))

dims = [side * side for side in TIMING_SIDES]
fig, ax = plt.subplots(figsize=(9, 4.5))
for label, colour in zip(builders, ("tab:blue", "tab:green")):
    ax.plot(dims, [timings[label, d][0] for d in dims], "o-", color=colour, label=f"{label}: plain")
    ax.plot(dims, [timings[label, d][1] for d in dims], "s--", color=colour, label=f"{label}: cached")
anchor = timings["CausalConv1D", dims[0]]
ax.plot(dims, [anchor[0] * (d / dims[0]) ** 2 for d in dims], ":", color="grey", label="slope of $D^2$")
ax.plot(dims, [anchor[1] * d / dims[0] for d in dims], "-.", color="grey", label="slope of $D$")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xticks(dims, [str(d) for d in dims])
ax.minorticks_off()
ax.set_xlabel("$D$ (positions per sample)")
ax.set_ylabel(f"seconds per batch of {TIMING_BATCH}")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
plt.tight_layout()
armlib.show_figure("10.3", f"The time to draw a batch of {TIMING_BATCH} samples against $D$, plain (solid) and "
                           f"cached (dashed), on log-log axes, from untrained networks.")

display(table(["cached speed-up", *(f"D = {side * side}" for side in TIMING_SIDES)],
              [[label, *(f"{timings[label, side * side][0] / timings[label, side * side][1]:.1f}x"
                         for side in TIMING_SIDES)] for label in builders]))

# %% [markdown]
# The numbers vary from run to run and machine to machine. `benchmarks/sampling.py` times all three
# samplers side by side: on the digits at batch sizes 1, 16, 64 and 256, with four of the book's
# models briefly trained (a causal Transformer with its KV cache, `"transformer"` in
# `armlib.MODELS`, among them), and on a 28 x 28 canvas ($D = 784$) at batch sizes 1, 16 and 64
# with random weights. There the plain sampler would need minutes per batch, so it is timed over a few
# of its steps and scaled to $D$; those figures are extrapolated and marked `~` in its table.

# %%
largest = TIMING_SIDES[-1] ** 2
for label in builders:
    plain_seconds, cached_seconds = timings[label, largest]
    assert plain_seconds / cached_seconds >= MIN_CACHED_SPEEDUP, (label, plain_seconds, cached_seconds)

# %% [markdown]
# ## 4. Predictive sampling
#
# Caching makes each of the $D$ steps cheap; predictive sampling cuts the number of steps. Because
# the noise $\boldsymbol{\epsilon}$ is drawn up front, each value is a deterministic function of the
# ones before it, $x_d = g(\mathbf{x}_{<d}, \epsilon_d)$. For the categorical head this is the
# Gumbel-max trick of chapter 02 (section 4): $g = \arg\max_l \big(\ln \theta_{d,l}(\mathbf{x}_{<d}) +
# \epsilon_{d,l}\big)$, where $\theta_{d,l}$ is the model's probability of value $l$ at $d$ and
# $\epsilon_{d,l}$ Gumbel noise (the head takes the argmax over the logits, which differ from
# $\ln \theta_{d,l}$ by the same constant for every $l$). Take any guess
# $\tilde{\mathbf{x}}$ of the whole sample, run the network **once, in parallel** on it and compute
# $g(\tilde{\mathbf{x}}_{<d}, \epsilon_d)$ at every position. Where the guess agrees with those
# draws for every position before $d$, the draw at $d$ was conditioned on the exact past, so it is
# the exact $x_d$. Each pass therefore fixes everything up to and including the first position where
# the guess was wrong, never less than one position; its draws become the next guess. That last
# choice is what makes this the fixed-point variant: the sample is the one input whose draws
# reproduce it, $\mathbf{x} = g(\mathbf{x}, \boldsymbol{\epsilon})$ (causality makes it unique), and
# iterating $g$ from any start reaches it, at least one more exact position per pass. The first
# guess here is all zeros. With a model that is confident about most pixels (the blank border of a
# digit), a pass can fix many positions at once.

# %%
armlib.show_source(predictive_sample_from_noise)

# %% [markdown]
# How many passes it saves depends on how predictable the model's draws are, so we need trained
# models. We train the improved CausalConv1D of chapter 04 (section 5; here with 32 channels) twice,
# for 10 epochs each: on the digits with their 17 grey levels, and on the **binarised** digits
# (`armlib.binarise`: ink or paper) with a two-valued categorical head. Ten epochs is brief: both
# models reach their best validation NLL at the last epoch (printed below, and Figure 10.4), so neither
# has converged, and the pass counts below belong to these briefly trained models.

# %%
def trained_arm(num_vals, data):
    torch.manual_seed(0)
    model = armlib.ARM(DilatedConvNet(num_vals, **PREDICTIVE_NET), armlib.Categorical(num_vals), (DIGIT_LENGTH,))
    history = armlib.fit(model, data(train), data(val), **FIT)
    return model, history, armlib.evaluate(model, data(test))


digits_model, digits_history, digits_score = trained_arm(armlib.NUM_VALS, lambda x: x)
binary_model, binary_history, binary_score = trained_arm(2, armlib.binarise)
for label, history, score, num_vals in (("digits", digits_history, digits_score, armlib.NUM_VALS),
                                        ("binarised digits", binary_history, binary_score, 2)):
    uniform = armlib.uniform_nats(DIGIT_LENGTH, num_vals)
    print(f"{label:17s} test NLL {score.nats:.2f} nats per image (uniform {uniform:.1f}); "
          f"best validation NLL at epoch {history.best_epoch} of {history.epochs}")

# %%
assert digits_score.nats < 100.0, digits_score
assert binary_score.nats < 30.0, binary_score
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
plots.learning_curve(digits_history, ax=left)
left.set_title("digits")
plots.learning_curve(binary_history, ax=right)
right.set_title("binarised digits")
plt.tight_layout()
armlib.show_figure("10.4", "Learning curves of the two models we sample from: the digits with 17 grey levels (left) "
                           "and the binarised digits (right).")

# %% [markdown]
# The solutions study these two models further, so the chapter keeps their weights:
# `results/10_fast_sampling_digits.pt` and `results/10_fast_sampling_binarised.pt`.

# %%
ladder.save_weights("10_fast_sampling_digits", digits_model)  # under the test suite: a scratch folder
ladder.save_weights("10_fast_sampling_binarised", binary_model)

# %% [markdown]
# We draw $64$ samples from each model with the predictive sampler. For the first $16$ of them (to
# save time) we take the very same random numbers to a float64 copy of the model and check two
# things: that the plain and the predictive sampler agree there, and that their samples are the
# float32 samples shown below. Figure 10.5 shows half of them.

# %%
runs = {}
for label, model in (("digits", digits_model), ("binarised digits", binary_model)):
    noise = model.noise(NUM_SAMPLES, torch.Generator().manual_seed(2))
    runs[label] = predictive_sample_from_noise(model, noise)
    exact = copy.deepcopy(model).double()
    few = noise[:EXACT_CHECK].double()  # the same random numbers, exactly, in float64
    plain = exact.sample_from_noise(few)
    agree = torch.equal(predictive_sample_from_noise(exact, few).samples, plain)
    shown = torch.equal(plain, runs[label].samples[:EXACT_CHECK])
    print(f"{label:17s} first {EXACT_CHECK} samples in float64: predictive == plain: {agree}; "
          f"== the float32 samples shown: {shown}")
    assert agree, label
    assert shown, label

fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
plots.image_grid(runs["digits"].samples[:32], 4, ax=axes[0], title="digits: predictive samples")
plots.image_grid(runs["binarised digits"].samples[:32], 4, num_vals=2, ax=axes[1],
                 title="binarised digits: predictive samples")
plt.tight_layout()
armlib.show_figure("10.5", "Samples drawn with the predictive sampler: 32 of the digits (left) and 32 of the "
                           "binarised digits (right).")

# %% [markdown]
# **The accepted prefix, pass by pass.** Figure 10.6 follows one binarised sample, one whose pass count
# is the median of the 64; each panel shows what is known after a pass: the exact pixels fixed by
# earlier passes (ink black, paper white), those this pass fixed tinted orange (paper light orange,
# ink dark orange), and the positions still open in blue-grey. The first pass, run on an all-blank guess,
# fixes the pixels up to and including the first ink the model draws; after that each pass fixes the
# run of pixels up to the next position where its guess was wrong, long runs and short ones.

# %%
def prefix_frames(pixels, final_positions, num_vals):
    """RGB frames (passes, 8, 8, 3): exact pixels as ink, those fixed by the pass tinted, the rest open."""
    ink = 1 - pixels.double() / (num_vals - 1)  # 0 black ... 1 white
    frames, before = [], 0
    for after in final_positions:
        frame = torch.tensor([0.72, 0.78, 0.86]).repeat(DIGIT_LENGTH, 1)  # open: blue-grey
        frame[:after] = ink[:after, None]
        frame[before:after] = 0.45 * frame[before:after] + 0.55 * torch.tensor([1.0, 0.55, 0.0])  # orange tint
        frames.append(frame.reshape(8, 8, 3))
        before = after
    return torch.stack(frames)


binary_run = runs["binarised digits"]
median_passes = binary_run.passes_per_sample.median()  # the lower median of the 64 counts
example = int((binary_run.passes_per_sample == median_passes).nonzero()[0])  # the first sample that needed it
finals = [int(final[example]) for final in binary_run.final_positions[:int(binary_run.passes_per_sample[example])]]
frames = prefix_frames(binary_run.samples[example], finals, num_vals=2)
fig, axes = plt.subplots(1, len(frames), figsize=(1.5 * len(frames), 2.1))
for k, (ax, frame) in enumerate(zip(axes, frames)):
    ax.imshow(frame.numpy(), interpolation="nearest")
    ax.set_title(f"pass {k + 1}\n{finals[k]}/{DIGIT_LENGTH}")
    ax.set_axis_off()
armlib.show_figure("10.6", f"Binarised sample {example} after each of its {len(finals)} predictive passes (the "
                           f"median), with the positions fixed so far: black ink and white paper fixed earlier, "
                           f"dark and light orange ink and paper fixed by that pass, blue-grey still open.")

# %% [markdown]
# **Network calls saved.** Every sample follows a staircase of fixed positions against passes
# (Figure 10.7); the plain sampler climbs it one position per pass (the diagonal). An example leaves
# the batch as soon as all its positions are fixed, so the work is the mean number of passes per
# sample; a batch as a whole waits for its slowest example.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (label, run) in zip(axes, runs.items()):
    fixed = torch.stack([torch.zeros(NUM_SAMPLES, dtype=torch.long), *run.final_positions])  # (passes + 1, n)
    ax.plot(fixed.numpy(), color="tab:orange", alpha=0.25, lw=1)
    ax.plot([0, DIGIT_LENGTH], [0, DIGIT_LENGTH], "k--", lw=1, label="plain: one position per pass")
    ax.set_xlim(0, run.passes + 1)
    ax.set_xlabel("network pass")
    ax.set_title(f"{label}: {NUM_SAMPLES} samples")
    ax.legend(loc="lower right")
axes[0].set_ylabel("positions fixed")
plt.tight_layout()
armlib.show_figure("10.7", "Positions fixed against network passes, one line for each of the 64 samples of each "
                           "model; the dashed diagonal is the plain sampler.")

savings, rows = {}, []
for label, run in runs.items():
    mean_passes = run.passes_per_sample.float().mean().item()
    savings[label] = 1 - mean_passes / DIGIT_LENGTH
    rows.append([label, f"{mean_passes:.2f}", str(run.passes_per_sample.median().item()), str(run.passes),
                 str(DIGIT_LENGTH), f"{savings[label]:.0%}"])
display(table(["model", "passes per sample: mean", "median", "max", "plain sampler", "calls saved"], rows))

# %%
assert savings["binarised digits"] >= MIN_SAVING_BINARY, savings

# %% [markdown]
# After 10 epochs of training, the binarised model needed $8.45$ passes per sample on average
# instead of $64$: $87\%$ of the network calls saved. The model of the digits with 17 grey levels
# needed $19.30$, a saving of $70\%$. Why the difference? A pass ends at the first position where
# the new draw disagrees with the guess, and the guess there was drawn with the same noise but from a
# slightly different past. A binary pixel has two values to disagree on, a grey one seventeen, and
# where the model spreads its probability over several neighbouring grey levels two draws have more
# room to differ. That is a reading of the numbers, not a measurement: this chapter does not count
# where the disagreements fall (exercise 3 starts on that).
#
# Two caveats keep these numbers honest. A batch waits for its slowest example (the max, $27$ passes
# on the digits), which is why the sampler drops finished examples from each pass. And calls are not
# time: each predictive pass is a full pass over all $D$ positions, while a cached step computes one
# position. So we time the three samplers on the trained digits model, drawing the same $64$ samples
# with each, each sampler $5$ times, keeping its fastest run:

# %%
sampler_seconds = {method: seconds(lambda: sample(digits_model, NUM_SAMPLES, method,
                                                  generator=torch.Generator().manual_seed(2)))
                   for method in ("plain", "cached", "predictive")}
print(f"timed on: {armlib.machine()}; fastest of {TIMING_REPEATS} runs each")
display(table(["sampler", f"seconds for {NUM_SAMPLES} samples", "speed, times the plain sampler's"],
              [[method, f"{elapsed:.3f}", f"{sampler_seconds['plain'] / elapsed:.1f}x"]
               for method, elapsed in sampler_seconds.items()]))

# %%
assert sampler_seconds["cached"] < sampler_seconds["predictive"] < sampler_seconds["plain"], sampler_seconds

# %% [markdown]
# On this processor (printed above), on one thread, with a batch of 64 and $D = 64$, the cached
# sampler is the fastest of the three, more than ten times faster than the plain one, although the
# predictive sampler makes far fewer network calls: a cached step is one position's work, a
# predictive pass is 64 positions' work for every sample still in the batch. The predictive sampler
# is still 2.6 times faster than the plain one, which makes 64 full passes. How the three
# compare changes with the batch and with $D$: in Figure 10.3 the cached speed-up was largest at the
# largest $D$, and exercise 2 varies the batch.
#
# ## 5. Where next
#
# Tomczak (2022) ends his chapter with three directions for ARMs. The third is this chapter's
# subject: sampling from them faster, for instance by predictive sampling
# (Wiggers & Hoogeboom, 2020). The other two put an ARM inside a larger model.
#
# - **A latent code.** An ARM has no latent representation: every conditional is modelled on the
#   pixels themselves, and no variable of the model summarises the image as a whole. PixelVAE
#   (Gulrajani et al., 2016) adds one. It is a variational auto-encoder whose decoder is a PixelCNN:
#   the latent code carries the global structure of the image, and a PixelCNN of only a few layers
#   fills in the local detail given the code.
# - **An ARM as a prior.** Habibian et al. (2019) compress video with an auto-encoder whose latent
#   codes are discrete, and model those codes with an ARM. An entropy coder spends about
#   $-\log_2 p(\mathbf{z})$ bits on a code $\mathbf{z}$, so the ARM's negative log-likelihood of a
#   code, in bits, is what the compressed video costs, and a better prior makes a smaller file.
#
# In both, the ARM still produces its values one position at a time: PixelVAE's decoder draws an
# image pixel by pixel, given the code, and a video decoder needs each code's conditional, which
# depends on the codes decoded before it (only evaluating the likelihood of a known code is one
# parallel pass). So the price this chapter began with is paid there too.
#
# ## Summary
#
# - The plain sampler runs the whole network once per position: $D$ passes, $D^2$ positions' work.
# - **Caching** keeps what a causal network has already computed: a queue of $(k-1)r + 1$ inputs per
#   dilated causal convolution, the input map of each masked convolution, the gated PixelCNN's
#   vertical stack a row at a time. Each step then costs one position: linear in $D$ instead of
#   quadratic, with the very same samples, for every model of the book.
# - **Predictive sampling** (Wiggers & Hoogeboom, 2020) draws all the noise first, then fixes, per
#   full pass, every position up to the first one its guess got wrong. Here the guess is the last
#   pass's own draws (fixed-point iteration), not a learned forecaster. Our models, after 10 epochs
#   of training, are predictable enough that most positions come in bulk: $87\%$ of the calls saved
#   on binarised digits, $70\%$ on the digits.
# - Calls are not time. On this processor, for 64 digits at once, the cached sampler was the fastest
#   of the three, and the predictive sampler beat the plain one.
# - ARMs also serve inside larger models, as the decoder of a variational auto-encoder (PixelVAE)
#   or as the prior over the codes of a compressor; drawing from them or decoding with them pays the
#   same sequential price.
#
# ## Exercises
#
# 1. **Memory of the queues.** The improved CausalConv1D has an option-A layer with $k_0 = 3$ and five
#    gated blocks with $k = 3$ and dilations $1, 2, 4, 8, 16$. How many input vectors do its queues
#    hold together? Compare with the $D \times$ (number of layers) vectors a cache of every
#    activation would hold, for $D = 64$ and for $D = 16\,000$ (one second of 16 kHz audio). ([solution](solutions/10_fast_sampling_solutions.ipynb#exercise-1))
# 2. **Where caching stops paying.** Time the cached and the plain sampler at batch 1 and at batch
#    256 on the digits, with the digits model of section 4. At batch 256, time 8 of the plain
#    sampler's 64 passes, which all do the same work, and scale;
#    `benchmarks/sampling.py --batch-sizes 1 256 --large-batch-sizes --threads 1` times the
#    book's models this way, more slowly. Why does the speed-up grow with the batch? Think of
#    two things: how many times each weight is read per multiply-add in a one-position step, and
#    the fixed cost of a step (every layer is a separate Python call and a PyTorch dispatch,
#    whatever the batch), which a one-position step at batch 1 barely covers. ([solution](solutions/10_fast_sampling_solutions.ipynb#exercise-2))
# 3. **Sharper or flatter.** Divide the logits of the binarised model by a temperature $T$ before the
#    draw ($T < 1$ sharpens). How do the calls per sample change for $T = 0.5, 1, 2$? Which pixels does
#    predictive sampling get right in bulk, and which force a new pass? (armlib has no temperature
#    option: wrap `binary_model.net` in a small `nn.Module` whose `forward` divides the network's
#    output by $T$, and build `armlib.ARM(wrapped, binary_model.head, binary_model.shape)`.) ([solution](solutions/10_fast_sampling_solutions.ipynb#exercise-3))
# 4. **A better first guess.** Wiggers & Hoogeboom (2020) *learn* a forecasting module that predicts
#    $x_{d+1}, x_{d+2}, \dots$ beside $x_d$. A cheap alternative here: start from the per-pixel mode
#    of the training images (the most common value at each position) instead of zeros. Does it save
#    passes, on the digits and on the binarised digits? (`predictive_sample_from_noise` starts from
#    zeros: add a `guess=` argument to a copy of it.) ([solution](solutions/10_fast_sampling_solutions.ipynb#exercise-4))
# 5. **Both at once.** Predictive sampling runs full passes. After a pass fixed positions up to
#    $d$, which activations of that pass can the next one reuse, for the CausalConv1D? Sketch a
#    sampler that combines the queues with predictive passes, and check that it returns the plain
#    sampler's samples. ([solution](solutions/10_fast_sampling_solutions.ipynb#exercise-5))

# %% [markdown]
# ## References
#
# - Gulrajani, I., Kumar, K., Ahmed, F., Taiga, A. A., Visin, F., Vazquez, D., & Courville, A. (2016). PixelVAE: A Latent Variable Model for Natural Images. *arXiv preprint arXiv:1611.05013*.
# - Habibian, A., van Rozendaal, T., Tomczak, J. M., & Cohen, T. S. (2019). Video Compression with Rate-Distortion Autoencoders. *Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)*, 7033–7042.
# - Paine, T. L., Khorrami, P., Chang, S., Zhang, Y., Ramachandran, P., Hasegawa-Johnson, M. A., & Huang, T. S. (2016). Fast Wavenet Generation Algorithm. *arXiv preprint arXiv:1611.09482*.
# - Ramachandran, P., Paine, T. L., Khorrami, P., Babaeizadeh, M., Chang, S., Zhang, Y., et al. (2017). Fast Generation for Convolutional Autoregressive Models. *arXiv preprint arXiv:1704.06001*.
# - Salimans, T., Karpathy, A., Chen, X., & Kingma, D. P. (2017). PixelCNN++: Improving the PixelCNN with Discretized Logistic Mixture Likelihood and Other Modifications. *International Conference on Learning Representations (ICLR)*.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
# - van den Oord, A., Dieleman, S., Zen, H., Simonyan, K., Vinyals, O., Graves, A., et al. (2016a). WaveNet: A Generative Model for Raw Audio. *arXiv preprint arXiv:1609.03499*.
# - van den Oord, A., Kalchbrenner, N., Espeholt, L., Vinyals, O., Graves, A., & Kavukcuoglu, K. (2016c). Conditional Image Generation with PixelCNN Decoders. *Advances in Neural Information Processing Systems 29 (NeurIPS)*, 4790–4798.
# - Wiggers, A. J., & Hoogeboom, E. (2020). Predictive Sampling with Forecasting Autoregressive Models. *Proceedings of the 37th International Conference on Machine Learning (ICML)*, 10260–10269.
