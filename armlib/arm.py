"""``ARM(net, head, shape)``: an autoregressive model, a causal network and a likelihood head.

    log p(x) = sum_d log p(x_d | x_<d),   p(x_d | x_<d) = head(x_d; net(x)_d)

The network maps the data x (B, *shape) to parameters (B, P, *S) such that the parameters at
position d depend only on x_<d; the head turns them into log-probabilities and draws. The order is
the raster order of ``shape``: along the sequence for (D,), row by row for (C, H, W), and inside one
pixel channel by channel (the head couples the channels of a pixel; the network never sees them).
"""
from itertools import product

import torch
from torch import nn

from .diagnostics.checks import check_autoregressive
from .layers import Stepper
from .modes import evaluating
from .validation import check_data, check_labels, check_positive_int


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
        y = self.labels(y, x.shape[0])
        terms = self.head.log_prob(self.params(x, y), self._channel_first(x)).reshape(x.shape)
        return terms if reduction == "none" else terms.flatten(1).sum(1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Same as ``log_prob(x, y)``: nats per example."""
        return self.log_prob(x, y)

    def labels(self, y, batch: int) -> torch.Tensor | None:
        """The class labels of a batch of ``batch`` examples as a LongTensor (batch,): ``y`` checked,
        an int repeated for every example; None for a model that is not class-conditional."""
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

    def sample(self, n: int, y=None, generator: torch.Generator | None = None, *, cached: bool = False) -> torch.Tensor:
        """``n`` draws from p(x) (or p(x | y)), LongTensor (n, *shape): one network pass per
        position, or with ``cached=True`` one step of the network's ``stepper``, which returns the
        very same samples."""
        check_positive_int(n, "n")
        y = self.labels(y, n)
        return self.sample_from_noise(self.noise(n, generator), y, cached=cached)

    def sample_from_noise(self, noise: torch.Tensor, y: torch.Tensor | None = None, *,
                          cached: bool = False) -> torch.Tensor:
        """The sampler as a deterministic function of the noise (see ``fill``)."""
        return self.fill(self.blank(noise.shape[0], noise.device), noise, y, cached=cached)

    def blank(self, n: int, device=None) -> torch.Tensor:
        """A canvas for ``n`` draws, zeros channel-first (n, C, *positions), the view heads read."""
        return torch.zeros(n, self.channels, *self.positions, dtype=torch.long, device=device)

    def stepper(self, batch: int, y: torch.Tensor | None = None) -> Stepper:
        """The network one position at a time (``armlib.layers.Stepper``), for ``batch`` draws."""
        if not callable(getattr(self.net, "stepper", None)):
            raise ValueError(f"{type(self.net).__name__} cannot be stepped one position at a time (it has no "
                             "`stepper` method), so it has no cached sampler; use the plain or predictive one")
        return self.net.stepper(batch, self.positions, y)

    @torch.no_grad()
    def conditionals(self, canvas: torch.Tensor, y: torch.Tensor | None = None, *, start: int = 0,
                     cached: bool = False):
        """The one raster loop of the book: for each position from the ``start``-th on, in raster
        order, yield ``(at, params)``: the index of that position in ``canvas`` (keeping the position
        dimensions, so ``canvas[at]`` is (B, C, 1[, 1])) and the head's parameters there, (B, P, 1[, 1]),
        computed from ``canvas`` as it is then. The caller writes the position's values into
        ``canvas[at]`` before asking for the next: sampling draws them (``fill``), a decoder decodes
        them (``armlib.codec``).

        ``canvas`` (B, C, *positions) holds the positions before ``start`` already. The parameters
        come from a full network pass over the canvas (one pass per position) or, with
        ``cached=True``, from the network's stepper, which must see every position, the given ones
        too, to fill its caches.
        """
        n = canvas.shape[0]
        with evaluating(self):
            stepper = self.stepper(n, y) if cached else None
            for rank, position in enumerate(product(*map(range, self.positions))):
                at = (..., *[slice(i, i + 1) for i in position])  # keeps the position dimensions
                if stepper is not None:
                    params = stepper(canvas, position).reshape(n, -1, *[1] * len(position))
                elif rank >= start:
                    params = self.params(canvas.reshape(n, *self.shape), y)[at]
                if rank >= start:
                    yield at, params

    @torch.no_grad()
    def fill(self, canvas: torch.Tensor, noise: torch.Tensor, y: torch.Tensor | None = None, *,
             start: int = 0, cached: bool = False) -> torch.Tensor:
        """Every sampler of the book: draw each position from the ``start``-th on from
        p(x_d | x_<d) given the ``canvas`` so far (``conditionals``), and write it in.

        ``canvas`` (B, C, *positions) holds the positions before ``start`` (for a completion) and is
        written in place; ``noise`` comes from ``noise()``; the result is the canvas in the data's
        shape (B, *shape). ``cached=True`` steps the network instead of running it whole.
        """
        for at, params in self.conditionals(canvas, y, start=start, cached=cached):
            canvas[at] = self.head.sample(params, noise[at])
        return canvas.reshape(canvas.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"
