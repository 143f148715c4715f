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
# # 12 · Compression: the ARM as a lossless codec
#
# Every chapter so far has climbed one number: the negative log-likelihood of the test digits.
# Tomczak (2022) reports it in nats per image; papers on larger images report it in bits per dimension.
# Either way it is a size, and Tomczak (2022) points to one use of it among the directions that close
# his chapter: an ARM as the prior of a video compressor (Habibian et al., 2019), which chapter 10 (section 5) described.
# This chapter makes the size real. A model that assigns a probability $p(\mathbf{x})$
# to every image can store an image $\mathbf{x}$ in about $-\log_2 p(\mathbf{x})$ bits, and an
# **entropy coder** is the program that does it. We turn chapter 07's class-conditional gated PixelCNN
# into a lossless compressor for the digits, write real bytes, read them back bit for bit, and
# compare the file sizes with zlib, bz2, lzma and PNG.
#
# Three things make this more than a change of units:
#
# - the coder works with **integer frequencies**, not probabilities, and the encoder and the decoder
#   must compute *exactly* the same ones; a single count of difference corrupts everything after it;
# - the encoder knows the whole image and can score it in one parallel pass, but the decoder learns
#   each pixel only by decoding it, so it must run the model **autoregressively**, position by
#   position (chapter 10's cached stepping);
# - a stream must never decode to a *different* image: bytes from another model, a damaged stream
#   or a mismatch between the two sides must raise an error.
#
# The library part is `armlib.codec`: `armlib.compress(model, x, y)` returns bytes and
# `armlib.decompress(model, data)` returns `(x, y)`. It uses the range coder of the `constriction`
# package (Bamler, 2022); the small coder written in section 2 is only there to show the idea.

# %%
import bz2
import copy
import io
import lzma
import math
import random
import time
import zlib
from fractions import Fraction

import constriction
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display
from PIL import Image

import armlib
from armlib import codec, ladder, plots
from armlib.book import table

armlib.setup(seed=0)

GATED = dict(channels=32, blocks=8, dropout=0.2)  # chapter 06's network, which chapters 07 and 09 trained
NUM_CLASSES = 10                     # the digits' labels, coded uniformly: log2 10 bits each
TOY_PROBS = (Fraction(3, 5), Fraction(3, 10), Fraction(1, 10))  # section 2's three symbols
TOY_NAMES = ("paper", "grey", "ink")
TOY_MESSAGE = (0, 0, 2, 1, 0)        # the short message of Figure 12.1
TOY_LONG = 2000                      # symbols in the long message coded by both coders
PLAIN_IMAGES = 16                    # images decoded with the plain (uncached) network: it is slow
TIMING_REPEATS = 3                   # every timing: the fastest of this many runs
MAX_HEADER_BYTES = 32
MAX_PAYLOAD_EXCESS = 0.01            # payload within 1% of the ideal -log2 p
MIN_RATIO = 1.5                      # at least this many times smaller than the best generic compressor

(x_flat, labels) = armlib.load_digits("test", return_labels=True)
digits = armlib.as_images(x_flat)    # (447, 1, 8, 8), values 0..16
# eval(): no dropout; the chapter only scores and codes
model = ladder.load_weights("07_class_conditioning", armlib.MODELS["gated_pixelcnn_conditional"](**GATED)).eval()
print(f"test digits {tuple(digits.shape)}, labels {tuple(labels.shape)}; "
      f"model: chapter 07's class-conditional gated PixelCNN")

# %% [markdown]
# ## 1. A code length is a probability
#
# Suppose a code gives every possible message $\mathbf{x}$ a string of $\ell(\mathbf{x})$ bits, and no
# string is the beginning of another, so that a reader knows where a message ends. Such codes obey
# the Kraft inequality $\sum_{\mathbf{x}} 2^{-\ell(\mathbf{x})} \le 1$ (Kraft, 1949), and so does
# every code that can be decoded unambiguously at all (McMillan, 1956): the numbers
# $q(\mathbf{x}) = 2^{-\ell(\mathbf{x})}$ form (at most) a probability distribution. Read the other
# way, a distribution $p$ defines a code with lengths $\ell(\mathbf{x}) \approx -\log_2 p(\mathbf{x})$,
# and Shannon (1948) showed that no code has a shorter *expected* length than the entropy,
# $\mathbb{E}_{\mathbf{x} \sim p}[-\log_2 p(\mathbf{x})]$. Coding data drawn from the real
# distribution with a model $p$ costs the cross-entropy, the average of $-\log_2 p(\mathbf{x})$ over
# the data: exactly the negative log-likelihood the book has been measuring, in bits instead of nats.
#
# So the ladder's numbers are sizes. A nat is $1/\ln 2 \approx 1.4427$ bits, so
#
# $$\text{bits per image} = \frac{\text{nats per image}}{\ln 2}, \qquad
#   \text{bits per dimension} = \frac{\text{nats per image}}{64 \ln 2},$$
#
# the second the average number of bits per pixel. Chapter 07's model gives the conditional
# likelihood $p(\mathbf{x} \mid y)$ of a digit given its label $y$. To store the test set we store the
# labels too, each with the uniform distribution over the ten classes, $\log_2 10 \approx 3.32$ bits.
# The ideal size of an image and its label is then
# $-\log_2 p(\mathbf{x} \mid y) + \log_2 10$ bits.

# %%
score = armlib.evaluate(model, digits, labels)
label_bits = math.log2(NUM_CLASSES)
print(f"conditional NLL: {score.nats:.2f} nats per image = {score.nats / math.log(2):.2f} bits per image "
      f"= {score.bpd:.3f} bits per dimension")
print(f"with the label ({label_bits:.2f} bits): {score.nats / math.log(2) + label_bits:.2f} bits per image, ideally")
print(f"one byte per pixel: {64 * 8} bits per image; the uniform code over 17 levels: "
      f"64 log2 17 = {64 * math.log2(armlib.NUM_VALS):.1f} bits")
