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
# # Solutions to chapter 09: The mixture head on the gated PixelCNN, and colour
#
# These are worked solutions to the exercises of [chapter 09](../09_mixture_head_and_colour.ipynb).
# Try each exercise yourself before you read its solution.
#
# Chapter 09 trains its network (32 channels, 8 blocks) for 27 epochs, a few minutes of training.
# Exercises 4 and 5 train nothing: they load the models chapters 09 and 06 trained and saved
# (`results/09_mixture_head_and_colour.pt`, `results/06_gated_pixelcnn.pt`). The other exercises ask
# what happens when something changes, and that needs training: eleven models, so each gets one
# smaller recipe: the same gated PixelCNN with 4 blocks instead of 8, batches of 64, chapter 06's
# cosine learning rate and weight decay, over 2 epochs for the 17-level digits (4 for the 8-bit
# digits, 2 for the colour digits). Those models are far from converged, and every number they give
# belongs to this short recipe; what the exercises ask about is differences large enough to show
# after a few epochs. Each of these runs is one seed, and we say so where that limits a conclusion.

# %%
import math

import matplotlib.pyplot as plt
import torch
from IPython.display import display
from scipy import stats

import armlib
from armlib import ladder
from armlib.modes import evaluating
from armlib.book.display import table
from armlib.heads.logistic import LogisticMixtureHead, discretized_logistic_log_prob

armlib.setup(seed=0)

NUM_VALS = armlib.NUM_VALS                    # 17 grey levels
SMALL = dict(channels=32, blocks=4, dropout=0.2)  # chapter 06's gated PixelCNN, half as deep
RECIPE = dict(batch_size=64, lr=5e-3, lr_schedule="cosine", weight_decay=0.05, progress=False)
EPOCHS = 2                                    # for the 17-level digits
SHORT_EPOCHS = 4                              # for the 8-bit digits
COLOUR_EPOCHS = 2                             # for the colour digits
COMPONENTS = (1, 2, 5, 10)                    # exercise 1's K

x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)) for split in ("train", "val", "test"))
levels = torch.arange(NUM_VALS)


def train(build, data=(x_train, x_val, x_test), seed=0, epochs=EPOCHS, **recipe):
    """Build a model after torch.manual_seed(seed), fit it with fit's seed = seed, score it on test."""
    torch.manual_seed(seed)
    model = build()
    history = armlib.fit(model, data[0], data[1], epochs=epochs, patience=epochs, seed=seed, **{**RECIPE, **recipe})
    return model, history, armlib.evaluate(model, data[2])


def mixture(num_components=5, **overrides):
    return lambda: armlib.MODELS["gated_pixelcnn_logistic_mixture"](num_components=num_components,
                                                                    **{**SMALL, **overrides})


def categorical(**overrides):
    return lambda: armlib.MODELS["gated_pixelcnn"](**{**SMALL, **overrides})


def level_probabilities(model, x):
    """p(x_d = v | x_<d) for every level v at every pixel of the images x (N, 1, 8, 8): (N, V, 8, 8)."""
    with torch.no_grad(), evaluating(model):
        params = model.params(x)
        return torch.stack([model.head.log_prob(params, torch.full_like(x, v)) for v in range(model.num_vals)],
                           dim=1)[:, :, 0].exp()


# %% [markdown]
# ## Exercise 1
#
# **How many components?** Train the digits model with $K = 1, 2, 10$ (and $K = 5$ to compare), with
# this notebook's short recipe. Where does one logistic fail (look at pixels that may be blank or
# inked, such as those at the edge of a stroke)? Does $K = 10$ beat $K = 5$ in the same number of
# epochs?
#
# The four models differ only in $K$: the output layer gives $3K$ numbers per pixel.

# %%
by_components = {k: train(mixture(k)) for k in COMPONENTS}
display(table(["K", "outputs per pixel", "best validation NLL", "test NLL", "seconds"],
              [[str(k), str(3 * k), f"{history.best_val:.2f}", f"{score.nats:.2f}", f"{history.seconds[-1]:.0f}"]
               for k, (model, history, score) in by_components.items()],
              caption="**Table S9.1.** The mixture head with K components, nats per image, after "
                      f"{EPOCHS} epochs of the short recipe."))
