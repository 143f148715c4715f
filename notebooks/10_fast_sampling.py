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
# # 10 · Fast sampling: the same samples, fewer network passes
#
# Tomczak (2022) ends his discussion of convolutional ARMs on their price. Evaluating
# $\ln p(\mathbf{x})$ is one parallel pass, but drawing $\mathbf{x} \sim p$ is a loop over the
# positions, each conditional waiting for the values before it,
#
# $$x_1 \sim p(x_1), \quad x_2 \sim p(x_2 \mid x_1), \quad \dots, \quad
#   x_D \sim p(x_D \mid \mathbf{x}_{<D}),$$
#
# and the plain sampler runs the whole network for every one of them: $D$ full forward passes per
# sample. He calls this a big waste and points to ongoing research on faster sampling.
# This chapter pays less of that price without changing a single sample, in two ways:
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
# the cached and the predictive sampler return *identical* samples, and we check that they do.

# %%
import copy
import time

import matplotlib.pyplot as plt
import torch

import armlib
from armlib import plots
from armlib.cached import ConvQueue, GatedPixelCNNSteps, MaskedConvCache
from armlib.conv1d import CausalConv1d, DilatedConvNet
from armlib.gated_pixelcnn import GatedPixelCNN
from armlib.sampling import cached_sample_from_noise, predictive_sample_from_noise, sample

armlib.setup(seed=0)

DIGIT_LENGTH = 64                    # D for the digits: 8 x 8 pixels
DRAWN_LAYER = dict(kernel_size=3, dilation=4, length=16)  # the dilated layer we draw
SAME_SAMPLES_BATCH = 3               # samples per model in the identity check
TIMING_BATCH = 8                     # samples per timed batch
TIMING_SIDES = (4, 6, 8, 11, 16)     # canvases side x side, so D = 16 ... 256
TIMING_NETS = dict(conv1d=dict(channels=32), gated=dict(channels=32, blocks=4))  # random weights: speed only
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
# Here is the plain sampler, `ARM.sample_from_noise`. For every position it runs the network on the
# sample so far and keeps the draw at that one position:

# %%
armlib.show_source(armlib.ARM.sample_from_noise)

# %% [markdown]
# Counting the network's calls with a forward hook makes the price concrete. Each call computes
# the parameters at all $D$ positions, but the loop keeps one of them: the positions before it
# were computed already (and come out the same, by causality), the positions after it are computed
# from zeros that are not the sample yet. So $D$ passes do $D^2$ positions' work for $D$ useful
# ones, and the cost of a sample grows like $D^2$ for a network whose pass costs $O(D)$.

# %%
# NBVAL_CHECK_OUTPUT
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
# Figure 1 shows one layer with $k = 3$ and $r = 4$ at two consecutive steps. The queue (blue box)
# holds $9$ inputs; the three taps (dark) feed the output being computed (orange); grey inputs have
# left the queue for good, white ones have not arrived.

# %%
QUEUE_COLOURS = {"left the queue": "lightgrey", "in the queue": "lightsteelblue", "tap": "tab:blue",
                 "not arrived yet": "white", "output computed now": "tab:orange"}


def draw_queue_step(ax, step, kernel_size, dilation, length):
    """One dilated causal layer at sampling step ``step``: inputs, queue, taps and the new output."""
    span = (kernel_size - 1) * dilation + 1
    taps = [step - j * dilation for j in range(kernel_size) if step - j * dilation >= 0]
    for d in range(length):
        if d > step:
            face = QUEUE_COLOURS["not arrived yet"]
        elif d in taps:
            face = QUEUE_COLOURS["tap"]
        elif d > step - span:
            face = QUEUE_COLOURS["in the queue"]
        else:
            face = QUEUE_COLOURS["left the queue"]
        ax.scatter(d, 0, s=180, c=face, edgecolors="black", zorder=3)
        output = "output computed now" if d == step else ("left the queue" if d < step else "not arrived yet")
        ax.scatter(d, 1, s=180, c=QUEUE_COLOURS[output], edgecolors="black", zorder=3)
    for d in taps:
        ax.plot([d, step], [0, 1], color="tab:blue", lw=1.5, zorder=2)
    left = max(step - span + 1, 0) - 0.45
    ax.add_patch(plt.Rectangle((left, -0.3), step + 0.45 - left, 0.6, fill=False, ec="tab:blue", lw=2))
    ax.text((left + step + 0.45) / 2, -0.55, f"queue: the last (k-1)r+1 = {span} inputs", ha="center",
            va="center", color="tab:blue")
    ax.set_yticks([0, 1], ["input $x$", "output $h$"])
    ax.set_xticks(range(length), [str(d) for d in range(length)])
    ax.set_ylim(-0.8, 1.4)
    ax.set_xlim(-0.7, length - 0.3)
    terms = " + ".join(f"W_{j} x_{{{d}}}" for j, d in enumerate(taps))
    ax.set_title(f"step d = {step}:   $h_{{{step}}} = b + {terms}$")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


