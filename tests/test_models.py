"""Every registered model of the book keeps the autoregressive promise, exactly."""
import pytest
import torch

import armlib


def test_every_chapter_registers_its_models():
    assert set(armlib.MODELS) == {
        "mlp", "mlp_position",                                             # chapter 02
        "rnn",                                                             # chapter 03
        "causal_conv1d_tomczak", "causal_conv1d",                          # chapter 04
        "pixelcnn",                                                        # chapter 05
        "gated_pixelcnn",                                                  # chapter 06
        "gated_pixelcnn_conditional",                                      # chapter 07
        "gated_pixelcnn_logistic_mixture", "gated_pixelcnn_logistic_mixture_colour",  # chapter 09
        "transformer", "transformer_hybrid",                               # the attention chapter
    }


@pytest.mark.parametrize("name", sorted(armlib.MODELS))
def test_model_is_autoregressive(name):
    armlib.check_autoregressive(armlib.MODELS[name]())


@pytest.mark.parametrize("name", sorted(armlib.MODELS))
def test_model_scores_and_samples_digit_shaped_data(name):
    torch.manual_seed(0)
    model = armlib.MODELS[name]()
    y = None if model.num_classes is None else torch.arange(2) % model.num_classes
    x = torch.randint(model.num_vals, (2, *model.shape))
    log_p = model.log_prob(x, y)
    assert log_p.shape == (2,) and torch.isfinite(log_p).all() and (log_p < 0).all()
    sample = model.sample(2, y=y, generator=torch.Generator().manual_seed(0))
    assert sample.shape == (2, *model.shape) and sample.dtype == torch.long


def test_registering_a_name_twice_is_refused():
    name = next(iter(armlib.MODELS))
    with pytest.raises(ValueError, match="registered already"):
        armlib.register(name)(lambda: None)
