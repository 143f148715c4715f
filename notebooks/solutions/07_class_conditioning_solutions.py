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
# # Solutions to chapter 07: Class conditioning, given the class, summed over the classes, and completion
#
# Worked answers to the exercises of [chapter 07](../07_class_conditioning.ipynb).
# Try each exercise yourself before you read its solution. Exercise 1 trains small networks;
# exercises 2 and 3 load the weights chapters 07 and 06 saved and train nothing.

# %%
import copy
import statistics
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import display
from sklearn.linear_model import LogisticRegression

import armlib
from armlib import ladder, plots
from armlib.modes import evaluating
from armlib.class_mixture import ClassMixture
from armlib.sampling import complete
from armlib.book.display import table

armlib.setup(seed=0)

splits = {split: armlib.load_digits(split, return_labels=True) for split in ("train", "val", "test")}
(x_train, y_train), (x_val, y_val), (x_test, y_test) = ((armlib.as_images(x), y) for x, y in splits.values())
class_probs = torch.bincount(y_train, minlength=10).double() / len(y_train)


def mean_sd(values) -> str:
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"

# %% [markdown]
# ## Exercise 1
#
# **The label from the start.** Compare the
# two ways of giving a network the label, on a smaller network (16 features per stack, 4 blocks)
# and a shorter schedule, on random seeds 0 and 1:
#
# - *fine-tuned*, as in chapter 07: train the unconditional network for 3 epochs with chapter 06's
#   recipe (cosine from 0.005, weight decay 0.05, dropout 0.2, batches of 16), then fine-tune it
#   for 1 epoch with chapter 07's recipe (cosine from 0.01, no weight decay), with the label and,
#   as the control, without;
# - *from the start*: train the class-conditional model and, as the control, the unconditional
#   one, for 4 epochs (3 + 1) of chapter 06's recipe, in one cosine cycle.
#
# In each case compare the class mixture with its control as in section 3: is the label worth
# more, or less, when the network learns with it from the start?
#
# Both arms of a seed start from the same initial weights: the class biases, which start at zero,
# are the only weights the conditional model adds.

# %%
SMALL = {"channels": 16, "blocks": 4, "dropout": 0.2}
CHAPTER_06 = {"batch_size": 16, "lr": 5e-3, "lr_schedule": "cosine", "weight_decay": 0.05, "progress": False}
CHAPTER_07 = {"batch_size": 16, "lr": 1e-2, "lr_schedule": "cosine", "weight_decay": 0.0, "progress": False}
BASE_EPOCHS, FINE_TUNE_EPOCHS, SEEDS = 3, 1, (0, 1)
ALL_EPOCHS = BASE_EPOCHS + FINE_TUNE_EPOCHS


def pair(seed: int):
    """An unconditional and a conditional small network with the same initial weights."""
    torch.manual_seed(seed)
    unconditional = armlib.MODELS["gated_pixelcnn"](**SMALL)
    conditional = armlib.MODELS["gated_pixelcnn_conditional"](**SMALL)
    missing, unexpected = conditional.load_state_dict(unconditional.state_dict(), strict=False)
    assert not unexpected and all(".class_bias." in name for name in missing)
    return unconditional, conditional


def train(net, labelled: bool, epochs: int, recipe: dict, seed: int):
    data = ((x_train, y_train), (x_val, y_val)) if labelled else (x_train, x_val)
    return armlib.fit(net, *data, epochs=epochs, patience=epochs, seed=seed, **recipe)


def label_worth(conditional, control) -> tuple[float, float, float]:
    """-ln p(x) of the class mixture and of the control on the test split, and control - mixture."""
    mixture = armlib.evaluate(ClassMixture(conditional, class_probs), x_test).nats
    alone = armlib.evaluate(control, x_test).nats
    return mixture, alone, alone - mixture


