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
# # Solutions to chapter 04: Causal convolutions
#
# Worked answers to the exercises of [chapter 04](../04_causal_conv1d.ipynb), computed and checked
# by the cells below. Try each exercise on your own first: the answers are only worth reading once
# you have one of your own to compare.

# %%
import math
import statistics

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import display
from torch import nn

import armlib
from armlib.layers import CausalConv1d
from armlib.models.conv1d import DilatedConvNet, GatedResidualBlock, TomczakConvNet
from armlib.diagnostics import input_dependence, receptive_field
from armlib.book.display import table

armlib.setup(seed=0)

DIGIT_LENGTH = 64                 # D: pixels per digit
SEEDS = (0, 1)                    # exercises 3 and 4: two seeds per variant
CHANNELS = 32                     # ... at half the chapter's width
EPOCHS = 4                        # ... each trained for this many epochs
ABLATION_FIT = dict(epochs=EPOCHS, batch_size=32, lr=3e-3, patience=5)  # chapter 04's IMPROVED_FIT, shorter

train, val, test = (armlib.load_digits(split) for split in ("train", "val", "test"))


def parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


# %% [markdown]
# ## Exercise 1
#
# **Masking instead of shifting.** Write option A as a kernel whose newest tap is zeroed instead of a
# shift, and compare the two with dilation 3: which inputs does each see, and how many weights does
# each use?
#
# A masked layer pads like option B, $(k-1)r$ zeros on the left, so that its window ends at $x_d$,
# and multiplies the kernel by a mask that zeroes the tap on $x_d$. In PyTorch's cross-correlation
# the last tap of the kernel reads the newest input, so the mask is $(1, \ldots, 1, 0)$. The mask is
# applied in every forward pass, as `MaskedConv2d` does in chapter 05, so the optimiser cannot bring
# the zeroed weight back.

