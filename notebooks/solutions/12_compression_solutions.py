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
# # Solutions to chapter 12: Compression
#
# These are worked solutions to the exercises of [chapter 12](../12_compression.ipynb).
# Try each exercise yourself before you read its solution.
#
# Exercises 1 to 4 use chapter 07's class-conditional gated PixelCNN, exercise 5 chapter 10's
# CausalConv1D for the binarised digits. Both are loaded from the weights their chapters saved;
# nothing is trained here.

# %%
import bz2
import lzma
import math
import time
import zlib

import numpy as np
import torch
from IPython.display import display

import armlib
from armlib import codec, ladder
from armlib.book import table
from armlib.models.conv1d import DilatedConvNet

armlib.setup(seed=0)

GATED = dict(channels=32, blocks=8, dropout=0.2)  # chapter 06's network, trained by chapter 07
NUM_CLASSES = 10
PRECISIONS = (8, 12, 16, 24)         # exercise 3
CHUNK_IMAGES = 32                    # exercise 4: the first 32 test digits
CHUNKS = (1, 8, 32)
TIMING_REPEATS = 3                   # exercise 4: every timing is the fastest of this many runs

x_flat, labels = armlib.load_digits("test", return_labels=True)
digits = armlib.as_images(x_flat)
model = ladder.load_weights("07_class_conditioning", armlib.MODELS["gated_pixelcnn_conditional"](**GATED)).eval()
count = len(digits)


def best_generic(raw: bytes) -> dict[str, int]:
    """The fewest bytes zlib, bz2 and lzma reach on ``raw``, each over its levels (as chapter 12 does)."""
    return {"zlib": min(len(zlib.compress(raw, level)) for level in range(1, 10)),
            "bz2": min(len(bz2.compress(raw, level)) for level in range(1, 10)),
            "lzma": min(len(lzma.compress(raw, preset=level | extreme))
                        for level in range(10) for extreme in (0, lzma.PRESET_EXTREME))}

# %% [markdown]
# ## Exercise 1
#
# **The wrong label.** Code every test digit with each of the ten labels. How many bits does a
# wrong label cost on average, compared with the right one? For how many digits is some wrong
# label cheaper than the right one, and what does that say about the model as a classifier?
#
# The code length of a digit given label $c$ is $-\log_2 p(\mathbf{x} \mid c)$ (plus the $\log_2 10$
# bits of the label, the same for every $c$, so we leave it out). One pass of the model per label
# gives all ten for every digit. A real stream (`armlib.compress`) should come within a fraction of a
# percent of these sums, as chapter 12's did; we check one case, every digit coded with the next label,
# $(y + 1) \bmod 10$, a wrong one for all of them.

# %%
with torch.no_grad():
    bits = torch.stack([-model.log_prob(digits, torch.full((count,), c)) / math.log(2)
                        for c in range(NUM_CLASSES)], dim=1)  # (447, 10)
right = bits[torch.arange(count), labels]
wrong = bits.masked_fill(torch.nn.functional.one_hot(labels, NUM_CLASSES).bool(), float("nan"))
extra = wrong.nanmean(1) - right
cheaper_wrong = (wrong.nan_to_num(float("inf")).min(1).values < right)
print(f"right label: {right.mean():.1f} bits per image on average; a wrong label: {wrong.nanmean():.1f} "
      f"(+{extra.mean():.1f} bits, median +{extra.median():.1f})")
print(f"digits for which some wrong label is cheaper: {int(cheaper_wrong.sum())} of {count}")
print(f"the cheapest label is the right one for {100 * (bits.argmin(1) == labels).float().mean():.1f}% of the digits")
next_labels = (labels + 1) % NUM_CLASSES
wrong_stream = armlib.compress(model, digits, next_labels)
wrong_ideal = float(bits[torch.arange(count), next_labels].sum()) + count * math.log2(NUM_CLASSES)
wrong_payload = 8 * (len(wrong_stream) - codec.HEADER.size)
print(f"a real stream with the next label: payload {wrong_payload} bits against the ideal {wrong_ideal:.1f} "
      f"({100 * (wrong_payload / wrong_ideal - 1):+.2f}%)")