with torch.no_grad():
    image_bits = -model.log_prob(digits, labels) / math.log(2) + label_bits  # (447,) ideal bits of each image

# %% [markdown]
# ## 2. Entropy coding in one picture
#
# How does a program reach $-\log_2 p(\mathbf{x})$ bits?
# **Arithmetic coding** (Rissanen, 1976; Witten et al., 1987) turns a message into an interval. Start with $[0, 1)$. For each symbol, cut the
# current interval into one piece per possible value, each as wide as that value's probability (given
# the symbols before it), and keep the piece of the symbol that came. After the whole message the
# interval's width is the product of the probabilities, $p(\mathbf{x})$. Any number inside it
# identifies the message, and a binary fraction $0.b_1 b_2 \dots b_n$ with
# $n \le \lceil -\log_2 p(\mathbf{x}) \rceil + 1$ digits always fits, so the $n$ bits are the code. The
# decoder cuts the same intervals, with the same probabilities, and at each step reads off which piece
# the number lies in.
#
# Here is such a coder in exact arithmetic (`fractions.Fraction`), for a fixed distribution over three
# symbols: paper, grey and ink with probabilities $3/5$, $3/10$ and $1/10$. It keeps every interval
# for the figure.

# %%
def toy_encode(message, probs):
    """Arithmetic coding in exact arithmetic: the bits of the shortest binary interval inside
    [low, low + width), and every interval on the way."""
    low, width = Fraction(0), Fraction(1)
    intervals = [(low, width)]
    for symbol in message:
        low += width * sum(probs[:symbol])  # skip the pieces of the symbols before this one
        width *= probs[symbol]
        intervals.append((low, width))
    bits = 0  # the smallest n such that some [k / 2^n, (k + 1) / 2^n) fits inside the final interval
    while Fraction(math.ceil(low * 2**bits) + 1, 2**bits) > low + width:
        bits += 1
    k = math.ceil(low * 2**bits)
    return (format(k, f"0{bits}b") if bits else ""), intervals


def toy_decode(code, probs, length):
    """Read the symbols back: at each step, the piece of the current interval the code's number is in."""
    value = Fraction(int(code or "0", 2), 2 ** len(code))
    low, width, message = Fraction(0), Fraction(1), []
    for _ in range(length):
        symbol = 0
        while value >= low + width * sum(probs[:symbol + 1]):
            symbol += 1
        low += width * sum(probs[:symbol])
        width *= probs[symbol]
        message.append(symbol)
    return message


# %% tags=["nbval-check-output"]
code, intervals = toy_encode(TOY_MESSAGE, TOY_PROBS)
ideal = -math.log2(math.prod(TOY_PROBS[s] for s in TOY_MESSAGE))
print("message:", ", ".join(TOY_NAMES[s] for s in TOY_MESSAGE))
print(f"final interval: [{float(intervals[-1][0]):.6f}, {float(sum(intervals[-1])):.6f}), "
      f"width p(x) = {intervals[-1][1]} = {float(intervals[-1][1]):.5f}")
print(f"-log2 p(x) = {ideal:.2f} bits; the code: {code} ({len(code)} bits)")
print("decoded:", ", ".join(TOY_NAMES[s] for s in toy_decode(code, TOY_PROBS, len(TOY_MESSAGE))))

# %%
assert toy_decode(code, TOY_PROBS, len(TOY_MESSAGE)) == list(TOY_MESSAGE)
assert len(code) <= math.ceil(ideal) + 1

# %% [markdown]
# Figure 12.1 draws the five steps. Each row is the interval kept so far, stretched to the full width
# of the figure, cut into its three pieces; the piece of the symbol that came (orange) becomes the next
# row. The last row shows the final interval, of width $p(\mathbf{x})$, and inside it the binary
# interval $[k/2^n, (k+1)/2^n)$ whose $n$ bits are the code.

# %%
TOY_COLOURS = ("whitesmoke", "darkgrey", "dimgrey")
fig, ax = plt.subplots(figsize=(10, 5.6))
rows = len(TOY_MESSAGE)
for step, symbol in enumerate(TOY_MESSAGE):
    low, width = intervals[step]
    y0 = rows - step  # the top row first
    left = 0.0
    for value, prob in enumerate(TOY_PROBS):
        chosen_piece = value == symbol
        ax.add_patch(plt.Rectangle((left, y0), float(prob), 0.5, facecolor=TOY_COLOURS[value],
                                   edgecolor="tab:orange" if chosen_piece else "black",
                                   lw=3 if chosen_piece else 1, zorder=3 if chosen_piece else 2))
        ax.text(left + float(prob) / 2, y0 + 0.25, TOY_NAMES[value], ha="center", va="center", fontsize=9,
                color="white" if value == 2 else "black", zorder=4)
        if chosen_piece:  # zoom lines from the kept piece to the next row
            ax.plot([left, 0], [y0, y0 - 0.5], color="tab:orange", lw=1)
            ax.plot([left + float(prob), 1], [y0, y0 - 0.5], color="tab:orange", lw=1)
        left += float(prob)
    ax.text(-0.02, y0 + 0.25, f"symbol {step + 1}: {TOY_NAMES[symbol]}", ha="right", va="center")
    ax.text(1.02, y0 + 0.25, f"[{float(low):.5f}, {float(low + width):.5f})", ha="left", va="center")
low, width = intervals[-1]
k, n = int(code, 2), len(code)
ax.add_patch(plt.Rectangle((0, 0), 1, 0.5, facecolor="tab:orange", alpha=0.35, edgecolor="black"))
binary_left, binary_width = float((Fraction(k, 2**n) - low) / width), float(Fraction(1, 2**n) / width)
ax.add_patch(plt.Rectangle((binary_left, 0), binary_width, 0.5, facecolor="tab:blue", alpha=0.8, edgecolor="black"))
ax.text(-0.02, 0.25, "final interval", ha="right", va="center")
ax.text(1.02, 0.25, f"[{float(low):.5f}, {float(low + width):.5f})", ha="left", va="center")
ax.text(binary_left + binary_width / 2, -0.2, f"code 0.{code} (binary): [{k}/2$^{{{n}}}$, {k + 1}/2$^{{{n}}}$)",
        ha="center", va="center", color="tab:blue")
