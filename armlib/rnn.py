"""The recurrent ARM: a hidden state carries everything seen so far, one step per pixel.

    h_d = RNN(e(x_{d-1}), h_{d-1}),   theta_d = softmax(W h_d + b)

e(v) is a learned vector per pixel value, and e(x_0) is a learned start vector, because x_1 has no
predecessor. The inputs are the data shifted right by one, so h_d, and theta_d with it, has seen
x_1, ..., x_{d-1} and never x_d: the memory is unbounded, but the D steps run one after another.

The cell is a GRU by default, an LSTM as an option, or the plain
h_d = tanh(W_ih e(x_{d-1}) + W_hh h_{d-1} + b), whose gradients over many steps are governed by the
recurrent matrix W_hh (see ``set_spectral_radius`` and ``input_gradient_norms``).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from .arm import ARM, evaluating
from .data import IMAGE_SHAPE, NUM_VALS
from .heads import Categorical
from .registry import register
from .validation import check_data, check_positive_int

DIGIT_LENGTH = math.prod(IMAGE_SHAPE)
"""An 8x8 digit as a sequence: 64 pixels in raster order."""

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

    def extra_repr(self) -> str:
        return f"cell={self.cell!r}"


def set_spectral_radius(net: RecurrentNet, radius: float) -> None:
    """Rescale W_hh of a plain tanh RNN so that its largest eigenvalue magnitude is ``radius``.

    Backpropagating through one step multiplies the gradient by diag(tanh') W_hh^T; over k steps,
    by a product of k such factors. Below 1 that product shrinks geometrically (vanishing
    gradients); well above 1 the dynamics turn chaotic and it grows (exploding gradients).
    """
    if not isinstance(net, RecurrentNet):
        raise TypeError(f"net must be a RecurrentNet, got {type(net).__name__}")
    if net.cell != "tanh":
        raise ValueError(f"set_spectral_radius needs cell='tanh', got cell={net.cell!r} (a GRU or LSTM "
                         f"has several gated recurrent matrices, no single W_hh)")
    if not isinstance(radius, (int, float)) or isinstance(radius, bool) or not radius > 0:
        raise ValueError(f"radius must be a positive number, got {radius!r}")
    weight = net.rnn.weight_hh_l0
    with torch.no_grad():
        weight.mul_(radius / torch.linalg.eigvals(weight).abs().max())


def input_gradient_norms(model: ARM, x: torch.Tensor) -> torch.Tensor:
    """How strongly the last term, l = -log p(x_D | x_<D), reacts to the pixel k steps before it.

    Returns a tensor (D - 1,) whose entry k - 1 is ||dl / de(x_{D-k})||, the gradient with respect
    to the input vector that carries pixel x_{D-k} into the recurrence, averaged over the batch
    ``x`` (B, D). That gradient has passed backwards through k - 1 recurrent steps.
    """
    if not isinstance(model, ARM) or not isinstance(model.net, RecurrentNet):
        raise TypeError(f"model must be an ARM whose net is a RecurrentNet, got {type(model).__name__}")
    check_data(x, model.shape, model.num_vals)
    with evaluating(model):
        inputs = model.net.inputs(x).detach().requires_grad_()
        terms = model.head.log_prob(model.net.recur(inputs), x.unsqueeze(1))  # (B, 1, D)
        (grad,) = torch.autograd.grad(-terms[:, 0, -1].sum(), inputs)  # examples never mix, so sum
    # Step index j (from 0) carries x_j (pixels counted from 1; j = 0 is the start vector), so
    # x_{D-k} sits at index D - k: reversing indices 1 .. D - 1 lists k = 1 .. D - 1.
    per_step = grad.norm(dim=2).mean(0)
    return per_step[1:].flip(0)


@register("rnn")
def recurrent_arm(hidden: int = 256, cell: str = "gru", embedding_dim: int = 16) -> ARM:
    """The recurrent ARM for the digits, a GRU with 256 units by default."""
    net = RecurrentNet(NUM_VALS, hidden, cell, embedding_dim)
    return ARM(net, Categorical(NUM_VALS), (DIGIT_LENGTH,))