test_nats = {k: score.nats for k, (_, _, score) in by_components.items()}

# %% [markdown]
# One logistic is a single bump, but chapter 08's edge bins give it two tails: a wide logistic
# puts mass on level 0 and on level 16 at once, through the two edge bins. What it cannot do is put
# a spike on blank paper *and* a bump on some grey level in between. The pixels where that is asked
# for are those where a stroke may or may not begin. We find them with the $K = 5$
# model: the pixels of the test digits where it gives at least 10% to blank paper (level 0) and at
# least 10% to dark ink (levels 9 to 16). There we compare the two models' loss per pixel.

# %%
probabilities = {k: level_probabilities(by_components[k][0], x_test) for k in (1, 5)}
five = probabilities[5]
two_sided = (five[:, 0] >= 0.1) & (five[:, 9:].sum(1) >= 0.1)  # (N, 8, 8): blank or ink both likely
loss = {k: -torch.log(p.gather(1, x_test).squeeze(1)) for k, p in probabilities.items()}  # nats per pixel
gap = loss[1] - loss[5]
truth = x_test[:, 0]
bands = {"blank (0)": truth == 0, "in between (1-15)": (truth > 0) & (truth < NUM_VALS - 1),
         "full ink (16)": truth == NUM_VALS - 1}
groups = {"blank or ink both likely": two_sided, "all other pixels": ~two_sided,
          **{f"true level {band}": where for band, where in bands.items()}}
rows = [[name, f"{int(where.sum()):,}", f"{loss[1][where].mean():.3f}", f"{loss[5][where].mean():.3f}",
         f"{gap[where].mean():+.3f}", f"{gap[where].sum() / len(x_test):+.2f}"]
        for name, where in groups.items()]
display(table(["test pixels", "number", "K = 1: nats per pixel", "K = 5: nats per pixel", "K=1 minus K=5",
               "summed, per image"], rows,
              caption="**Table S9.2.** Where one logistic loses: the loss per test pixel of K = 1 and K = 5."))
gap_two_sided, gap_other = gap[two_sided].mean().item(), gap[~two_sided].mean().item()

# %%
assert test_nats[1] > test_nats[5] + 2, test_nats
assert gap_two_sided > gap_other, (gap_two_sided, gap_other)

# %% [markdown]
# Figure S9.1 shows the pixel where the $K = 5$ model is most torn between paper and ink.

# %%
both = torch.minimum(five[:, 0], five[:, 9:].sum(1))  # how torn the K = 5 model is, per pixel
image, i, j = (int(index) for index in torch.unravel_index(both.argmax(), both.shape))
fig, axes = plt.subplots(1, 3, figsize=(11, 2.8), gridspec_kw={"width_ratios": [1, 2, 2]})
armlib.plots.image_grid(x_test[image:image + 1], 1, ax=axes[0], title=f"test digit {image}")
axes[0].add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", lw=2))
for ax, k in zip(axes[1:], (1, 5)):
    ax.bar(levels, probabilities[k][image, :, i, j], color="tab:blue")
    ax.axvline(x_test[image, 0, i, j], color="red", linestyle=":", label="true value")
    ax.set_title(f"$K = {k}$")
    ax.set_xlabel("level $x_d$")
axes[1].set_ylabel(r"$p(x_d \mid \mathbf{x}_{<d})$")
axes[1].legend()
plt.tight_layout()
armlib.show_figure("S9.1", f"The pixel ({i}, {j}) of test digit {image}, boxed in red: one logistic (middle) "
                           f"against five (right), the true level dotted.")