# %%
assert extra.mean() > 10
assert abs(wrong_payload / wrong_ideal - 1) < 0.01
assert (bits.argmin(1) == labels).float().mean() > 0.8

# %% [markdown]
# A wrong label costs about 12.6 bits more per image on average: the model, told "this is a 3",
# spends its probability on threes and is surprised by the strokes of a 7. For 68 of the 447 digits
# some wrong label is cheaper than the right one. Picking the label that gives the shortest code is picking the class
# with the largest likelihood $p(\mathbf{x} \mid c)$, which is a classifier (Bayes' rule with a uniform
# prior over the classes), as chapter 07 used it; the count above is its number of errors on the test
# set, and the third line its accuracy. The real stream with every label wrong came within 0.05% of
# its ideal size, as the chapter's stream did with the right labels.
#
# ## Exercise 2
#
# **What storing the label costs.** The stream spends $\log_2 10$ bits per label. Compare
# $-\log_2 p(\mathbf{x} \mid y) + \log_2 10$ with the code length of the class mixture
# $p(\mathbf{x}) = \sum_y \frac{1}{10}\, p(\mathbf{x} \mid y)$ (chapter 07's `ClassMixture`, with uniform
# class probabilities), which needs no label. Show that the difference is
# $-\log_2 p(y \mid \mathbf{x})$ under the mixture, and measure it. What could a coder that stores
# images without labels do with a class-conditional model? (Bits-back coding, Townsend et al. (2019),
# is one answer.)
#
# With uniform class probabilities $\pi_y = 1/10$, the joint is $p(\mathbf{x}, y) = \frac{1}{10} p(\mathbf{x} \mid y)$
# and Bayes' rule gives $p(y \mid \mathbf{x}) = p(\mathbf{x}, y) / p(\mathbf{x})$. So
#
# $$-\log_2 p(\mathbf{x} \mid y) + \log_2 10 = -\log_2 p(\mathbf{x}, y)
#   = -\log_2 p(\mathbf{x}) - \log_2 p(y \mid \mathbf{x}).$$
#
# Storing the label costs the mixture's code length plus $-\log_2 p(y \mid \mathbf{x}) \ge 0$: how
# uncertain the model is about the label once it has seen the image. The ten code lengths of
# exercise 1 give all three terms; `ClassMixture` computes the mixture's likelihood itself, as a check.

# %%
from armlib.class_mixture import ClassMixture

joint_bits = bits + math.log2(NUM_CLASSES)                                  # -log2 p(x, c), every c
mixture_bits = -torch.logsumexp(-joint_bits * math.log(2), dim=1) / math.log(2)  # -log2 p(x)
posterior_bits = joint_bits[torch.arange(count), labels] - mixture_bits      # -log2 p(y | x)
uniform_mixture = ClassMixture(model, torch.full((NUM_CLASSES,), 1 / NUM_CLASSES))
with torch.no_grad():
    check_bits = -uniform_mixture.log_prob(digits).double() / math.log(2)
print(f"image and label, -log2 p(x | y) + log2 10: {joint_bits[torch.arange(count), labels].mean():.2f} bits per image")
print(f"the class mixture, -log2 p(x):              {mixture_bits.mean():.2f} bits per image "
      f"(ClassMixture: {check_bits.mean():.2f})")
print(f"difference, -log2 p(y | x):                 {posterior_bits.mean():.2f} bits per image on average, "
      f"median {posterior_bits.median():.3f}")

# %%
assert (posterior_bits >= -1e-4).all()
assert torch.allclose(mixture_bits.double(), check_bits, atol=1e-3)

