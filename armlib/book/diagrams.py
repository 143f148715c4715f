"""Diagrams of the book's networks as graphs: nodes with labels, arrows for what feeds what.

The colours follow Tomczak (2022), Figs. 1-2: inputs blue (bottom), intermediate representations
orange (middle), output probabilities green (top). Every function draws on an ``ax`` it is given
(or on a new figure), returns the axes and leaves ``plt.show()`` to the chapter. The nodes and
edges are ordinary matplotlib artists, so a test can read them back: ``node_labels(ax)`` gives the
labels, ``edges(ax)`` the arrows.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch

INPUT_COLOUR = "#9ecae1"    # blue: data x_d
HIDDEN_COLOUR = "#fdae6b"   # orange: hidden representations h_d
OUTPUT_COLOUR = "#a1d99b"   # green: output probabilities theta_d
PAD_COLOUR = "#eeeeee"      # grey: values that are not data (padding, a start symbol)
HIGHLIGHT = "#d62728"       # red: the edges of the one position the caption talks about
NODE_RADIUS = 0.3


def node(ax, xy: tuple[float, float], label: str, colour: str, *, radius: float = NODE_RADIUS) -> Circle:
    """A circle at ``xy`` with ``label`` (matplotlib mathtext allowed) written in it."""
    circle = Circle(xy, radius, facecolor=colour, edgecolor="black", linewidth=1, zorder=3, label=label)
    ax.add_patch(circle)
    ax.text(*xy, label, ha="center", va="center", fontsize=11, zorder=4)
    return circle


def edge(ax, start: Circle, end: Circle, *, colour: str = "0.35", width: float = 1.0,
         curved: float = 0.0) -> FancyArrowPatch:
    """An arrow from node ``start`` to node ``end``, from rim to rim; ``curved`` bends it."""
    arrow = FancyArrowPatch(posA=start.center, posB=end.center, arrowstyle="-|>", mutation_scale=12,
                            shrinkA=0, shrinkB=0, patchA=start, patchB=end, color=colour, linewidth=width,
                            connectionstyle=f"arc3,rad={curved}", zorder=2)
    ax.add_patch(arrow)
    return arrow


def node_labels(ax) -> list[str]:
    """The labels of the nodes drawn on ``ax`` by ``node``, in the order they were drawn."""
    return [patch.get_label() for patch in ax.patches if isinstance(patch, Circle)]


def edges(ax) -> list[tuple[str, str]]:
    """The arrows drawn on ``ax`` by ``edge``, as (start label, end label) pairs."""
    return [(arrow.patchA.get_label(), arrow.patchB.get_label())
            for arrow in ax.patches if isinstance(arrow, FancyArrowPatch)]


def _canvas(ax, width: float, height: float):
    if ax is None:
        _, ax = plt.subplots(figsize=(width, height))
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def shared_mlp_diagram(length: int = 5, window: int = 2, *, highlight: int | None = 4, ax=None):
    """The finite-memory MLP over a sequence x_1..x_length, as in Tomczak (2022), Fig. 1.

    One column per position d: x_d at the bottom, the hidden vector h_d in the middle and theta_d on
    top. h_d reads x_{d-1}, ..., x_{d-window} (``pad`` nodes stand for the predecessors of the first
    pixels, which do not exist); theta_d reads h_d. Every column uses the same weights. The edges
    into ``highlight`` (a position d, or None) are drawn in red.
    """
    ax = _canvas(ax, 1.3 * (length + window) + 1.5, 3.6)
    inputs = {d: node(ax, (d, 0), "pad", PAD_COLOUR) for d in range(1 - window, 1)}
    inputs.update({d: node(ax, (d, 0), f"$x_{{{d}}}$", INPUT_COLOUR) for d in range(1, length + 1)})
    for d in range(1, length + 1):
        hidden = node(ax, (d, 1.3), f"$h_{{{d}}}$", HIDDEN_COLOUR)
        output = node(ax, (d, 2.6), f"$\\theta_{{{d}}}$", OUTPUT_COLOUR)
        style = dict(colour=HIGHLIGHT, width=2.0) if d == highlight else {}
        for k in range(1, window + 1):
            edge(ax, inputs[d - k], hidden, **style)
        edge(ax, hidden, output, **style)
    right = length + 0.6
    ax.text(right, 0.65, "$W_1, b_1$: the same at every $d$", va="center", fontsize=10)
    ax.text(right, 1.95, "$W_2, b_2$: the same at every $d$", va="center", fontsize=10)
    ax.set(xlim=(0.4 - window, length + 3.6), ylim=(-0.5, 3.1))
    return ax


def unrolled_rnn_diagram(length: int = 5, *, highlight: int | None = 4, ax=None):
    """A recurrent ARM unrolled over x_1..x_length, as in Tomczak (2022), Fig. 2.

    h_d = RNN(x_{d-1}, h_{d-1}) and theta_d reads h_d. The first step reads a ``start`` symbol in
    place of x_0 and the initial state h_0; each step uses the same weights. Compared with
    ``shared_mlp_diagram``, the arrows h_{d-1} -> h_d carry everything seen so far. The edges into
    ``highlight`` (a position d, or None) are drawn in red.
    """
    ax = _canvas(ax, 1.3 * (length + 1) + 1.5, 3.6)
    inputs = {0: node(ax, (0, 0), "start", PAD_COLOUR)}
    inputs.update({d: node(ax, (d, 0), f"$x_{{{d}}}$", INPUT_COLOUR) for d in range(1, length + 1)})
    previous = node(ax, (0, 1.3), "$h_{0}$", PAD_COLOUR)
    for d in range(1, length + 1):
        hidden = node(ax, (d, 1.3), f"$h_{{{d}}}$", HIDDEN_COLOUR)
        output = node(ax, (d, 2.6), f"$\\theta_{{{d}}}$", OUTPUT_COLOUR)
        style = dict(colour=HIGHLIGHT, width=2.0) if d == highlight else {}
        edge(ax, inputs[d - 1], hidden, **style)
        edge(ax, previous, hidden, **style)
        edge(ax, hidden, output, **style)
        previous = hidden
    right = length + 0.6
    ax.text(right, 0.65, "the same RNN cell at every $d$", va="center", fontsize=10)
    ax.text(right, 1.95, "the same readout at every $d$", va="center", fontsize=10)
    ax.set(xlim=(-0.6, length + 3.6), ylim=(-0.5, 3.1))
    return ax


def gated_block_diagram(*, kernel_size: int = 3, ax=None):
    """One block of the gated PixelCNN (van den Oord et al., 2016c), as ``GatedBlock`` computes it.

    Left, the vertical stack: v -> a_v = conv_v(v) [+ e_y] -> v' = g(a_v). Right, the horizontal
    stack: h -> a_h = conv_h(h) + link(conv_v(v)) [+ e_y] -> h' = h + out(g(a_h)), where the curved
    arrow h -> h' is the residual. The only arrow between the stacks is the 1x1 link a_v -> a_h (red;
    it reads the vertical pre-activation before e_y is added): the vertical stack receives nothing
    from the horizontal one. The gate g(a) = tanh(a_1) * sigmoid(a_2) acts on the two halves of a
    pre-activation's channels; the class bias e_y (grey) is optional; dropout (after each gate) is
    left out of the picture. ``kernel_size`` sets the kernel sizes written on the arrows.
    """
    ax = _canvas(ax, 8.0, 4.6)
    half = kernel_size // 2
    v, h = node(ax, (0, 0), "$v$", INPUT_COLOUR), node(ax, (3.4, 0), "$h$", INPUT_COLOUR)
    a_v, a_h = node(ax, (0, 1.7), "$a_v$", HIDDEN_COLOUR), node(ax, (3.4, 1.7), "$a_h$", HIDDEN_COLOUR)
    v_out, h_out = node(ax, (0, 3.4), "$v'$", OUTPUT_COLOUR), node(ax, (3.4, 3.4), "$h'$", OUTPUT_COLOUR)
    e_y = node(ax, (1.7, 0.9), "$e_y$", PAD_COLOUR)

    def note(xy, text, **kwargs):
        ax.text(*xy, text, fontsize=9, va="center", zorder=5,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"), **kwargs)

    edge(ax, v, a_v)
    note((0.12, 0.6), f"conv ${half + 1}\\times{kernel_size}$", ha="left")
    edge(ax, a_v, v_out)
    note((0.12, 2.55), "gate $g$", ha="left")
    edge(ax, h, a_h)
    note((3.28, 0.6), f"conv $1\\times{half + 1}$", ha="right")
    edge(ax, a_v, a_h, colour=HIGHLIGHT, width=2.0)
    note((1.7, 1.95), "link $1\\times1$", ha="center", color=HIGHLIGHT)
    edge(ax, a_h, h_out)
    note((3.28, 2.55), "gate $g$, then $1\\times1$", ha="right")
    edge(ax, h, h_out, curved=0.45)
    note((4.35, 1.7), "residual: $h' = h + \\ldots$", ha="left")
    edge(ax, e_y, a_v, colour="0.6")
    edge(ax, e_y, a_h, colour="0.6")
    ax.text(0, 4.05, "vertical stack", ha="center", fontsize=11)
    ax.text(3.4, 4.05, "horizontal stack", ha="center", fontsize=11)
    ax.text(-0.7, -0.65, "$g(a) = \\tanh(a_1) \\odot \\sigma(a_2)$ over the two halves of $a$'s channels; "
            "$e_y$: the class, if any", fontsize=9)
    ax.set(xlim=(-1.9, 6.4), ylim=(-0.9, 4.3))
    return ax


def dilated_network_diagram(dilations=(1, 2, 4, 8, 16), *, kernel_size: int = 3, first_kernel_size: int = 3,
                            channels: int = 64, num_vals: int = 17, ax=None):
    """Chapter 04's dilated network (``DilatedConvNet``) as a chain of feature maps, left to right.

    x (the pixel values) becomes one-hot vectors and goes through the option-A causal convolution to
    h_0; each gated residual block i (dilation r_i) turns h_{i-1} into h_i along two arrows: the
    gated branch W_o(tanh(W_f * h) . sigmoid(W_g * h)) (straight) and the residual, h itself
    (curved, below), which are added; after the last block, the 1x1 output network gives theta,
    the 17 probabilities of every position. Every node stands for a whole sequence of 64 positions.
    """
    dilations = list(dilations)
    step = 1.7
    ax = _canvas(ax, step * (len(dilations) + 2) + 1.5, 3.4)

    def note(xy, text, **kwargs):
        ax.text(*xy, text, fontsize=9, ha="center", va="bottom", zorder=5, **kwargs)

    x = node(ax, (0, 0), "$x$", INPUT_COLOUR)
    previous = node(ax, (step, 0), "$h_{0}$", HIDDEN_COLOUR)
    edge(ax, x, previous)
    note((step / 2, 0.12), f"one-hot ({num_vals})\nA, $k{{=}}{first_kernel_size}$")
    for i, dilation in enumerate(dilations, start=1):
        current = node(ax, ((i + 1) * step, 0), f"$h_{{{i}}}$", HIDDEN_COLOUR)
        edge(ax, previous, current)                     # the gated branch
        edge(ax, previous, current, curved=0.6)         # the residual: h itself, added
        note(((i + 0.5) * step, 0.12), f"gated\n$r{{=}}{dilation}$")
        previous = current
    theta = node(ax, ((len(dilations) + 2) * step, 0), "$\\theta$", OUTPUT_COLOUR)
    edge(ax, previous, theta)
    note(((len(dilations) + 1.5) * step, 0.12), "ReLU, $1{\\times}1$\nReLU, $1{\\times}1$")
    right = (len(dilations) + 2) * step
    ax.text(right / 2, -0.95, "straight: gated branch $W_o(\\tanh(W_f * h) \\odot \\sigma(W_g * h))$;  "
            "curved: the residual $h$, added to it", ha="center", fontsize=9)
    ax.text(right / 2, -1.3, f"$*$: a causal convolution (option B, kernel {kernel_size}, dilation $r$);  "
            f"{channels} channels from $h_0$ to $h_{{{len(dilations)}}}$, {num_vals} probabilities per position "
            "in $\\theta$", ha="center", fontsize=9)
    ax.set(xlim=(-0.5, right + 0.5), ylim=(-1.45, 0.95))
    return ax


def pixelcnn_diagram(layers: int = 5, *, first_kernel_size: int = 5, kernel_size: int = 3, channels: int = 64,
                     num_vals: int = 17, ax=None):
    """Chapter 05's PixelCNN (``PixelCNN``) as a chain of feature maps, left to right.

    x (the pixel values, scaled to [0, 1]) goes through the type-A masked convolution to h_0; each
    residual layer i turns h_{i-1} into h_i along two arrows: conv_B(dropout(ReLU(h))) (straight)
    and the residual, h itself (curved, below), which are added; after the last layer, ReLU, 1x1,
    ReLU, 1x1 give theta, the ``num_vals`` logits of every pixel. Every node stands for a whole
    image of ``channels`` feature maps (``num_vals`` in theta).
    """
    step = 1.7
    ax = _canvas(ax, step * (layers + 2) + 1.5, 3.4)

    def note(xy, text):
        ax.text(*xy, text, fontsize=9, ha="center", va="bottom", zorder=5)

    x = node(ax, (0, 0), "$x$", INPUT_COLOUR)
    previous = node(ax, (step, 0), "$h_{0}$", HIDDEN_COLOUR)
    edge(ax, x, previous)
    note((step / 2, 0.12), f"value in [0, 1]\nA, ${first_kernel_size}{{\\times}}{first_kernel_size}$")
    for i in range(1, layers + 1):
        current = node(ax, ((i + 1) * step, 0), f"$h_{{{i}}}$", HIDDEN_COLOUR)
        edge(ax, previous, current)                     # ReLU, dropout, type-B convolution
        edge(ax, previous, current, curved=0.6)         # the residual: h itself, added
        note(((i + 0.5) * step, 0.12), f"ReLU, dropout\nB, ${kernel_size}{{\\times}}{kernel_size}$")
        previous = current
    theta = node(ax, ((layers + 2) * step, 0), "$\\theta$", OUTPUT_COLOUR)
    edge(ax, previous, theta)
    note(((layers + 1.5) * step, 0.12), "ReLU, $1{\\times}1$\nReLU, $1{\\times}1$")
    right = (layers + 2) * step
    ax.text(right / 2, -0.95, "straight: $\\mathrm{conv}_B(\\mathrm{dropout}(\\mathrm{ReLU}(h)))$;  "
            "curved: the residual $h$, added to it", ha="center", fontsize=9)
    ax.text(right / 2, -1.3, f"A, B: masked convolutions of type A and B;  {channels} channels from $h_0$ to "
            f"$h_{{{layers}}}$, {num_vals} logits per pixel in $\\theta$", ha="center", fontsize=9)
    ax.set(xlim=(-0.5, right + 0.5), ylim=(-1.45, 0.95))
    return ax
