import pytest
import torch

import armlib
from armlib.sampling import predictive_sample_from_noise, sample
from toy import toy_arm


@pytest.mark.parametrize("n", [1, 5, 32])
def test_predictive_sampling_returns_the_plain_samples(n):
    model = toy_arm(length=6, num_vals=3).double()
    plain = sample(model, n, "plain", generator=torch.Generator().manual_seed(n))
    predictive = sample(model, n, "predictive", generator=torch.Generator().manual_seed(n))
    assert torch.equal(plain, predictive)
    assert torch.equal(plain, model.sample(n, generator=torch.Generator().manual_seed(n)))


def test_predictive_sampling_counts_its_passes():
    model = toy_arm(length=6, num_vals=3).double()
    run = predictive_sample_from_noise(model, model.noise(16, torch.Generator().manual_seed(0)))
    assert 1 <= run.passes <= 6
    assert run.passes == int(run.passes_per_sample.max()) == len(run.final_positions)
    assert (run.final_positions[-1] == 6).all()
    assert all((later >= earlier).all() for earlier, later in zip(run.final_positions, run.final_positions[1:]))


def test_a_model_whose_draws_ignore_the_past_needs_two_passes():
    model = toy_arm(length=5, num_vals=3).double()
    with torch.no_grad():
        model.net.weight.zero_()
    run = predictive_sample_from_noise(model, model.noise(8, torch.Generator().manual_seed(0)))
    assert run.passes == 2  # one to draw every position, one to confirm the guess


def test_cached_sampling_refuses_a_network_without_caches():
    with pytest.raises(ValueError, match="MaskedDense has none"):
        sample(toy_arm(), 2, "cached")


def test_unknown_sampler_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        sample(toy_arm(), 2, "fast")