# %% [markdown]
# Knowing the label saves the model $112.68 - 110.00 = 2.68$ bits per image, less than the
# $\log_2 10 = 3.32$ bits it costs to store; the difference is the $0.64$ bits of
# $-\log_2 p(y \mid \mathbf{x})$. It is small on average because the model is usually sure of the
# label: the median, $0.055$ bits, is far below the mean, so most digits cost almost nothing extra and a
# few uncertain ones several bits. So as a *compressor of images* the mixture is better, and the label
# is worth storing only when the decoder needs it. But the mixture's decoder has to run the network under all ten labels, in lockstep,
# to get $p(x_d \mid \mathbf{x}_{<d}) = \sum_y p(y \mid \mathbf{x}_{<d})\, p(x_d \mid \mathbf{x}_{<d}, y)$:
# ten times the work.
#
# **Bits back.** A coder can reach $-\log_2 p(\mathbf{x})$ with one network run per image, treating
# the label as a latent variable (Townsend et al., 2019). The encoder, holding some stream already,
# first *decodes* a label $y$ from it with $p(y \mid \mathbf{x})$ (taking about
# $-\log_2 p(y \mid \mathbf{x})$ bits off the stream), then encodes $\mathbf{x}$ given $y$ and $y$ with
# its prior. The net cost is $-\log_2 p(\mathbf{x} \mid y) - \log_2 p(y) + \log_2 p(y \mid \mathbf{x})
# = -\log_2 p(\mathbf{x})$. This needs a coder that works as a stack (ANS), since the decoder must undo
# the steps in reverse order, and some initial bits to borrow from.
#
# ## Exercise 3
#
# **Precision of the frequencies.** `frequencies` uses counts out of $2^{24}$. Write a copy that
# takes the precision as an argument and compute the ideal size of the test set under counts out of
# $2^{8}$, $2^{12}$, $2^{16}$ and $2^{24}$ (the code length of a pixel is
# $-\log_2(\text{count}/2^{\text{precision}})$). Where does the loss come from at low precision?
#
# The copy changes one thing: the total. We need the model's log-probabilities of every level at
# every pixel; the codec's 24-bit counts from `frequency_tables` give them to within about
# $2^{-24}$, close enough to requantise from.

# %%
def frequencies_at(log_probs: torch.Tensor, precision: int) -> torch.Tensor:
    """``codec.frequencies`` with counts out of 2**precision instead of 2**24."""
    probs = torch.softmax(log_probs.to(torch.float64), dim=-1)
    levels, total = probs.shape[-1], 1 << precision
    counts = 1 + torch.floor(probs * (total - levels)).to(torch.int64)
    return counts.scatter_add(-1, probs.argmax(-1, keepdim=True), total - counts.sum(-1, keepdim=True))


tables = codec.frequency_tables(model, digits, labels)  # (447, 1, 8, 8, 17), out of 2**24
log_probs = (tables.double() / 2**codec.PRECISION).log()
with torch.no_grad():
    ideal_pixel_bits = float(-model.log_prob(digits, labels).sum() / math.log(2))
rows, cost = [], {}
for precision in PRECISIONS:
    counts = frequencies_at(log_probs, precision)
    assert (counts >= 1).all() and (counts.sum(-1) == 2**precision).all()
    coded = counts.gather(-1, digits.unsqueeze(-1)).squeeze(-1).double()  # the count of each pixel's value
    cost[precision] = float(-(coded / 2**precision).log2().sum())
    rows.append([f"2^{precision}", f"{cost[precision] / count:.2f}",
                 f"{100 * (cost[precision] / ideal_pixel_bits - 1):+.3f}%"])
rows.append(["the model's probabilities", f"{ideal_pixel_bits / count:.2f}", "0"])
display(table(["frequencies out of", "bits per image (pixels only)", "over -log2 p(x | y)"], rows))
paper = (digits == 0).float().mean()
print(f"pixels of value 0 (paper): {100 * paper:.0f}% of all pixels")

# The loss at 2^8, split in two: the one-count floor alone (counts 1 + p (2^8 - 17), not rounded) and the
# rounding on top of it; and the share of the loss on the pixels the model is sure of (top probability > 0.9).
probs = log_probs.softmax(-1)
p_coded = probs.gather(-1, digits.unsqueeze(-1)).squeeze(-1)                 # the probability of each pixel's value
floored = (1 + p_coded * (2**8 - armlib.NUM_VALS)) / 2**8                    # floor of one count, no rounding
coded_8 = frequencies_at(log_probs, 8).gather(-1, digits.unsqueeze(-1)).squeeze(-1).double() / 2**8
loss_floor = -floored.log2() + p_coded.log2()                                # bits per pixel, each
loss_round = -coded_8.log2() + floored.log2()
sure = probs.max(-1).values > 0.9
total_loss = float((loss_floor + loss_round).sum())
print(f"loss at 2^8: {total_loss / count:.2f} bits per image; the one-count floor {float(loss_floor.sum()) / count:.2f}, "
      f"the rounding {float(loss_round.sum()) / count:.2f}")