# %%
class MaskedOptionA(nn.Conv1d):
    """Option A by masking: option B's left padding, and the tap on x_d (the kernel's last) zeroed."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int = 1):
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)
        mask = torch.ones(kernel_size)
        mask[-1] = 0.0  # the newest tap: it reads x_d
        self.register_buffer("mask", mask)
        self.left_padding = (kernel_size - 1) * dilation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv1d(F.pad(x, (self.left_padding, 0)), self.weight * self.mask, self.bias, dilation=self.dilation)


# %% [markdown]
# `input_dependence` measures which inputs each output reads, for the shifted option A of
# `CausalConv1d` and for the masked one, both with kernel size 3 and dilation 3, on a sequence of 16.
# The cell prints the offsets $d - j$ each reads, and how many of its kernel weights reach the
# output (a weight that is always multiplied by 0 gets no gradient and changes nothing).

# %% tags=["nbval-check-output"]
LENGTH, KERNEL, DILATION = 16, 3, 3
option_a = {"shifted (CausalConv1d)": CausalConv1d(1, 1, KERNEL, dilation=DILATION, option="A"),
            "masked": MaskedOptionA(1, 1, KERNEL, dilation=DILATION)}
d, j = torch.meshgrid(torch.arange(LENGTH), torch.arange(LENGTH), indexing="ij")
rows, seen = [], {}
for name, layer in option_a.items():
    dependence = input_dependence(layer, LENGTH)
    seen[name] = sorted(set((d - j)[dependence == 1].tolist()))
    layer(torch.randn(1, 1, LENGTH)).sum().backward()
    used = int((layer.weight.grad != 0).sum())
    rows.append([name, ", ".join(map(str, seen[name])), f"{used} of {layer.weight.numel()}"])
display(table(["option A", "offsets $d - j$ read", "weights used"], rows))
assert seen["shifted (CausalConv1d)"] == [1, 4, 7]
assert seen["masked"] == [3, 6]
assert rows[0][2] == "3 of 3" and rows[1][2] == "2 of 3"

# %% [markdown]
# Both are causal: neither reads $x_d$ or anything after it. But the masked kernel keeps only two of
# its three taps, at offsets 3 and 6, while the shift keeps all three, at 1, 4 and 7. Worse, the
# masked layer never reads $x_{d-1}$ or $x_{d-2}$, the pixels next to the one it predicts. Stacking
# more layers of dilation 3 does not fill that gap: every tap adds a multiple of 3 to the offset, so
# a stack of masked layers reads only multiples of 3, while the shifted one reads $1 + 3m$. Two
# layers of each, the second of option B, show it:

# %% tags=["nbval-check-output"]
stacks = {"shifted": nn.Sequential(CausalConv1d(1, 4, KERNEL, DILATION, option="A"), nn.Tanh(),
                                   CausalConv1d(4, 1, KERNEL, DILATION, option="B")),
          "masked": nn.Sequential(MaskedOptionA(1, 4, KERNEL, DILATION), nn.Tanh(),
                                  CausalConv1d(4, 1, KERNEL, DILATION, option="B"))}
stack_seen = {name: sorted(set((d - j)[input_dependence(stack, LENGTH) == 1].tolist())) for name, stack in stacks.items()}
for name, offsets in stack_seen.items():
    print(f"{name} option A, then option B: offsets {offsets}")
assert stack_seen["shifted"] == [1, 4, 7, 10, 13]
assert stack_seen["masked"] == [3, 6, 9, 12]
dilation_1 = {name: sorted(set((d - j)[input_dependence(layer, LENGTH) == 1].tolist()))
              for name, layer in [("shifted", CausalConv1d(1, 1, KERNEL, option="A")), ("masked", MaskedOptionA(1, 1, KERNEL))]}
print(f"dilation 1: shifted offsets {dilation_1['shifted']}, masked offsets {dilation_1['masked']}")
assert dilation_1 == {"shifted": [1, 2, 3], "masked": [1, 2]}

# %% [markdown]
# For dilation 1 (the last line) the two constructions differ only in the number of taps, $k$
# against $k - 1$: the shifted layer reads three pixels back, the masked one two. From dilation 2
# on, masking also leaves a hole next to the predicted position. That is why `CausalConv1d` shifts.
#
# ## Exercise 2
#
# **The receptive field Tomczak's network needed.** With kernel 7 and no dilation, how many layers
# does Tomczak's network need to see all 63 predecessors? Check with `receptive_field`, then find the
# smallest stack of kernel-2 layers with doubling dilations that does it.
#
# An option-A first layer and $L$ layers of kernel 7 reach $1 + 6L$ positions back, with no holes
# (every offset from 1 to $1 + 6L$ is a sum of taps). The last pixel needs $1 + 6L \ge 63$, so
# $L \ge 62/6 \approx 10.3$: **11 layers**, against the 4 of Tomczak's network. With kernel 2 and
# dilations $1, 2, 4, \ldots, 2^{L-1}$ the reach is $1 + (1 + 2 + \cdots + 2^{L-1}) = 2^L$, again
# without holes (every offset is 1 plus a number written in binary with $L$ digits), so $2^L \ge 63$
# needs **6 layers**, dilations 1 to 32.

# %% tags=["nbval-check-output"]
def reaches_all(field) -> bool:
    """Whether a receptive field covers every one of the last pixel's 63 predecessors."""
    return set(range(1, DIGIT_LENGTH)) <= set(field)


kernel_7 = next(layers for layers in range(1, 20) if reaches_all(receptive_field([7] * layers)))
kernel_2 = next(layers for layers in range(1, 10)
                if reaches_all(receptive_field([2] * layers, [2 ** l for l in range(layers)])))
print(f"kernel 7, no dilation: {kernel_7} layers, reach {receptive_field([7] * kernel_7)[-1]} "
      f"({kernel_7 - 1} layers: {receptive_field([7] * (kernel_7 - 1))[-1]})")
doubling = [2 ** l for l in range(kernel_2)]
print(f"kernel 2, dilations {doubling}: {kernel_2} layers, reach {receptive_field([2] * kernel_2, doubling)[-1]} "
      f"({kernel_2 - 1} layers: {receptive_field([2] * (kernel_2 - 1), doubling[:-1])[-1]})")