fig, axes = plt.subplots(2, 1, figsize=(10, 5))
for ax, step in zip(axes, (10, 11)):
    draw_queue_step(ax, step, **DRAWN_LAYER)
legend = [plt.Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=colour, markeredgecolor="black",
                     label=label) for label, colour in QUEUE_COLOURS.items()]
fig.legend(handles=legend, loc="lower center", ncol=len(legend), frameon=False)
fig.suptitle("Figure 1. One dilated causal layer (k = 3, r = 4) at two consecutive sampling steps")
plt.tight_layout(rect=(0, 0.06, 1, 1))
plt.show()

# %% [markdown]
# `ConvQueue` is that picture in code. The queue is circular, so a step writes one input instead of
# shifting all of them. The first layer of an ARM is option A, whose output at $d$ reads inputs up to
# $d-1$: it gets $x_{d-1}$ pushed at step $d$, the newest value that is final.

# %%
armlib.show_source(ConvQueue)

# %% [markdown]
# Stepping the queue along a random sequence must reproduce the full convolution exactly, position
# by position (in float64, so that only a real difference could show):

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
layer = CausalConv1d(3, 5, DRAWN_LAYER["kernel_size"], DRAWN_LAYER["dilation"]).double()
h = torch.randn(2, 3, DRAWN_LAYER["length"], dtype=torch.float64)
queue = ConvQueue(layer, batch=2)
with torch.no_grad():
    stepped = torch.stack([queue(h[:, :, d]) for d in range(h.shape[-1])], dim=2)
    print("queue equals the full convolution at every position:", torch.allclose(stepped, layer(h), rtol=0, atol=1e-12))

# %% [markdown]
# **Images.** A masked $k \times k$ convolution (chapter 05) reads, for pixel $(i, j)$, the rows
# $i - \lfloor k/2 \rfloor, \dots, i$ of its input around column $j$. `MaskedConvCache` keeps the
# layer's input map and fills it in pixel by pixel; a step multiplies one window, only the rows the
# mask keeps.

# %%
armlib.show_source(MaskedConvCache)

# %% [markdown]
# The **gated PixelCNN** (chapter 06) has a better schedule still. Its vertical stack at row $i$
# never sees row $i$ of the image, so at the start of each row we compute the whole row of every
# block's vertical stack at once; then the horizontal stack goes pixel by pixel, block after block,
# reading a row buffer and the vertical features of its row:

# %%
armlib.show_source(GatedPixelCNNSteps.__call__)

# %% [markdown]
# `armlib.cached.incremental(net, ...)` picks the right schedule for each network of the book (the
# recurrent network's cache is simply its hidden state), and refuses a network it does not know.
#
# ## 3. Cached sampling: the same samples, in a fraction of the time
#
# First the promise: for the same generator state, all three samplers return the same samples. We
# check it on float64 copies of the book's digits models (random weights will do: the check is about
# the computation, not the model), where no rounding difference could flip a draw.

# %%
# NBVAL_CHECK_OUTPUT
for name in ("causal_conv1d_tomczak", "causal_conv1d", "pixelcnn", "gated_pixelcnn"):
    model = armlib.MODELS[name]().double()
    draws = {method: sample(model, SAME_SAMPLES_BATCH, method, generator=torch.Generator().manual_seed(1))
             for method in ("plain", "cached", "predictive")}
    same = all(torch.equal(draws["plain"], draws[method]) for method in ("cached", "predictive"))
    print(f"{name:20s} plain == cached == predictive: {same}")

