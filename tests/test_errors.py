"""Bad input at the public surface gets a clear error that names the argument, what it got and what
was expected: never a traceback from deep inside torch, never a silent wrong answer."""
import pytest
import torch

import armlib
from armlib.sampling import sample
from toy import toy_arm

X = torch.zeros(2, 3, dtype=torch.long)


class Conditional(torch.nn.Module):
    """A causal net with a class input: a learned table of logits per class and position."""

    num_classes = 10

    def __init__(self):
        super().__init__()
        self.logits = torch.nn.Parameter(torch.zeros(10, 4, 3))

    def forward(self, x, y):
        return self.logits[y]


def conditional_arm():
    return armlib.ARM(Conditional(), armlib.Categorical(4), (3,))


CASES = {
    "unknown split": (lambda: armlib.load_digits("testing"), ValueError, r"split must be one of .*'testing'"),
    "float data": (lambda: toy_arm().log_prob(X.float()), TypeError, r"x must hold integers .* torch.float32"),
    "wrong shape": (lambda: toy_arm().log_prob(X[:, :2]), ValueError, r"x must have shape \(B, 3\), got \(2, 2\)"),
    "value too large": (lambda: toy_arm().log_prob(X + 4), ValueError, r"x must take values in \[0, 3\], got .*4"),
    "negative value": (lambda: toy_arm().log_prob(X - 1), ValueError, r"values in \[0, 3\], got values in \[-1"),
    "empty batch": (lambda: toy_arm().log_prob(X[:0]), ValueError, "x is an empty batch"),
    "not a tensor": (lambda: toy_arm().log_prob([[0, 0, 0]]), TypeError, "x must be a torch.Tensor, got list"),
    "bad reduction": (lambda: toy_arm().log_prob(X, reduction="mean"), ValueError, "reduction must be"),
    "zero samples": (lambda: toy_arm().sample(0), ValueError, "n must be a positive integer, got 0"),
    "fractional count": (lambda: toy_arm().sample(1.5), TypeError, "n must be an int, got float"),
    "missing label": (lambda: conditional_arm().log_prob(X), ValueError, r"y is required.*\[0, 9\]"),
    "label out of range": (lambda: conditional_arm().log_prob(X, torch.tensor([0, 10])), ValueError,
                           r"y must hold classes in \[0, 9\], got values in \[0, 10\]"),
    "float labels": (lambda: conditional_arm().log_prob(X, torch.zeros(2)), TypeError, "y must hold integer classes"),
    "one label too few": (lambda: conditional_arm().sample(2, y=torch.tensor([1])), ValueError,
                          r"y must have shape \(2,\)"),
    "label for unconditional": (lambda: toy_arm().sample(2, y=3), ValueError, "not class-conditional"),
    "head params mismatch": (lambda: armlib.Categorical(4).log_prob(torch.zeros(2, 5, 3), X.unsqueeze(1)),
                             ValueError, "params must have 4"),
    "head value out of range": (lambda: armlib.Categorical(4).log_prob(torch.zeros(2, 4, 3), X.unsqueeze(1) + 7),
                                ValueError, r"values in \[0, 3\]"),
    "logistic float x": (lambda: armlib.discretized_logistic_log_prob(torch.tensor([0.5]), torch.zeros(1),
                                                                      torch.zeros(1), 17),
                         ValueError, "whole numbers"),
    "fit float data": (lambda: armlib.fit(toy_arm(), X.float(), X, progress=False), TypeError, "train must hold integers"),
    "fit zero epochs": (lambda: armlib.fit(toy_arm(), X, X, epochs=0, progress=False), ValueError, "epochs must be"),
    "sampler unknown": (lambda: sample(toy_arm(), 2, "quick"), ValueError, "method must be one of"),
    "sampler unsupported": (lambda: sample(toy_arm(), 2, "cached"), ValueError,
                            "MaskedDense cannot be stepped one position at a time"),
    "sampler zero samples": (lambda: sample(toy_arm(), 0, "predictive"), ValueError, "n must be a positive"),
    "network not a module": (lambda: armlib.ARM(lambda x: x, armlib.Categorical(4), (3,)), TypeError,
                             "net must be a torch.nn.Module"),
    "shape of two dims": (lambda: armlib.ARM(toy_arm().net, armlib.Categorical(4), (8, 8)), ValueError,
                          r"shape must be \(D,\) .* \(C, H, W\)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_clearly(case):
    call, error, message = CASES[case]
    with pytest.raises(error, match=message):
        call()