assert kernel_7 == 11 == math.ceil((DIGIT_LENGTH - 2) / 6)
assert kernel_2 == 6 and receptive_field([2] * 6, doubling) == tuple(range(1, 65))

# %% [markdown]
# `receptive_field` computes from the kernel sizes; `input_dependence` measures a real network. A
# narrow copy of Tomczak's network with 11 layers (`num_layers` counts every convolution) and a
# stack of six kernel-2 layers with dilations 1 to 32 both read every pixel before $d$ and nothing
# else. The second does it with 12 taps in all, the first with 77.

# %% tags=["nbval-check-output"]
eleven = TomczakConvNet(channels=8, num_layers=kernel_7)
six = nn.Sequential(CausalConv1d(1, 8, 2, dilation=1, option="A"),
                    *[module for r in doubling[1:] for module in (nn.LeakyReLU(), CausalConv1d(8, 8, 2, dilation=r))])
strictly_past = torch.arange(DIGIT_LENGTH).unsqueeze(1) > torch.arange(DIGIT_LENGTH)  # [d, j]: j < d
taps = {}
for name, net in [("kernel 7, 11 layers", eleven.layers), ("kernel 2, dilations 1..32", six)]:
    assert torch.equal(input_dependence(net, DIGIT_LENGTH), strictly_past.long())
    taps[name] = sum(m.kernel_size[0] for m in net.modules() if isinstance(m, CausalConv1d))
    print(f"{name}: reads every earlier pixel, {taps[name]} taps")
assert taps == {"kernel 7, 11 layers": 77, "kernel 2, dilations 1..32": 12}

# %% [markdown]
# ## Exercise 3
#
# **Which change matters?** Take the
# dilated network apart one change at a time, and train each variant at `channels=32` with
# `IMPROVED_FIT` but `epochs=4`, for seeds 0 and 1: (a) the network as it is; (b) Tomczak's reach,
# `dilations=(1, 2, 4, 2, 2)`; (c) the value as a number, one input channel; (d) no gate,
# $\mathbf{h} + W_o\,\mathrm{dropout}\big(\tanh(W * \mathbf{h})\big)$. Check each with
# `armlib.check_autoregressive`, note its parameter count, and report its test NLL as mean ± sd over
# the seeds and its difference from (a), seed by seed. Which removal costs most, and is that cost
# larger than the spread between seeds?
#
# Variant (b) is a keyword of the registered builder; (c) and (d) change one part of a
# `DilatedConvNet` each. For (c) the first layer reads one channel, the raw value 0 to 16, as
# `TomczakConvNet.forward` feeds it. For (d) each gated block becomes a block with one causal
# convolution with as many output channels as the block has (32 here) and a $\tanh$, instead of
# twice as many split into a feature and a gate.

# %%
class ValueInputNet(DilatedConvNet):
    """Variant (c): the dilated network, but each pixel enters as its value, one input channel."""

    def __init__(self, **options):
        super().__init__(**options)
        first = self.layers[0]
        self.layers[0] = CausalConv1d(1, first.out_channels, first.kernel_size[0], option="A")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x.to(self.layers[0].weight.dtype).unsqueeze(1))


class TanhResidualBlock(nn.Module):
    """Variant (d): h <- h + W_o dropout(tanh(W * h)), one causal convolution W and no gate."""

    def __init__(self, gated: GatedResidualBlock):
        super().__init__()
        channels, (kernel_size,), (dilation,) = gated.out.in_channels, gated.conv.kernel_size, gated.conv.dilation
        self.conv = CausalConv1d(channels, channels, kernel_size, dilation, option="B")
        self.dropout = nn.Dropout(gated.dropout.p)
        self.out = nn.Conv1d(channels, channels, 1)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.out(self.dropout(torch.tanh(self.conv(h))))


def ungated_net(**options) -> DilatedConvNet:
    net = DilatedConvNet(**options)
    for index, block in enumerate(net.layers):
        if isinstance(block, GatedResidualBlock):
            net.layers[index] = TanhResidualBlock(block)
    return net


def as_arm(net: nn.Module) -> armlib.ARM:
    return armlib.ARM(net, armlib.Categorical(armlib.NUM_VALS), (DIGIT_LENGTH,))


