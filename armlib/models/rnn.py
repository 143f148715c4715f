"""The recurrent ARM: a hidden state carries everything seen so far, one step per pixel.

    h_d = RNN(e(x_{d-1}), h_{d-1}),   theta_d = softmax(W h_d + b)

e(v) is a learned vector per pixel value, and e(x_0) is a learned start vector, because x_1 has no
predecessor. The inputs are the data shifted right by one, so h_d, and theta_d with it, has seen
x_1, ..., x_{d-1} and never x_d: the memory is unbounded, but the D steps run one after another.

The cell is a GRU by default, an LSTM as an option, or the plain
h_d = tanh(W_ih e(x_{d-1}) + W_hh h_{d-1} + b), whose gradients over many steps are governed by the
recurrent matrix W_hh (see ``set_spectral_norm`` and ``input_gradient_norms``); a GRU's gates decide
how much of its state it carries forward (``gru_update_gates``).
"""
import torch
import torch.nn.functional as F
from torch import nn

from ..arm import ARM
from ..data import DIGIT_LENGTH, NUM_VALS
from ..heads import Categorical
from ..layers import Stepper, Vector
from ..modes import evaluating
from ..validation import check_data, check_positive_int, check_positive_number
from .registry import register

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM, "tanh": nn.RNN}
"""The recurrences on offer: name -> the PyTorch module that runs it over a whole sequence."""