# %% [markdown]
# **Answer.** One logistic is clearly worse (Table S9.1; the assert checks that $K = 1$ is more than
# 2 nats per image behind $K = 5$; it is 14.91 behind). Table S9.2 says where. Per pixel, it loses
# more where blank paper and dark ink are both likely than elsewhere (0.267 nats against 0.186; the
# assert checks that), and by true level almost all of its deficit sits on the grey levels 1 to 15
# (15.46 nats per image). On blank paper the two are nearly level (0.31 nats per image), and on full
# ink one logistic even does a little better, by 0.87: a single logistic with its mean beyond the
# edge covers level 16 as well as five do. Figure S9.1 shows the pixel where the $K = 5$ model is
# most torn between paper and ink. One logistic hedges there as described above: it is so wide that
# it is nearly flat over the greys, about 2% each, and its two edge bins take about half the mass
# for paper and a sixth for ink. Five components give paper and ink less and shape the rest, with
# bumps near levels 3 to 4 and 12 to 15. The truth there is level 10, where both models give about
# 2%, so this one pixel does not show the gain; the gain is the average over the grey pixels (Table
# S9.2). A wide logistic can only spread its grey mass evenly; a mixture can put it where the
# context points.
#
# $K = 10$ does not beat $K = 5$ in the same 2 epochs: in Table S9.1 it is 1.44 nats per image
# behind, about as far as $K = 2$ (1.25). This notebook trains each $K$ once, on one seed, so it
# has no seed-to-seed spread to set these gaps against, and one run of each $K$ is thin evidence
# for a ranking; still, nothing here says that more than five components help: in a short run the
# extra components are extra parameters to sort out.

# %% [markdown]
# ## Exercise 2
#
# **Bit depth.** Make 8-bit digits: $15x$ plus a random integer in $[0, 15)$, so that level $x$
# spreads over the 15 values $15x, \ldots, 15x + 14$ and the images take values 0 to 254. Model
# them with heads over 256 levels (255 never occurs; the heads have to learn that too). Train both
# heads with the short recipe for 4 epochs, and note the seconds each takes. Which one wins now,
# and why? How do the categorical head's output layer and its data per logit change from 17
# levels to 256?

# %%
spread = torch.Generator().manual_seed(0)
eight_bit = [15 * x + torch.randint(0, 15, x.shape, generator=spread) for x in (x_train, x_val, x_test)]
assert eight_bit[0].min() == 0 and eight_bit[0].max() == 254


def eight_bit_mixture():
    head = LogisticMixtureHead(256, 5)
    return armlib.ARM(armlib.gated_pixelcnn_for_head(head, 1, **SMALL), head, armlib.IMAGE_SHAPE)


def eight_bit_categorical():
    return armlib.ARM(armlib.GatedPixelCNN(256, **SMALL), armlib.Categorical(256), armlib.IMAGE_SHAPE)


eight = {name: train(build, eight_bit, epochs=SHORT_EPOCHS)
         for name, build in (("categorical", eight_bit_categorical), ("logistic mixture", eight_bit_mixture))}
spread_nats = armlib.IMAGE_SHAPE[1] * armlib.IMAGE_SHAPE[2] * math.log(15)
rows = []
for name, (model, history, score) in eight.items():
    output_layer = sum(p.numel() for p in model.net.to_logits.parameters())
    rows.append([name, str(model.head.num_params(1)), f"{output_layer:,}", f"{score.nats:.1f}", f"{score.bpd:.3f}",
                 f"{history.seconds[-1]:.0f}"])
display(table(["head", "outputs per pixel", "output layer weights", "test NLL, nats per image", "bits/dim",
               "seconds"], rows,
              caption=f"**Table S9.3.** Both heads on the 8-bit digits after {SHORT_EPOCHS} epochs. The 15 "
                      f"values a level spreads over add at least 64 ln 15 = {spread_nats:.1f} nats to any "
                      f"model's NLL."))
pixels = x_train.numel()
print(f"training pixels per level: {pixels / NUM_VALS:,.0f} at 17 levels, {pixels / 256:,.0f} at 256")
eight_split = {}
for name, (model, _, _) in eight.items():
    with torch.no_grad():
        nats = -model.eval().log_prob(eight_bit[2], reduction="none")[:, 0]  # (N, 8, 8)
    eight_split[name] = {band: nats[where].sum().item() / len(x_test) for band, where in bands.items()}