VARIANTS = {"(a) as it is": lambda: armlib.MODELS["causal_conv1d"](channels=CHANNELS),
            "(b) Tomczak's reach": lambda: armlib.MODELS["causal_conv1d"](channels=CHANNELS, dilations=(1, 2, 4, 2, 2)),
            "(c) value as a number": lambda: as_arm(ValueInputNet(channels=CHANNELS)),
            "(d) no gate": lambda: as_arm(ungated_net(channels=CHANNELS))}

# %% [markdown]
# Before any training: every variant is causal, and (b) reads exactly the 25 pixels before $d$ that
# Tomczak's network reads.

# %% tags=["nbval-check-output"]
sizes = {}
for name, build in VARIANTS.items():
    model = build()
    armlib.check_autoregressive(model)
    sizes[name] = parameters(model)
    print(f"{name}: causal, {sizes[name]:,} parameters ({sizes[name] - sizes['(a) as it is']:+,} against (a))")
reach_b = receptive_field([3] * 6, [1, 1, 2, 4, 2, 2])
print(f"(b) reads x_(d-s) for s = {reach_b[0]}..{reach_b[-1]}")
assert reach_b == receptive_field([7] * 4) == tuple(range(1, 26))
assert sizes["(b) Tomczak's reach"] == sizes["(a) as it is"]
assert sizes["(c) value as a number"] == sizes["(a) as it is"] - (armlib.NUM_VALS - 1) * CHANNELS * 3
assert sizes["(d) no gate"] == sizes["(a) as it is"] - 5 * (CHANNELS * CHANNELS * 3 + CHANNELS)

# %% [markdown]
# (b) changes only dilations, so it has exactly the parameters of (a). (c) loses the weights of 16
# of the 17 input channels of the first layer, $16 \times 32 \times 3$; (d) loses the gate's half of
# each block's convolution, $32 \times 32 \times 3$ weights and 32 biases in each of 5 blocks.
#
# Now the eight runs, each seed fixing the initial weights (`armlib.setup(seed=s)` just before the
# model is built) and the batch order and dropout (`seed=s` in `armlib.fit`).

# %%
def train_variant(build, seed: int) -> float:
    """Test NLL (nats per image) of one variant trained with ABLATION_FIT from seed ``seed``."""
    armlib.setup(seed=seed)
    model = build()
    armlib.fit(model, train, val, seed=seed, progress=False, **ABLATION_FIT)
    return armlib.evaluate(model, test).nats


scores = {name: [train_variant(build, seed) for seed in SEEDS] for name, build in VARIANTS.items()}


def mean_sd(values) -> str:
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"


baseline = scores["(a) as it is"]
differences = {name: [score - base for score, base in zip(values, baseline)] for name, values in scores.items()}
display(table(["variant", "parameters", *[f"seed {s}" for s in SEEDS], "mean ± sd", "minus (a), seed by seed"],
              [[name, f"{sizes[name]:,}", *[f"{v:.2f}" for v in values], mean_sd(values),
                ", ".join(f"{x:+.2f}" for x in differences[name])] for name, values in scores.items()],
              caption=f"**Table S4.1.** Test NLL in nats per image after {EPOCHS} epochs at {CHANNELS} channels, two seeds "
                      "per variant."))
spread = statistics.stdev(baseline)
costs = {name: statistics.mean(found) for name, found in differences.items() if name != "(a) as it is"}
costliest = max(costs, key=costs.get)
beyond = all(x > 0 for x in differences[costliest]) and costs[costliest] > 2 * spread
print(f"costliest removal: {costliest}, {costs[costliest]:+.2f} nats on average "
      f"(seed by seed {', '.join(f'{x:+.2f}' for x in differences[costliest])}); "
      f"sd of (a) over the seeds: {spread:.2f}; worse on both seeds and by more than twice that sd: "
      f"{'yes' if beyond else 'no'}")
assert all(20 < score < armlib.uniform_nats(DIGIT_LENGTH, armlib.NUM_VALS) for found in scores.values() for score in found)
assert costliest.startswith("(b)") and beyond   # cutting the reach costs most, on both seeds

