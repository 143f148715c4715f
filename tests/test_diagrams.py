"""The network diagrams: each draws the nodes and the arrows its chapter's text describes."""
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyArrowPatch

from armlib import diagrams


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_shared_mlp_feeds_each_hidden_node_the_window_before_it(ax):
    diagrams.shared_mlp_diagram(length=5, window=2, ax=ax)
    labels = diagrams.node_labels(ax)
    assert labels.count("pad") == 2
    assert {f"$x_{{{d}}}$" for d in range(1, 6)} <= set(labels)
    assert {f"$\\theta_{{{d}}}$" for d in range(1, 6)} <= set(labels)
    arrows = diagrams.edges(ax)
    assert len(arrows) == 5 * (2 + 1)  # per position: the window into h_d, then h_d into theta_d
    assert ("$x_{3}$", "$h_{4}$") in arrows and ("$x_{2}$", "$h_{4}$") in arrows
    assert ("$h_{4}$", "$\\theta_{4}$") in arrows
    # theta_d never depends on x_d or later, and no hidden node feeds another (no memory)
    assert not any(start == f"$x_{{{d}}}$" and end == f"$h_{{{e}}}$"
                   for start, end in arrows for d in range(1, 6) for e in range(1, d + 1))
    assert not any(start.startswith("$h") and end.startswith("$h") for start, end in arrows)


def test_shared_mlp_window_sets_the_fan_in(ax):
    diagrams.shared_mlp_diagram(length=4, window=3, highlight=None, ax=ax)
    assert diagrams.node_labels(ax).count("pad") == 3
    assert sum(end == "$h_{4}$" for _, end in diagrams.edges(ax)) == 3


def test_unrolled_rnn_chains_the_hidden_states(ax):
    diagrams.unrolled_rnn_diagram(length=5, ax=ax)
    labels = diagrams.node_labels(ax)
    assert {"start", "$h_{0}$"} <= set(labels)
    assert len(labels) == 2 + 3 * 5
    arrows = diagrams.edges(ax)
    assert len(arrows) == 3 * 5  # per position: x_{d-1} -> h_d, h_{d-1} -> h_d, h_d -> theta_d
    assert [(f"$h_{{{d - 1}}}$", f"$h_{{{d}}}$") in arrows for d in range(1, 6)] == [True] * 5
    assert ("start", "$h_{1}$") in arrows and ("$x_{3}$", "$h_{4}$") in arrows
    assert not any(start == "$x_{5}$" for start, _ in arrows)  # the last pixel predicts nothing


def test_highlight_draws_the_edges_into_one_position_in_red(ax):
    diagrams.unrolled_rnn_diagram(length=5, highlight=4, ax=ax)
    red = to_rgba(diagrams.HIGHLIGHT)
    into = [arrow.patchB.get_label() for arrow in ax.patches
            if isinstance(arrow, FancyArrowPatch) and arrow.get_edgecolor() == red]
    assert sorted(into) == sorted(["$h_{4}$", "$h_{4}$", "$\\theta_{4}$"])


def test_a_diagram_without_axes_makes_its_own_figure():
    ax = diagrams.shared_mlp_diagram()
    try:
        assert ax.figure is not None and not ax.axison
    finally:
        plt.close(ax.figure)


def test_gated_block_links_the_stacks_one_way_only_and_keeps_the_horizontal_residual(ax):
    diagrams.gated_block_diagram(ax=ax)
    arrows = set(diagrams.edges(ax))
    vertical, horizontal = {"$v$", "$a_v$", "$v'$"}, {"$h$", "$a_h$", "$h'$"}
    assert vertical | horizontal <= set(diagrams.node_labels(ax))
    assert {("$v$", "$a_v$"), ("$a_v$", "$v'$"), ("$h$", "$a_h$"), ("$a_h$", "$h'$")} <= arrows  # both stacks
    assert ("$h$", "$h'$") in arrows  # the residual of the horizontal stack
    assert ("$v$", "$v'$") not in arrows  # the vertical stack has none
    # the 1x1 link a_v -> a_h is the only arrow between the stacks: nothing flows back into the vertical stack
    assert {(start, end) for start, end in arrows if start in vertical and end in horizontal} == {("$a_v$", "$a_h$")}
    assert not any(start in horizontal and end in vertical for start, end in arrows)


def test_dilated_network_chains_one_block_per_dilation_each_with_its_residual(ax):
    diagrams.dilated_network_diagram(dilations=(1, 2, 4), ax=ax)
    hidden = [f"$h_{{{i}}}$" for i in range(4)]
    assert diagrams.node_labels(ax) == ["$x$", *hidden, "$\\theta$"]
    arrows = diagrams.edges(ax)
    assert arrows.count(("$x$", "$h_{0}$")) == 1 and arrows.count(("$h_{3}$", "$\\theta$")) == 1
    for before, after in zip(hidden, hidden[1:]):
        assert arrows.count((before, after)) == 2  # the gated branch and the residual
    assert len(arrows) == 2 + 2 * 3  # nothing skips a block: each node feeds only the next one
    texts = " ".join(text.get_text() for text in ax.texts)
    assert all(f"$r{{=}}{r}$" in texts for r in (1, 2, 4))


def test_pixelcnn_chains_a_type_a_layer_then_residual_type_b_layers(ax):
    diagrams.pixelcnn_diagram(layers=3, first_kernel_size=5, ax=ax)
    hidden = [f"$h_{{{i}}}$" for i in range(4)]
    assert diagrams.node_labels(ax) == ["$x$", *hidden, "$\\theta$"]
    arrows = diagrams.edges(ax)
    assert arrows.count(("$x$", "$h_{0}$")) == 1 and arrows.count(("$h_{3}$", "$\\theta$")) == 1
    for before, after in zip(hidden, hidden[1:]):
        assert arrows.count((before, after)) == 2  # the type-B branch and the residual
    assert len(arrows) == 2 + 2 * 3  # nothing skips a layer
    texts = [text.get_text() for text in ax.texts]
    assert sum("A, $5{\\times}5$" in text for text in texts) == 1
    assert sum("B, $3{\\times}3$" in text for text in texts) == 3