display(table(["level before the spread", "categorical", "logistic mixture", "mixture minus categorical"],
              [[band, f"{eight_split['categorical'][band]:.1f}", f"{eight_split['logistic mixture'][band]:.1f}",
                f"{eight_split['logistic mixture'][band] - eight_split['categorical'][band]:+.1f}"] for band in bands],
              caption="**Table S9.4.** The 8-bit test NLL of Table S9.3, nats per image, split by the 17-level "
                      "value the pixel was spread from."))

# %%
eight_nats = {name: score.nats for name, (_, _, score) in eight.items()}
assert min(eight_nats.values()) > spread_nats, eight_nats
assert eight_nats["categorical"] < eight_nats["logistic mixture"] - 5, eight_nats

# %% [markdown]
# **Answer.** Here the categorical head wins, and by far (Table S9.3; the asserts check a lead of
# more than 5 nats per image, and that both models stay above the 173.3 nats that the spreading
# alone costs), on every band of levels (Table S9.4). The mixture is still close to the uniform
# model over 256 levels, which costs $64 \ln 256 = 354.9$ nats per image, only 11.7 more than the
# mixture's 343.2; the short training is part of the gap, but the softmax had the same 4 epochs.
# This is not what the exercise's hint suggests, and the reason is the data. Spreading each level
# uniformly over 15 values makes the 8-bit digits step-shaped: blank paper, half of all pixels,
# becomes a flat plateau over the values 0 to 14 with a cliff at 15, and each grey level a plateau
# of its own. A softmax learns a plateau exactly, one logit per value; five logistics are smooth
# bumps and can only approximate flat tops and sharp edges, so every pixel pays for the mismatch.
# Smoothness helps when neighbouring values really are alike in probability, as in photographs,
# whose 8-bit intensities vary smoothly; here it is the wrong prior.
#
# The output layer and the data per logit still matter more at 256 levels, and they are what the
# mixture saves. At 17 levels the two heads had almost the same output layer (17 against 15
# outputs); at 256 the softmax needs 256 logits per pixel, 8,448 output weights against 495, and
# every logit learns only from the pixels at its own value: 250 training pixels per value on
# average instead of 3,765 (the printed line), and far fewer for the rare grey values. With less
# data, or with smooth data, that is where a softmax loses; on these digits a value in 0 to 14 is
# seen thousands of times, and 250 pixels per value is enough for a plateau. The seconds in Table
# S9.3 are close: the network reads each pixel as 256 level indicators for both heads, and the
# output layer is a small part of a pass.

# %% [markdown]
# ## Exercise 3
#
# **Input.** Give chapter 06's network the scaled pixel value as its only input channel instead
# of the 17 level indicators (build both models with `inputs="value"`), and train both heads with
# the short recipe. Which head suffers more from the poorer input, and why might smoothness built
# into the head make up for some of it?

# %%
inputs = {("categorical", "levels"): train(categorical()),
          ("categorical", "value"): train(categorical(inputs="value")),
          ("logistic mixture", "levels"): by_components[5],
          ("logistic mixture", "value"): train(mixture(inputs="value"))}
input_nats = {key: score.nats for key, (_, _, score) in inputs.items()}
cost = {head: input_nats[head, "value"] - input_nats[head, "levels"] for head in ("categorical", "logistic mixture")}
display(table(["head", "17 level indicators", "scaled value", "cost of the poorer input"],
              [[head, f"{input_nats[head, 'levels']:.2f}", f"{input_nats[head, 'value']:.2f}", f"{cost[head]:+.2f}"]
               for head in cost],
              caption="**Table S9.5.** Test NLL in nats per image, seed 0, by head and input."))

more = max(cost, key=cost.get)
print(f"on seed 0 the {more} head loses more to the poorer input: {cost[more]:+.2f} nats against "
      f"{cost[min(cost, key=cost.get)]:+.2f}")