ax.set_xlim(-0.35, 1.3)
ax.set_ylim(-0.4, rows + 0.7)
ax.set_axis_off()
armlib.show_figure("12.1", "Arithmetic coding of paper, paper, ink, grey, paper with probabilities 3/5, 3/10, 1/10: "
                           "each row is the interval kept so far, stretched to full width, cut by the "
                           "probabilities; the bottom row is the final interval and the binary interval of the code "
                           "(blue) inside it.")

# %% [markdown]
# The toy works with exact fractions, whose numerators and denominators grow with every symbol. A real
# coder keeps a fixed number of bits of the interval, writes out the leading bits once they can no
# longer change, and uses **integer frequencies** in place of probabilities: a symbol's piece is its
# count out of a fixed total $2^{\text{precision}}$. That is **range coding** (Martin, 1979); asymmetric
# numeral systems, ANS (Duda, 2009; Duda, 2013), reach the same sizes in another way. `armlib.codec` uses
# the range coder of `constriction` (Bamler, 2022), with frequencies out of $2^{24}$, and writes its
# output in 32-bit words.
#
# On a long message both coders should come close to $-\log_2 p(\mathbf{x})$. We draw
# 2000 symbols from the three-symbol distribution and code them with the toy and with constriction,
# given the same probabilities (constriction rounds them to its 24-bit frequencies):

# %% tags=["nbval-check-output"]
draw = random.Random(0)
long_message = draw.choices(range(len(TOY_PROBS)), weights=[float(p) for p in TOY_PROBS], k=TOY_LONG)
long_ideal = -sum(math.log2(TOY_PROBS[s]) for s in long_message)
toy_bits = len(toy_encode(long_message, TOY_PROBS)[0])
encoder = constriction.stream.queue.RangeEncoder()
encoder.encode(np.array(long_message, dtype=np.int32),
               constriction.stream.model.Categorical(np.array([float(p) for p in TOY_PROBS]), perfect=False))
range_bits = 32 * len(encoder.get_compressed())
display(table(["coder", f"bits for {TOY_LONG} symbols", "over -log2 p(x)"],
              [["ideal, -log2 p(x)", f"{long_ideal:.1f}", "0.0"],
               ["the toy (exact fractions)", str(toy_bits), f"{toy_bits - long_ideal:.1f}"],
               ["constriction's range coder", str(range_bits), f"{range_bits - long_ideal:.1f}"]],
              caption=f"**Table 12.1.** {TOY_LONG} symbols drawn from the three-symbol distribution, coded by the "
                      "toy and by constriction's range coder, against the ideal $-\\log_2 p(\\mathbf{x})$."))

# %%
assert toy_bits <= math.ceil(long_ideal) + 1
assert abs(range_bits - long_ideal) <= 32  # within one of its 32-bit words

# %% [markdown]
# The toy comes within the two bits promised above ($\lceil -\log_2 p(\mathbf{x}) \rceil + 1$ at
# most), the range coder within one 32-bit word: it writes its output in whole words. The toy shows the idea; from here on every byte
# is written by constriction's range coder, driven by `armlib.codec`.
#
# ## 3. The encoder can look ahead; the decoder cannot
#
# For an image, the "symbols" are its 64 pixels in raster order and the probabilities are the model's
# conditionals $p(x_d \mid \mathbf{x}_{<d}, y)$ over the 17 levels. The **encoder** knows the whole
# image, so it can compute all 64 conditionals in **one parallel pass** of the network, as training and
# evaluation do. The **decoder** knows nothing at first: it learns $x_1$ by decoding it with
# $p(x_1 \mid y)$, then runs the network to get $p(x_2 \mid x_1, y)$, decodes $x_2$, and so on. Decoding
# is sampling with the random draw replaced by a read from the stream, and it costs what sampling
# costs: $D$ steps, each fast with chapter 10's cached stepper.
#
# The two computations are the same mathematics, but not the same arithmetic. A parallel pass and a
# cached step add up the same float32 products in different orders and in differently shaped kernels,
# so their outputs can differ in the last bits. The head's parameters here are the 17 levels' logits
# (log-probabilities up to a constant); a small change $\delta$ in a logit changes that level's
# probability by about the fraction $\delta$, which for a level of probability $p$ is $2^{24} p\,\delta$
# counts out of $2^{24} \approx 1.7 \times 10^7$. We first run both paths over the test digits and
# compare the parameters; then `codec.frequency_tables` gives the integer frequencies the encoder
# would code each pixel with, along either path.

# %%
with torch.no_grad():
    parallel_params = model.params(digits, labels)        # one pass: (447, 17, 8, 8)
    stepped_params = torch.empty_like(parallel_params)
    canvas = model.blank(len(digits))
    canvas[:] = digits                                    # the stepper reads each position as it goes
    for at, params in model.conditionals(canvas, labels, cached=True):
        stepped_params[at] = params
gap = (parallel_params - stepped_params).abs()
print(f"parameters that differ between the two paths: {int((gap > 0).sum())} of {gap.numel()}; largest difference "
      f"{float(gap.max()):.1e}, {float(gap.max() / parallel_params.abs().max()):.0e} of the largest |parameter|")
