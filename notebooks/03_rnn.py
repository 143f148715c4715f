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
# # 03 · Recurrent networks: unbounded memory, one step at a time
#
# Chapter 02's MLP saw two pixels; the pixel above $x_d$, eight steps back, was out of its reach,
# and widening the window only moves the wall. A recurrent network removes the wall. It keeps a
# hidden state $h_d$, a fixed-size summary of everything seen so far, and updates it with one
# pixel per step:
#
# $$h_d = \mathrm{RNN}(x_{d-1}, h_{d-1}), \qquad
#   p(x_d \mid \mathbf{x}_{<d}) = \mathrm{Categorical}\big(x_d \mid \theta_d\big), \quad
#   \theta_d = \mathrm{softmax}(W h_d + b).$$
#
# The same cell runs at every step, so the parameters are shared as in chapter 02, but $\theta_d$
# can now depend on all of $x_1, \ldots, x_{d-1}$. The seed names the price in two parts, and this
# chapter measures both:
#
# 1. **it is sequential**: $h_d$ needs $h_{d-1}$, so the 64 steps run one after another;
# 2. **it can be badly conditioned**: the gradient that reaches a pixel $k$ steps back has been
#    multiplied by $k$ Jacobians of the recurrence, and shrinks or grows geometrically with $k$
#    unless those Jacobians stay close to norm 1.

# %%
import copy
import statistics
import time

import matplotlib.pyplot as plt
import torch

import armlib
from armlib import ladder, plots
from armlib.rnn import RecurrentNet, input_gradient_norms, set_spectral_radius

armlib.setup(seed=0)

HIDDEN = 256          # size of the hidden state h_d
EMBEDDING_DIM = 16    # size of the learned vector e(v) for each pixel value
LR = 5e-3             # Adam's learning rate
EPOCHS = 15           # training epochs: what fits the 3-minute budget of a chapter
PATIENCE = 5          # epochs without a better validation NLL before stopping
CLIP = 1.0            # gradient clipping threshold c (global L2 norm)
RADII = [0.5, 1.0, 2.0]  # spectral radii of W_hh for the plain tanh RNN
GRADIENT_BATCH = 64   # test digits the gradient measurement averages over
CONV_CHANNELS = 128   # width of the causal convolution that the timing compares against
TIMING_EPOCHS = 2     # epochs each network trains for the timing
LATENCY_REPEATS = 50  # forward passes timed to score one digit (their median is reported)
NUM_SAMPLES = 16      # digits drawn from the model

x_train, x_val, x_test = (armlib.load_digits(split) for split in ("train", "val", "test"))

# %% [markdown]
# ## 1. The model
#
# `RecurrentNet` is the network half of the ARM. Each pixel value $v \in \{0, \ldots, 16\}$ enters
# as a learned vector $e(v)$ (a one-hot of $v$ times a weight matrix), and the step inputs are the
# data **shifted right by one**: step $d$ is fed $e(x_{d-1})$, and step 1, which has no predecessor,
# a learned start vector. That shift is all it takes to make the network causal: $h_d$ has seen
# $x_1, \ldots, x_{d-1}$ and cannot have seen $x_d$. The cell is PyTorch's `nn.GRU` by default
# (`nn.LSTM` and the plain tanh `nn.RNN` on request), which runs the whole loop over the 64 steps.
#
# The network is split into `inputs` (data to step inputs) and `recur` (step inputs to logits) so
# that section 2 can take gradients with respect to the step inputs.

# %%
armlib.show_source(RecurrentNet)

# %% [markdown]
# Two checks on a fresh, untrained network. The inputs are the shifted data: step 1 gets the start
# vector (index 17 in the embedding table), step $d$ gets the value of pixel $d - 1$. And the
# memory is unbounded: changing $x_1$ changes the prediction at every later position, the last one
# included, while the two-pixel MLP of chapter 02 feels it at positions 2 and 3 only.

# %%
# NBVAL_CHECK_OUTPUT
probe = RecurrentNet(armlib.NUM_VALS, hidden=8).double().eval()
digit = x_test[:1]
shifted = torch.nn.functional.pad(digit[:, :-1], (1, 0), value=probe.start)
assert torch.equal(probe.inputs(digit), probe.embedding(shifted))
print("pixels x_1..x_6:             ", digit[0, :6].tolist())
print("embedding index fed at d=1..6:", shifted[0, :6].tolist())