print(f"pixels with top probability > 0.9: {100 * float(sure.float().mean()):.0f}% of all pixels, "
      f"{100 * float((loss_floor + loss_round)[sure].sum()) / total_loss:.0f}% of the loss")

# %%
assert cost[24] / ideal_pixel_bits - 1 < 1e-3
assert cost[8] > cost[12] > cost[16] >= cost[24] - 1e-6
assert cost[8] / ideal_pixel_bits - 1 > 0.01
assert abs(total_loss - (cost[8] - float(-p_coded.log2().sum()))) < 1e-6 * total_loss  # the two parts add up

# %% [markdown]
# At $2^{24}$ the counts cost nothing measurable, at $2^{16}$ a thousandth of a percent and at $2^{12}$
# under a tenth of a percent. At $2^{8}$ the loss is about 2.3%. Two things could cause it, and the
# last two lines measure them. Every level keeps at least one count, so the 16 levels a pixel almost
# certainly does not take hold at least $16/2^{8} = 6.25\%$ of the total: a pixel the model is sure of
# (half of all pixels are paper, and the model is sure of most of them) gets at most $240/256$ of the
# total, about $0.09$ bits where the model would pay almost nothing. And the floor rounds every
# probability down to a multiple of $2^{-8}$, giving the remainder to the most likely level. Measured,
# the one-count floor is nearly all of the loss (2.48 of 2.55 bits per image), the rounding a few
# hundredths of a bit; and the pixels with a top probability above 0.9, 40% of all pixels, carry 84% of
# the loss. Both parts shrink as the precision grows, which is why range coders and ANS use 12 to 32
# bits of precision, with 24 the default of constriction's range coder.
#
# ## Exercise 4
#
# **Chunks.** `compress` codes the images in batches of `chunk` (512 by default). Compress the first
# 32 test digits with chunks of 1, 8 and 32 and time the decoder. How does the time per image change,
# and does the size? The header records the chunk: why must the decoder use the encoder's?

# %%
few, few_labels = digits[:CHUNK_IMAGES], labels[:CHUNK_IMAGES]
rows, seconds, sizes = [], {}, {}
for chunk in CHUNKS:
    data = armlib.compress(model, few, few_labels, chunk=chunk)
    runs = []
    for _ in range(TIMING_REPEATS):  # the fastest of three runs: the least disturbed by the rest of the machine
        start = time.perf_counter()
        decoded, decoded_labels = armlib.decompress(model, data)
        runs.append(time.perf_counter() - start)
    seconds[chunk] = min(runs)
    sizes[chunk] = len(data)
    assert torch.equal(decoded, few) and torch.equal(decoded_labels, few_labels)
    rows.append([str(chunk), f"{1000 * seconds[chunk] / CHUNK_IMAGES:.1f}", str(len(data))])
print(f"timed on: {armlib.machine()}")
display(table(["chunk", f"decoding, ms per image (fastest of {TIMING_REPEATS})", "stream bytes"], rows))
by_chunk = {chunk: codec.frequency_tables(model, few, few_labels, chunk=chunk) for chunk in CHUNKS[1:]}
print(f"frequencies that differ between chunks of {CHUNKS[1]} and {CHUNKS[2]}: "
      f"{int((by_chunk[CHUNKS[1]] != by_chunk[CHUNKS[2]]).sum())} of {by_chunk[CHUNKS[1]].numel()}")

# %%
assert seconds[CHUNKS[-1]] < seconds[CHUNKS[0]]
assert max(sizes.values()) - min(sizes.values()) <= 8  # the same probabilities, up to a count here and there