cached_tables = codec.frequency_tables(model, digits, labels, path="cached")
parallel_tables = codec.frequency_tables(model, digits, labels, path="parallel")
differ = cached_tables != parallel_tables                 # (447, 1, 8, 8, 17)
pixels_differ = differ.any(-1).flatten(1)                  # (447, 64): any level's count differs
first = int(pixels_differ.any(0).nonzero()[0]) if pixels_differ.any() else None  # first position (raster order)
print(f"frequencies that differ between the parallel pass and the cached steps: {int(differ.sum())} "
      f"of {differ.numel()} (largest difference {int((cached_tables - parallel_tables).abs().max())} counts "
      f"out of 2^24)")
print(f"pixels with at least one differing count: {int(pixels_differ.sum())} of {pixels_differ.numel()}, "
      f"in {int(pixels_differ.any(1).sum())} of {len(digits)} images; the first at position {first} (raster order)")

# %% [markdown]
# A logit difference of up to $7.6 \times 10^{-6}$ is float32 rounding (float32 keeps about seven significant
# digits), and it moves counts by up to the number printed above. For the code length that is nothing:
# we compress the test set with the parallel pass (`path="parallel"`: the encoder's frequencies from
# one pass over the whole data) and compare its size with the stream of section 4, written along the
# cached path. For decoding it is fatal: we hand the parallel stream to the decoder, which can only
# step.
#
# One thing about the order first. The coder does not code one image after another: it codes
# position 0 of every image in the batch, then position 1 of every image, and so on (`compress` takes
# the images in batches, *chunks*, of up to 512, so the 447 test digits are one batch). To see where
# the decoder stops, we count the positions it asks the network for, with a thin wrapper around
# `model.conditionals`, the raster loop it runs.

# %%
parallel_stream = armlib.compress(model, digits, labels, path="parallel")
print(f"the stream written with the parallel pass: {len(parallel_stream)} bytes (section 4 compares it with the "
      f"cached path's)")
asked = []                                   # the positions the decoder asked for, in order
raster_loop = model.conditionals


def counted(*args, **kwargs):
    for at, params in raster_loop(*args, **kwargs):
        asked.append(at)
        yield at, params


model.conditionals = counted
try:
    armlib.decompress(model, parallel_stream)
    decoded_parallel = None
    print("decoded without error")
except codec.CorruptStream as error:
    decoded_parallel = error.x  # what the decoder had read when it gave up (zeros after that point)
    print(f"CorruptStream: {error}")
finally:
    del model.conditionals                   # the model's own method again
if decoded_parallel is not None:
    stopped = len(asked) - 1                 # the position whose decoding failed; 0..stopped-1 were decoded
    wrong = decoded_parallel.flatten(1)[:, :stopped] != digits.flatten(1)[:, :stopped]
    first_wrong = int(wrong.any(0).nonzero()[0])
    print(f"the decoder failed at position {stopped} (row {stopped // 8 + 1}, column {stopped % 8 + 1}); "
          f"positions {stopped} to 63 were never decoded (left 0)")
    print(f"of the {wrong.numel()} pixels it decoded (positions 0 to {stopped - 1} of {len(digits)} images), "
          f"{int(wrong.sum())} are wrong, in {int(wrong.any(1).sum())} of {len(digits)} images; "
          f"the first wrong one at position {first_wrong}")

# %% [markdown]
# The decoder's interval parted from the encoder's at the first position whose frequencies differed
# in any image (position 1, the second pixel of the top row, as printed above): with other counts
# its interval was cut in other places, so it read another value or went on with another interval.
# Because every image's pixels share the one stream, position by position, that one difference sent
# every symbol after it, in every image, down the wrong interval, decoded with the wrong history.
# At the position printed above it met a state no valid stream can produce and raised; had it not, the checksum the
# encoder stores in the header (a CRC-32 of the data) would have failed. `armlib.decompress` never
# returns an image it cannot vouch for; `CorruptStream` carries what it had read, only so that we can
# look at it (Figure 12.2).

# %%
if decoded_parallel is not None:
    shown = torch.cat([digits[:10], decoded_parallel[:10]])
    fig, ax = plt.subplots(figsize=(9, 2.4))
    plots.image_grid(shown, 2, ax=ax, row_labels=["encoded", "decoded"])
    armlib.show_figure("12.2", "The first ten test digits (top) and what the stepping decoder read from the stream the "
                               f"parallel pass wrote (bottom), before it raised CorruptStream: decoded with errors "
                               f"from position {first_wrong} on, and unfilled (white, 0) from position {stopped} on, where it failed.")

# %%
assert decoded_parallel is not None or first is None  # a mismatch never decodes silently

# %% [markdown]
# **The fix** is to make the two sides compute the same integers by construction:
#
# 1. **One code path.** Encoder and decoder both take the network's parameters from the book's one
#    raster loop, `ARM.conditionals`, with the cached stepper, over the same canvas (zeros, filled in
#    raster order), in the same batches: the same chunks of images (the header records their size). The encoder does not use its
#    privilege of seeing the whole image: it fills the canvas with the true values, pixel by pixel,
#    exactly as the decoder fills it with the values it decodes. Same inputs, same operations, same
#    order: the same floats.
# 2. **Integer frequencies, every level at least one count.** The probabilities go to integers once,
#    in float64, by one function that both sides call. Every level gets at least one count, so that any
#    image, however improbable, can still be coded; the counts sum to exactly $2^{24}$.
#
# Here are `frequencies` and the loop both sides run, `_walk` (`code` encodes the given value or
# decodes the next one):

# %%
armlib.show_source(codec.frequencies)

# %%
armlib.show_source(codec._walk)

# %% [markdown]
# Constriction quantises probabilities itself. `Categorical(perfect=False)` uses its lazy categorical
# model, whose rule is in constriction's documentation and source (Bamler, 2022; the Rust crate's
# `LazyContiguousCategoricalEntropyModel`, https://docs.rs/constriction); the docstring below restates
# it. `_coder_probabilities` hands it numbers for which its rounding is exact, so that it codes
# precisely the counts of `frequencies`:

# %%
armlib.show_source(codec._coder_probabilities)

