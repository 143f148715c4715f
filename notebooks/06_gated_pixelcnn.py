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
# builds the stacks, shows that the blind spot is gone, trains the network on the digits with a
# recipe against overfitting, gives the trained network the class label, sums the conditional
# model over the classes to get a second unconditional model, and lets the network complete
# half-drawn digits.

# %%
import matplotlib.pyplot as plt
import torch

import armlib
from armlib import ladder, plots
from armlib.arm import evaluating
from armlib.class_mixture import ClassMixture
from armlib.completion import complete
from armlib.gated_pixelcnn import GatedBlock, GatedPixelCNN, HorizontalConv, VerticalConv, gate, levels_as_input
from armlib.pixelcnn import PixelCNN
from armlib.receptive_field_2d import blind_spot, field_map, position_gradient, show_receptive_field
from armlib.train import learning_rate

armlib.setup(seed=0)

CHANNELS = 32         # features per stack
BLOCKS = 8            # gated blocks
DROPOUT = 0.2         # on the gated outputs of both stacks
BATCH_SIZE = 16       # images per step
LR = 5e-3             # Adam's learning rate at the start of the cosine schedule
WEIGHT_DECAY = 0.05   # AdamW's decoupled weight decay
EPOCHS = 27           # the length of the schedule
FINE_TUNE_LR = 1e-2   # the class-conditional model starts from the trained weights ...
FINE_TUNE_EPOCHS = 6  # ... and is fine-tuned this long
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
# block, the same at every position.
#
# The image enters as chapter 04's improved network reads the digits: a pixel value is a category,
# so each value switches on one of 17 input channels, and the first block learns one set of
# weights per level instead of one slope for all of them. The indicators are "hats" that are
# exactly one-hot for whole numbers and vary linearly in between, so the receptive-field pictures
# below can still differentiate with respect to a float image:

# %%
armlib.show_source(levels_as_input)

# %% [markdown]
# The network chains the blocks and maps the horizontal stack to 17 logits per pixel:

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
# ## 4. Training on the digits
#
# The unconditional model first: `"gated_pixelcnn"` from the registry, 8 blocks of 32 features per
# stack. Like every model in the book it passes the causality check over all 64 positions before
# it is trained:

# %%
# NBVAL_CHECK_OUTPUT
model = armlib.MODELS["gated_pixelcnn"](channels=CHANNELS, blocks=BLOCKS, dropout=DROPOUT)
armlib.check_autoregressive(model)
print("causal over all 64 positions")
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# A thousand training digits are few for some 167 thousand parameters. Left alone, the network
# learns the training set by heart within a few epochs and its validation NLL turns back up; early
# stopping would then merely pick the luckiest epoch. Four things keep it learning what
# generalises instead:
#
# - **dropout** on the gated outputs of both stacks: every step switches off a fresh random fifth
#   of the features, so no feature can rely on a particular other one;
# - **small batches** of 16: four times as many steps per epoch as batches of 64, each one noisier,
#   which is itself a regulariser (an epoch of many small steps takes somewhat longer on a CPU);
# - a little **weight decay** (AdamW's, which shrinks every weight by the fraction
#   `lr * weight_decay` at each step, apart from the gradient), so that no weight grows large to fit
#   a few training digits;
# - a **cosine learning rate**, from `LR` down to zero over the run: large steps early cover
#   ground, small steps late settle into the minimum instead of rattling around it.
#
# `fit` takes the schedule as `lr_schedule="cosine"`; its learning rate at step $t$ of $T$ is:

# %%
armlib.show_source(learning_rate)

# %%
history = armlib.fit(model, x_train, x_val, epochs=EPOCHS, batch_size=BATCH_SIZE, lr=LR,
                     lr_schedule="cosine", weight_decay=WEIGHT_DECAY, patience=EPOCHS)
score = armlib.evaluate(model, x_test)
print(f"{history.epochs} epochs, {history.seconds[-1]:.0f} s of training, best validation NLL at "
      f"epoch {history.best_epoch}")
print(f"test NLL: {score.nats:.2f} nats per image, {score.bpd:.3f} bits per dimension")
assert score.nats <= 79, "the gated PixelCNN should reach 79 nats per image or better on test"

