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
# can now depend on all of $x_1, \ldots, x_{d-1}$. This is the second model of Tomczak (2022), who
# names its price in two parts; this chapter measures both:
#
# 1. **it is sequential**: $h_d$ needs $h_{d-1}$, so the 64 steps run one after another;
# 2. **it can be badly conditioned**: the gradient that reaches a pixel $k$ steps back has been
#    multiplied by $k - 1$ Jacobians of the recurrence, and can shrink or grow geometrically with
#    $k$ (vanishing or exploding gradients).

# %%
import copy
import statistics
import time

import matplotlib.pyplot as plt
import torch

import armlib
from armlib import diagrams, ladder, plots
from armlib.book.display import table
from armlib.models.rnn import RecurrentNet, gru_update_gates, input_gradient_norms, set_spectral_norm

armlib.setup(seed=0, threads=1)  # one CPU thread, on any machine: the timings of sections 4 and 6 assume it

HIDDEN = 256          # size of the hidden state h_d
EMBEDDING_DIM = 16    # size of the learned vector e(v) for each pixel value
LR = 5e-3             # Adam's learning rate
EPOCHS = 15           # training epochs: what fits the 3-minute budget of a chapter
PATIENCE = 5          # epochs without a better validation NLL before stopping
CLIP = 1.0            # gradient clipping threshold c (global L2 norm)
NORMS = [0.5, 1.0, 2.0, 4.0]  # spectral norms of W_hh (largest singular values) for the plain tanh RNN
GRADIENT_BATCH = 64   # test digits the gradient measurement averages over
MAX_DISTANCE = 32     # distances k = 1..32 back; the targets are the last 32 pixels (rows 5-8)
CONV_CHANNELS = 128   # width of the causal convolution that the timing compares against
TIMING_EPOCHS = 3     # epochs each network trains for the timing
LATENCY_REPEATS = 50  # forward passes timed to score one digit (their median is reported)
NUM_SAMPLES = 16      # digits drawn from the model

x_train, x_val, x_test = (armlib.load_digits(split) for split in ("train", "val", "test"))

# %% [markdown]
# ## 1. The model
#
# Figure 3.1 draws the recurrence over five pixels. Compared with chapter 02's Figure 2.1 there is one
# new kind of arrow, from $h_{d-1}$ to $h_d$: the hidden state is handed on from step to step, so
# $\theta_4$ (red) depends on $x_3$ directly and, through $h_3$, $h_2$ and $h_1$, on every pixel
# before it.

# %%
fig, ax = plt.subplots(figsize=(9, 3.4))
diagrams.unrolled_rnn_diagram(length=5, highlight=4, ax=ax)
armlib.show_figure("3.1", "The recurrent ARM unrolled over $x_1, \\ldots, x_5$ (after Tomczak (2022), Fig. 2): "
                   "inputs blue, hidden states orange, output probabilities green. Step $d$ reads $x_{d-1}$ "
                   "and $h_{d-1}$; the first step reads a learned `start` vector and $h_0 = 0$. The edges "
                   "into $\\theta_4$ are red.")

# %% [markdown]
# `RecurrentNet` is the network half of the ARM. Each pixel value $v \in \{0, \ldots, 16\}$ enters
# as a learned vector $e(v)$ (a one-hot of $v$ times a weight matrix), and the step inputs are the
# data **shifted right by one**: step $d$ is fed $e(x_{d-1})$, and step 1, which has no predecessor,
# a learned start vector. That shift is all it takes to make the network causal: $h_d$ has seen
# $x_1, \ldots, x_{d-1}$ and cannot have seen $x_d$. The cell is PyTorch's `nn.GRU` by default, the
# gated recurrent unit of Cho et al. (2014), described in section 4; the LSTM (Hochreiter & Schmidhuber, 1997)
# and the plain tanh RNN are there on request. The PyTorch module runs the whole loop over the 64
# steps.
#
# The network is split into `inputs` (data to step inputs) and `recur` (step inputs to logits) so
# that section 2 can take gradients with respect to the step inputs.

# %%
armlib.show_source(RecurrentNet, methods=["__init__", "inputs", "recur", "forward"])

# %% [markdown]
# Two checks on a fresh, untrained network. The inputs are the shifted data: step 1 gets the start
# vector (index 17 in the embedding table), step $d$ gets the value of pixel $d - 1$. And the
# memory is unbounded: changing $x_1$ changes the prediction at every later position, the last one
# included, while the two-pixel MLP of chapter 02 feels it at positions 2 and 3 only.

