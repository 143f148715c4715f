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
# # 06 · Gated PixelCNN: two stacks, no blind spot, and a class to condition on
#
# Chapter 05 ended with a flaw: a stack of masked $3 \times 3$ convolutions never sees a wedge of
# pixels up and to the right of the pixel it predicts, however deep the stack. The gated PixelCNN
# (van den Oord et al., 2016c) removes the wedge by splitting the network into two stacks of
# features that run side by side:
#
# - the **vertical stack** looks at the rows *above* the current pixel, a window as wide as the
#   kernels allow, in both directions;
# - the **horizontal stack** looks at the pixels to the *left* in the current row, and receives the
#   vertical stack's features at the same position through a $1 \times 1$ convolution.
#
# It also replaces the ReLU with a gated unit, as the seed describes,
#
# $$\mathbf{h} = \tanh(\mathbf{W} \mathbf{x}) \odot \sigma(\mathbf{V} \mathbf{x}),$$
#
# where the sigmoid decides, feature by feature and position by position, how much of the tanh
# passes. And it takes a **class label**: adding a learned vector $\mathbf{e}_y$ inside every gate
# turns $p(\mathbf{x})$ into $p(\mathbf{x} \mid y)$, so we can ask for a 3 and get a 3. The chapter
# builds the stacks, shows that the blind spot is gone, trains a class-conditional model on the
# digits, turns it into an unconditional model by summing over the classes, and lets it complete
# half-drawn digits.

# %%
import matplotlib.pyplot as plt
import torch

import armlib
from armlib import ladder, plots
from armlib.class_mixture import ClassMixture
from armlib.completion import complete
from armlib.gated_pixelcnn import GatedBlock, GatedPixelCNN, HorizontalConv, VerticalConv, gate
from armlib.pixelcnn import PixelCNN
from armlib.receptive_field_2d import blind_spot, field_map, position_gradient, show_receptive_field

armlib.setup(seed=0)

CHANNELS = 32         # features per stack
BLOCKS = 8            # gated blocks
DROPOUT = 0.2         # on the gated outputs of both stacks
LR = 5e-3             # Adam's learning rate ...
LR_FINAL = 1e-3       # ... and a lower one for a few final epochs
EPOCHS = 30           # upper limit at LR
EPOCHS_FINAL = 5      # upper limit at LR_FINAL
PATIENCE = 4          # epochs without a better validation NLL before stopping
NUM_SAMPLES = 16      # unconditional digits drawn
PER_CLASS = 8         # conditional digits drawn for each class
NUM_COMPLETED = 6     # test digits to complete ...
COMPLETIONS = 4       # ... each this many times
CANVAS = 16           # the canvas of the receptive-field pictures
TARGET = (7, 7)       # the pixel whose receptive field we draw

splits = {split: armlib.load_digits(split, return_labels=True) for split in ("train", "val", "test")}
(x_train, y_train), (x_val, y_val), (x_test, y_test) = ((armlib.as_images(x), y) for x, y in splits.values())
print(x_train.shape, y_train.shape, x_test.shape)

# %% [markdown]
# ## 1. Two stacks
#
# Each stack's convolution is cut to its causal part. The vertical kernel is $2 \times 3$ for
# $k = 3$: the row above and the current row, three columns wide. The horizontal kernel is
# $1 \times 2$: the pixel to the left and the current one. In the first block, which reads the
# image itself, both are **shifted** by one (the vertical one down a row, the horizontal one right a
# column), so that they exclude the current pixel, like the type-A mask; `F.pad` with a negative
# amount crops the row or column that the shift pushes out. No weight is ever multiplied by zero.

# %%
armlib.show_source(VerticalConv)

# %%
armlib.show_source(HorizontalConv)

# %% [markdown]
# What each sees, drawn with the receptive-field helper of chapter 05 on a 5x5 canvas (`o` the
# position, `#` the pixels that reach it):

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
small = torch.rand(1, 1, 5, 5, dtype=torch.float64)
for name, conv in [("vertical, first block (shifted)", VerticalConv(1, 1, 3, shift=True)),
                   ("vertical, later blocks", VerticalConv(1, 1, 3, shift=False)),
                   ("horizontal, first block (shifted)", HorizontalConv(1, 1, 3, shift=True)),
                   ("horizontal, later blocks", HorizontalConv(1, 1, 3, shift=False))]:
    print(f"{name}:\n{field_map(position_gradient(conv.double(), small, (2, 2)), (2, 2))}\n")