# %%
for head in cost:  # the value input: one channel into the first block instead of 17 indicators
    assert inputs[head, "value"][0].net.inputs == "value" and inputs[head, "levels"][0].net.inputs == "levels"
uniform = armlib.uniform_nats(64, NUM_VALS)
assert all(nats < uniform - 50 for nats in input_nats.values()), input_nats  # every model learns, either input

# %% [markdown]
# **Answer.** Both heads lose a few nats per image with the scalar input (Table S9.5; the assert
# checks that every model still learns, far below the uniform 181.3). On this seed the categorical
# head loses less: the mixture loses 7.46 nats per image, the softmax 2.37 (the printed line),
# 5.09 nats apart. It is one seed of a short run, with no second seed here to measure the spread
# against, and a difference between two differences. Why might a smooth head make
# up for some of the poorer input? With 17 indicators the first layer has separate weights per
# level and can treat level 11 and level 12 as unrelated; with the value, nearby levels give nearby
# inputs, and what the network passes on varies smoothly with them. A mixture's means can follow
# such a signal almost linearly, shifting a bump along the levels, while a softmax has to turn it
# into 17 separate logits, each with its own boundary. That is the expectation; in this short run
# it does not show, and with one seed after 2 epochs we cannot say whether longer training would
# show it.

# %% [markdown]
# ## Exercise 4
#
# **Scales.** Take the chapter's trained mixture model and plot a histogram of the log-scales it
# predicts for blank pixels and for pixels inside a stroke. Which are sharper, and what does the edge bin let the
# model do for the background? (Hint: `mixture_model.head._split(mixture_model.params(x), 1)`
# splits the network's output into logits, means, log-scales and coupling coefficients, none for
# one channel; take, at each pixel, the log-scale of the component with the largest logit.)
#
# The model is the chapter's own, $K = 5$ on chapter 06's network after its 27 epochs, loaded from
# the weights chapter 09 saved (the cell checks that they still score the chapter's 77.81). We take
# the test pixels at level 0 as blank and those at level 16, full ink, as inside a stroke.

# %%
FULL = dict(channels=32, blocks=8, dropout=0.2)  # chapter 06's network (06 trained it with a softmax, 09 a mixture)
mixture_model = ladder.load_weights("09_mixture_head_and_colour",
                                    armlib.MODELS["gated_pixelcnn_logistic_mixture"](num_components=5, **FULL))
recorded = ladder.find("09_mixture_head_and_colour", "gated PixelCNN, mixture of 5 discretised logistics")["test_nats"]
assert abs(armlib.evaluate(mixture_model, x_test).nats - recorded) <= 0.006, "these should be chapter 09's weights"
with torch.no_grad(), evaluating(mixture_model):
    logits, means, log_scales, _ = mixture_model.head._split(mixture_model.params(x_test), 1)
top = logits.argmax(1, keepdim=True)  # (N, 1, 8, 8): the component with the largest logit
top_log_scale = log_scales[:, 0].gather(1, top).squeeze(1)
top_mean = means[:, 0].gather(1, top).squeeze(1)
truth = x_test[:, 0]
groups = {"blank (level 0)": truth == 0, "grey (levels 1-15)": (truth > 0) & (truth < NUM_VALS - 1),
          "full ink (level 16)": truth == NUM_VALS - 1}
half_bin = 1 / (NUM_VALS - 1)  # h: the half-width of a bin on the [-1, 1] scale

fig, ax = plt.subplots(figsize=(8, 3.5))
for (name, where), colour in zip(groups.items(), ("tab:grey", "tab:orange", "tab:blue")):
    ax.hist(top_log_scale[where].numpy(), bins=40, alpha=0.6, color=colour, label=name)
ax.axvline(math.log(half_bin), color="black", linestyle=":", label=r"$\log h$: a bin's half-width")
ax.set_xlabel(r"log-scale $\log s$ of the component with the largest logit")
ax.set_ylabel("test pixels")
ax.legend()
armlib.show_figure("S9.2", "The log-scales chapter 09's trained mixture model predicts at blank, grey and fully "
                          "inked test pixels.")