start = time.perf_counter()
results = {"fine-tuned": [], "from the start": []}
for seed in SEEDS:
    base, _ = pair(seed)
    train(base, False, BASE_EPOCHS, CHAPTER_06, seed)
    conditional = armlib.MODELS["gated_pixelcnn_conditional"](**SMALL)
    conditional.load_state_dict(base.state_dict(), strict=False)
    control = copy.deepcopy(base)
    train(conditional, True, FINE_TUNE_EPOCHS, CHAPTER_07, seed)
    train(control, False, FINE_TUNE_EPOCHS, CHAPTER_07, seed)
    results["fine-tuned"].append(label_worth(conditional, control))

    control, conditional = pair(seed)
    train(conditional, True, ALL_EPOCHS, CHAPTER_06, seed)
    train(control, False, ALL_EPOCHS, CHAPTER_06, seed)
    results["from the start"].append(label_worth(conditional, control))
epochs = len(SEEDS) * (BASE_EPOCHS + 2 * FINE_TUNE_EPOCHS + 2 * ALL_EPOCHS)
print(f"{epochs} epochs of training and 8 evaluations in {time.perf_counter() - start:.0f} s")

rows = []
for arm, values in results.items():
    for seed, (mixture, alone, worth) in zip(SEEDS, values):
        rows.append([arm, str(seed), f"{mixture:.2f}", f"{alone:.2f}", f"{worth:+.2f}"])
    rows.append([arm, "mean ± sd", mean_sd([v[0] for v in values]), mean_sd([v[1] for v in values]),
                 mean_sd([v[2] for v in values])])
display(table(["label given", "random seed", "mixture −ln p(x)", "control −ln p(x)", "control − mixture"], rows,
              caption=f"**Table S7.1.** Test NLL in nats per image of the class mixture and its control, 16 features per "
                      f"stack, {SMALL['blocks']} blocks, {ALL_EPOCHS} epochs in all."))
difference = [start_[2] - tuned[2] for start_, tuned in zip(results["from the start"], results["fine-tuned"])]
print("label's worth, from the start minus fine-tuned, seed by seed: "
      + " / ".join(f"{d:+.2f}" for d in difference) + f"; mean ± sd {mean_sd(difference)}")
worth = {arm: [row[2] for row in values] for arm, values in results.items()}
assert statistics.mean(worth["fine-tuned"]) > 0 and all(w > 0.3 for w in worth["from the start"])
assert all(d > 0.2 for d in difference), "the label should be worth more when learned from the start"

# %% [markdown]
# The label helps in both arms: the class mixture ends below its own control (Table S7.1, last
# column). But it is worth more when the network learns with it from the start: on each seed the
# gain over the control is larger from the start than after fine-tuning, by the paired
# differences printed under the table (+0.34 and +0.22 nats, at least 0.2 on every seed, the
# assert's margin), though with only two seeds their spread (sd 0.09) is not small beside their
# mean (0.28). One confound stays: from the start,
# the model trains with the label for all 4 epochs; fine-tuned, for 1 epoch only. Part of the
# difference may be the label's three extra epochs rather than when it came in. Each arm is measured against its
# own control, trained by the same schedule, so the schedule itself (one cosine cycle, or a
# restart for the fine-tuning) does not enter the comparison, although it moves both columns of
# an arm.
#
# Why would the label be worth more from the start? Fine-tuned, the network has already spent
# its features on modelling all the digits together, and a class bias can only shift those
# features; from the start, the features can grow around the label. These are short runs of a
# small network, though. Chapter 07 measures the label fine-tuned into the full network after its
# 27 epochs (Table 7.2); whether learning with the label from the start still wins by this much at
# that length, these runs cannot say.
#
# ## Exercise 2
#
# **A wrong label.** Complete the top halves of Figure 7.2 with this chapter's conditional model
# and a *wrong* label (try 5 for the 6s, 0 for the 4s and 1 for the 3), using
# `complete(conditional, ..., y=...)`, and with `mixture.complete`, which draws the class from
# $p(y \mid \text{top})$ first. What does the model do when the given rows and the label disagree?
#
# The model is chapter 07's own: its conditional network, fine-tuned for 6 epochs with random seed
# 0, which the chapter saved as `results/07_class_conditioning.pt`. Loaded, it scores the chapter's
# ladder rows: given the class, and, with the training frequencies of the classes, as the class
# mixture (the cell checks both):