# %% tags=["nbval-check-output"]
probe = RecurrentNet(armlib.NUM_VALS, hidden=8).double().eval()
digit = x_test[:1]
shifted = torch.nn.functional.pad(digit[:, :-1], (1, 0), value=probe.start)
assert torch.equal(probe.inputs(digit), probe.embedding(shifted))
display(table(["step $d$", *range(1, 7)], [["pixel $x_d$", *digit[0, :6].tolist()],
                                            ["embedding index fed at step $d$", *shifted[0, :6].tolist()]],
              align="l" + "r" * 6))

changed = digit.clone()
changed[0, 0] = 16
mlp = armlib.MODELS["mlp"]().double().eval()
with torch.no_grad():
    for name, net in [("RNN", probe), ("2-pixel MLP", mlp.net)]:
        moved = ((net(changed) != net(digit)).any(1)[0].nonzero().flatten() + 1).tolist()
        print(f"{name:12s}: changing x_1 moves theta_d at {len(moved)} positions, d = {moved[0]} ... {moved[-1]}")

# %% tags=["nbval-check-output"]
model = armlib.MODELS["rnn"](hidden=HIDDEN, embedding_dim=EMBEDDING_DIM)
print(model)
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

# %% [markdown]
# ## 2. How far back does a gradient reach?
#
# Learning that $x_d$ depends on $x_{d-k}$ needs a gradient signal from the loss at $d$,
# $\ell_d = -\ln p(x_d \mid \mathbf{x}_{<d})$, back to the input $k$ steps earlier. For the plain
# tanh RNN, $h_t = \tanh(W_{ih}\, e(x_{t-1}) + W_{hh} h_{t-1} + b)$, the chain rule gives
#
# $$\frac{\partial \ell_d}{\partial e(x_{d-k})}
#   = \frac{\partial \ell_d}{\partial h_d}
#     \Bigg(\prod_{t=d-k+2}^{d} \mathrm{diag}\big(1 - h_t^2\big)\, W_{hh}\Bigg)
#     \mathrm{diag}\big(1 - h_{d-k+1}^2\big)\, W_{ih},$$
#
# a product of $k - 1$ Jacobians of one step, $\mathrm{diag}(1 - h_t^2)\, W_{hh}$, written with the
# latest step leftmost: the factor for $t = d$ stands next to $\partial \ell_d / \partial h_d$, and
# the steps run back in time from left to right down to $t = d - k + 2$. How much can one
# such factor stretch a vector? At most by the **spectral norm** $\lVert W_{hh} \rVert_2$, the
# largest singular value of $W_{hh}$, because $0 < 1 - h_t^2 \le 1$. Hence the condition of
# Pascanu et al. (2013):
#
# - if $\lVert W_{hh} \rVert_2 < 1$, every step shrinks the gradient by that factor or more, and
#   it **vanishes** geometrically in $k$: distant pixels send no signal, and long-range
#   dependencies are never learned. This is a *sufficient* condition.
# - the gradient can **explode**, grow geometrically in $k$, only if $\lVert W_{hh} \rVert_2 > 1$.
#   This is a *necessary* condition, not a sufficient one: above 1, growth becomes possible, and
#   whether it happens depends on the states the data drive the network into.
#
# Tomczak (2022) states the condition with the eigenvalues of the weight matrix instead. That is
# the rule for a linear recurrence, $h_t = W_{hh} h_{t-1}$: there the product is the power
# $W_{hh}^{k-1}$, and in the long run it shrinks or grows with the largest eigenvalue magnitude,
# the **spectral radius** $\rho(W_{hh})$. Through a tanh the factors change from step to step, and
# the bound that holds for a product of different matrices is the one on their norms. The two
# numbers are not the same: $\rho(W_{hh}) \le \lVert W_{hh} \rVert_2$ always, and for a random
# matrix like an initial $W_{hh}$ the norm is about twice the radius (Table 3.1 below shows
# it). So a network whose eigenvalues all lie inside the unit circle can still have steps that
# stretch the gradient; this book follows Pascanu et al. (2013) and sets the norm.
#
# `input_gradient_norms` measures the gradients directly. It takes as targets the last 32 pixels,
# the bottom half of the digit (every one of them has at least 32 pixels before it), and for each distance
# $k = 1, \ldots, 32$ it averages $\lVert \partial \ell_d / \partial e(x_{d-k}) \rVert$ over those
# targets and a batch of test digits. Every point of the curve thus averages the same 32 targets,
# each at distance $k$, up to four rows back. `set_spectral_norm` rescales $W_{hh}$ of a tanh RNN
# to a chosen spectral norm.