rows = []
for name, where in groups.items():
    rows.append([name, f"{int(where.sum()):,}", f"{top_log_scale[where].median():.2f}",
                 f"{(top_mean[where] < -1).float().mean():.0%}", f"{(top_mean[where] > 1).float().mean():.0%}"])
display(table(["test pixels", "number", "median log-scale", "mean below -1", "mean above +1"], rows,
              caption="**Table S9.6.** The component with the largest logit: its log-scale, and where its mean "
                      "lies on the [-1, 1] scale of the levels (level 0 at -1, level 16 at +1)."))
median_scale = {name: top_log_scale[where].median().item() for name, where in groups.items()}
beyond_edge = (top_mean[groups["blank (level 0)"]] < -1).float().mean().item()
grey_beyond = (top_mean[groups["grey (levels 1-15)"]] < -1).float().mean().item()

# %%
assert beyond_edge > 0.5 and grey_beyond < beyond_edge, (beyond_edge, grey_beyond)
assert median_scale["blank (level 0)"] < min(median_scale["grey (levels 1-15)"], median_scale["full ink (level 16)"])

# %% [markdown]
# **Answer.** In the trained model the blank pixels are the sharper ones (Figure S9.2): in Table
# S9.6 the median log-scale of the leading component is $-2.50$ at blank pixels against $-2.06$ at
# full ink and $-2.02$ at grey pixels (the assert checks the order), all above $\log h = -2.77$,
# the scale at which a component centred on a level puts 46% of its mass on that level's bin. Yet the background does not
# rely on its scale alone; the *means* do most of the work. At blank pixels the leading component's
# mean lies below $-1$, beyond the centre of the first bin, almost everywhere (93%; the assert
# checks more than half, and fewer for grey pixels). The edge bin takes all the mass below
# $-1 + h$, so a component centred beyond the edge puts more than half its mass on level 0
# whatever its scale, and nearly all of it once the mean is well beyond the edge: for the background, the edge bin turns "somewhere off the scale, below it" into
# "certainly level 0". Full ink does the same at the other edge (59% above $+1$). At grey pixels
# the leading component's mean lies beyond an edge rarely (8% below $-1$, 8% above $+1$): there the
# model has to place a bump inside the range.

# %% [markdown]
# ## Exercise 5
#
# **Where is the lead?** Split the test NLL of the chapter's mixture model and of chapter 06's
# categorical model by the true level of the pixel: blank (0), full ink (16) and the levels in
# between, with a confidence interval over the test images on each difference. Where do the two heads differ, and does that fit the reading that smoothness lets
# neighbouring levels share evidence?
#
# Both models are loaded from the weights their chapters saved: the same network, recipe and `fit`
# seed, other initial weights (chapter 09, section 3). They are one training run each, so the
# spread we can put on a difference here is over the 447 test images: each image's difference
# between the heads on a band of pixels, and a 95% confidence interval on its mean (Student's $t$
# with 446 degrees of freedom). Section 3's five seeds are the other spread, over training runs.

# %%
trained = {"categorical": ladder.load_weights("06_gated_pixelcnn", armlib.MODELS["gated_pixelcnn"](**FULL)),
           "logistic mixture": mixture_model}
per_image = {}  # head -> {band: (N,) nats of each test image on that band's pixels}
for head, model in trained.items():
    with torch.no_grad(), evaluating(model):
        terms = -model.log_prob(x_test, reduction="none")[:, 0]  # (N, 8, 8), nats per pixel
    per_image[head] = {band: (terms * where).flatten(1).sum(1) for band, where in bands.items()}
    total = sum(per_image[head].values()).mean().item()
    assert abs(total - armlib.evaluate(model, x_test).nats) < 1e-3, head  # the bands add up to the NLL