# %% [markdown]
# Read Table S4.1 against the line under it. Cutting the reach to Tomczak's 25 pixels costs most:
# 1.47 and 1.81 nats per image on the two seeds, about three times the spread between the two seeds
# of (a), as the line under the table says. Removing the gate costs about half a nat on each seed
# (0.66 and 0.51), about the size of that spread, although (d) has 39% fewer parameters. Feeding the
# value as one number costs nothing in these runs: (c) is *ahead* of (a) on both seeds, by 1.69 and
# 0.88 nats. That does not show the one-hot input to be a mistake. It shows that after four epochs
# at half the width the single input channel is ahead; whether it stays ahead, these runs do not
# test. Three caveats: two seeds give only a rough sd; four epochs measure how fast each variant
# learns as much as where it ends, and the chapter's full recipe could rank the variants
# differently; and trained conv-net numbers vary a little from one processor to another, so on
# yours the smaller differences may come out in another order.
#
# ## Exercise 4
#
# **Raster order has seams.** Position $d$ and $d - 1$ are neighbours inside a row but far apart
# when $d$ starts a row, and a 1-D convolution cannot tell the two cases apart. Add a learned vector
# per position to the first layer's output and measure, seed by seed against (a) of exercise 3
# (`channels=32`, 4 epochs, seeds 0 and 1), whether the test NLL moves.
#
# The network below is the dilated network with one more parameter tensor, a vector of 32 numbers
# (one per channel) for each of the 64 positions, added to the output of the option-A layer. The vector depends on
# $d$ only, never on the pixels, so the model stays causal; it lets every later layer know where in
# the digit (which row, which column) position $d$ lies, and in particular whether $d - 1$ is its
# left neighbour or the end of the previous row.

# %%
class PositionalNet(DilatedConvNet):
    """The dilated network with a learned vector per position added to the option-A layer's output."""

    def __init__(self, length: int = DIGIT_LENGTH, **options):
        super().__init__(**options)
        self.position = nn.Parameter(torch.zeros(self.layers[0].out_channels, length))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        one_hot = F.one_hot(x.long(), self.num_vals).to(self.layers[0].weight.dtype).transpose(1, 2)
        return self.layers[1:](self.layers[0](one_hot) + self.position)


build_positional = lambda: as_arm(PositionalNet(channels=CHANNELS))
positional = build_positional()
armlib.check_autoregressive(positional)
print(f"causal, {parameters(positional):,} parameters ({parameters(positional) - sizes['(a) as it is']:+,} against (a))")
assert parameters(positional) - sizes["(a) as it is"] == CHANNELS * DIGIT_LENGTH

# %%
positional_scores = [train_variant(build_positional, seed) for seed in SEEDS]
moved = [score - base for score, base in zip(positional_scores, baseline)]
display(table(["network", *[f"seed {s}" for s in SEEDS], "mean ± sd"],
              [["(a) as it is (exercise 3)", *[f"{v:.2f}" for v in baseline], mean_sd(baseline)],
               ["with a vector per position", *[f"{v:.2f}" for v in positional_scores], mean_sd(positional_scores)],
               ["difference, seed by seed", *[f"{x:+.2f}" for x in moved], mean_sd(moved)]],
              caption=f"**Table S4.2.** Test NLL in nats per image after {EPOCHS} epochs at {CHANNELS} channels, with "
                      "and without a learned vector per position."))
assert all(x < 0 for x in moved)   # lower on both seeds

