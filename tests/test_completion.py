"""Autocompletion with an ARM: keep a prefix, draw the rest."""
import pytest
import torch

import armlib
from armlib.sampling import complete


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return armlib.MODELS["gated_pixelcnn"](channels=8, blocks=2)


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def test_completing_nothing_given_is_sampling(model):
    anything = torch.randint(17, (3, 1, 8, 8))
    assert torch.equal(complete(model, anything, 0, generator=generator()), model.sample(3, generator=generator()))


@pytest.mark.parametrize("given", [1, 20, 63, 64])
def test_a_sample_completes_to_itself_with_the_same_noise(model, given):
    sample = model.sample(2, generator=generator(1))
    assert torch.equal(complete(model, sample, given, generator=generator(1)), sample)


def test_the_given_pixels_are_kept_and_the_rest_drawn(model):
    x = torch.full((4, 1, 8, 8), 16)
    completed = complete(model, x, 32, generator=generator(2))
    assert torch.equal(completed[:, :, :4], x[:, :, :4])
    assert not torch.equal(completed[:, :, 4:], x[:, :, 4:])
    assert completed.dtype == torch.long and 0 <= completed.min() and completed.max() < 17


def test_a_conditional_model_completes_given_its_class():
    torch.manual_seed(0)
    model = armlib.MODELS["gated_pixelcnn_conditional"](channels=8, blocks=2)
    x = torch.zeros(2, 1, 8, 8, dtype=torch.long)
    as_four = complete(model, x, 0, y=4, generator=generator())
    assert torch.equal(as_four, model.sample(2, y=4, generator=generator()))
    completed = complete(model, as_four, 10, y=4, generator=generator())
    assert torch.equal(completed, as_four)  # the draw's own noise completes its prefix into the draw
    with pytest.raises(ValueError, match="y"):
        complete(model, x, 10)


@pytest.mark.parametrize("given, error", [(-1, ValueError), (65, ValueError), (2.0, TypeError)])
def test_bad_prefix_lengths_are_refused(model, given, error):
    with pytest.raises(error, match="given"):
        complete(model, torch.zeros(1, 1, 8, 8, dtype=torch.long), given)