# %% [markdown]
# Now the time. We sample a batch of $8$ with the plain and the cached sampler from two untrained
# networks (weights do not change the amount of work) over growing $D$: the improved CausalConv1D
# (32 channels) on sequences, and a gated PixelCNN (32 channels, 4 blocks) on square canvases of the
# same $D$ (Figure 2). The plain sampler makes $D$ passes that each grow with $D$, so its curve bends
# up towards the slope of $D^2$ (dotted) once a pass is big enough for its fixed overhead not to
# matter. A cached step costs the same at any $D$, so the cached curve follows the slope of $D$
# (dash-dotted).

# %%
def seconds(run, budget=0.5):
    """The fastest of as many runs as fit in ``budget`` seconds (at least one): less noise for short runs."""
    best, spent = float("inf"), 0.0
    while spent < budget:
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
    return best


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
                                       seconds(lambda: cached_sample_from_noise(model, noise)))

dims = [side * side for side in TIMING_SIDES]
fig, ax = plt.subplots(figsize=(7, 4.5))
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
ax.set_xlabel("D (positions per sample)")
ax.set_ylabel(f"seconds per batch of {TIMING_BATCH}")
ax.set_title(f"Figure 2. The cost of a batch of {TIMING_BATCH} samples against D")
ax.legend(fontsize=8)
plt.show()

for label in builders:
    ratios = ", ".join(f"D={side * side}: {timings[label, side * side][0] / timings[label, side * side][1]:.1f}x"
                       for side in TIMING_SIDES)
    print(f"{label:15s} cached speed-up  {ratios}")

# %% [markdown]
# (The numbers vary from run to run and machine to machine; `benchmarks/sampling.py` measures them
# carefully, at batch sizes 1 to 256, on the digits and on a 28 x 28 canvas.)

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
# ones before it, $x_d = g(\mathbf{x}_{<d}, \epsilon_d)$ (for the categorical head, Gumbel-max:
# $g = \arg\max_l \theta_{d,l}(\mathbf{x}_{<d}) + \epsilon_{d,l}$). Take any guess
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
# models. We train the improved CausalConv1D (32 channels) briefly twice: on the digits with their 17
# grey levels, and on the **binarised** digits (`armlib.binarise`: ink or paper) with a two-valued
# categorical head.

# %%
def trained_arm(num_vals, data):
    torch.manual_seed(0)
    model = armlib.ARM(DilatedConvNet(num_vals, **PREDICTIVE_NET), armlib.Categorical(num_vals), (DIGIT_LENGTH,))
    history = armlib.fit(model, data(train), data(val), **FIT)
    return model, history, armlib.evaluate(model, data(test))


digits_model, digits_history, digits_score = trained_arm(armlib.NUM_VALS, lambda x: x)
binary_model, binary_history, binary_score = trained_arm(2, armlib.binarise)
print(f"digits:           test NLL {digits_score.nats:.2f} nats per image "
      f"(uniform {armlib.uniform_nats(DIGIT_LENGTH, armlib.NUM_VALS):.1f})")
print(f"binarised digits: test NLL {binary_score.nats:.2f} nats per image "
      f"(uniform {armlib.uniform_nats(DIGIT_LENGTH, 2):.1f})")

# %%
assert digits_score.nats < 100.0, digits_score
assert binary_score.nats < 30.0, binary_score
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
plots.learning_curve(digits_history, ax=left)
left.set_title("digits")
plots.learning_curve(binary_history, ax=right)
right.set_title("binarised digits")
fig.suptitle("Figure 3. Learning curves of the two models we sample from")
plt.tight_layout()
plt.show()

# %% [markdown]
# We draw $64$ samples from each model with the predictive sampler, and check on float64 copies that
# the plain sampler returns the very same samples (for the first $16$ of them, to save time).
# Figure 4 shows half of them.

# %%
runs = {}
for label, model in (("digits", digits_model), ("binarised digits", binary_model)):
    runs[label] = predictive_sample_from_noise(model, model.noise(NUM_SAMPLES, torch.Generator().manual_seed(2)))
    exact = copy.deepcopy(model).double()
    noise = exact.noise(NUM_SAMPLES, torch.Generator().manual_seed(2))[:EXACT_CHECK]
    assert torch.equal(predictive_sample_from_noise(exact, noise).samples, exact.sample_from_noise(noise)), label

fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
plots.image_grid(runs["digits"].samples[:32], 4, ax=axes[0], title="digits: predictive samples")
plots.image_grid(runs["binarised digits"].samples[:32], 4, num_vals=2, ax=axes[1],
                 title="binarised digits: predictive samples")
fig.suptitle("Figure 4. Samples drawn with the predictive sampler")
plt.show()

# %% [markdown]
# **The accepted prefix, pass by pass.** Figure 5 follows one binarised sample; each panel shows
# what is known after a pass: the exact pixels (ink black, paper white), the ones this pass fixed in
# orange, and the positions still open in blue-grey. The first pass, run on an all-blank guess,
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
example = int(binary_run.passes_per_sample.argsort()[NUM_SAMPLES // 2])  # a sample with the median pass count
finals = [int(final[example]) for final in binary_run.final_positions[:int(binary_run.passes_per_sample[example])]]
frames = prefix_frames(binary_run.samples[example], finals, num_vals=2)
fig, axes = plt.subplots(1, len(frames), figsize=(1.3 * len(frames), 1.8))
for k, (ax, frame) in enumerate(zip(axes, frames)):
    ax.imshow(frame.numpy(), interpolation="nearest")
    ax.set_title(f"pass {k + 1}\n{finals[k]}/{DIGIT_LENGTH}", fontsize=9)
    ax.set_axis_off()
fig.suptitle("Figure 5. One binarised sample after each predictive pass (orange: fixed by that pass)", y=1.15)
plt.show()
print(f"positions fixed after each pass: {finals}")

# %% [markdown]
# **Network calls saved.** Every sample follows a staircase of fixed positions against passes
# (Figure 6); the plain sampler climbs it one position per pass (the diagonal). An example leaves
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
fig.suptitle("Figure 6. Positions fixed against network passes: one line for each sample")
plt.tight_layout()
plt.show()

savings = {}
for label, run in runs.items():
    mean_passes = run.passes_per_sample.float().mean().item()
    savings[label] = 1 - mean_passes / DIGIT_LENGTH
    print(f"{label:17s} passes per sample: mean {mean_passes:5.2f}, median {run.passes_per_sample.median().item():3d}, "
          f"max {run.passes:3d} (plain: {DIGIT_LENGTH})   calls saved: {savings[label]:.0%}")

# %%
assert savings["binarised digits"] >= MIN_SAVING_BINARY, savings

# %% [markdown]
# On the binarised digits the predictive sampler needed $8.48$ passes per sample on average instead
# of $64$: $87\%$ of the network calls saved. On the digits with 17 grey levels it needed $20.39$, a
# saving of $68\%$. Why the difference? A pass ends at the first position where the new draw
# disagrees with the guess, and the guess there was drawn with the same noise but from a slightly
# different past. A binary pixel has two values to disagree on, a grey one seventeen, and where the
# model spreads its probability over several neighbouring grey levels two draws have more room to
# differ. That is a reading of the numbers, not a measurement: this chapter does not count
# where the disagreements fall (exercise 3 starts on that).
#
# Two caveats keep these numbers honest. A batch waits for its slowest example (the max, $32$ passes
# on the digits), which is why the sampler drops finished examples from each pass. And calls are not
# time: each predictive pass is a full pass over all $D$ positions, while a cached step computes one
# position. So we time the three samplers on the trained digits model, drawing the same $64$ samples
# with each:

# %%
sampler_seconds = {method: seconds(lambda: sample(digits_model, NUM_SAMPLES, method,
                                                  generator=torch.Generator().manual_seed(2)))
                   for method in ("plain", "cached", "predictive")}
for method, elapsed in sampler_seconds.items():
    print(f"{method:10s} {elapsed:.3f} s for {NUM_SAMPLES} samples "
          f"({sampler_seconds['plain'] / elapsed:.1f}x the plain sampler's speed)")

# %%
assert sampler_seconds["cached"] < sampler_seconds["predictive"] < sampler_seconds["plain"], sampler_seconds

# %% [markdown]
# On this CPU, with a batch of 64 and $D = 64$, the cached sampler is the fastest of the three,
# although the predictive sampler makes far fewer network calls: a cached step is one position's
# work, a predictive pass is 64 positions' work for every sample still in the batch. The predictive
# sampler still beats the plain one, which makes 64 full passes. How the three compare changes with
# the batch and with $D$ (Figure 2 showed the cached speed-up growing with $D$);
# `benchmarks/sampling.py` times all three side by side at batch sizes from 1 to 256, on the digits
# and on a 28 x 28 canvas.
#
# ## Summary
#
# - The plain sampler runs the whole network once per position: $D$ passes, $D^2$ positions' work.
# - **Caching** keeps what a causal network has already computed: a queue of $(k-1)r + 1$ inputs per
#   dilated causal convolution, the input map of each masked convolution, the gated PixelCNN's
#   vertical stack a row at a time. Each step then costs one position: linear in $D$ instead of
#   quadratic, with the very same samples.
# - **Predictive sampling** (Wiggers & Hoogeboom, 2020) draws all the noise first, then fixes, per
#   full pass, every position up to the first one its guess got wrong. Here the guess is the last
#   pass's own draws (fixed-point iteration), not a learned forecaster. A trained model is
#   predictable enough that most positions come in bulk: $87\%$ of the calls saved on binarised
#   digits, $68\%$ on the digits.
# - Calls are not time. On this CPU, for 64 digits at once, the cached sampler was the fastest of
#   the three, and the predictive sampler beat the plain one.
#
# ## Exercises
#
# 1. **Memory of the queues.** The improved CausalConv1D has an option-A layer with $k_0 = 3$ and five
#    gated blocks with $k = 3$ and dilations $1, 2, 4, 8, 16$. How many input vectors do its queues
#    hold together? Compare with the $D \times$ (number of layers) vectors a cache of every
#    activation would hold, for $D = 64$ and for $D = 16\,000$ (one second of 16 kHz audio).
# 2. **Where caching stops paying.** Time the cached and the plain sampler at batch 1 and at batch
#    256 (`benchmarks/sampling.py --batch-sizes 1 256`). Why does the speed-up grow with the batch?
#    (Think of how many times each weight is read per multiply-add in a one-position step.)
# 3. **Sharper or flatter.** Divide the logits of the binarised model by a temperature $T$ before the
#    draw ($T < 1$ sharpens). How do the calls per sample change for $T = 0.5, 1, 2$? Which pixels does
#    predictive sampling get right in bulk, and which force a new pass?
# 4. **A better first guess.** Wiggers & Hoogeboom (2020) *learn* a forecasting module that predicts
#    $x_{d+1}, x_{d+2}, \dots$ beside $x_d$. A cheap alternative here: start from the most common
#    training image instead of zeros. Does it save passes?
# 5. **Both at once.** Predictive sampling runs full passes. After a pass fixed positions up to $d$,
#    which activations of that pass can the next one reuse, for the CausalConv1D? Sketch a sampler
#    that combines the queues with predictive passes.

# %% [markdown]
# ## References
#
# - Paine, T. L., Khorrami, P., Chang, S., Zhang, Y., Ramachandran, P., Hasegawa-Johnson, M. A., & Huang, T. S. (2016). Fast Wavenet Generation Algorithm. *arXiv preprint arXiv:1611.09482*.
# - Ramachandran, P., Paine, T. L., Khorrami, P., Babaeizadeh, M., Chang, S., Zhang, Y., et al. (2017). Fast Generation for Convolutional Autoregressive Models. *arXiv preprint arXiv:1704.06001*.
# - Salimans, T., Karpathy, A., Chen, X., & Kingma, D. P. (2017). PixelCNN++: Improving the PixelCNN with Discretized Logistic Mixture Likelihood and Other Modifications. *International Conference on Learning Representations (ICLR)*.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
# - van den Oord, A., Dieleman, S., Zen, H., Simonyan, K., Vinyals, O., Graves, A., et al. (2016a). WaveNet: A Generative Model for Raw Audio. *arXiv preprint arXiv:1609.03499*.
# - Wiggers, A. J., & Hoogeboom, E. (2020). Predictive Sampling with Forecasting Autoregressive Models. *Proceedings of the 37th International Conference on Machine Learning (ICML)*, 10260–10269.