# %% [markdown]
# In the run shown here the gated PixelCNN scores 78.10 nats per test image (1.761 bits per
# dimension): below the 79 this chapter asks for, and 2.4 nats below chapter 05's PixelCNN, which
# had a blind spot and a plain ReLU. In the learning curve the validation NLL levels off over the
# last third of the run instead of turning back up, while the training NLL keeps falling; the best
# epoch, 23 of 27, lies on that plateau, so there is nothing for early stopping to rescue.

# %%
plots.learning_curve(history, labels=["gated PixelCNN"])
plt.show()

# %%
samples = model.sample(NUM_SAMPLES, generator=torch.Generator().manual_seed(0))
plots.real_vs_samples(x_test[:NUM_SAMPLES], samples, title="gated PixelCNN samples")
plt.show()

# %% [markdown]
# ## 5. Given the class
#
# `"gated_pixelcnn_conditional"` is the same network with `num_classes=10`: every block adds
# $\mathbf{e}_y$ to its pre-activations. Those class biases start at zero, so a conditional model
# that takes over the trained weights starts out as *exactly* the unconditional model, for every
# label. `load_state_dict(..., strict=False)` reports the class biases as the only weights it did
# not find:

# %%
# NBVAL_CHECK_OUTPUT
conditional = armlib.MODELS["gated_pixelcnn_conditional"](channels=CHANNELS, blocks=BLOCKS, dropout=DROPOUT)
missing, unexpected = conditional.load_state_dict(model.state_dict(), strict=False)
print("not in the unconditional model:", missing)
with evaluating(model), evaluating(conditional):
    for label in range(10):
        assert torch.equal(conditional.log_prob(x_val, torch.full((len(x_val),), label)), model.log_prob(x_val))
print("before fine-tuning: p(x | y) = p(x) for every label y")
armlib.check_autoregressive(conditional)
print("causal over all 64 positions")

# %% [markdown]
# Fine-tuning then only has to learn what the label adds: a few epochs, again on a cosine, but
# starting from a higher learning rate than before, because the class biases start from zero and
# have everything to learn while the rest of the network only needs adjusting.

# %%
train, val = (x_train, y_train), (x_val, y_val)
fine_tuning = armlib.fit(conditional, train, val, epochs=FINE_TUNE_EPOCHS, batch_size=BATCH_SIZE,
                         lr=FINE_TUNE_LR, lr_schedule="cosine", patience=FINE_TUNE_EPOCHS)
conditional_score = armlib.evaluate(conditional, x_test, y_test)
print(f"{fine_tuning.epochs} epochs, {fine_tuning.seconds[-1]:.0f} s of fine-tuning")
print(f"test NLL given the class, -ln p(x | y): {conditional_score.nats:.2f} nats per image, "
      f"{conditional_score.bpd:.3f} bits per dimension")
assert conditional_score.nats < score.nats - 1, "knowing the class should lower the NLL"

# %% [markdown]
# Six epochs of fine-tuning bring the test NLL *given the class* to 76.10 nats per image, 2.00
# below the unconditional model: most of the $\ln 10 \approx 2.30$ nats that knowing one of ten
# roughly equally frequent classes can be worth.
#
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
# Most rows show their digit in several hands. The 2s are the weakest row, several of them closer
# to a 1: six epochs leave the label only a little time to learn what a 2 is.
#
# ## 6. Summing over the classes
#
# Mixing $p(\mathbf{x} \mid y)$ over the classes gives a second model of the image alone,
#
# $$p(\mathbf{x}) = \sum_{y=0}^{9} \pi_y \, p(\mathbf{x} \mid y), \qquad \pi_y = \text{the class
#   frequencies of the training split}.$$
#
# It is a sum of ten terms, so its likelihood is exact, and it needs no label: on the test split
# it is scored like any unconditional model. (The labels were used in training, as a latent
# variable that happened to be observed.) Keeping only the true class's term of the sum bounds it,
# $-\ln p(\mathbf{x}) \le -\ln p(\mathbf{x} \mid y) - \ln \pi_y$, with $-\ln \pi_y \approx \ln 10
# \approx 2.30$ nats. And by Bayes' rule the mixture is a classifier,
# $p(y \mid \mathbf{x}) = \pi_y\, p(\mathbf{x} \mid y) / p(\mathbf{x})$.

# %%
armlib.show_source(ClassMixture)

