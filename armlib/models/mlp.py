"""The finite-memory ARM: one small MLP, shared by every position, that sees only the last few pixels.

    theta_d = softmax(W_2 ReLU(W_1 [x_{d-1}, ..., x_{d-K}] + b_1 + e_d) + b_2)

With a window of K = 2 and no position term e_d this is Tomczak's (2022)
[x_{d-1}, x_{d-2}] -> Linear(2, M) -> ReLU -> Linear(M, V) -> softmax (the softmax lives in the
Categorical head). The optional e_d is a learned vector per position d, which is exactly what a
one-hot of d fed through the first Linear layer would add; it tells the MLP *where* it is, which its
two pixels of memory cannot.
"""
import torch
import torch.nn.functional as F
from torch import nn

from ..arm import ARM
from ..data import DIGIT_LENGTH, NUM_VALS
from ..heads import Categorical
from ..layers import Stepper, Vector
from ..validation import check_positive_int
from .registry import register

PAD_VALUE = 0
"""What the MLP sees for the predecessors x_{d-k} with d - k < 1, which do not exist: the value of
blank paper, which is also what the first pixels of every digit hold."""


class FiniteMemoryMLP(nn.Module):
    """theta_d from the ``window`` pixels before d, by one MLP shared across positions.

    Args:
        num_vals: values a pixel can take, V (the number of logits per position).
        window: K, how many predecessors the MLP sees; 0 means none (then it needs positions).
        hidden: M, the width of the hidden layer.
        num_positions: when given, the sequence length D, and the MLP also gets the position d
            through a learned vector e_d per position; when None, it is blind to d.

    Input: integer data (B, D); output: logits (B, V, D). Pixel values enter scaled to [0, 1].
    """

    def __init__(self, num_vals: int, window: int = 2, hidden: int = 300, num_positions: int | None = None):
        super().__init__()
        check_positive_int(num_vals, "num_vals")
        check_positive_int(hidden, "hidden")
        if isinstance(window, bool) or not isinstance(window, int) or window < 0:
            raise ValueError(f"window must be a non-negative int, got {window!r}")
        if num_positions is not None:
            check_positive_int(num_positions, "num_positions")
        if window == 0 and num_positions is None:
            raise ValueError("window=0 needs num_positions: with neither memory nor position the MLP "
                             "would predict one distribution for every pixel")
        self.num_vals = num_vals
        self.window = window
        self.num_positions = num_positions
        self.memory = nn.Linear(window, hidden) if window else None
        self.position = nn.Embedding(num_positions, hidden) if num_positions else None
        self.readout = nn.Linear(hidden, num_vals)

    def context(self, x: torch.Tensor) -> torch.Tensor:
        """(B, D) -> (B, D, K): row d holds [x_{d-1}, ..., x_{d-K}], PAD_VALUE before the start."""
        padded = F.pad(x, (self.window, 0), value=PAD_VALUE)
        # unfold gives the windows [x_{d-K}, ..., x_{d-1}] for d = 1..D+1; the last one holds x_D itself.
        return padded.unfold(1, self.window, 1)[:, :-1].flip(-1)

    def theta(self, context: torch.Tensor, position_vectors: torch.Tensor | None) -> torch.Tensor:
        """Logits (..., V) from the windows ``context`` (..., K) and the position vectors e_d
        (..., M): of every position in ``forward``, of one in a step."""
        pre_activation = torch.zeros(*context.shape[:-1], self.readout.in_features, dtype=self.readout.weight.dtype,
                                     device=context.device)
        if self.memory is not None:
            pre_activation = pre_activation + self.memory(context.to(pre_activation.dtype) / (self.num_vals - 1))
        if self.position is not None:
            pre_activation = pre_activation + position_vectors
        return self.readout(F.relu(pre_activation))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = x.shape[1]
        if self.num_positions is not None and length != self.num_positions:
            raise ValueError(f"x must have {self.num_positions} positions (num_positions), got {length}")
        return self.theta(self.context(x), None if self.position is None else self.position.weight).transpose(1, 2)

    def stepper(self, batch: int, positions: tuple[int], y=None) -> "FiniteMemoryStepper":
        return FiniteMemoryStepper(self, positions)

    def extra_repr(self) -> str:
        return f"window={self.window}, num_positions={self.num_positions}"


class FiniteMemoryStepper(Stepper):
    """``FiniteMemoryMLP`` at one position: its window of the ``window`` values before d (and the
    position's own vector), nothing else; there is nothing to cache."""

    def __init__(self, net: FiniteMemoryMLP, positions: tuple[int]):
        super().__init__(positions)
        self.net = net

    def step(self, x: torch.Tensor, position: tuple[int]) -> Vector:
        (d,) = position
        # context() reads x_<d only for row d, so the values not drawn yet do not matter
        window = self.net.context(x[:, 0])[:, d]
        return self.net.theta(window, None if self.net.position is None else self.net.position.weight[d])


@register("mlp")
def finite_memory_mlp(window: int = 2, hidden: int = 300, position: bool = False) -> ARM:
    """Tomczak's (2022) finite-memory ARM for the digits: the last ``window`` pixels, and with
    ``position=True`` also the position d."""
    net = FiniteMemoryMLP(NUM_VALS, window, hidden, DIGIT_LENGTH if position else None)
    return ARM(net, Categorical(NUM_VALS), (DIGIT_LENGTH,))


@register("mlp_position")
def finite_memory_mlp_with_position(window: int = 2, hidden: int = 300) -> ARM:
    """``finite_memory_mlp`` that also knows where it is: a learned vector per position."""
    return finite_memory_mlp(window, hidden, position=True)