# %% [markdown]
# The time per image falls steeply with the chunk: every step of the loop costs a fixed amount (a
# Python call and a PyTorch dispatch per layer, and a call of the range coder) whatever the batch, and
# with a chunk of one every image pays for all 64 steps alone. The size did not change here: every
# image is coded with the same model, so only a count here and there can differ, and with it at most
# the range coder's last word.
#
# A count here and there is the reason the decoder must use the encoder's chunks. Matrix products and
# convolutions over a batch of 8 and a batch of 32 may add in different orders (PyTorch picks its
# kernels by shape). On this machine they did: the last line above counts the frequencies that differ
# between the two chunk sizes. That count depends on the processor and the PyTorch build; it may be
# zero elsewhere, and it takes only one. Had the decoder used other
# batches than the encoder, any such difference would corrupt the stream, exactly as the parallel
# pass did in chapter 12, section 3. So the chunk is part of the stream's format: the header records
# it, and `decompress` follows it.
#
# ## Exercise 5
#
# **Binarised digits.** Compress the binarised test digits (`armlib.binarise`) with chapter 10's
# binarised model (`results/10_fast_sampling_binarised.pt`) and compare with zlib, bz2 and lzma on the
# same data, one byte per pixel and packed eight pixels per byte (`numpy.packbits`). Is the model's
# lead larger or smaller than on the 17-level digits?

# %%
binary = armlib.binarise(x_flat)  # (447, 64), values 0 and 1
binary_model = ladder.load_weights(
    "10_fast_sampling_binarised",
    armlib.ARM(DilatedConvNet(2, channels=32), armlib.Categorical(2), (armlib.DIGIT_LENGTH,))).eval()
binary_stream = armlib.compress(binary_model, binary)
assert torch.equal(armlib.decompress(binary_model, binary_stream), binary)
with torch.no_grad():
    binary_ideal = float(-binary_model.log_prob(binary).sum() / math.log(2))
one_byte = best_generic(binary.to(torch.uint8).numpy().tobytes())
packed = best_generic(np.packbits(binary.numpy().astype(np.uint8), axis=1).tobytes())  # 8 bytes per image
model_bits = 8 * len(binary_stream) / count
rows = [["ARM stream (chapter 10's binarised model), header included", f"{model_bits:.1f}", "1.00"],
        ["ARM ideal, -log2 p(x)", f"{binary_ideal / count:.1f}", f"{binary_ideal / count / model_bits:.2f}"]]
rows += [[f"{name}, {layout}", f"{8 * size / count:.1f}", f"{8 * size / count / model_bits:.2f}"]
         for layout, results in (("one byte per pixel", one_byte), ("packed, 8 pixels per byte", packed))
         for name, size in results.items()]
rows.append(["uncompressed, 1 bit per pixel", "64.0", f"{64 / model_bits:.2f}"])
display(table(["code", "bits per image", "times the ARM stream"], rows))
best = min(8 * size / count for size in (*one_byte.values(), *packed.values()))
print(f"the ARM stream is {best / model_bits:.2f} times smaller than the best generic compressor")

# %%
assert 1.0 < best / model_bits < 1.55  # chapter 12's lead on the 17-level digits was 1.55x

# %% [markdown]
# The binarised digits cost the model about 26 bits per image (chapter 10's test NLL, 18.27 nats, is
# 26.4 bits); the stream adds the 32-byte header, about 0.6 bits per image here. The generic
# compressors do better on the packed bytes (one byte per row of an image) than on one byte per pixel,
# and the best of them needs 36.0 bits per image. The model's lead is *smaller* than on the 17-level
# digits: 1.34x against 1.55x. The two ratios are not measured alike: chapter 12's ARM stream also
# carries the 447 labels ($\log_2 10$ bits each, which the generic compressors did not get), and this
# stream has none. Chapter 12's label-free stream, chapter 09's mixture model at 112.9 bits per image
(Table 12.2), is $176.1 / 112.9 \approx 1.56$ times smaller than lzma, so the labels do not explain the
gap. A reading, not a measurement: binarising throws away the grey levels,
# which vary from image to image in ways a byte-level compressor cannot predict from repeated strings
# but a model can (as a spread over neighbouring levels), while the rows of ink and paper that remain
# repeat often enough for zlib. Also, chapter 10's binarised model is a small CausalConv1D trained for
# only 10 epochs, not the gated PixelCNN of chapter 07; a better model would widen the lead.