class RecurrentNet(nn.Module):
    """theta_d from h_d, the state of a recurrence over the shifted sequence.

    Args:
        num_vals: values a pixel can take, V.
        hidden: size of the hidden state h_d.
        cell: "gru", "lstm" or "tanh" (the plain RNN).
        embedding_dim: size of the learned vector e(v) that feeds each pixel value in.

    Input: integer data (B, D); output: logits (B, V, D). ``forward`` is ``recur(inputs(x))``;
    the two halves are public so the gradients can be taken with respect to the inputs.
    """

    def __init__(self, num_vals: int, hidden: int = 256, cell: str = "gru", embedding_dim: int = 16):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        check_positive_int(hidden, "hidden")
        check_positive_int(embedding_dim, "embedding_dim")
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.cell = cell
        self.start = num_vals  # the index of the start vector e(x_0) in the embedding table
        self.embedding = nn.Embedding(num_vals + 1, embedding_dim)
        self.rnn = CELLS[cell](embedding_dim, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, num_vals)

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """(B, D) integers -> (B, D, E): the input at step d is e(x_{d-1}), e(start) at d = 1."""
        shifted = F.pad(x[:, :-1], (1, 0), value=self.start)
        return self.embedding(shifted)

    def recur(self, inputs: torch.Tensor) -> torch.Tensor:
        """(B, D, E) step inputs -> (B, V, D) logits, from h_1, ..., h_D (h_0 = 0)."""
        states, _ = self.rnn(inputs)
        return self.readout(states).transpose(1, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.recur(self.inputs(x))

    def stepper(self, batch: int, positions: tuple[int], y=None) -> "RecurrentStepper":
        return RecurrentStepper(self, batch, positions)

    def extra_repr(self) -> str:
        return f"cell={self.cell!r}"


class RecurrentStepper(Stepper):
    """``RecurrentNet`` one step at a time: the hidden state is the cache."""

    def __init__(self, net: RecurrentNet, batch: int, positions: tuple[int]):
        super().__init__(positions)
        self.net = net
        self.start = torch.full((batch,), net.start, dtype=torch.long, device=net.readout.weight.device)
        self.state = None  # h_0 = 0

    def step(self, x: torch.Tensor, position: tuple[int]) -> Vector:
        (d,) = position
        previous = x[:, 0, d - 1] if d > 0 else self.start
        states, self.state = self.net.rnn(self.net.embedding(previous)[:, None], self.state)
        return self.net.readout(states[:, 0])


def _recurrent_weight(net: RecurrentNet) -> nn.Parameter:
    """W_hh of a plain tanh RNN (a GRU or LSTM has several gated recurrent matrices, no single W_hh)."""
    if not isinstance(net, RecurrentNet):
        raise TypeError(f"net must be a RecurrentNet, got {type(net).__name__}")
    if net.cell != "tanh":
        raise ValueError(f"rescaling W_hh needs cell='tanh', got cell={net.cell!r} (a GRU or LSTM "
                         f"has several gated recurrent matrices, no single W_hh)")
    return net.rnn.weight_hh_l0


def set_spectral_norm(net: RecurrentNet, norm: float) -> None:
    """Rescale W_hh of a plain tanh RNN so that its largest singular value, ||W_hh||_2, is ``norm``.

    Backpropagating through one step multiplies the gradient by W_hh^T diag(tanh'), whose norm is at
    most ||W_hh||_2 because |tanh'| <= 1. Below 1, then, every step shrinks the gradient by that
    factor or more, and over k steps it vanishes geometrically: a sufficient condition. Above 1
    growth becomes possible, not certain: exploding gradients need ||W_hh||_2 > 1 (Pascanu et al., 2013).
    """
    weight = _recurrent_weight(net)
    check_positive_number(norm, "norm")
    with torch.no_grad():
        weight.mul_(norm / torch.linalg.matrix_norm(weight, ord=2))


def set_spectral_radius(net: RecurrentNet, radius: float) -> None:
    """Rescale W_hh of a plain tanh RNN so that its largest eigenvalue magnitude is ``radius``.

    The spectral radius governs the powers W_hh^k of one fixed matrix as k grows (a linear
    recurrence). Through tanh the step Jacobians differ from step to step, and their product is
    bounded by the spectral norm instead, which is at least the radius (``set_spectral_norm``).
    """
    weight = _recurrent_weight(net)
    check_positive_number(radius, "radius")
    with torch.no_grad():
        weight.mul_(radius / torch.linalg.eigvals(weight).abs().max())


def input_gradient_norms(model: ARM, x: torch.Tensor, max_distance: int | None = None) -> torch.Tensor:
    """How strongly a term l_d = -log p(x_d | x_<d) reacts to the pixel k steps before it.

    Returns a tensor (K,) whose entry k - 1 is ||dl_d / de(x_{d-k})||, the gradient with respect to
    the input vector that carries pixel x_{d-k} into the recurrence, averaged over the batch ``x``
    (B, D) and over the targets d = D - K + 1, ..., D, the last K positions. That gradient has passed
    backwards through k - 1 recurrent steps. K = ``max_distance`` is at most D // 2 (the default),
    so that every target has all K distances behind it and every k averages the same targets.
    """
    if not isinstance(model, ARM) or not isinstance(model.net, RecurrentNet):
        raise TypeError(f"model must be an ARM whose net is a RecurrentNet, got {type(model).__name__}")
    check_data(x, model.shape, model.num_vals)
    length = x.shape[1]
    max_distance = length // 2 if max_distance is None else max_distance
    check_positive_int(max_distance, "max_distance")
    if max_distance > length // 2:
        raise ValueError(f"max_distance must be at most D // 2 = {length // 2}, got {max_distance}")
    per_target = []
    with evaluating(model):
        inputs = model.net.inputs(x).detach().requires_grad_()
        terms = model.head.log_prob(model.net.recur(inputs), x.unsqueeze(1))[:, 0]  # (B, D)
        for d in range(length - max_distance + 1, length + 1):  # targets, counted from 1
            # examples never mix, so the gradient of the batch's sum gives each example's own
            (grad,) = torch.autograd.grad(-terms[:, d - 1].sum(), inputs, retain_graph=True)
            # step index j (from 0) carries x_j (j = 0: the start vector), so x_{d-k} sits at index
            # d - k: indices d - 1 down to d - K list k = 1 .. K
            per_target.append(grad.norm(dim=2)[:, d - max_distance:d].flip(1))
    return torch.stack(per_target).mean(dim=(0, 1))


@torch.no_grad()
def gru_update_gates(model: ARM, x: torch.Tensor) -> torch.Tensor:
    """The update gates z_d of a GRU ARM on the data ``x`` (B, D): a tensor (B, D, H).

    PyTorch's GRU (the convention of Cho et al., 2014) updates its state as
    h_d = z_d * h_{d-1} + (1 - z_d) * n_d, with z_d = sigmoid(W_iz e(x_{d-1}) + b_iz + W_hz h_{d-1} + b_hz):
    a unit whose gate is near 1 copies its state forward, and the gradient through it with it.
    """
    if not isinstance(model, ARM) or not isinstance(model.net, RecurrentNet) or model.net.cell != "gru":
        raise TypeError("model must be an ARM whose net is a RecurrentNet with cell='gru'")
    check_data(x, model.shape, model.num_vals)
    rnn = model.net.rnn
    with evaluating(model):
        inputs = model.net.inputs(x)
        states, _ = rnn(inputs)                        # h_1, ..., h_D
    previous = F.pad(states[:, :-1], (0, 0, 1, 0))     # h_0 = 0, h_1, ..., h_{D-1}
    update = slice(rnn.hidden_size, 2 * rnn.hidden_size)  # PyTorch stacks the gates as (r, z, n)
    return torch.sigmoid(inputs @ rnn.weight_ih_l0[update].T + rnn.bias_ih_l0[update]
                         + previous @ rnn.weight_hh_l0[update].T + rnn.bias_hh_l0[update])


@register("rnn")
def recurrent_arm(hidden: int = 256, cell: str = "gru", embedding_dim: int = 16) -> ARM:
    """The recurrent ARM for the digits, a GRU with 256 units by default."""
    net = RecurrentNet(NUM_VALS, hidden, cell, embedding_dim)
    return ARM(net, Categorical(NUM_VALS), (DIGIT_LENGTH,))
