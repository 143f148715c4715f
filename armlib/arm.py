"""``ARM(net, head, shape)``: an autoregressive model, a causal network and a likelihood head.

    log p(x) = sum_d log p(x_d | x_<d),   p(x_d | x_<d) = head(x_d; net(x)_d)

The network maps the data x (B, *shape) to parameters (B, P, *S) such that the parameters at
position d depend only on x_<d; the head turns them into log-probabilities and draws. The order is
the raster order of ``shape``: along the sequence for (D,), row by row for (C, H, W), and inside one
pixel channel by channel (the head couples the channels of a pixel; the network never sees them).
"""
from contextlib import contextmanager
from itertools import product

import torch
from torch import nn

from .validation import check_data, check_labels, check_positive_int


@contextmanager
def evaluating(module: nn.Module):
    """Eval mode inside the block, the module's previous mode after it."""
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)


class ARM(nn.Module):
    """An autoregressive model over integer data of a fixed ``shape``: (D,) or (C, H, W).

    ``net(x)`` (or ``net(x, y)`` for a class-conditional net, one with a ``num_classes``
    attribute) must be causal: its output at position d may depend on x_<d only. With
    ``check=True`` the constructor verifies that (``armlib.check_autoregressive``) and raises
    ``NotAutoregressive`` naming the first leaking pair.
    """

    def __init__(self, net: nn.Module, head: nn.Module, shape: tuple[int, ...], *, check: bool = False):
        super().__init__()
        for name, module in (("net", net), ("head", head)):
            if not isinstance(module, nn.Module):
                raise TypeError(f"{name} must be a torch.nn.Module, got {type(module).__name__}")
        if len(shape) not in (1, 3) or any(int(s) < 1 for s in shape):
            raise ValueError(f"shape must be (D,) for sequences or (C, H, W) for images, got {tuple(shape)}")
        self.net = net
        self.head = head
        self.shape = tuple(int(s) for s in shape)
        self.num_classes = getattr(net, "num_classes", None)
        if check:
            from .checks import check_autoregressive  # checks builds on ARM

            check_autoregressive(self)

    @property
    def num_vals(self) -> int:
        return self.head.num_vals

    @property
    def channels(self) -> int:
        return 1 if len(self.shape) == 1 else self.shape[0]

    @property
    def positions(self) -> tuple[int, ...]:
        """The positions the network predicts: (D,) for sequences, (H, W) for images."""
        return self.shape if len(self.shape) == 1 else self.shape[1:]

    def params(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The head's parameters at every position, (B, P, *positions); causal in x."""
        out = self.net(x) if self.num_classes is None else self.net(x, y)
        expected = (x.shape[0], self.head.num_params(self.channels), *self.positions)
        if tuple(out.shape) != expected:
            raise ValueError(f"the network returned parameters of shape {tuple(out.shape)}, "
                             f"but the head needs {expected}")
        return out

    def _channel_first(self, x: torch.Tensor) -> torch.Tensor:
        return x.unsqueeze(1) if len(self.shape) == 1 else x

    def log_prob(self, x: torch.Tensor, y: torch.Tensor | None = None, reduction: str = "sum") -> torch.Tensor:
        """log p(x) in nats: (B,) with ``reduction="sum"``; the terms log p(x_d | x_<d), shaped
        like x, with ``reduction="none"``."""
        if reduction not in ("sum", "none"):
            raise ValueError(f"reduction must be 'sum' or 'none', got {reduction!r}")
        check_data(x, self.shape, self.num_vals)
        y = self._labels(y, x.shape[0])
        terms = self.head.log_prob(self.params(x, y), self._channel_first(x)).reshape(x.shape)
        return terms if reduction == "none" else terms.flatten(1).sum(1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Same as ``log_prob(x, y)``: nats per example."""
        return self.log_prob(x, y)

    def _labels(self, y, batch: int) -> torch.Tensor | None:
        if self.num_classes is None:
            if y is not None:
                raise ValueError("y was given, but this model is not class-conditional (its net has no num_classes)")
            return None
        if isinstance(y, int):
            y = torch.full((batch,), y, dtype=torch.long)
        check_labels(y, batch, self.num_classes)
        return y

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """All the random numbers ``n`` draws need, taken from ``generator`` up front."""
        dtype = next(self.parameters()).dtype
        return self.head.noise((n, self.channels, *self.positions), generator, dtype)

    def sample(self, n: int, y=None, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` draws from p(x) (or p(x | y)), LongTensor (n, *shape); the plain way, one network
        pass per position."""
        check_positive_int(n, "n")
        y = self._labels(y, n)
        noise = self.noise(n, generator)
        return self.sample_from_noise(noise, y)

    @torch.no_grad()
    def sample_from_noise(self, noise: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The plain sampler as a deterministic function of the noise: for each position in order,
        run the network on the draw so far and fill that position in."""
        n = noise.shape[0]
        x = torch.zeros(n, self.channels, *self.positions, dtype=torch.long, device=noise.device)
        with evaluating(self):
            for position in product(*map(range, self.positions)):
                draw = self.head.sample(self.params(self._data_view(x), y), noise)
                x[(..., *position)] = draw[(..., *position)]
        return self._data_view(x)

    def _data_view(self, x: torch.Tensor) -> torch.Tensor:
        return x.squeeze(1) if len(self.shape) == 1 else x

    def extra_repr(self) -> str:
        return f"shape={self.shape}"