# %% [markdown]
# ## 4. The bytes
#
# Now the real thing: all 447 test digits and their labels, in one stream. The stream starts with a
# 32-byte header: a magic number, the version, the path, the shape, the number of images, the chunk
# size, the number of payload words, an 8-byte tag, and the CRC-32 of the data. The tag is a hash of a
# fingerprint of the model's parameters together with the header's other fields, so a stream decodes
# only with the model that wrote it, and a damaged header is caught before decoding. Then come the
# range coder's words: the ten-way uniform code of each label, then the pixels, position by position
# across the images as in section 3.

# %%
stream = armlib.compress(model, digits, labels)
decoded, decoded_labels = armlib.decompress(model, stream)
header_bytes, payload_bytes = codec.HEADER.size, len(stream) - codec.HEADER.size
ideal_bits = float(image_bits.sum())  # -log2 p(x | y) + log2 10, summed over the test set
print(f"round trip exact: images {torch.equal(decoded, digits)}, labels {torch.equal(decoded_labels, labels)}")
print(f"stream: {len(stream)} bytes = {header_bytes}-byte header + {payload_bytes}-byte payload "
      f"(section 3's stream, written with the parallel pass: {len(parallel_stream)} bytes)")
print(f"payload {8 * payload_bytes} bits against the ideal {ideal_bits:.1f} bits: "
      f"{100 * (8 * payload_bytes / ideal_bits - 1):+.2f}%")
print(f"per image: {8 * len(stream) / len(digits):.2f} bits with the header, ideal {ideal_bits / len(digits):.2f} "
      f"(section 5 times the encoder and the decoder)")

# %%
assert torch.equal(decoded, digits) and torch.equal(decoded_labels, labels)
assert header_bytes <= MAX_HEADER_BYTES
assert abs(8 * payload_bytes / ideal_bits - 1) <= MAX_PAYLOAD_EXCESS

# %% [markdown]
# The payload is within a small fraction of a percent of $\sum -\log_2 p$, as it should be: the coder
# loses a little to the 24-bit frequencies and to its last word, nothing else.
#
# For comparison we give the general-purpose compressors the same images, one byte per pixel (values
# 0 to 16), in raster order, image after image: $447 \times 64 = 28\,608$ bytes, without the labels. We
# try every level of zlib, bz2 and lzma and keep each one's best. PNG, the lossless image format, gets
# the digits as 8-bit greyscale images, once as 447 files of $8 \times 8$ pixels and once as a single
# image of all of them stacked ($3576 \times 8$ pixels), both saved by Pillow with `optimize=True`. The
# uniform code, $\log_2 17$ bits per pixel, is the size a model that knows nothing achieves.
#
# As a second model we take chapter 09's gated PixelCNN with a mixture of five discretised
# logistics. It models $p(\mathbf{x})$ without labels, so its stream holds the images only.

# %%
raw = digits.to(torch.uint8).numpy().tobytes()
generic = {  # compressor -> (its best level on these bytes, bytes)
    "zlib": min(((level, len(zlib.compress(raw, level))) for level in range(1, 10)), key=lambda kv: kv[1]),
    "bz2": min(((level, len(bz2.compress(raw, level))) for level in range(1, 10)), key=lambda kv: kv[1]),
    "lzma": min(((f"{level}{'e' if extreme else ''}",
                  len(lzma.compress(raw, preset=level | (lzma.PRESET_EXTREME if extreme else 0))))
                 for level in range(10) for extreme in (False, True)), key=lambda kv: kv[1]),
}


def png_bytes(image):
    """The size of an 8-bit greyscale PNG of ``image`` (H, W), values 0..16 as they are."""
    buffer = io.BytesIO()
    Image.fromarray(image.numpy().astype(np.uint8), mode="L").save(buffer, format="PNG", optimize=True)
    return len(buffer.getvalue())


png_each = sum(png_bytes(image[0]) for image in digits)
png_one = png_bytes(digits[:, 0].reshape(-1, 8))  # all images stacked: 3576 x 8 pixels

mixture = ladder.load_weights("09_mixture_head_and_colour",
                              armlib.MODELS["gated_pixelcnn_logistic_mixture"](num_components=5, **GATED)).eval()
mixture_stream = armlib.compress(mixture, digits)
mixture_decoded = armlib.decompress(mixture, mixture_stream)
with torch.no_grad():
    mixture_ideal = float(-mixture.log_prob(digits).sum() / math.log(2))
print(f"chapter 09's model: round trip exact {torch.equal(mixture_decoded, digits)}, "
      f"{len(mixture_stream)} bytes")

# %%
assert torch.equal(mixture_decoded, digits)
assert abs(8 * (len(mixture_stream) - codec.HEADER.size) / mixture_ideal - 1) <= MAX_PAYLOAD_EXCESS

# %% [markdown]
# Table 12.2 puts them side by side, in bits per image (the file's bytes times 8, divided by 447; the
# streams with their header).

# %%
count = len(digits)
uniform_bits = 64 * math.log2(armlib.NUM_VALS)
sizes = [  # (code, bits per image)
    ("ARM, chapter 07's model given the label: the stream, labels and header included", 8 * len(stream) / count),
    ("ARM, chapter 07's model: ideal, -log2 p(x | y) + log2 10", ideal_bits / count),
    ("ARM, chapter 09's mixture model (no labels): the stream", 8 * len(mixture_stream) / count),
    ("ARM, chapter 09's mixture model: ideal, -log2 p(x)", mixture_ideal / count),
    (f"zlib (level {generic['zlib'][0]})", 8 * generic["zlib"][1] / count),
    (f"bz2 (level {generic['bz2'][0]})", 8 * generic["bz2"][1] / count),
    (f"lzma (preset {generic['lzma'][0]})", 8 * generic["lzma"][1] / count),
    ("PNG, one file per image", 8 * png_each / count),
    ("PNG, all images in one file", 8 * png_one / count),
    ("uniform code, 64 log2 17", uniform_bits),
    ("raw, one byte per pixel", 64 * 8.0),
]
model_bits = sizes[0][1]
best_generic = min(8 * size / count for _, size in generic.values())
size_columns = ["code", "bits per image", "bits per pixel", "times the ARM stream"]
size_rows = [[name, f"{bits:.1f}", f"{bits / 64:.3f}", f"{bits / model_bits:.2f}"] for name, bits in sizes]
display(table(size_columns, size_rows,
              caption="**Table 12.2.** The 447 test digits stored by each code, in bits per image; the ARM streams "
                      "include their 32-byte header, the generic compressors get one byte per pixel and no labels."))