# %%
FULL = {"channels": 32, "blocks": 8, "dropout": 0.2}  # chapter 06's network, kept by chapter 07
conditional = ladder.load_weights("07_class_conditioning", armlib.MODELS["gated_pixelcnn_conditional"](**FULL))
mixture = ClassMixture(conditional, class_probs)
scores = {"given the class, -ln p(x | y)": (armlib.evaluate(conditional, x_test, y_test).nats,
                                             "gated PixelCNN given the class (conditional NLL)"),
          "the class mixture, -ln p(x)": (armlib.evaluate(mixture, x_test).nats,
                                          "gated PixelCNN, class-conditional mixed over the classes (labels in training)")}
for what, (nats, row) in scores.items():
    recorded = ladder.find("07_class_conditioning", row)["test_nats"]
    print(f"chapter 07's model, loaded: {what} = {nats:.2f} nats per test image (chapter 07 recorded {recorded:.2f})")
    assert abs(nats - recorded) <= 0.006, what

# %% [markdown]
# Then the completions: for each of the six test digits of Figure 7.2, eight completions of the
# bottom half given the true label and eight given the wrong one, from the same noise (the same
# random numbers for the same digit and completion), and eight from the mixture, which first draws
# each completion's class with the same generator, so its noise is not the same.

# %%
NUM_COMPLETED, COMPLETIONS, GIVEN = 6, 8, 4 * 8
WRONG = {3: 1, 4: 0, 6: 5}
originals, labels = x_test[:NUM_COMPLETED], y_test[:NUM_COMPLETED]
wrong = torch.tensor([WRONG[label] for label in labels.tolist()])
repeated = originals.repeat_interleave(COMPLETIONS, 0)
groups = {
    "true label": complete(conditional, repeated, GIVEN, labels.repeat_interleave(COMPLETIONS),
                           generator=torch.Generator().manual_seed(0)),
    "wrong label": complete(conditional, repeated, GIVEN, wrong.repeat_interleave(COMPLETIONS),
                            generator=torch.Generator().manual_seed(0)),
    "mixture": mixture.complete(repeated, GIVEN, generator=torch.Generator().manual_seed(0)),
}
for completions in groups.values():
    assert torch.equal(completions[..., :4, :], repeated[..., :4, :])  # the given rows are kept

shown = 4
top_half = originals.float()
top_half[..., 4:, :] = float("nan")
panel = torch.cat([originals[:, None].float(), top_half[:, None],
                   *(c.reshape(NUM_COMPLETED, COMPLETIONS, 1, 8, 8)[:, :shown].float() for c in groups.values())], dim=1)
fig, ax = plt.subplots(figsize=(9, 4.8))
plots.image_grid(panel.flatten(0, 1), nrow=NUM_COMPLETED, ax=ax,
                 col_labels=["original", "given", *(f"{name[0]}{i + 1}" for name in ("t", "w", "m") for i in range(shown))],
                 row_labels=[f"a {a}, wrong: {w}" for a, w in zip(labels.tolist(), wrong.tolist())])
armlib.show_figure("S7.1", "Six test digits, their given top halves and four completions each: t1-t4 given the true "
                           "label, w1-w4 given the wrong label, m1-m4 from the class mixture.")

# %% [markdown]
# The eye is easily swayed, so let a reader that has seen only real digits read all eight
# completions of each group: chapter 07's logistic regression on the raw pixels. Beside it, the
# mixture's posterior $p(y \mid \text{top})$ of the true and of the wrong label, computed from the
# given rows alone: how plausible the model finds each label for that top half.

# %%
pixels = lambda x: x.flatten(1).numpy()
logistic = LogisticRegression(max_iter=5000).fit(pixels(x_train), y_train.numpy())
read = {name: torch.as_tensor(logistic.predict(pixels(c))).reshape(NUM_COMPLETED, COMPLETIONS)
        for name, c in groups.items()}
with evaluating(mixture):
    terms = mixture._per_class(originals, reduction="none")  # log p(x_d | x_<d, y), (6, 10, 1, 8, 8)