changed = digit.clone()
changed[0, 0] = 16
mlp = armlib.MODELS["mlp"]().double().eval()
with torch.no_grad():
    for name, net in [("RNN", probe), ("2-pixel MLP", mlp.net)]:
        moved = ((net(changed) != net(digit)).any(1)[0].nonzero().flatten() + 1).tolist()
        print(f"{name:12s}: changing x_1 moves theta_d at {len(moved)} positions, d = {moved[0]} ... {moved[-1]}")

# %%
# NBVAL_CHECK_OUTPUT
model = armlib.MODELS["rnn"](hidden=HIDDEN, embedding_dim=EMBEDDING_DIM)
print(model)
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

# %% [markdown]
# ## 2. How far back does a gradient reach?
#
# Learning that $x_d$ depends on $x_{d-k}$ needs a gradient signal from the loss at $d$ back to
# the input $k$ steps earlier. For the plain tanh RNN,
# $h_t = \tanh(W_{ih}\, e(x_{t-1}) + W_{hh} h_{t-1} + b)$, the chain rule gives
#
# $$\frac{\partial \ell_D}{\partial e(x_{D-k})}
#   = \frac{\partial \ell_D}{\partial h_D}
#     \Bigg(\prod_{t=D-k+2}^{D} \mathrm{diag}\big(1 - h_t^2\big)\, W_{hh}\Bigg)
#     \mathrm{diag}\big(1 - h_{D-k+1}^2\big)\, W_{ih},$$
#
# a product of $k - 1$ Jacobians of one step. If the largest eigenvalue magnitude (the spectral
# radius) of $W_{hh}$ is below 1 (and $|\tanh'| \le 1$ only helps), the product **vanishes**
# geometrically in $k$: distant pixels send no signal and the long-range dependencies are never
# learned. Well above 1 the state is driven into a chaotic regime where small differences grow
# from step to step, and the product **explodes**: one batch can produce a gradient large enough
# to throw the weights far away.
#
# `input_gradient_norms` measures this directly. For the loss at the last position,
# $\ell_{64} = -\log p(x_{64} \mid \mathbf{x}_{<64})$, it returns
# $\lVert \partial \ell_{64} / \partial e(x_{64-k}) \rVert$ for $k = 1, \ldots, 63$, averaged over a
# batch of digits; `set_spectral_radius` rescales $W_{hh}$ of a tanh RNN to a chosen radius.

# %%
armlib.show_source(input_gradient_norms)

# %%
armlib.show_source(set_spectral_radius)

# %% [markdown]
# We measure three tanh RNNs at initialisation, with $W_{hh}$ rescaled to spectral radius 0.5, 1.0
# and 2.0, and the untrained GRU of the model we are about to train.

# %%
def describe(name, norms):
    """Print the norms at k = 1, 8 and 63, their ratio over 62 steps, and the mean factor per step."""
    ratio = (norms[-1] / norms[0]).item()
    print(f"{name:24s} k = 1: {norms[0].item():8.2e}   k = 8: {norms[7].item():8.2e}   k = 63: "
          f"{norms[-1].item():8.2e}   k=63 / k=1: {ratio:8.1e}   per step: x{ratio ** (1 / 62):.2f}")