# %%
armlib.show_source(input_gradient_norms)

# %%
armlib.show_source(set_spectral_norm)

# %% [markdown]
# We measure four tanh RNNs at initialisation, with $W_{hh}$ rescaled to spectral norms
# 0.5, 1.0, 2.0 and 4.0, and the untrained GRU of the model we are about to train. For each tanh
# RNN Table 3.1 gives both numbers, the norm we set and the spectral radius that comes
# with it, and the mean slope $1 - h_t^2$ of its tanh over the states the test digits drive it
# into (1 where the states are near 0, less where they are large). For the GRU it gives the mean
# of its update gates, which section 4 explains.

# %%
def gradient_table(gradients, caption=None):
    """A table of the gradient norms at k = 1, 8 and 32, their ratio over 31 steps, and the mean factor per step."""
    rows = []
    for name, norms in gradients.items():
        ratio = (norms[-1] / norms[0]).item()
        rows.append([name, f"{norms[0].item():.2e}", f"{norms[7].item():.2e}", f"{norms[-1].item():.2e}",
                     f"{ratio:.1e}", f"×{ratio ** (1 / 31):.2f}"])
    return table(["network", "$k = 1$", "$k = 8$", "$k = 32$", "$k = 32$ over $k = 1$", "per step"], rows,
                 caption=caption, align="lrrrrr")