# %% [markdown]
# Only the first vertical convolution is made blind to the current row. Later ones read row $i$
# of the *vertical features*, and those already depend on rows above $i$ only: the vertical stack
# never receives anything from the horizontal one, so it can never learn what row $i$ holds. The
# horizontal stack reads pixels left of the current one and, through the link, everything above.
#
# ## 2. The gated block
#
# One convolution per stack produces $2C$ channels; `gate` splits them into the $\mathbf{W}\mathbf{x}$
# and $\mathbf{V}\mathbf{x}$ halves:

# %%
armlib.show_source(gate)

# %%
armlib.show_source(GatedBlock)

# %% [markdown]
# The horizontal stack is residual, $\mathbf{h}' = \mathbf{h} + \mathrm{out}(\ldots)$, which keeps
# a deep stack trainable; the first block has no residual because its $\mathbf{h}$ is the image,
# current pixel included. The class enters as a bias $\mathbf{e}_y$ on both pre-activations of every
# block, the same at every position. The network chains the blocks and maps the horizontal stack to
# 17 logits per pixel:

# %%
armlib.show_source(GatedPixelCNN)

# %% [markdown]
# ## 3. No blind spot
#
# The same picture as in chapter 05: the gradient of the outputs at one pixel of a 16x16 canvas
# with respect to the input, for an untrained PixelCNN and an untrained gated PixelCNN of the same
# depth (random weights are enough: the question is which paths exist, not what they have learned).

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
canvas = torch.rand(1, 1, CANVAS, CANVAS, dtype=torch.float64)
pixelcnn_net = PixelCNN(channels=16, layers=BLOCKS - 1, first_kernel_size=3).double()
gated_net = GatedPixelCNN(channels=16, blocks=BLOCKS).double()
gradients = {name: position_gradient(net, canvas, TARGET) for name, net in
             [("PixelCNN", pixelcnn_net), ("gated PixelCNN", gated_net)]}
for name, gradient in gradients.items():
    print(f"{name}: {len(blind_spot(gradient, TARGET))} pixels before {TARGET} never reach it")
    print(field_map(gradient, TARGET), "\n")
assert not blind_spot(gradients["gated PixelCNN"], TARGET)

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
for ax, (name, gradient) in zip(axes, gradients.items()):
    show_receptive_field(gradient, TARGET, ax=ax, title=f"{name}, {BLOCKS} layers")
plt.show()

# %% [markdown]
# The gated network reaches every pixel before the target that its depth allows: the full rows
# above, as wide as the canvas, and the row to the left. The wedge that the PixelCNN misses is
# covered by the vertical stack, which moves up and sideways freely because it never has to
# protect the current row. (A pixel further away than the stacks' reach would stay unseen; on the
# 8x8 digits, 8 blocks reach every earlier pixel from every position.)
#
# ## 4. Training, with the labels
#
# We train one network, the class-conditional one: `"gated_pixelcnn_conditional"` is the gated
# PixelCNN with `num_classes=10`, every block adding $\mathbf{e}_y$ to its pre-activations. Section
# 5 turns it into an unconditional model as well. Like every model in the book it first passes the
# causality check over all 64 positions (for a random label):

# %%
# NBVAL_CHECK_OUTPUT
conditional = armlib.MODELS["gated_pixelcnn_conditional"](channels=CHANNELS, blocks=BLOCKS, dropout=DROPOUT)
armlib.check_autoregressive(conditional)
print("causal over all 64 positions")
print(f"{sum(p.numel() for p in conditional.parameters()):,} parameters")

# %% [markdown]
# The digits are few (1000 training images) and the model overfits quickly without help. Two things
# help: dropout on the gated outputs of both stacks (a fresh random subset of features is switched
# off at every step), and a lower learning rate for a few final epochs, which lets Adam settle into
# the minimum it has found instead of rattling around it. `fit` is called twice; the second call
# starts from the best weights of the first, and the two histories are joined into one.