t = stats.t.ppf(0.975, len(x_test) - 1)
rows, intervals = [], {}
for band in [*bands, "all pixels"]:
    nats = {head: sum(split.values()) if band == "all pixels" else split[band] for head, split in per_image.items()}
    difference = nats["logistic mixture"] - nats["categorical"]
    half_width = t * difference.std().item() / math.sqrt(len(difference))
    intervals[band] = (difference.mean().item() - half_width, difference.mean().item() + half_width)
    share = "100.0%" if band == "all pixels" else f"{bands[band].float().mean():.1%}"
    rows.append([band, share, f"{nats['categorical'].mean():.2f}", f"{nats['logistic mixture'].mean():.2f}",
                 f"{difference.mean():+.2f}", f"{intervals[band][0]:+.2f} to {intervals[band][1]:+.2f}"])
display(table(["true level", "share of test pixels", "categorical (ch. 06)", "mixture (ch. 09)",
               "mixture minus categorical", "95% interval over the test images"], rows,
              caption="**Table S9.7.** The two chapters' trained models: test NLL in nats per image, split by the "
                      "true level of the pixel (negative differences favour the mixture)."))
nll = {head: sum(split.values()).mean().item() for head, split in per_image.items()}
middle_share = {head: split["in between (1-15)"].mean().item() / nll[head] for head, split in per_image.items()}
print(f"share of the NLL on levels 1-15: categorical {middle_share['categorical']:.0%}, "
      f"mixture {middle_share['logistic mixture']:.0%}, on {bands['in between (1-15)'].float().mean():.0%} of the pixels")

# %%
pixel_share = bands["in between (1-15)"].float().mean().item()
assert all(share > pixel_share for share in middle_share.values()), (middle_share, pixel_share)
assert intervals["blank (0)"][1] < 0 and intervals["full ink (16)"][1] < 0, intervals  # the mixture's lead
low, high = intervals["in between (1-15)"]
assert low < 0 < high, intervals  # no difference we can measure on the grey levels

# %% [markdown]
# **Answer.** Table S9.7 splits the mixture's lead of 0.38 nats per image (77.81 against 78.19).
# It sits on the edges of the scale: 0.21 nats on blank pixels and 0.21 on full ink, each with a
# 95% interval over the test images that stays below zero ($-0.31$ to $-0.11$). On the levels in
# between the two heads are level, $+0.04$ with an interval from $-0.23$ to $+0.31$ (the asserts
# check all three). That does not fit the reading. The grey levels are the rare ones, 41% of the
# pixels shared by fifteen levels, where evidence shared between neighbouring levels should help
# most, and they carry most of the NLL (86 and 87% of it, on 41% of the pixels; the assert checks that their
# share exceeds their share of the pixels), yet there the mixture gains nothing we can measure.
# What it does better is the edges: as exercise 4 shows, its leading component at a blank pixel
# sits beyond the edge, where the edge bin gives level 0 nearly all the mass, plausibly an easier
# shape to learn than one softmax logit far above sixteen others.
#
# Two limits. The intervals are over the test images, for one training run of each head; chapter
# 09's five seeds put the whole-image difference within seed noise (Table 9.2), so this split
# describes these two trained models, not the heads in general. And the two runs started from
# different initial weights (section 3 of the chapter), which is part of what differs between them.

# %% [markdown]
# ## Exercise 6
#
# **No coupling.** Subclass `LogisticMixtureHead` so that `_channel_mean` ignores the earlier
# channels and retrain the colour model, built around your head with
# `armlib.ARM(armlib.gated_pixelcnn_for_head(head, 3, **network), head, armlib.COLOUR_SHAPE)`,
# beside the coupled model, both with this notebook's smaller network for 2 epochs. How much of the
# green and blue terms was the coupling's, and how much the shared mixture component's?

# %%
class UncoupledHead(LogisticMixtureHead):
    """The PixelCNN++ head without coupling: a channel's mean ignores the channels before it. The
    channels of a pixel still share the mixture component."""

    @staticmethod
    def _channel_mean(c, means, coefficients, centres):
        return means[:, c]


