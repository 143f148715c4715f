"""A class-conditional ARM mixed over its classes: an unconditional model with an exact likelihood.

    p(x) = sum_y pi_y p(x | y),        log p(x) = logsumexp_y (log pi_y + log p(x | y))

With ``num_classes`` terms the sum is exact, so this is a proper density over x that needs no label,
scored on the same footing as any unconditional ARM. By Bayes' rule it is also a classifier,
p(y | x) = pi_y p(x | y) / p(x). Drawing from it is ancestral: y ~ pi, then x ~ p(x | y); and
completing an image is too: y ~ p(y | given pixels), then the rest ~ p(rest | given pixels, y).
"""
import torch
from torch import nn

from .modes import evaluating
from .sampling import check_given, complete
from .validation import check_data, check_positive_int


class ClassMixture(nn.Module):
    """``conditional`` (a class-conditional ``ARM``) mixed with the class probabilities ``class_probs``."""

    def __init__(self, conditional: nn.Module, class_probs: torch.Tensor):
        super().__init__()
        num_classes = getattr(conditional, "num_classes", None)
        if num_classes is None:
            raise ValueError("conditional must be a class-conditional ARM (its num_classes is None)")
        class_probs = torch.as_tensor(class_probs, dtype=torch.float64)
        if class_probs.shape != (num_classes,) or (class_probs < 0).any() or abs(class_probs.sum().item() - 1) > 1e-6:
            raise ValueError(f"class_probs must be {num_classes} non-negative probabilities summing to 1, "
                             f"got {class_probs.tolist()}")
        self.conditional = conditional
        # renormalised, so a float32 input's rounding does not leave the mixture off by 1e-8
        self.register_buffer("log_class_probs", (class_probs / class_probs.sum()).log())

    @property
    def shape(self) -> tuple[int, ...]:
        return self.conditional.shape

    @property
    def num_vals(self) -> int:
        return self.conditional.num_vals

    def _per_class(self, x: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
        """log p(x | y) for every class y, stacked on dim 1: (B, num_classes[, C, *S])."""
        return torch.stack([self.conditional.log_prob(x, y, reduction=reduction)
                            for y in range(len(self.log_class_probs))], dim=1)

    def _with_prior(self, log_likelihoods: torch.Tensor) -> torch.Tensor:
        """(B, num_classes) log p(. | y) -> log pi_y + log p(. | y)."""
        return log_likelihoods + self.log_class_probs.to(log_likelihoods.dtype)

    def joint_log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """log pi_y + log p(x | y) for every class: (B, num_classes)."""
        return self._with_prior(self._per_class(x))

    def log_prob(self, x: torch.Tensor, y: None = None) -> torch.Tensor:
        """log p(x) = logsumexp_y (log pi_y + log p(x | y)), nats, (B,). The mixture takes no label."""
        if y is not None:
            raise ValueError("a class mixture is unconditional: y must be None "
                             "(use the conditional model for p(x | y))")
        return self.joint_log_prob(x).logsumexp(dim=1)

    @torch.no_grad()
    def posterior(self, x: torch.Tensor) -> torch.Tensor:
        """p(y | x) by Bayes' rule, in eval mode: (B, num_classes), rows summing to 1."""
        with evaluating(self):
            return self.joint_log_prob(x).softmax(dim=1)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` ancestral draws: a class from pi, then an image from p(x | y)."""
        check_positive_int(n, "n")
        y = torch.multinomial(self.log_class_probs.exp(), n, replacement=True, generator=generator)
        return self.conditional.sample(n, y, generator)

    @torch.no_grad()
    def complete(self, x: torch.Tensor, given: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Keep the first ``given`` positions of each image and draw the rest from the mixture: first
        a class from p(y | given pixels), which Bayes' rule gives from the likelihood of the given
        pixels alone, then the rest from p(rest | given pixels, y) with ``armlib.complete``."""
        check_data(x, self.shape, self.num_vals)
        check_given(given, self.conditional)
        # log p(given pixels | y): the terms of the first `given` positions, every channel of each
        with evaluating(self):
            terms = self._per_class(x, reduction="none")  # (B, num_classes, C, *positions)
        prefix = terms.reshape(*terms.shape[:2], self.conditional.channels, -1)[..., :given].sum((2, 3))
        posterior = self._with_prior(prefix).softmax(dim=1)
        y = torch.multinomial(posterior, 1, generator=generator).squeeze(1)
        return complete(self.conditional, x, given, y, generator)