# %%
train, val = (x_train, y_train), (x_val, y_val)
first = armlib.fit(conditional, train, val, epochs=EPOCHS, lr=LR, patience=PATIENCE)
final = armlib.fit(conditional, train, val, epochs=EPOCHS_FINAL, lr=LR_FINAL, patience=PATIENCE)
history = armlib.History(first.train_nll + final.train_nll, first.val_nll + final.val_nll,
                         first.seconds + [first.seconds[-1] + s for s in final.seconds])
conditional_score = armlib.evaluate(conditional, x_test, y_test)
print(f"{history.epochs} epochs ({first.epochs} + {final.epochs}), {history.seconds[-1]:.0f} s of training")
print(f"test NLL given the class, -ln p(x | y): {conditional_score.nats:.2f} nats per image, "
      f"{conditional_score.bpd:.3f} bits per dimension")

# %% [markdown]
# In the run shown here both calls ran to their limits, 30 + 5 epochs, and the test NLL given the
# class is 75.71 nats per image (1.707 bits per dimension). The dotted line in the learning curve
# marks the drop of the learning rate; the validation NLL takes a small step down right after it.

# %%
ax = plots.learning_curve(history, labels=["gated PixelCNN, given the class"])
ax.axvline(first.epochs + 0.5, color="gray", linewidth=0.8, linestyle=":")
plt.show()

# %% [markdown]
# One row per class. Every column uses the same random numbers in every row, so what changes down
# a column is the label alone; what changes along a row is the noise, the "handwriting".

# %%
noise = conditional.noise(PER_CLASS, torch.Generator().manual_seed(0)).repeat(10, 1, 1, 1, 1)
labels = torch.arange(10).repeat_interleave(PER_CLASS)
grid = conditional.sample_from_noise(noise, labels)
fig, ax = plt.subplots(figsize=(6, 7.5))
plots.image_grid(grid, nrow=10, ax=ax, title="conditional samples, one row per class 0-9")
plt.show()

# %% [markdown]
# ## 5. The same network as an unconditional model
#
# Mixing $p(\mathbf{x} \mid y)$ over the classes gives a model of the image alone,
#
# $$p(\mathbf{x}) = \sum_{y=0}^{9} \pi_y \, p(\mathbf{x} \mid y), \qquad \pi_y = \text{the class
#   frequencies of the training split}.$$
#
# It is a sum of ten terms, so its likelihood is exact, and it needs no label: on the test split
# it is scored like any unconditional model of the ladder. The labels were used in training only,
# as a latent variable that happened to be observed. The mixture cannot cost much more than the
# conditional model: keeping only the true class's term of the sum gives
# $-\ln p(\mathbf{x}) \le -\ln p(\mathbf{x} \mid y) - \ln \pi_y$, and $-\ln \pi_y$ is about
# $\ln 10 \approx 2.30$ nats. Conversely, knowing the class can save at most that much: for the true
# distributions, $\mathbb{E}[\ln p(\mathbf{x} \mid y) - \ln p(\mathbf{x})] = I(\mathbf{x}; y) \le
# H(y) \le \ln 10$. And by Bayes' rule the mixture is a classifier,
# $p(y \mid \mathbf{x}) = \pi_y\, p(\mathbf{x} \mid y) / p(\mathbf{x})$.

# %%
armlib.show_source(ClassMixture)

# %%
class_probs = torch.bincount(y_train, minlength=10).double() / len(y_train)
model = ClassMixture(conditional, class_probs)
score = armlib.evaluate(model, x_test)
label_cost = -class_probs.log()[y_test].mean().item()
accuracy = (model.posterior(x_test).argmax(1) == y_test).double().mean().item()
print(f"unconditional test NLL, -ln p(x): {score.nats:.2f} nats per image, {score.bpd:.3f} bits per dimension")
print(f"  at most -ln p(x | y) - ln pi_y = {conditional_score.nats:.2f} + {label_cost:.2f} "
      f"= {conditional_score.nats + label_cost:.2f}")
print(f"  knowing the class saves {score.nats - conditional_score.nats:.2f} nats per image")
print(f"as a classifier: {accuracy:.1%} of the test digits right")
assert score.nats <= conditional_score.nats + label_cost + 1e-6
assert score.nats <= 79, "the gated PixelCNN should reach 79 nats per image or better on test"
assert conditional_score.nats < score.nats - 1, "knowing the class should lower the NLL"
assert accuracy >= 0.9, "the conditional model should tell the digits apart"