# %% [markdown]
# In Table S4.2 the vector per position lowers the test NLL on both seeds, by 1.88 and 1.04 nats:
# on average about as much as cutting the reach costs in exercise 3, and measured like it, after
# four epochs at half the width on two seeds. A learned vector per position gives the network the
# information the seams hide, where a row starts; whether the gain lasts through the chapter's full
# recipe, these short runs cannot say.
#
# ## Exercise 5
#
# **Wasted work in sampling.** Count the multiply-adds one pass of Tomczak's network spends on
# positions after $d$ while it draws pixel $d$. What fraction of the sampling cost is that?
#
# A convolution costs the same at every position: each of its weights is used once per position
# (as in chapter 04, section 7, we count the weights and leave out the biases). Call that cost per
# position $c$; one pass over a digit costs $64c$. Counting positions from 0, the pass that draws
# pixel $d$ needs only the output at $d$, and a causal network computes that from positions
# $0, \ldots, d$ alone: the $63 - d$ positions after $d$ cost $(63 - d)\,c$ and change nothing. Over
# the 64 passes of a sample,
#
# $$\frac{\sum_{d=0}^{63} (63 - d)\, c}{64 \cdot 64\, c} = \frac{63 \cdot 64 / 2}{64^2}
#   = \frac{63}{128} \approx 49.2\%$$
#
# of the multiply-adds go to positions after the one being drawn: nearly half. The other half is
# not all useful either (every pass recomputes positions $0, \ldots, d - 1$, which the previous pass
# already computed); chapter 10's cache removes that part too.
#
# The cell checks the count on the network itself. Forward hooks on its convolutions add up the
# multiply-adds of every call, once for the chapter's sampler, `ARM.sample`, and once for a sampler
# that runs the network on the prefix $x_0, \ldots, x_d$ only. Both draw from the same noise; since
# the network is causal, the prefix gives the same parameters at $d$, and so the same samples. The
# weights do not matter for any of this, so the network is an untrained copy.

# %% tags=["nbval-check-output"]
tomczak = armlib.MODELS["causal_conv1d_tomczak"]().eval()
per_position = sum(m.weight.numel() for m in tomczak.modules() if isinstance(m, nn.Conv1d))
counted = [0]


def count_multiply_adds(module, inputs, output):
    counted[0] += output.shape[0] * output.shape[-1] * module.weight.numel()  # batch x positions x weights


hooks = [m.register_forward_hook(count_multiply_adds) for m in tomczak.modules() if isinstance(m, nn.Conv1d)]


@torch.no_grad()
def sample_on_prefixes(model, noise: torch.Tensor) -> torch.Tensor:
    """The plain sampler, but each pass reads only the pixels up to the one it draws."""
    x = torch.zeros(noise.shape[0], DIGIT_LENGTH, dtype=torch.long)
    for position in range(DIGIT_LENGTH):
        prefix = x[:, :position + 1]
        params = model.net(prefix)[..., -1:]  # the parameters of pixel `position`
        x[:, position] = model.head.sample(params, noise[..., position:position + 1])[:, 0, 0]
    return x


noise = tomczak.noise(2, torch.Generator().manual_seed(0))
drawn, cost = {}, {}
for name, sampler in [("ARM.sample", tomczak.sample_from_noise), ("prefixes only", lambda n: sample_on_prefixes(tomczak, n))]:
    counted[0] = 0
    drawn[name] = sampler(noise)
    cost[name] = counted[0] / len(noise)
for hook in hooks:
    hook.remove()
wasted = 1 - cost["prefixes only"] / cost["ARM.sample"]
print(f"multiply-adds per position: {per_position:,}; per pass over a digit: {DIGIT_LENGTH * per_position:,}")
print(f"per sample: ARM.sample {cost['ARM.sample']:,.0f}, prefixes only {cost['prefixes only']:,.0f}; "
      f"spent on positions after d: {wasted:.1%}")
assert cost["ARM.sample"] == DIGIT_LENGTH * DIGIT_LENGTH * per_position
assert cost["ARM.sample"] - cost["prefixes only"] == sum(DIGIT_LENGTH - 1 - d for d in range(DIGIT_LENGTH)) * per_position
assert math.isclose(wasted, 63 / 128)
assert torch.equal(drawn["ARM.sample"], drawn["prefixes only"])

# %% [markdown]
# The hooks count exactly $64 \cdot 64\,c$ multiply-adds per sample for `ARM.sample`, and
# $\sum_d (63 - d)\, c$ fewer for the prefix sampler, which draws the very same digits: 63/128 of the
# work, 49.2%, is spent on positions after the one being drawn.
