import math

import pytest
import torch

import armlib
from toy import toy_arm


def test_log_prob_sums_the_per_position_terms():
    model = toy_arm()
    x = torch.randint(4, (5, 3))
    terms = model.log_prob(x, reduction="none")
    assert terms.shape == x.shape
    assert torch.allclose(model.log_prob(x), terms.sum(1))
    assert torch.equal(model(x), model.log_prob(x))


def test_probabilities_over_every_configuration_sum_to_one():
    assert armlib.total_probability(toy_arm(length=3, num_vals=4)) == pytest.approx(1.0, abs=1e-12)


def test_sampler_draws_from_the_models_distribution():
    model = toy_arm(length=2, num_vals=3).double()
    grid = torch.cartesian_prod(torch.arange(3), torch.arange(3))
    p = model.log_prob(grid).exp().detach()
    n = 30_000
    samples = model.sample(n, generator=torch.Generator().manual_seed(0))
    counts = torch.stack([(samples == row).all(1).sum() for row in grid]).double()
    chi_square = ((counts - n * p) ** 2 / (n * p)).sum().item()
    assert chi_square < 26.1  # 99.9% quantile of chi-square with 8 degrees of freedom


def test_sampling_is_a_function_of_the_generator_state():
    model = toy_arm()
    first = model.sample(8, generator=torch.Generator().manual_seed(1))
    again = model.sample(8, generator=torch.Generator().manual_seed(1))
    assert first.dtype == torch.long and first.shape == (8, 3)
    assert torch.equal(first, again)


def test_sampling_restores_the_training_mode():
    model = toy_arm()
    model.train()
    model.sample(2)
    assert model.training


def test_wrongly_shaped_network_output_is_reported():
    model = armlib.ARM(toy_arm().net, armlib.Categorical(5), (3,))
    with pytest.raises(ValueError, match="parameters of shape"):
        model.log_prob(torch.zeros(1, 3, dtype=torch.long))


def test_evaluate_scores_the_whole_split_not_batch_means():
    model = toy_arm()
    x = torch.randint(4, (7, 3))
    score = armlib.evaluate(model, x, batch_size=3)  # batches of 3, 3 and 1
    expected = -model.log_prob(x).double().mean().item()
    assert score.nats == pytest.approx(expected, rel=1e-6)
    assert score.bpd == pytest.approx(expected / (3 * math.log(2)), rel=1e-6)


def test_uniform_model_of_the_digits_scores_64_ln_17():
    assert armlib.uniform_nats(64, 17) == pytest.approx(181.3257, abs=1e-4)