# %% [markdown]
# The mixture scores 77.91 nats per image on the test split, below the 79 this chapter asks of an
# unconditional model, and just under its bound of 78.02. Knowing the class saves 2.19 nats per
# image, close to the most a label can be worth ($-\ln \pi_y$ averages 2.30 here): the posterior
# $p(y \mid \mathbf{x})$ is nearly always sure of the class, and right about it for 96.9% of the
# test digits, a generative classifier that was never trained to classify. A plain unconditional
# gated PixelCNN (`"gated_pixelcnn"`, exercise 3) has the same network but no label to lean on in
# training, and does worse on this budget; chapter 07 trains it with two different heads.
#
# Samples of $p(\mathbf{x})$ are ancestral: a class from $\pi$, then a digit from
# $p(\mathbf{x} \mid y)$, pixel by pixel.

# %%
samples = model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title="gated PixelCNN samples")
plt.show()

# %% [markdown]
# ## 6. Autocompletion
#
# An ARM completes an image for free: keep the top rows of a test digit and draw the rest pixel by
# pixel from $p(x_{ij} \mid \mathbf{x}_{<ij})$, exactly as the sampler does, but starting halfway:

# %%
armlib.show_source(complete)

# %% [markdown]
# The mixture adds one step in front: which digit is this? Bayes' rule answers from the given
# pixels alone, $p(y \mid \text{top}) \propto \pi_y\, p(\text{top} \mid y)$, where
# $p(\text{top} \mid y)$ is the product of the first 32 conditionals. Each completion draws a class
# from that posterior, then the bottom half from $p(\text{bottom} \mid \text{top}, y)$: together, a
# draw from $p(\text{bottom} \mid \text{top})$. Where the top half is ambiguous, the completions
# disagree about the digit.

# %%
given = 4 * 8  # the top four rows
originals = x_test[:NUM_COMPLETED]
completions = model.complete(originals.repeat_interleave(COMPLETIONS, 0), given,
                             generator=torch.Generator().manual_seed(0))
completions = completions.reshape(NUM_COMPLETED, COMPLETIONS, 1, 8, 8)
assert torch.equal(completions[..., :4, :], originals[:, None, :, :4, :].expand(-1, COMPLETIONS, -1, -1, -1))
top_half = originals.clone()
top_half[..., 4:, :] = 0
panel = torch.cat([originals[:, None], top_half[:, None], completions], dim=1)
fig, ax = plt.subplots(figsize=(5, 6))
plots.image_grid(panel.flatten(0, 1), nrow=NUM_COMPLETED, ax=ax,
                 title=f"original, given top half, {COMPLETIONS} completions")
plt.show()

# %% [markdown]
# ## 7. The ladder
#
# Two rows: the unconditional model, scored by $-\ln p(\mathbf{x})$ like every other row, and the
# conditional one, scored by $-\ln p(\mathbf{x} \mid y)$, which is given the label and so is not on
# the same footing.

# %%
ladder.record("06_gated_pixelcnn", [
    ladder.entry("gated PixelCNN, class-conditional mixed over the classes (labels in training)", model,
                 score, history),
    ladder.entry("gated PixelCNN given the class (conditional NLL)", conditional, conditional_score, history)])
print(ladder.markdown())

# %% [markdown]
# ## Exercises
#
# 1. Set `shift=False` in the first block's `VerticalConv` (edit a copy of the network) and run
#    `armlib.check_autoregressive`. Which position does it name, and why that one?
# 2. Replace `gate` with a ReLU on the first half of the channels. How much of the NLL is the gate's?
# 3. Train the unconditional `"gated_pixelcnn"` with the same schedule and compare its test NLL
#    with the class mixture's. The two have the same network; what does the label give the mixture
#    during training that the plain model has to find on its own?
# 4. The class biases start at zero, so a conditional model loaded with an unconditional model's
#    weights (`load_state_dict(..., strict=False)`) starts out as exactly that model. Fine-tune one
#    for a few epochs: how well does it classify, and what do its rows of samples look like?
# 5. Complete the same top halves with `armlib.complete(conditional, ..., y=...)` and a *wrong*
#    label. What does the model do when the given rows and the label disagree?
# 6. With `BLOCKS = 4`, which pixels of an 8x8 digit does the bottom-right pixel never see? Check
#    with `field_map`.