print(f"the ARM stream is {best_generic / model_bits:.2f} times smaller than the best of zlib, bz2 and lzma")
parameters = sum(p.numel() for p in model.parameters())
print(f"the model the decoder needs: {parameters:,} parameters, {4 * parameters:,} bytes as float32; "
      f"the whole stream: {len(stream):,} bytes")
print(f"measured on: {armlib.machine()}")

# %%
assert best_generic / model_bits >= MIN_RATIO, (best_generic, model_bits)

# %% [markdown]
# The model's stream is about 114 bits per image, about 1.55 times smaller than the best of the
# general-purpose compressors, which exploit repeated byte strings, such as runs of blank pixels, but
# have no notion of a stroke. That comparison counts the stream only: the decoder must also hold the
# model, about a hundred times the size of the whole stream (printed above), while zlib, bz2 and lzma
# need nothing but their program. So the 1.55x holds when both ends already share the model, ahead of
# time, as they share the decompressor's code; for one small file the model would not pay for itself.
# PNG is far worse per image: each file carries dozens of bytes of signature, header and
# checksums around a tiny picture; in one file it still does not beat bz2. Chapter 09's mixture model
# codes the images alone, without labels, in slightly fewer bits than chapter 07's model codes images
# and labels. It is another model (another head, trained separately), so this says nothing about what
# the label is worth; exercise 2 measures that with chapter 07's own model, as a class mixture.

# %% [markdown]
# Those are averages. Each image has its own code length, and an image the model finds typical is
# cheap. Figure 12.3 shows the six cheapest and the six costliest test digits under chapter 07's model,
# with their ideal sizes. The cheapest are ones, a vertical stroke the model predicts well once it has
# seen the top of it; the costliest are irregular shapes with many grey pixels, each a surprise. The
# sizes range from about 76 to about 178 bits, around a median of 112.

# %%
order = image_bits.argsort()
chosen = torch.cat([order[:6], order[-6:]])
fig, axes = plt.subplots(2, 6, figsize=(9, 3.6))
for ax, index in zip(axes.flat, chosen.tolist()):
    plots.image_grid(digits[index:index + 1], 1, ax=ax, title=f"{image_bits[index]:.0f} bits")
plt.tight_layout()
armlib.show_figure("12.3", "The six test digits with the shortest ideal code (top) and the six with the longest "
                           "(bottom), $-\\log_2 p(\\mathbf{x} \\mid y) + \\log_2 10$ bits each.")
print(f"ideal bits per image: min {image_bits.min():.1f}, median {image_bits.median():.1f}, "
      f"max {image_bits.max():.1f}")

# %% [markdown]
# The chapter writes this table to `results/12_compression.md`, with the machine it ran on; the README
# shows it.

# %%
written = (ladder.RESULTS / "12_compression.md").write_text(  # under the test suite: a scratch folder
    "# Chapter 12: the test digits compressed\n\n"
    f"447 test digits, 8 x 8 pixels, 17 levels; bits per image. Measured on: {armlib.machine()}.\n\n"
    f"{table(size_columns, size_rows).data}\n")

# %% [markdown]
# ## 5. Decoding speed: cached and plain
#
# Decoding is a loop over 64 positions, so its speed is chapter 10's story again. With the cached
# stepper (the default) each step computes one position's work, for the whole batch of images at
# once. With `path="plain"` the network runs a full pass over all 64 positions at each step and keeps
# one. Both paths give the same stream format, and a stream decodes along the path it was written
# with, so we compress a few images along each and time the decoder. The plain path is slow, so it
# decodes only the first 16 images; the cached path decodes those 16 and then all 447 at once. We also
# time the encoder on all 447. Each is timed three times and we keep the fastest run, the one least
# disturbed by whatever else the machine was doing.