def plot_gradient_norms(gradients, title):
    """Gradient norm against distance k, log scale; grey lines every 8 pixels (one row back)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, norms in gradients.items():
        ax.semilogy(range(1, len(norms) + 1), norms, label=name)
    for row in range(8, 64, 8):
        ax.axvline(row, color="grey", linewidth=0.5, alpha=0.5)
    ax.set_xlabel("distance k (pixel x_(64-k)); grey lines: whole rows back")
    ax.set_ylabel("|| d loss_64 / d e(x_(64-k)) ||")
    ax.set_title(title)
    ax.legend()
    return ax


# %%
gradient_digits = x_test[:GRADIENT_BATCH]
recurrences = {}
for radius in RADII:
    recurrences[f"tanh RNN, radius {radius}"] = armlib.MODELS["rnn"](hidden=HIDDEN, cell="tanh",
                                                                    embedding_dim=EMBEDDING_DIM)
    set_spectral_radius(recurrences[f"tanh RNN, radius {radius}"].net, radius)
recurrences["GRU, untrained"] = model
gradients = {name: input_gradient_norms(net, gradient_digits) for name, net in recurrences.items()}
for name, norms in gradients.items():
    describe(name, norms)
plot_gradient_norms(gradients, "gradient of the last term, at initialisation")
plt.show()

# %% [markdown]
# The measurement follows the theory.
#
# - **Radius 0.5 vanishes**: the gradient from 63 pixels back is $2 \cdot 10^{-20}$ times the one
#   from the previous pixel. Nothing at the top of the digit can teach the loss at the bottom.
# - **Radius 2.0 explodes**: $2.3 \cdot 10^{4}$ times larger at $k = 63$, growing with every row.
# - **Radius 1.0 sits between them** and still decays, by $4 \cdot 10^{-4}$ over 63 steps, because
#   the factor $\mathrm{diag}(1 - h_t^2)$ is below 1 wherever a unit is away from zero.
# - **The untrained GRU vanishes too**, by a factor of about 0.63 per step: its gates start near one
#   half, so each step passes on only part of the state, and of the gradient.
#
# At initialisation, then, only a carefully tuned plain RNN keeps distant pixels in reach. Section
# 5 asks what training does to the GRU.

# %% [markdown]
# ## 3. Clipping
#
# Vanishing has no cheap cure, but exploding has one. **Gradient clipping** rescales the whole
# gradient $g$ (all parameters together) whenever its length exceeds a threshold $c$,
#
# $$g \leftarrow g \cdot \min\Big(1, \frac{c}{\lVert g \rVert}\Big),$$
#
# which keeps its direction and bounds the step that any one batch can cause. `armlib.fit` does
# this after every backward pass when given `clip_grad_norm=c` (it calls
# `torch.nn.utils.clip_grad_norm_`). Here it is on one batch, for the exploding tanh RNN and for
# the untrained GRU.

# %%
batch = x_train[:64]
for name in [f"tanh RNN, radius {RADII[-1]}", "GRU, untrained"]:
    net = copy.deepcopy(recurrences[name])
    (-net.log_prob(batch).mean()).backward()
    before = torch.cat([p.grad.flatten() for p in net.parameters()])
    norm = torch.nn.utils.clip_grad_norm_(net.parameters(), CLIP)
    after = torch.cat([p.grad.flatten() for p in net.parameters()])
    cosine = torch.nn.functional.cosine_similarity(before, after, dim=0)
    print(f"{name:22s}: ||g|| = {norm.item():9.1f} -> {after.norm().item():.3f} after clipping at c = {CLIP}, "
          f"direction kept (cosine {cosine.item():.4f})")

# %% [markdown]
# One batch gives the exploding RNN a gradient of length 25,076 (the loss is in nats per image, a
# sum of 64 terms, so even healthy gradients are tens long). Plain gradient descent would move the
# weights by the learning rate times that. Adam's steps are bounded by its learning rate, but its
# running averages are not: one such batch inflates the second-moment estimate and shrinks the
# steps that follow for many updates. After clipping, the gradient has length $c = 1$ and
# the same direction (cosine 1).
#
# The untrained GRU's gradient, 65.3, is also longer than $c$, so with $c = 1$ clipping acts on the
# GRU's ordinary updates too, not only on rare spikes: every clipped batch then weighs the same
# in Adam's running averages, however steep its loss. That is the setting we train with.

# %% [markdown]
# ## 4. Training the GRU
#
# A GRU replaces the plain update with a gated one,
# $h_d = (1 - z_d) \odot h_{d-1} + z_d \odot \tilde{h}_d$, where the update gate $z_d \in (0, 1)$
# is computed from $e(x_{d-1})$ and $h_{d-1}$ (PyTorch's convention names the gate the other way
# round). Where the network learns $z_d \approx 0$ for a unit, that unit copies its value forward and
# its Jacobian is close to the identity: the gradient passes through such steps almost untouched.
# Whether it learns that is an empirical question, answered in section 5.

# %%
history = armlib.fit(model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE, clip_grad_norm=CLIP)
score = armlib.evaluate(model, x_test)
print(f"GRU ({HIDDEN} units): test NLL {score.nats:.2f} nats/image = {score.bpd:.3f} bits/dim "
      f"(best epoch {history.best_epoch} of {history.epochs}, {history.seconds[-1]:.0f} s, "
      f"{history.seconds[-1] / history.epochs:.1f} s per epoch)")
assert score.nats <= 87, "the GRU should reach 87 nats or better on test"

# %%
fig, ax = plt.subplots(figsize=(7, 4))
plots.learning_curve(history, labels=[f"GRU {HIDDEN}"], ax=ax)
ax.set_ylim(top=130)
plt.show()

# %% [markdown]
# The GRU scores 83.88 nats per image on test, 12.78 below the best model of chapter 02 (96.66),
# after the 15 epochs of the budget, with its best validation NLL at epoch 12. The learning curve
# shows the validation NLL flattening from about there while the training NLL keeps falling: the
# 215,089 parameters start to fit the 1000 training digits rather than digits in general. The samples show what unbounded
# memory buys: strokes continue from one row to the next and loops close, and most samples would
# pass for a digit, though not all.

# %%
samples = model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title=f"GRU {HIDDEN} samples")
plt.show()

# %% [markdown]
# ## 5. The trained GRU's gradients
#
# The same measurement as in section 2, now on the trained GRU, beside its untrained self.

# %%
trained_gradients = {"GRU, untrained": gradients["GRU, untrained"],
                     "GRU, trained": input_gradient_norms(model, gradient_digits)}
for name, norms in trained_gradients.items():
    describe(name, norms)
trained = trained_gradients["GRU, trained"]
print(f"trained GRU, largest gradient beyond k = 1: at k = {int(trained[1:].argmax()) + 2}")
plot_gradient_norms(trained_gradients, "gradient of the last term: the GRU before and after training")
plt.show()

# %% [markdown]
# Training has changed the picture. The trained GRU's gradient from 63 steps back is about 1% of
# the one from the previous pixel ($1.1 \cdot 10^{-2}$, against $4.5 \cdot 10^{-13}$ before training):
# it has learned gates that carry information, and gradient, across the whole digit. The curve
# also shows what the model looks at: after the previous pixel, the largest gradient comes from
# $k = 8$, the pixel directly above $x_{64}$, exactly the dependency that the two-pixel window of
# chapter 02 could not reach.

# %% [markdown]
# ## 6. The price of being sequential
#
# The GRU's 64 steps run one after another, each a small matrix product of a batch of hidden
# states with $W_{hh}$. A causal convolution (chapter 04) computes all 64 positions of a layer in one
# large operation. We compare the GRU with chapter 04's convolutional network (the seed's four
# layers of kernel 7) at `CONV_CHANNELS` channels, which has a similar number of parameters, in two
# ways: the time of a training epoch with `armlib.fit` (batches of 64 digits), and the time to
# score a single digit, one forward pass (the median of `LATENCY_REPEATS` calls). The two run
# one after the other on the same thread.

# %%
def seconds_per_epoch(arm):
    """Mean wall time of a training epoch, validation pass included."""
    timing = armlib.fit(arm, x_train, x_val, epochs=TIMING_EPOCHS, patience=TIMING_EPOCHS, progress=False)
    return timing.seconds[-1] / timing.epochs


@torch.no_grad()
def milliseconds_per_digit(arm, repeats=LATENCY_REPEATS):
    """Median wall time to score one digit, after one warm-up call (the median ignores the calls
    that another process on the machine happened to slow down)."""
    arm.eval()
    arm.log_prob(x_test[:1])
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        arm.log_prob(x_test[:1])
        seconds.append(time.perf_counter() - start)
    return 1000 * statistics.median(seconds)


contenders = {f"GRU ({HIDDEN} units)": armlib.MODELS["rnn"](hidden=HIDDEN, embedding_dim=EMBEDDING_DIM),
              f"causal conv ({CONV_CHANNELS} channels)": armlib.MODELS["causal_conv1d_tomczak"](channels=CONV_CHANNELS)}
timings = {}
for name, arm in contenders.items():
    timings[name] = (seconds_per_epoch(arm), milliseconds_per_digit(arm))
    print(f"{name:28s} {sum(p.numel() for p in arm.parameters()):8,} parameters   "
          f"{timings[name][0]:5.2f} s per epoch   {timings[name][1]:5.2f} ms per digit")
(gru_epoch, gru_digit), (conv_epoch, conv_digit) = timings.values()
print(f"GRU / convolution: {gru_epoch / conv_epoch:.1f}x per epoch, {gru_digit / conv_digit:.1f}x per digit")

# %% [markdown]
# Two different answers, both worth knowing.
#
# - **Per epoch** the two are within a small factor of each other (the printout gives the ratio).
#   On one CPU thread, with 64 digits per batch, both spend their time on arithmetic, and similar
#   numbers of parameters mean similar arithmetic: the batch gives the GRU's small matrix products
#   enough rows to run efficiently.
# - **Per digit** the loop shows. The GRU makes 64 small calls in sequence, the convolution four
#   large ones, and the GRU is several times slower. On hardware that runs many operations in
#   parallel (many cores, a GPU) this is the gap that grows, because a convolution spreads its 64
#   positions over the hardware and a recurrence cannot.
#
# Sampling is sequential for both: `ARM.sample` runs the network once per position. Here the GRU
# has an advantage that chapter 04 will miss: its state $h_d$ already summarises the past, so a
# sampler could carry it forward and do one step per pixel instead of a whole pass (exercise 5).

# %% [markdown]
# ## 7. The ladder

# %%
rows = [ladder.entry(f"GRU ({HIDDEN} units)", model, score, history)]
ladder.record("03_rnn", rows)
print(rows[0])

# %% [markdown]
# ## Summary
#
# | model | what $\theta_d$ reads | parameters | test NLL [nats/image] |
# |---|---|---:|---:|
# | 2-pixel MLP + position (chapter 02) | $x_{d-1}, x_{d-2}, d$ | 10,769 | 96.66 |
# | GRU, 256 units | $x_1, \ldots, x_{d-1}$ through $h_d$ | 215,089 | 83.88 |
#
# - The recurrence $h_d = \mathrm{RNN}(x_{d-1}, h_{d-1})$, fed the data shifted by one, gives every
#   conditional the whole past with one shared cell.
# - Whether the past is *used* depends on the gradients. Measured at initialisation, they vanish
#   geometrically in the distance for a contracting tanh RNN and for the GRU, and explode for a
#   tanh RNN with spectral radius 2. Clipping tames the explosions; nothing at initialisation fixes
#   the vanishing, but the GRU learns gates that keep distant pixels in reach, and the trained
#   model's strongest long-range gradient points at the pixel above.
# - The price is the sequential loop: negligible for batched training on one CPU thread, several
#   times the latency of a convolution for a single digit. Chapter 04 builds the convolution and
#   measures its own price, sampling.
#
# ## Exercises
#
# 1. **Longer training.** Set `EPOCHS = 40` and `PATIENCE = 10`. How much lower does the test NLL
#    go, and at what cost in time?
# 2. **LSTM and tanh.** Train `armlib.MODELS["rnn"](cell="lstm")` and a tanh RNN with spectral radius
#    1.0 under the same budget. Measure their trained gradients with `input_gradient_norms`: which
#    keeps distant pixels in reach?
# 3. **Train an exploding RNN.** Train the tanh RNN with radius 2.0 for a few epochs with
#    `clip_grad_norm=None` and with `clip_grad_norm=CLIP`, at a larger learning rate such as 0.02.
#    Does either diverge (`armlib.TrainingDiverged`)?
# 4. **Gate bias.** Initialise the GRU's update-gate biases so the gate starts out copying
#    $h_{d-1}$ forward (in PyTorch, the second block of `rnn.bias_hh_l0`; which sign?). Remeasure
#    the gradients at initialisation. Does training get faster?
# 5. **A faster sampler.** `ARM.sample` runs the whole network for each of the 64 positions,
#    i.e. $64 \cdot 64$ recurrent steps, though 64 suffice: carry $h_d$ from one step to the next.
#    Write that sampler with the head's `noise` and `sample` methods and check that it returns
#    exactly the same digits as `model.sample_from_noise` for the same noise. Then compare it with
#    the book's version, `armlib.cached.RecurrentSteps`, which
#    `armlib.sampling.sample(model, n, method="cached")` uses, and time all three.