top_posterior = (class_probs.log() + terms.flatten(2)[..., :GIVEN].sum(-1)).softmax(dim=1)
rows = []
for row, (label, bad) in enumerate(zip(labels.tolist(), wrong.tolist())):
    rows.append([f"a {label}", str(bad), f"{top_posterior[row, label].item():.3f}", f"{top_posterior[row, bad].item():.3f}",
                 *(" ".join(map(str, read[name][row].tolist())) for name in groups)])
display(table(["digit", "wrong label", "p(true | top)", "p(wrong | top)",
               "read, given the true label", "read, given the wrong label", "read, from the mixture"], rows,
              align="lrrrlll", caption="**Table S7.2.** The class the logistic regression gives each of the eight "
                                       "completions per group, and the mixture's posterior of the two labels given "
                                       "the top half."))
matches = {name: {"true": (read[name] == labels[:, None]).sum().item(), "wrong": (read[name] == wrong[:, None]).sum().item()}
           for name in groups}
print("; ".join(f"{name}: {m['true']} read as the true class, {m['wrong']} as the wrong one" for name, m in matches.items()))
assert torch.allclose(top_posterior.sum(1), torch.ones(NUM_COMPLETED, dtype=top_posterior.dtype))
rows_ = torch.arange(NUM_COMPLETED)
assert (3 * top_posterior[rows_, wrong] < top_posterior[rows_, labels]).all(), "the top half favours the true label"
assert matches["wrong label"]["true"] >= 24 and matches["wrong label"]["wrong"] <= 12, "the given rows win"
assert matches["true label"]["true"] >= 24 and matches["mixture"]["true"] >= 24
sixes, three = labels == 6, labels == 3
assert (read["wrong label"][sixes] == 6).sum() > (read["wrong label"][sixes] == 5).sum()
assert (read["wrong label"][three] == 3).sum() > (read["wrong label"][three] == 1).sum()

# %% [markdown]
# When the given rows and the label disagree, the given rows mostly win. Given the wrong label,
# the logistic regression reads 34 of the 48 completions as the digit's true class and 7 as the
# wrong label (the counts under Table S7.2; the asserts check at least half for the true class, at
# most a quarter for the wrong one). The 3 given the label 1, which its top half rules out, is
# completed as a 3 all eight times. The wrong label wins some completions in two rows only: the
# last 4, given the label 0, is read as a 0 in four of its eight completions, and the first 6,
# given the label 5, as a 5 in three. These are not the rows whose top half the mixture finds least
# certain (the last 4's is the most certain of all, $p(4 \mid \text{top}) = 0.995$); which rows let
# the label through, these 48 completions do not explain.
#
# The posterior columns show why. From the top half alone, the mixture finds the wrong label far
# less likely than the true one, for every digit (at most 0.002 against at least 0.512): four rows
# of pixels say a lot about the class. And the model reads both. The label enters as one bias
# vector per class, the same at every position; the given pixels enter every conditional of the
# bottom half through both stacks. Once the network has seen the strokes of the top half, they say
# more about the next pixel than the label does, and the model continues them.
#
# The mixture, `mixture.complete`, draws the class first from $p(y \mid \text{top})$, so it picks
# a class that the top half allows: most of its completions, too, are read as the true class, and
# it never has to resolve a contradiction.
#
# ## Exercise 3
#
# **Top given bottom.** The model completes only a prefix in raster order. Write down what it would
# take to draw the top half of a digit given its bottom half from this model, and count the terms of
# the normaliser for four hidden rows of 17 grey levels. What would you train instead to make this
# as cheap as Figure 7.2?
#
# By the definition of a conditional,
#
# $$p(\text{top} \mid \text{bottom}) = \frac{p(\text{top}, \text{bottom})}{p(\text{bottom})}
#   = \frac{p(\text{top}, \text{bottom})}{\sum_{\text{top}'} p(\text{top}', \text{bottom})}.$$
#
# The model gives the numerator for any one top half: $p(\mathbf{x})$ of the whole image, one
# forward pass. The bottom half's marginal $p(\text{bottom})$ is not a product of the model's
# conditionals, because in raster order the bottom comes *after* the top: the only way to get it is
# the sum over every possible top half. Four hidden rows of 8 pixels with 17 levels each make
# $17^{32}$ terms. (Drawing from it without the normaliser, for example by a Markov chain, is
# possible but approximate and slow, and it is not what an ARM offers.)
#
# The count, and what enumeration costs at the rate chapter 06's network (the one chapter 07
# fine-tunes, loaded from its weights) scores images, timed on a small
# case that enumeration *can* do: two hidden pixels of the top row, $17^2 = 289$ terms, given all
# 62 others. There the exact conditional is a proper distribution and differs from the raster
# conditional $p(x_{0,3} \mid \mathbf{x}_{<(0,3)})$, which ignores everything below:

# %%
terms = 17 ** 32
print(f"normaliser for 4 hidden rows: 17^32 = {terms:.3e} terms")
assert terms == 17 ** (4 * 8) and len(str(terms)) == 40

model = ladder.load_weights("06_gated_pixelcnn", armlib.MODELS["gated_pixelcnn"](**FULL))
digit, hidden = x_test[0], [(0, 3), (0, 4)]
candidates = digit.repeat(17 * 17, 1, 1, 1)
grid = torch.cartesian_prod(torch.arange(17), torch.arange(17))
for k, (i, j) in enumerate(hidden):
    candidates[:, 0, i, j] = grid[:, k]
with evaluating(model):
    model.log_prob(candidates[:17])  # a first call, so that the timing below is not of start-up work
    start = time.perf_counter()
    joint = model.log_prob(candidates)  # log p(top', bottom) for every top' of the two pixels
    seconds = time.perf_counter() - start
    raster_conditional = model.params(digit[None])[0, :, 0, 3].double().softmax(0)  # p(x_03 | x_<03)
joint = joint.double()
conditional_given_rest = (joint - joint.logsumexp(0)).exp().reshape(17, 17)  # rows: x_03, columns: x_04
first_pixel = conditional_given_rest.sum(1)  # p(x_03 | all 62 other pixels)
rate = len(candidates) / seconds
print(f"{len(candidates)} images scored in {seconds * 1000:.0f} ms: {rate:,.0f} images per second")
print(f"enumerating 17^32 top halves at that rate: {terms / rate / 3.15e7:.1e} years")
print(f"x_03 = {digit[0, 0, 3].item()}: p given every other pixel {first_pixel[digit[0, 0, 3]].item():.3f}, "
      f"p given the pixels before it in raster order {raster_conditional[digit[0, 0, 3]].item():.3f}")
assert abs(conditional_given_rest.sum().item() - 1) < 1e-9
assert terms / rate / 3.15e7 > 1e25

# %% [markdown]
# Even two hidden pixels need 289 forward passes of the whole image, where a raster completion of
# two pixels needs two; thirty-two hidden pixels are out of reach by more orders of magnitude than
# the printout can make vivid. And the two probabilities printed last are two different
# conditionals of the same pixel: given the rest of the image, and given only the pixels before it
# in raster order, which never uses what comes after.
#
# **What to train instead.** An ARM whose order puts the bottom half first. The simplest is the
# same network, trained on the digits flipped upside down (`x.flip(-2)`): its raster order starts
# with the bottom row, so the bottom half is a prefix of 32 positions and `complete` draws the top
# half exactly as in Figure 7.2, with 32 steps; flip the result back. Every ARM fixes one order,
# and each order makes one kind of completion cheap; a model that must complete any part given any
# other needs an order for each, or a model trained over many orders.

# %%
flipped = x_test.flip(-2)  # row 7 first
assert torch.equal(flipped[..., :4, :], x_test[..., 4:, :].flip(-2))  # the bottom half is now the first 32 pixels
assert torch.equal(flipped.flip(-2), x_test)  # and flipping back restores the digit
print("flipped upside down, the bottom half of every digit is the prefix of 32 positions in raster order")