def plot_gradient_norms(gradients, title):
    """Gradient norm against distance k, log scale; grey lines every 8 pixels (one row back)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, norms in gradients.items():
        ax.semilogy(range(1, len(norms) + 1), norms, label=name)
    for row in range(8, MAX_DISTANCE, 8):
        ax.axvline(row, color="grey", linewidth=0.5, alpha=0.5)
    ax.set_xlabel("distance $k$ (grey lines: whole rows back)")
    ax.set_ylabel(r"mean $\|\partial \ell_d / \partial e(x_{d-k})\|$")
    ax.set_title(title)
    ax.legend()
    return ax


# %%
gradient_digits = x_test[:GRADIENT_BATCH]
recurrences, network_rows = {}, []
for spectral_norm in NORMS:
    name = f"tanh RNN, norm {spectral_norm}"
    recurrences[name] = armlib.MODELS["rnn"](hidden=HIDDEN, cell="tanh", embedding_dim=EMBEDDING_DIM)
    set_spectral_norm(recurrences[name].net, spectral_norm)
    net = recurrences[name].net
    weight = net.rnn.weight_hh_l0.detach()
    with torch.no_grad():
        states, _ = net.rnn(net.inputs(gradient_digits))  # h_1, ..., h_64 of every test digit
    network_rows.append([name, f"{torch.linalg.matrix_norm(weight, ord=2).item():.2f}",
                         f"{torch.linalg.eigvals(weight).abs().max().item():.2f}",
                         f"{(1 - states ** 2).mean().item():.2f}", ""])
recurrences["GRU, untrained"] = model  # the GRU we train in section 4, before training
untrained_gates = gru_update_gates(model, gradient_digits)
network_rows.append(["GRU, untrained", "", "", "", f"{untrained_gates.mean().item():.2f}"])
display(table(["network", "spectral norm of $W_{hh}$", "spectral radius", "mean tanh slope", "mean update gate"],
              network_rows, caption="**Table 3.1.** The five networks at initialisation.", align="lrrrr"))
gradients = {name: input_gradient_norms(net, gradient_digits, MAX_DISTANCE) for name, net in recurrences.items()}
display(gradient_table(gradients, caption="**Table 3.2.** Mean gradient norm of the last 32 terms from $k$ "
                                          "steps back, at initialisation."))
plot_gradient_norms(gradients, "gradients of the last 32 terms, at initialisation")
armlib.show_figure("3.2", "How strongly the loss of the last 32 pixels reacts to the pixel $k$ steps back, at "
                   "initialisation (log scale; grey lines mark whole rows back).")

# %% [markdown]
# Figure 3.2 and Table 3.2 follow the condition, and add a detail.
#
# - **Norms 0.5 and 1.0 vanish**, as the condition guarantees. From 32 pixels back the gradient is
#   $1.1 \cdot 10^{-19}$ and $3.5 \cdot 10^{-10}$ times the one from the previous pixel: nothing
#   four rows up can teach the terms of the bottom half.
# - **Norm 2.0 vanishes too**, only more slowly ($6.9 \cdot 10^{-2}$ over 31 steps). A norm above 1
#   allows growth; it does not cause it.
# - **Norm 4.0 explodes**: the gradient from 32 pixels back is $1.0 \cdot 10^{2}$ times the one from
#   the previous pixel, and it grows with every row.
# - **The untrained GRU vanishes**, by a factor of about 0.63 per step ($5.5 \cdot 10^{-7}$ over 31
#   steps): its update gates average 0.50 at the start, so each step passes on only part of the
#   state, and of the gradient.
#
# The detail concerns Tomczak's eigenvalue rule. For norms 0.5 and 1.0 the measured factor per
# step (0.24 and 0.50) is close to the spectral radius (0.25 and 0.53), not to the norm. There the
# states stay small, the mean tanh slope is 0.98 and 0.97, so every factor of the product is
# nearly $W_{hh}$ itself, and the product is nearly a power of one matrix, whose long-run rate is
# its spectral radius: in this nearly linear regime the eigenvalue rule gets the rate right. At
# norm 2.0 it gets the verdict wrong. The radius is 1.03, above 1, so the eigenvalue rule
# predicts growth, yet the gradient shrinks, by 0.92 per step: the states are larger, the tanh
# slope averages 0.91, and that slope pulls each factor of the product below the radius, here
# below 1. With norm 4.0 the states are larger still (slope 0.47), and the factor per step (1.16)
# ends far below the radius (2.11). The eigenvalues describe a linear recurrence; the norm is what
# *guarantees* vanishing, for every state and every input.
#
# At initialisation, then, a plain RNN has to be tuned with care to keep distant pixels in reach,
# and the GRU starts out forgetting. Section 5 asks what training does to the GRU.

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
clipping_rows = []
for name in [f"tanh RNN, norm {NORMS[-1]}", "GRU, untrained"]:
    net = copy.deepcopy(recurrences[name])
    (-net.log_prob(batch).mean()).backward()
    before = torch.cat([p.grad.flatten() for p in net.parameters()])
    norm = torch.nn.utils.clip_grad_norm_(net.parameters(), CLIP)
    after = torch.cat([p.grad.flatten() for p in net.parameters()])
    cosine = torch.nn.functional.cosine_similarity(before, after, dim=0)
    clipping_rows.append([name, f"{norm.item():,.1f}", f"{after.norm().item():.3f}", f"{cosine.item():.4f}"])
display(table(["network", r"$\lVert g \rVert$", f"after clipping at $c = {CLIP}$", "cosine, before and after"],
              clipping_rows))

# %% [markdown]
# One batch gives the exploding RNN a gradient of length 25,856.3 (the loss is in nats per image, a
# sum of 64 terms, so even healthy gradients are tens long). Plain gradient descent would move the
# weights by the learning rate times that. Adam divides each gradient by a running root mean square,
# which keeps its steps roughly of the order of its learning rate; clipping bounds the step that
# any one batch can cause, whatever the optimiser. After clipping, the gradient has length $c = 1$ and
# the same direction (cosine 1). Exercise 3 trains this exploding network with and without it.
#
# The untrained GRU's gradient, 65.3, is also longer than $c$, so with $c = 1$ clipping acts on the
# GRU's ordinary updates too, not only on rare spikes, at least at the start of training (section 4
# checks the end): every clipped batch then weighs the same in Adam's running averages, however
# steep its loss. That is the setting we train with.

# %% [markdown]
# ## 4. Training the GRU
#
# The gated recurrent unit, GRU (Cho et al., 2014), replaces the plain update with a gated one,
# $h_d = z_d \odot h_{d-1} + (1 - z_d) \odot \tilde{h}_d$, where the update gate $z_d \in (0, 1)$
# is computed from $e(x_{d-1})$ and $h_{d-1}$ and $\tilde{h}_d$ is a tanh update much like the plain
# RNN's (this is Cho et al.'s convention, and PyTorch's; some papers swap $z_d$ and $1 - z_d$).
# Where the network learns $z_d \approx 1$ for a unit, that unit copies its value forward and
# its Jacobian is close to the identity: the gradient passes through such steps almost untouched.
# `gru_update_gates` computes the gates of a GRU ARM on a batch of digits; at initialisation they
# average 0.50 (section 2). Chung et al. (2014) compared the GRU with the LSTM and the plain tanh
# unit on music and speech sequences and found both gated units ahead of the plain one, clearly so
# on speech, and close to each other. Whether our GRU learns to carry its state is an empirical
# question, answered in section 5.

# %%
armlib.show_source(gru_update_gates)

# %% [markdown]
# We train it with Adam at learning rate `LR`, clipping at $c = 1$, for at most `EPOCHS` epochs.
# Besides the mean time of an epoch, the printout gives the fastest and the slowest: their spread
# is the noise of timing on a machine that other programs share.

# %%
history = armlib.fit(model, x_train, x_val, epochs=EPOCHS, lr=LR, patience=PATIENCE, clip_grad_norm=CLIP)
score = armlib.evaluate(model, x_test)
epoch_seconds = torch.diff(torch.tensor([0.0] + history.seconds))
print(f"GRU ({HIDDEN} units): test NLL {score.nats:.2f} nats/image = {score.bpd:.3f} bits/dim "
      f"(best epoch {history.best_epoch} of {history.epochs})")
print(f"training took {history.seconds[-1]:.0f} s on {torch.get_num_threads()} CPU thread(s): "
      f"{history.seconds[-1] / history.epochs:.1f} s per epoch on average, "
      f"{epoch_seconds.min().item():.1f} to {epoch_seconds.max().item():.1f} s")
assert score.nats <= 87, "the GRU should reach 87 nats or better on test"

# %%
fig, ax = plt.subplots(figsize=(7, 4))
plots.learning_curve(history, labels=[f"GRU {HIDDEN}"], ax=ax)
ax.set_ylim(top=130)
armlib.show_figure("3.3", "Training (dashed) and validation NLL of the GRU, epoch by epoch.")

# %% [markdown]
# The GRU scores 83.97 nats per image on test after the 15 epochs of the budget, with its best
# validation NLL at epoch 12. Figure 3.3 shows the validation NLL flattening from about there while
# the training NLL keeps falling: the 215,089 parameters start to fit the 1000 training digits
# rather than digits in general.
#
# Section 3 found clipping active on the untrained GRU's first batch. Is it still active at the end?
# `fit` has restored the weights of the best epoch; at those weights, here is the length of the
# gradient on each of the 16 batches of the training digits, taken in order (15 batches of 64 and
# one of 40).

# %%
def batch_gradient_norms(arm, x, batch_size=64):
    """The length of the whole gradient of the training loss, batch by batch, at the current weights."""
    lengths = []
    for rows in x.split(batch_size):
        arm.zero_grad(set_to_none=True)
        (-arm.log_prob(rows).mean()).backward()
        lengths.append(torch.cat([p.grad.flatten() for p in arm.parameters()]).norm())
    arm.zero_grad(set_to_none=True)
    return torch.stack(lengths)


lengths = batch_gradient_norms(model, x_train)
print(f"trained GRU, gradient length over the {len(lengths)} training batches: "
      f"{lengths.min().item():.1f} to {lengths.max().item():.1f} (median {lengths.median().item():.1f}); "
      f"longer than c = {CLIP} in {(lengths > CLIP).sum().item()} of {len(lengths)}")

# %% [markdown]
# It is. At the best epoch's weights the gradient of every one of the 16 batches is still longer
# than $c = 1$, from 13.4 to 19.9 (median 16.2), so with $c = 1$ clipping shortened the ordinary
# updates at the end of training as at the start. (The batches in between were not measured.)
#
# Now the samples. Figure 3.4 sets 16 test digits (left) beside 16 digits drawn from the GRU (right).

# %%
samples = model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title=f"GRU {HIDDEN} samples")
armlib.show_figure("3.4", "Test digits (left) and digits drawn from the trained GRU (right).")

# %% [markdown]
# Strokes continue from one row to the next and some loops close: about half of the 16 samples
# would pass for a digit, while the others are strokes that do not add up to
# one.
#
# How does the GRU compare with chapter 02? The ladder holds chapter 02's best model, the
# two-pixel MLP with a position input:

# %%
best_mlp = ladder.find("02_finite_memory_mlp", "2-pixel MLP + position")
gru_parameters = sum(p.numel() for p in model.parameters())
display(table(["model", "test NLL [nats/image]", "parameters"],
              [[name, f"{nats:.2f}", f"{parameters:,}"]
               for name, nats, parameters in [(f"chapter 02, {best_mlp['model']}", best_mlp["test_nats"],
                                               best_mlp["params"]),
                                              (f"chapter 03, GRU ({HIDDEN} units)", round(score.nats, 2),
                                               gru_parameters)]]))
print(f"difference: {best_mlp['test_nats'] - round(score.nats, 2):.2f} nats/image")

# %% [markdown]
# The GRU is 12.71 nats per image better. Memory, the whole past in place of two pixels, is not
# the only thing that changed between the two runs, though:
#
# - **size**: 215,089 parameters against 10,769, twenty times as many;
# - **input**: a learned vector $e(v)$ for each pixel value against the value scaled to $[0, 1]$;
# - **position**: the MLP is told $d$; the GRU is not, and has to count the steps itself;
# - **training**: Adam at learning rate $5 \cdot 10^{-3}$ with clipping at $c = 1$, for at most 15
#   epochs with patience 5, against $10^{-2}$ without clipping, at most 100 epochs with patience 10.
#
# So 12.71 nats is what this GRU buys over that MLP, not what unbounded memory alone is worth.
# The evidence that the GRU *uses* its memory comes from its gradients, in the next section.

# %% [markdown]
# ## 5. The trained GRU's gradients
#
# The same measurement as in section 2, now on the trained GRU, beside its untrained self, and the
# update gates of both.

# %%
trained_gradients = {"GRU, untrained": gradients["GRU, untrained"],
                     "GRU, trained": input_gradient_norms(model, gradient_digits, MAX_DISTANCE)}
display(gradient_table(trained_gradients))
display(table(["network", "mean update gate", "share of gates above 0.9"],
              [[name, f"{gates.mean().item():.2f}", f"{(gates > 0.9).double().mean().item():.2f}"]
               for name, gates in [("GRU, untrained", untrained_gates),
                                   ("GRU, trained", gru_update_gates(model, gradient_digits))]]))
trained = trained_gradients["GRU, trained"]
bumps = [k for k in range(2, MAX_DISTANCE) if trained[k - 2] < trained[k - 1] > trained[k]]
print(f"trained GRU: distances k at which the gradient is larger than at k - 1 and k + 1: {bumps}")
print("trained GRU, k = 6..10:", ", ".join(f"{trained[k - 1].item():.3f}" for k in range(6, 11)))
plot_gradient_norms(trained_gradients, "gradients of the last 32 terms: the GRU before and after training")
armlib.show_figure("3.5", "The measurement of Figure 3.2 for the GRU, before and after training.")

# %% [markdown]
# Training has changed the picture. The trained GRU's gradient from 32 steps back is
# $9.2 \cdot 10^{-2}$ times the one from the previous pixel, against $5.5 \cdot 10^{-7}$ before
# training: on average each step now passes on 0.93 of the gradient instead of 0.63. The gates show
# how. Their mean has hardly moved (0.49 against 0.50), but 37% of the gate values (over digits,
# positions and units) are now above 0.9, against 0.00 before training: at those steps a unit
# copies nearly all of its state forward, and so carries information, and gradient, across rows of
# the digit.
#
# The curve also shows what the model looks at. It is not smooth: it has bumps at $k = 8$, 16 and
# 24, the pixels one, two and three rows straight above $x_d$. At $k = 8$ the gradient (0.218) is
# larger than at $k = 7$ (0.186), one pixel closer. The pixel above is exactly the dependency that
# the two-pixel window of chapter 02 could not reach, and these bumps, not the 12.71 nats of
# section 4, are the evidence that the GRU's memory is used.

# %% [markdown]
# ## 6. The price of being sequential
#
# The GRU's 64 steps run one after another, each a small matrix product of a batch of hidden
# states with $W_{hh}$. A causal convolution (chapter 04) computes all 64 positions of a layer in one
# large operation. Tomczak (2022), citing Bai et al. (2018), argues that causal convolutions suit
# sequences better than recurrences, in accuracy as well as in speed; chapter 04 puts the accuracy
# side to the test on the digits. Here we measure the speed side. We compare the GRU with
# chapter 04's version of Tomczak's convolutional network (four layers of kernel 7) at
# `CONV_CHANNELS` = 128 channels, where his companion code uses 256, so that it has a similar number
# of parameters, in two ways: the time of a training epoch with `armlib.fit` (batches of 64 digits,
# the mean over `TIMING_EPOCHS` epochs), and the time to score a single digit, one forward pass (the
# median of `LATENCY_REPEATS` calls). The two run one after the other on the same single thread.

# %%
def seconds_per_epoch(arm):
    """Mean wall time of a training epoch, validation pass included (Adam, no clipping)."""
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
display(table(["network", "parameters", "seconds per epoch", "milliseconds per digit"],
              [[name, f"{sum(p.numel() for p in arm.parameters()):,}", f"{timings[name][0]:.2f}",
                f"{timings[name][1]:.2f}"] for name, arm in contenders.items()]))
(gru_epoch, gru_digit), (conv_epoch, conv_digit) = timings.values()
print(f"GRU / convolution: {gru_epoch / conv_epoch:.1f}x per epoch, {gru_digit / conv_digit:.1f}x per digit "
      f"(on {torch.get_num_threads()} CPU thread(s))")

# %% [markdown]
# Two different answers, both worth knowing.
#
# - **Per epoch** the two are within timing noise of each other: 3.24 s for the GRU, 2.73 s for the
#   convolution, while the same GRU's epochs in section 4 took anywhere from 2.5 to 3.3 s. (Section
#   4's run used clipping, which adds a little work, yet averaged 2.9 s, less than the unclipped
#   3.24 s here: that difference is noise too.) With 64 digits per batch, each of the GRU's 64 small
#   matrix products has 64 rows to work on, and the loop costs less than one might fear.
# - **Per digit** the loop shows. The GRU makes 64 small calls in sequence, the convolution four
#   large ones, and the GRU takes several times as long (the printout gives the ratio of this run;
#   a single call is the noisiest thing timed here). Only the convolution could spread its 64
#   positions over hardware that runs many operations at once (many cores, a GPU); the
#   recurrence's 64 steps stay in sequence whatever the hardware. (This chapter measures one CPU
#   thread only.)
#
# Sampling is sequential for both: `ARM.sample` runs the network once per position. Here the GRU
# has an advantage: its state $h_d$ already summarises the past, so a sampler can carry it forward
# and do one recurrent step per pixel instead of a whole pass (exercise 5). A convolution needs
# caches of its own for that, which chapter 10 builds.

# %% [markdown]
# ## 7. The ladder

# %%
rows = [ladder.entry(f"GRU ({HIDDEN} units)", model, score, history)]
ladder.record("03_rnn", rows)
display(table(["model", "test NLL [nats/image]", "bits/dim", "parameters"],
              [[row["model"], f"{row['test_nats']:.2f}", f"{row['test_bpd']:.3f}", f"{row['params']:,}"]
               for row in rows]))

# %% [markdown]
# ## Summary
#
# | model | what $\theta_d$ reads | parameters | test NLL [nats/image] |
# |---|---|---:|---:|
# | 2-pixel MLP + position (chapter 02) | $x_{d-1}, x_{d-2}, d$ | 10,769 | 96.68 |
# | GRU, 256 units | $x_1, \ldots, x_{d-1}$ through $h_d$ | 215,089 | 83.97 |
#
# - The recurrence $h_d = \mathrm{RNN}(x_{d-1}, h_{d-1})$, fed the data shifted by one, gives every
#   conditional the whole past with one shared cell.
# - Whether the past is *used* depends on the gradients. Through a tanh RNN they vanish for sure
#   when the spectral norm of $W_{hh}$, its largest singular value, is below 1, and can explode
#   only when it is above 1 (Pascanu et al., 2013); Tomczak's eigenvalue rule describes the nearly
#   linear regime and gets norm 2.0 wrong (radius 1.03, yet the gradient vanishes). Measured at
#   initialisation, the gradients vanish for norms 0.5, 1.0 and 2.0 and for the GRU, and explode
#   for norm 4.0.
# - Clipping bounds the step that any one batch can cause (exercise 3 trains the exploding RNN with
#   and without it); nothing at initialisation fixes the vanishing, but the trained
#   GRU has learned to carry its gradients across the bottom half of the digit, with bumps one, two
#   and three rows up (section 5). It beats chapter 02's best model by 12.71 nats, with twenty
#   times the parameters and a different input and training recipe.
# - The price is the sequential loop. On one CPU thread a training epoch of the GRU and one of a
#   convolution of similar size took about as long (within timing noise), but scoring one digit
#   took the GRU about five times as long. Chapter 04 builds the
#   convolution and measures its own price, sampling.
#
# ## Exercises
#
# 1. **Longer training.** Train a GRU of 64 units (`armlib.MODELS["rnn"](hidden=64)`) with the
#    chapter's recipe for `EPOCHS = 15`, `PATIENCE = 5`, then continue the same run to
#    `EPOCHS = 40` with `PATIENCE = 10` (`fit(..., checkpoint=path)`, then
#    `fit(..., resume=path)`). How much lower does the test NLL go, and at what cost in time? ([solution](solutions/03_rnn_solutions.ipynb#exercise-1))
# 2. **LSTM and tanh.** Train `armlib.MODELS["rnn"](hidden=64, cell="lstm")` and a tanh RNN of 64
#    units with spectral norm 1.0 (`set_spectral_norm`) under the budget of exercise 1's 15-epoch
#    GRU. Measure their trained gradients with `input_gradient_norms`: which keeps distant pixels
#    in reach? ([solution](solutions/03_rnn_solutions.ipynb#exercise-2))
# 3. **Train an exploding RNN.** Train the tanh RNN with spectral norm 4.0 for a few epochs with
#    `clip_grad_norm=None` and with `clip_grad_norm=CLIP`, at a larger learning rate such as 0.02.
#    Does either diverge (`armlib.TrainingDiverged`)? ([solution](solutions/03_rnn_solutions.ipynb#exercise-3))
# 4. **Gate bias.** Initialise the update-gate biases of a 64-unit GRU so the gate starts out
#    copying $h_{d-1}$ forward (in PyTorch, the second block of `rnn.bias_hh_l0`; which sign?).
#    Remeasure the gradients at initialisation. Does training get faster? Compare the validation
#    NLL of the first five epochs with that of the default initialisation, for two seeds. ([solution](solutions/03_rnn_solutions.ipynb#exercise-4))
# 5. **A faster sampler.** `ARM.sample` runs the whole network for each of the 64 positions,
#    i.e. $64 \cdot 64$ recurrent steps, though 64 suffice: carry $h_d$ from one step to the next.
#    Write that sampler with the head's `noise` and `sample` methods and check that it returns
#    exactly the same digits as `model.sample_from_noise` for the same noise. Then compare it with
#    the book's version, `armlib.models.rnn.RecurrentStepper`, which
#    `armlib.sampling.sample(model, n, method="cached")` uses, and time all three. ([solution](solutions/03_rnn_solutions.ipynb#exercise-5))
# 6. **Radius or norm?** `armlib.set_spectral_radius` rescales $W_{hh}$ to a chosen spectral
#    radius instead. Rescale one tanh RNN to radius 0.9 and another to norm 0.9: print both numbers
#    for each and measure their gradients at initialisation. Then build a $2 \times 2$ matrix whose
#    eigenvalues are both 0.5 but whose norm is above 1 (an upper-triangular one), and print the
#    norms of its first few powers. What does the spectral radius promise, and what not? ([solution](solutions/03_rnn_solutions.ipynb#exercise-6))

# %% [markdown]
# ## References
#
# - Bai, S., Kolter, J. Z., & Koltun, V. (2018). An Empirical Evaluation of Generic Convolutional and Recurrent Networks for Sequence Modeling. *arXiv preprint arXiv:1803.01271*.
# - Cho, K., van Merriënboer, B., Gulcehre, C., Bahdanau, D., Bougares, F., Schwenk, H., & Bengio, Y. (2014). Learning Phrase Representations using RNN Encoder-Decoder for Statistical Machine Translation. *Proceedings of the 2014 Conference on Empirical Methods in Natural Language Processing (EMNLP)*, 1724–1734.
# - Chung, J., Gulcehre, C., Cho, K., & Bengio, Y. (2014). Empirical Evaluation of Gated Recurrent Neural Networks on Sequence Modeling. *arXiv preprint arXiv:1412.3555*.
# - Hochreiter, S., & Schmidhuber, J. (1997). Long Short-Term Memory. *Neural Computation*, 9(8), 1735–1780.
# - Pascanu, R., Mikolov, T., & Bengio, Y. (2013). On the Difficulty of Training Recurrent Neural Networks. *Proceedings of the 30th International Conference on Machine Learning (ICML)*, 1310–1318.
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
