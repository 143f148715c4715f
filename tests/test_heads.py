import math

import pytest
import torch

import armlib
from armlib import heads
from armlib.heads import logistic


def test_categorical_log_prob_is_log_softmax_at_the_value():
    head = armlib.Categorical(5)
    params = torch.randn(2, 5 * 3, 4)  # 3 channels, 4 positions
    x = torch.randint(5, (2, 3, 4))
    expected = torch.log_softmax(params.view(2, 3, 5, 4), dim=2).gather(2, x.unsqueeze(2)).squeeze(2)
    assert torch.allclose(head.log_prob(params, x), expected)


def test_categorical_head_starts_uniform():
    head = armlib.Categorical(17)
    params = head.initial_bias(2)[None, :, None].expand(17, -1, -1)
    x = torch.arange(17).reshape(17, 1, 1).expand(-1, 2, -1)
    assert torch.allclose(head.log_prob(params, x), torch.full((17, 2, 1), -math.log(17)))


def test_categorical_stays_finite_when_one_logit_dominates():
    head = armlib.Categorical(3)
    params = torch.tensor([[[1e4], [0.0], [-1e4]]])
    log_p = head.log_prob(params, torch.tensor([[[2]]]))
    assert torch.isfinite(log_p).all()  # log(softmax) would give log 0 = -inf here
    assert log_p.item() == pytest.approx(-2e4)


def test_gumbel_max_draws_match_the_softmax():
    head = armlib.Categorical(4)
    logits = torch.tensor([0.0, 1.0, -1.0, 2.0], dtype=torch.float64)
    n = 40_000
    params = logits.view(1, 4, 1).expand(n, 4, 1)
    draws = head.sample(params, head.noise((n, 1, 1), torch.Generator().manual_seed(0), torch.float64))
    counts = torch.bincount(draws.flatten(), minlength=4).double()
    expected = n * torch.softmax(logits, 0)
    assert ((counts - expected) ** 2 / expected).sum() < 16.3  # 99.9% quantile, 3 degrees of freedom


def test_categorical_needs_two_values():
    with pytest.raises(ValueError, match="num_vals"):
        armlib.Categorical(1)


def test_categorical_refuses_mismatched_params_and_values():
    head = armlib.Categorical(3)
    with pytest.raises(ValueError, match="3 = channels x num_vals"):
        head.log_prob(torch.zeros(1, 4, 2), torch.zeros(1, 1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="agree in the batch"):
        head.log_prob(torch.zeros(2, 3, 2), torch.zeros(1, 1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match=r"values in \[0, 2\]"):
        head.log_prob(torch.zeros(1, 3, 2), torch.full((1, 1, 2), 3))


def test_every_head_is_found_in_armlib_heads():
    for name in ("DiscretizedLogistic", "LogisticMixtureHead", "discretized_logistic_log_prob",
                 "discretized_logistic_mixture"):
        assert getattr(heads, name) is getattr(logistic, name)
    assert set(heads.__all__) >= {"Categorical", "LogisticMixtureHead", "discretized_logistic_log_prob"}