colour = [armlib.load_colour_digits(split) for split in ("train", "val", "test")]
COLOUR_RECIPE = dict(epochs=COLOUR_EPOCHS, batch_size=64, lr_schedule="constant", weight_decay=0.0)


def uncoupled():
    head = UncoupledHead(NUM_VALS, 5)
    return armlib.ARM(armlib.gated_pixelcnn_for_head(head, 3, **SMALL), head, armlib.COLOUR_SHAPE)


colour_runs = {"coupled": train(lambda: armlib.MODELS["gated_pixelcnn_logistic_mixture_colour"](**SMALL), colour,
                                **COLOUR_RECIPE),
               "uncoupled": train(uncoupled, colour, **COLOUR_RECIPE)}


def channel_terms(model, x):
    """Nats per image of each channel's chain-rule term, -log p(x_c | x_<c in the pixel, earlier pixels)."""
    with torch.no_grad():
        return -model.eval().log_prob(x, reduction="none").sum((2, 3)).mean(0)


def channel_marginals(model, x):
    """Nats per image of each channel on its own, -log p(x_c | earlier pixels), the pixel's other channels
    not seen: sum_k pi_k P_k(x_c). For the uncoupled head, whose channel means ignore the other channels."""
    with torch.no_grad(), evaluating(model):
        logits, means, log_scales, _ = model.head._split(model.params(x), 3)
        log_components = discretized_logistic_log_prob(x.unsqueeze(2), means, log_scales, NUM_VALS)  # (N, 3, K, 8, 8)
        marginal = torch.logsumexp(logits.log_softmax(1).unsqueeze(1) + log_components, dim=2)
        return -marginal.sum((2, 3)).mean(0)


terms = {name: channel_terms(model, colour[2]) for name, (model, _, _) in colour_runs.items()}
alone = channel_marginals(colour_runs["uncoupled"][0], colour[2])
rows = [["each channel alone (uncoupled model)", *(f"{v:.1f}" for v in alone.tolist()), f"{alone.sum():.1f}"]]
rows += [[f"chain-rule terms, {name}", *(f"{v:.1f}" for v in t.tolist()), f"{t.sum():.1f}"] for name, t in terms.items()]
display(table(["nats per colour image", "red", "green", "blue", "total"], rows,
              caption=f"**Table S9.8.** The colour test digits after {COLOUR_EPOCHS} epochs: each channel's "
                      f"term, for the uncoupled head with and without the pixel's earlier channels, and for "
                      f"the coupled head."))
for c, channel in ((1, "green"), (2, "blue")):
    shared = alone[c] - terms["uncoupled"][c]
    coupling = terms["uncoupled"][c] - terms["coupled"][c]
    print(f"{channel}: the shared component saves {shared:.1f} nats per image, the coupling {coupling:.1f} more")

# %%
for c in (1, 2):
    assert terms["coupled"][c] < terms["uncoupled"][c] - 1, terms
    assert terms["uncoupled"][c] < alone[c] - 1, (terms, alone)

# %% [markdown]
# **Answer.** Most of it was the shared component's (Table S9.8 and the two lines under it; the
# asserts check that each step saves nats for green and for blue). A channel alone, with the
# pixel's other channels unseen, costs the uncoupled model about 102 to 104 nats per image, like red
# (101.9). Seeing the earlier channels through the shared component alone saves 36 nats on green and
# 37 on blue:
# red's value tells which component, and so roughly how much ink, the pixel has, and green and blue
# then follow that component. The coupling saves 6 more nats on green and 11 on blue: it moves a
# channel's mean by the exact values of the channels before it, where a component only knows one of
# five amounts of ink. Blue gains more than green from the coupling, as it can lean on two earlier
# channels. A caveat on the coupling's share: the coupled and uncoupled models are separate runs of
# one seed each, and their red terms, where the coupling plays no part, already differ by 3.9 nats
# (105.8 against 101.9). The coupling's 6.3 nats on green are less than twice that gap; its 10.9 on
# blue, nearly three times the gap, stand out more clearly.
