"""The samplers: plain, cached and predictive return the very same samples for the same noise."""
from itertools import product

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import armlib
from armlib.modes import evaluating
from armlib.layers import (CausalConv1d, HorizontalConv, MaskedConv2d, Pointwise1d, Pointwise2d, Stepper, VerticalConv,
                           one_position)
from armlib.models.conv1d import DilatedConvNet, TomczakConvNet
from armlib.models.gated_pixelcnn import GatedPixelCNN
from armlib.heads.logistic import LogisticMixtureHead
from armlib.models.mlp import FiniteMemoryMLP
from armlib.models.pixelcnn import PixelCNN
from armlib.models.rnn import RecurrentNet
from armlib.sampling import complete, predictive_sample_from_noise, sample
from toy import toy_arm

BATCH_SIZES = (1, 2, 3)


def labels(model, n):
    return None if model.num_classes is None else torch.arange(n) % model.num_classes


def variants():
    """Networks beyond the registered defaults: other kernels, dilations, depths, cells, shapes."""
    categorical = armlib.Categorical(armlib.NUM_VALS)
    sequence, image = (64,), (1, 8, 8)
    return {
        "tomczak_kernel_2": armlib.ARM(TomczakConvNet(channels=8, kernel_size=2, num_layers=3), categorical, sequence),
        "dilated_1_3_9": armlib.ARM(DilatedConvNet(channels=8, kernel_size=2, dilations=(1, 3, 9), first_kernel_size=1,
                                                   dropout=0.5), categorical, sequence),
        "dilated_short": armlib.ARM(DilatedConvNet(channels=8), categorical, (5,)),
        "pixelcnn_wide_kernels_5x7": armlib.ARM(PixelCNN(channels=8, layers=2, kernel_size=5, first_kernel_size=7,
                                                         dropout=0.5), categorical, (1, 5, 7)),
        "gated_kernel_5_conditional_6x4": armlib.ARM(GatedPixelCNN(channels=8, blocks=3, kernel_size=5, num_classes=3),
                                                     categorical, (1, 6, 4)),
        "gated_1x9": armlib.ARM(GatedPixelCNN(channels=8, blocks=2), categorical, (1, 1, 9)),
        "pixelcnn_level_input": armlib.ARM(PixelCNN(channels=8, layers=2, inputs="levels"), categorical, image),
        "gated_value_input": armlib.ARM(GatedPixelCNN(channels=8, blocks=2, inputs="value"), categorical, image),
        "pixelcnn_logistic_mixture": armlib.ARM(PixelCNN(num_vals=15, channels=8, layers=2),
                                                LogisticMixtureHead(15, num_components=5), image),
        "lstm": armlib.ARM(RecurrentNet(armlib.NUM_VALS, hidden=8, cell="lstm"), categorical, sequence),
        "tanh_rnn": armlib.ARM(RecurrentNet(armlib.NUM_VALS, hidden=8, cell="tanh"), categorical, sequence),
        "mlp_window_5_position": armlib.ARM(FiniteMemoryMLP(armlib.NUM_VALS, window=5, hidden=8, num_positions=64),
                                            categorical, sequence),
    }


def every_model():
    torch.manual_seed(0)
    return {**{name: build() for name, build in armlib.MODELS.items()}, **variants()}


def can_step(model) -> bool:
    return callable(getattr(model.net, "stepper", None))


MODELS = every_model()
CACHED = sorted(name for name, model in MODELS.items() if can_step(model))


def test_every_network_of_the_book_can_be_stepped():
    assert set(armlib.MODELS) <= set(CACHED)
    assert set(MODELS) == set(CACHED)