# %%
class_probs = torch.bincount(y_train, minlength=10).double() / len(y_train)
mixture = ClassMixture(conditional, class_probs)
mixture_score = armlib.evaluate(mixture, x_test)
label_cost = -class_probs.log()[y_test].mean().item()
accuracy = (mixture.posterior(x_test).argmax(1) == y_test).double().mean().item()
print(f"class mixture, -ln p(x): {mixture_score.nats:.2f} nats per image, {mixture_score.bpd:.3f} bits per dimension")
print(f"  at most -ln p(x | y) - ln pi_y = {conditional_score.nats:.2f} + {label_cost:.2f} "
      f"= {conditional_score.nats + label_cost:.2f}")
print(f"  the plain gated PixelCNN: {score.nats:.2f}")
print(f"as a classifier: {accuracy:.1%} of the test digits right")
assert mixture_score.nats <= conditional_score.nats + label_cost + 1e-6
assert accuracy >= 0.8, "the conditional model should tell the digits apart"

# %% [markdown]
# Summed over the classes, the conditional model scores 77.89 nats per image, within its bound of
# 78.40 and 0.21 below the plain gated PixelCNN, so it is the better unconditional model here; but
# it saw the labels and trained six epochs longer (27 s here). As a classifier it gets 85.0% of the
# test digits right, although it was never trained to classify and its class biases had six epochs
# to learn from zero.
#
# ## 7. Autocompletion
#
# An ARM completes an image for free: keep the top rows of a test digit and draw the rest pixel by
# pixel from $p(x_{ij} \mid \mathbf{x}_{<ij})$, exactly as the sampler does, but starting halfway:

# %%
armlib.show_source(complete)

# %% [markdown]
# Four completions of the bottom half for each of six test digits, from the unconditional gated
# PixelCNN. Nothing tells the model which digit it is completing; the top half has to.

# %%
given = 4 * 8  # the top four rows
originals = x_test[:NUM_COMPLETED]
completions = complete(model, originals.repeat_interleave(COMPLETIONS, 0), given,
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
# Where the top half settles the digit, every completion agrees with it: the 3 and the last 4 are
# finished as a 3 and as 4s in four different hands. Where it does not, the completions disagree:
# the top of a 6 is also the top of a 5, and the model draws both; one completion of a 4 becomes a
# 6. That is $p(\text{bottom} \mid \text{top})$ doing its job: the model is unsure exactly where the
# data are ambiguous.
#
# ## 8. The ladder
#
# Three rows: the two unconditional models, scored by $-\ln p(\mathbf{x})$ like every other row,
# and the conditional one, scored by $-\ln p(\mathbf{x} \mid y)$, which is given the label and so is
# not on the same footing. The conditional rows count the unconditional training in their time.

# %%
both = armlib.History(history.train_nll + fine_tuning.train_nll, history.val_nll + fine_tuning.val_nll,
                      history.seconds + [history.seconds[-1] + s for s in fine_tuning.seconds])
ladder.record("06_gated_pixelcnn", [
    ladder.entry("gated PixelCNN", model, score, history),
    ladder.entry("gated PixelCNN, class-conditional mixed over the classes (labels in training)", mixture,
                 mixture_score, both),
    ladder.entry("gated PixelCNN given the class (conditional NLL)", conditional, conditional_score, both)])
print(ladder.markdown(through="06_gated_pixelcnn"))

# %% [markdown]
# ## Exercises
#
# 1. Set `shift=False` in the first block's `VerticalConv` (edit a copy of the network) and run
#    `armlib.check_autoregressive`. Which position does it name, and why that one?
# 2. Replace `gate` with a ReLU on the first half of the channels. How much of the NLL is the gate's?
# 3. Train the class-conditional model from scratch, for as long as both models here took
#    together. Does it end up better or worse than the fine-tuned one, and why might starting
#    from the unconditional weights help?
# 4. Run section 4 with `dropout=0`, `batch_size=64`, `weight_decay=0`, or `lr_schedule="constant"`
#    and `patience=4`, and plot the learning curves together. Which of the four ingredients is worth
#    the most here?
# 5. Complete the same top halves with `complete(conditional, ..., y=...)` and a *wrong* label,
#    and with `mixture.complete`, which draws the class from $p(y \mid \text{top})$ first. What
#    does the model do when the given rows and the label disagree?
# 6. With `BLOCKS = 4`, which pixels of an 8x8 digit does the bottom-right pixel never see? Check
#    with `field_map`.