# %%
def best_seconds(work, repeats=TIMING_REPEATS):
    """The fastest of ``repeats`` runs of ``work()``, in seconds."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return min(runs)


few, few_labels = digits[:PLAIN_IMAGES], labels[:PLAIN_IMAGES]
plain_stream = armlib.compress(model, few, few_labels, path="plain")
cached_stream = armlib.compress(model, few, few_labels)
timings = {  # name -> (images, fastest seconds)
    f"decoder, plain, {PLAIN_IMAGES} images": (PLAIN_IMAGES, best_seconds(lambda: armlib.decompress(model, plain_stream))),
    f"decoder, cached, {PLAIN_IMAGES} images": (PLAIN_IMAGES,
                                                best_seconds(lambda: armlib.decompress(model, cached_stream))),
    f"decoder, cached, all {count} images": (count, best_seconds(lambda: armlib.decompress(model, stream))),
    f"encoder, cached, all {count} images": (count, best_seconds(lambda: armlib.compress(model, digits, labels))),
}
per_image = {name: seconds / images for name, (images, seconds) in timings.items()}
print(f"timed on: {armlib.machine()}")
display(table(["run", "seconds per run", "milliseconds per image"],
              [[name, f"{seconds:.2f}", f"{1000 * per_image[name]:.1f}"] for name, (_, seconds) in timings.items()],
              caption=f"**Table 12.3.** Decoding and encoding times, the fastest of {TIMING_REPEATS} runs each."))
plain_ms, cached_ms, batch_ms = (per_image[f"decoder, {name}"] for name in
                                 (f"plain, {PLAIN_IMAGES} images", f"cached, {PLAIN_IMAGES} images",
                                  f"cached, all {count} images"))
print(f"at {PLAIN_IMAGES} images the cached decoder is {plain_ms / cached_ms:.1f} times faster than the plain one; "
      f"with all {count} images in one batch it is {cached_ms / batch_ms:.1f} times faster again per image")

# %%
assert cached_ms < plain_ms and batch_ms < cached_ms, per_image

# %% [markdown]
# On this machine (printed above) the cached decoder is about 6 times faster than the plain one at the
# same batch of 16, and about 7 times faster again per image with all 447 images in one batch (the
# ratios printed under the table; on a busy machine they move by a unit or two from run to run). The
# plain decoder runs 64 full passes, each computing all 64 positions, to use one position of each:
# $64^2$ positions' work for 64 useful ones, against 64 for the cached steps. Were the arithmetic what
# costs, the plain decoder would be about 64 times slower; it is not, because on $8 \times 8$ images
# and a batch of 16 the work of a pass is small next to the fixed cost of every step (a Python call
# and a PyTorch dispatch per layer, and the range coder's call per position), which both decoders pay
# 64 times. A larger batch spreads that fixed cost over more images. The encoder runs exactly the same
# loop as the decoder, so encoding takes about as long (last row); that is the price of fix 1 above.
#
# ## 6. Errors, never a wrong image
#
# A decoder that returned a plausible but wrong digit would be worse than one that fails. `armlib.codec`
# checks what it can before decoding (the header's tag, which binds the model's fingerprint to the
# header's fields, and the stream's length) and the data after it (the CRC-32). Four ways to get it wrong, each caught: a copy of the model
# with one weight changed by $10^{-6}$, chapter 06's unconditional model, a stream cut short by one word,
# and a stream with one bit flipped in its payload. The encoder, for its part, refuses data that are not
# integers in $0..16$.

# %%
small_stream = armlib.compress(model, digits[:4], labels[:4])
nudged = copy.deepcopy(model)
with torch.no_grad():
    next(nudged.parameters()).view(-1)[0] += 1e-6
chapter_06 = ladder.load_weights("06_gated_pixelcnn", armlib.MODELS["gated_pixelcnn"](**GATED))
flipped = bytearray(small_stream)
flipped[codec.HEADER.size + 4] ^= 1
attempts = {"a weight changed by 1e-6": (nudged, small_stream), "chapter 06's model": (chapter_06, small_stream),
            "one word cut off": (model, small_stream[:-4]), "one payload bit flipped": (model, bytes(flipped))}
for name, (decoder_model, data) in attempts.items():
    try:
        armlib.decompress(decoder_model, data)
        print(f"{name}: decoded")
    except ValueError as error:
        print(f"{name}: {type(error).__name__}: {error}")
for name, bad in {"float pixels": digits[:4].float(), "a value of 17": torch.full((1, 1, 8, 8), armlib.NUM_VALS)}.items():
    try:
        armlib.compress(model, bad, labels[:len(bad)])
        print(f"compressing {name}: accepted")
    except ValueError as error:
        print(f"compressing {name}: {type(error).__name__}: {error}")

# %% [markdown]
# The first two are refused by the tag before a single pixel is decoded, the third by the
# length the header records. The flipped bit is found only by decoding: either the range decoder
# reaches an impossible state or the decoded data fail the checksum (printed above, whichever
# happened), and `CorruptStream` is a `ValueError` too.
#
# The other direction matters as much: **any valid image can be coded**, however improbable, because
# every level keeps at least one count. An image of all 16s (solid ink) and an image of uniform noise
# are nothing like a digit; they round-trip, at a price. The model is class-conditional, so each is
# coded with a label: the first test digit's (printed).

# %%
strange = {"all 16s": torch.full((1, 1, 8, 8), armlib.NUM_VALS - 1),
           "uniform noise": torch.randint(armlib.NUM_VALS, (1, 1, 8, 8), generator=torch.Generator().manual_seed(0))}
strange_bits = {}
print(f"label: {int(labels[0])}")
for name, image in strange.items():
    data = armlib.compress(model, image, labels[:1])
    back, _ = armlib.decompress(model, data)
    with torch.no_grad():
        ideal_strange = float(-model.log_prob(image, labels[:1]) / math.log(2)) + label_bits
    strange_bits[name] = 8 * (len(data) - codec.HEADER.size)
    print(f"{name}: round trip {torch.equal(back, image)}; payload {strange_bits[name]} bits "
          f"(ideal {ideal_strange:.1f}); the uniform code: {uniform_bits:.1f} bits")
    assert torch.equal(back, image)

# %% [markdown]
# Solid ink costs nearly as much as the uniform code, more than any test digit, and uniform noise
# almost twice the uniform code: the model bets on digits, and an image that is not one pays for the bet.
# For a single image the payload comes in whole 32-bit words, so it can fall a little below or above the
# ideal number of bits.
#
# **A caveat.** The stream is bit-exact on the machine and the PyTorch build that wrote it: encoder and
# decoder run the same code on the same inputs and get the same floats. On another processor (or
# another PyTorch version, or another number of threads) the kernels may add in another order, and a
# probability near a rounding boundary may give one count of difference, just as the parallel pass
# did in section 3. Then the decoder goes wrong and, as we saw, raises `CorruptStream` rather than
# return a wrong image. Making streams portable across machines needs arithmetic that rounds the same
# everywhere, for instance a network evaluated in integers or fixed point; the book does not go there.
#
# ## Summary
#
# - A model's negative log-likelihood is a code length: $-\log_2 p(\mathbf{x})$ bits for $\mathbf{x}$,
#   so the ladder's nats per image divided by $\ln 2$ are bits per image.
# - Arithmetic coding narrows an interval by each symbol's probability; the final width is
#   $p(\mathbf{x})$ and a binary fraction inside it costs at most $\lceil -\log_2 p(\mathbf{x})\rceil + 1$
#   bits. The library uses constriction's range coder with integer frequencies out of $2^{24}$.
# - The decoder has to run the model autoregressively, and its frequencies must equal the encoder's
#   exactly. The parallel pass and the cached steps differ by up to 14 counts out of $2^{24}$, in more
#   than half of all pixels and in every image, and a stream written with the parallel pass failed to
#   decode. The fix: one code path on both sides,
#   integer frequencies computed once in float64, every level at least one count.
# - Chapter 07's model stores the 447 test digits with their labels in about 114 bits per image,
#   within a fraction of a percent of the ideal and 1.55 times smaller than the best of zlib, bz2 and
#   lzma, provided both ends already hold the model (about a hundred times the stream's size);
#   chapter 09's model stores the images alone, without labels, in slightly fewer bits.
# - Decoding costs what sampling costs; the cached stepper and a large batch make it fast.
# - Wrong model, truncated or damaged streams raise; improbable images round-trip at a higher price;
#   streams are bit-exact on the machine that wrote them, and a mismatch elsewhere raises.
#
# ## Exercises
#
# 1. **The wrong label.** Code every test digit with each of the ten labels. How many bits does a
#    wrong label cost on average, compared with the right one? For how many digits is some wrong
#    label cheaper than the right one, and what does that say about the model as a classifier? ([solution](solutions/12_compression_solutions.ipynb#exercise-1))
# 2. **What storing the label costs.** The stream spends $\log_2 10$ bits per label. Compare
#    $-\log_2 p(\mathbf{x} \mid y) + \log_2 10$ with the code length of the class mixture
#    $p(\mathbf{x}) = \sum_y \frac{1}{10}\, p(\mathbf{x} \mid y)$ (chapter 07's `ClassMixture`, with uniform
#    class probabilities), which needs no label. Show that the difference is
#    $-\log_2 p(y \mid \mathbf{x})$ under the mixture, and measure it. What could a coder that stores
#    images without labels do with a class-conditional model? (Bits-back coding, Townsend et al. (2019),
#    is one answer.) ([solution](solutions/12_compression_solutions.ipynb#exercise-2))
# 3. **Precision of the frequencies.** `frequencies` uses counts out of $2^{24}$. Write a copy that
#    takes the precision as an argument and compute the ideal size of the test set under counts out of
#    $2^{8}$, $2^{12}$, $2^{16}$ and $2^{24}$ (the code length of a pixel is
#    $-\log_2(\text{count}/2^{\text{precision}})$). Where does the loss come from at low precision? ([solution](solutions/12_compression_solutions.ipynb#exercise-3))
# 4. **Chunks.** `compress` codes the images in batches of `chunk` (512 by default). Compress the first
#    32 test digits with chunks of 1, 8 and 32 and time the decoder. How does the time per image change,
#    and does the size? The header records the chunk: why must the decoder use the encoder's? ([solution](solutions/12_compression_solutions.ipynb#exercise-4))
# 5. **Binarised digits.** Compress the binarised test digits (`armlib.binarise`) with chapter 10's
#    binarised model (`results/10_fast_sampling_binarised.pt`) and compare with zlib, bz2 and lzma on the
#    same data, one byte per pixel and packed eight pixels per byte (`numpy.packbits`). Is the model's
#    lead larger or smaller than on the 17-level digits? ([solution](solutions/12_compression_solutions.ipynb#exercise-5))

# %% [markdown]
# ## References
#
# - Bamler, R. (2022). Understanding Entropy Coding With Asymmetric Numeral Systems (ANS): a Statistician's Perspective. *arXiv preprint arXiv:2201.01741*.
# - Duda, J. (2009). Asymmetric Numeral Systems. *arXiv preprint arXiv:0902.0271*.
# - Duda, J. (2013). Asymmetric Numeral Systems: Entropy Coding Combining Speed of Huffman Coding with Compression Rate of Arithmetic Coding. *arXiv preprint arXiv:1311.2540*.
# - Habibian, A., van Rozendaal, T., Tomczak, J. M., & Cohen, T. S. (2019). Video Compression with Rate-Distortion Autoencoders. *Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)*, 7033–7042.
# - Kraft, L. G. (1949). A Device for Quantizing, Grouping, and Coding Amplitude-Modulated Pulses. *Master's thesis, Massachusetts Institute of Technology*.
# - Martin, G. N. N. (1979). Range Encoding: An Algorithm for Removing Redundancy from a Digitised Message. *Video & Data Recording Conference, Southampton, UK*.
# - McMillan, B. (1956). Two Inequalities Implied by Unique Decipherability. *IRE Transactions on Information Theory*, 2(4), 115–116. https://doi.org/10.1109/TIT.1956.1056818
# - Rissanen, J. J. (1976). Generalized Kraft Inequality and Arithmetic Coding. *IBM Journal of Research and Development*, 20(3), 198–203. https://doi.org/10.1147/rd.203.0198
# - Shannon, C. E. (1948). A Mathematical Theory of Communication. *Bell System Technical Journal*, 27(3), 379–423. https://doi.org/10.1002/j.1538-7305.1948.tb01338.x
# - Tomczak, J. M. (2022). *Deep Generative Modeling*. Chapter 2, Autoregressive Models. Springer. 2nd edition 2024. Companion code: the intro_dgm repository, arms/arm_example. https://doi.org/10.1007/978-3-030-93158-2
# - Townsend, J., Bird, T., & Barber, D. (2019). Practical Lossless Compression with Latent Variables using Bits Back Coding. *International Conference on Learning Representations (ICLR)*.
# - Witten, I. H., Neal, R. M., & Cleary, J. G. (1987). Arithmetic Coding for Data Compression. *Communications of the ACM*, 30(6), 520–540. https://doi.org/10.1145/214762.214771