@pytest.mark.parametrize("name", CACHED)
def test_a_cached_step_gives_the_full_networks_parameters_at_its_position(name):
    """The strongest check: each step's parameters equal those of one full pass, although every
    position from the step's own on holds values the step must ignore."""
    model = MODELS[name].double()
    n = 3
    x = torch.randint(model.num_vals, (n, *model.shape), generator=torch.Generator().manual_seed(1))
    y = labels(model, n)
    with torch.no_grad(), evaluating(model):
        full = model.params(x, y)
        step = model.stepper(n, y)
        channel_first = x.unsqueeze(1) if len(model.shape) == 1 else x
        for position in product(*map(range, model.positions)):
            torch.testing.assert_close(step(channel_first, position), full[(..., *position)], rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_plain_cached_and_predictive_samplers_draw_the_same_samples(name):
    model = MODELS[name].double()
    noise = model.noise(max(BATCH_SIZES), torch.Generator().manual_seed(2))
    y = labels(model, max(BATCH_SIZES))
    plain = model.sample_from_noise(noise, y)
    for n in BATCH_SIZES:  # each example's draw depends on its own noise only, so a prefix of the batch
        rows = None if y is None else y[:n]
        predictive = predictive_sample_from_noise(model, noise[:n], rows)
        assert torch.equal(predictive.samples, plain[:n]), f"predictive sampling differs at batch {n}"
        cached = model.sample_from_noise(noise[:n], rows, cached=True)
        assert torch.equal(cached, plain[:n]), f"cached sampling differs at batch {n}"


@pytest.mark.parametrize("name", ["causal_conv1d", "gated_pixelcnn_conditional", "rnn", "pixelcnn_logistic_mixture"])
@pytest.mark.parametrize("given", [0, 1, 13, 64])
def test_cached_completion_is_the_plain_completion(name, given):
    """Completion runs the same loop: the stepper reads the given positions into its caches."""
    model = MODELS[name].double()
    x = torch.randint(model.num_vals, (3, *model.shape), generator=torch.Generator().manual_seed(given))
    y = labels(model, 3)
    plain = complete(model, x, given, y, generator=torch.Generator().manual_seed(4))
    cached = complete(model, x, given, y, generator=torch.Generator().manual_seed(4), cached=True)
    assert torch.equal(cached, plain)
    assert torch.equal(plain.flatten(1)[:, :given * model.channels], x.flatten(1)[:, :given * model.channels]) \
        if len(model.shape) == 1 else torch.equal(plain.permute(0, 2, 3, 1).flatten(1)[:, :given * model.channels],
                                                  x.permute(0, 2, 3, 1).flatten(1)[:, :given * model.channels])


@pytest.mark.parametrize("method", ["cached", "predictive"])
def test_the_same_generator_state_gives_the_same_samples_through_sample(method):
    model = armlib.MODELS["gated_pixelcnn_conditional"](channels=8).double()
    plain = model.sample(3, y=7, generator=torch.Generator().manual_seed(3))
    assert torch.equal(sample(model, 3, method, y=7, generator=torch.Generator().manual_seed(3)), plain)


@settings(max_examples=30, deadline=None)
@given(kernel_size=st.integers(1, 4), dilation=st.integers(1, 5), length=st.integers(1, 12),
       seed=st.integers(0, 2**16))
def test_conv_queue_reproduces_the_causal_convolution_position_by_position(kernel_size, dilation, length, seed):
    torch.manual_seed(seed)
    conv = CausalConv1d(2, 3, kernel_size, dilation, option="B").double()
    h = torch.randn(4, 2, length, dtype=torch.float64)
    queue = conv.queue(batch=4)
    with torch.no_grad():
        stepped = torch.stack([queue(h[:, :, d]) for d in range(length)], dim=2)
        torch.testing.assert_close(stepped, conv(h), rtol=0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(kernel_size=st.sampled_from([1, 3, 5]), first=st.booleans(), height=st.integers(1, 6),
       width=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_the_gated_stacks_row_and_pixel_caches_reproduce_their_convolutions(kernel_size, first, height, width, seed):
    torch.manual_seed(seed)
    vertical = VerticalConv(2, 4, kernel_size, shift=first).double()
    horizontal = HorizontalConv(2, 4, kernel_size, shift=first).double()
    x = torch.randn(3, 2, height, width, dtype=torch.float64)
    rows, row = vertical.rows(3, height, width), horizontal.row(3, width)
    with torch.no_grad():
        full_vertical, full_horizontal = vertical(x), horizontal(x)
        for i in range(height):
            if i > 0 or not first:  # shifted, row i reads the rows before it only
                rows.write(i - first, x[:, :, i - first])
            torch.testing.assert_close(rows(i), full_vertical[:, :, i:i + 1], rtol=0, atol=1e-12)
            row.clear()
            for j in range(width):
                if j > 0 or not first:
                    row.write(j - first, x[:, :, i, j - first])
                torch.testing.assert_close(row(j), full_horizontal[:, :, i, j], rtol=0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(kernel_size=st.sampled_from([1, 3, 5]), mask_type=st.sampled_from("AB"), height=st.integers(1, 6),
       width=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_the_masked_convolutions_input_cache_reproduces_it_pixel_by_pixel(kernel_size, mask_type, height, width, seed):
    torch.manual_seed(seed)
    conv = MaskedConv2d(2, 3, kernel_size, mask_type).double()
    x = torch.randn(3, 2, height, width, dtype=torch.float64)
    cache = conv.input_cache(3, height, width)
    with torch.no_grad():
        full = conv(x)
        for i, j in product(range(height), range(width)):
            cache.write(i, j, x[:, :, i, j])
            torch.testing.assert_close(cache(i, j), full[:, :, i, j], rtol=0, atol=1e-12)


@pytest.mark.parametrize("pointwise, shape", [(Pointwise1d(5, 3), (4, 5, 7)), (Pointwise2d(5, 3), (4, 5, 2, 3))])
def test_a_pointwise_convolution_at_one_position_is_the_convolution_there(pointwise, shape):
    x = torch.randn(shape)
    full = pointwise(x)
    at = (slice(None), slice(None), *[1] * (len(shape) - 2))
    torch.testing.assert_close(one_position(pointwise)(x[at]), full[at])
    chain = one_position(torch.nn.Sequential(torch.nn.ReLU(), pointwise))
    torch.testing.assert_close(chain(x[at]), pointwise(torch.relu(x))[at])


def test_only_layers_that_act_on_one_position_alone_have_a_one_position_function():
    relu = torch.nn.ReLU()
    assert one_position(relu) is relu
    with pytest.raises(ValueError, match="has no one-position step"):
        one_position(torch.nn.Conv1d(4, 4, 1))  # it would read a (B, C) vector as one unbatched example


def test_steps_out_of_raster_order_are_refused():
    model = armlib.MODELS["pixelcnn"]()
    step = model.stepper(1)
    x = torch.zeros(1, 1, 8, 8, dtype=torch.long)
    step(x, (0, 0))
    with pytest.raises(ValueError, match=r"raster order: expected position \(0, 1\), got \(0, 2\)"):
        step(x, (0, 2))


def test_cached_sampling_refuses_a_network_it_cannot_step():
    model = toy_arm()
    assert not can_step(model)
    with pytest.raises(ValueError, match="MaskedDense cannot be stepped one position at a time"):
        sample(model, 2, "cached")


def test_a_subclass_steps_with_the_networks_stepper():
    class WiderPixelCNN(PixelCNN):
        pass

    model = armlib.ARM(WiderPixelCNN(channels=8, layers=1), armlib.Categorical(armlib.NUM_VALS), (1, 4, 4)).double()
    noise = model.noise(2, torch.Generator().manual_seed(0))
    assert torch.equal(model.sample_from_noise(noise, cached=True), model.sample_from_noise(noise))


def test_a_network_with_its_own_stepper_is_sampled_through_it():
    model = toy_arm(length=4, num_vals=3).double()
    calls = []

    class FullPass(Stepper):  # correct, if not fast: a whole pass for every position
        def step(self, x, position):
            calls.append(position)
            return model.net(x[:, 0])[(..., *position)]

    model.net.stepper = lambda batch, positions, y=None: FullPass(positions)
    plain = sample(model, 3, "plain", generator=torch.Generator().manual_seed(5))
    assert torch.equal(sample(model, 3, "cached", generator=torch.Generator().manual_seed(5)), plain)
    assert calls == [(0,), (1,), (2,), (3,)]


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
    # an example takes part in a pass exactly while it has positions left to fix
    taking_part = torch.stack([torch.zeros(16, dtype=torch.long), *run.final_positions[:-1]]) < 6
    assert torch.equal(taking_part.sum(0), run.passes_per_sample)


def test_a_model_whose_draws_ignore_the_past_needs_two_passes():
    model = toy_arm(length=5, num_vals=3).double()
    with torch.no_grad():
        model.net.weight.zero_()
    run = predictive_sample_from_noise(model, model.noise(8, torch.Generator().manual_seed(0)))
    assert run.passes == 2  # one to draw every position, one to confirm the guess


def test_predictive_sampling_runs_the_network_only_on_unfinished_examples():
    model = toy_arm(length=6, num_vals=3).double()
    batch_sizes = []
    model.net.register_forward_hook(lambda module, inputs, output: batch_sizes.append(inputs[0].shape[0]))
    run = predictive_sample_from_noise(model, model.noise(16, torch.Generator().manual_seed(0)))
    assert sum(batch_sizes) == int(run.passes_per_sample.sum())
    assert batch_sizes == sorted(batch_sizes, reverse=True)


def test_unknown_sampler_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        sample(toy_arm(), 2, "fast")
