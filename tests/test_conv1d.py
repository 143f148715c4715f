"""Causal 1-D convolutions: padding, options A and B, dilation, the receptive field, the networks."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import armlib
from armlib.layers import CausalConv1d
from armlib.models.conv1d import DilatedConvNet, TomczakConvNet
from armlib.diagnostics import input_dependence, receptive_field


def _expected_dependence(length: int, offsets) -> torch.Tensor:
    """[d, j] = 1 exactly when j = d - s for some offset s."""
    d, j = torch.meshgrid(torch.arange(length), torch.arange(length), indexing="ij")
    return torch.isin(d - j, torch.tensor(list(offsets))).long()


@pytest.mark.parametrize("dilation", [1, 3])
def test_option_b_is_a_convolution_over_the_left_padded_input(dilation):
    layer = CausalConv1d(2, 3, kernel_size=4, dilation=dilation, option="B")
    x = torch.randn(5, 2, 20)
    expected = F.conv1d(F.pad(x, (3 * dilation, 0)), layer.weight, layer.bias, dilation=dilation)
    torch.testing.assert_close(layer(x), expected)


@pytest.mark.parametrize("dilation", [1, 2])
def test_option_a_is_option_b_shifted_one_step_right(dilation):
    layer_a = CausalConv1d(2, 3, kernel_size=3, dilation=dilation, option="A")
    layer_b = CausalConv1d(2, 3, kernel_size=3, dilation=dilation, option="B")
    layer_b.load_state_dict(layer_a.state_dict())
    x = torch.randn(4, 2, 10)
    shifted = F.pad(layer_b(x), (1, 0))[..., :-1]
    torch.testing.assert_close(layer_a(x)[..., 1:], shifted[..., 1:])
    # position 0 sees only padding: the bias alone
    torch.testing.assert_close(layer_a(x)[..., 0], layer_a.bias.expand(4, 3))


@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_option_a_pads_and_drops_the_last_output_as_tomczaks_companion_code_does(dilation):
    layer = CausalConv1d(2, 3, kernel_size=4, dilation=dilation, option="A")
    x = torch.randn(4, 2, 16)
    padded = F.pad(x, ((4 - 1) * dilation + 1, 0))  # his padding: (k - 1) r + A, on the left
    expected = F.conv1d(padded, layer.weight, layer.bias, dilation=dilation)[..., :-1]
    torch.testing.assert_close(layer(x), expected)


@pytest.mark.parametrize("option, expected", [("B", [1, 3, 6, 9, 12, 15]), ("A", [0, 1, 3, 6, 9, 12])])
def test_sums_of_ones_show_the_left_padding(option, expected):
    layer = CausalConv1d(1, 1, kernel_size=3, option=option, bias=False)
    with torch.no_grad():
        layer.weight.fill_(1.0)
    x = torch.arange(1.0, 7.0).reshape(1, 1, 6)
    assert layer(x).flatten().tolist() == expected


@pytest.mark.parametrize("option, dilation, offsets", [("A", 1, {1, 2, 3}), ("B", 1, {0, 1, 2}),
                                                       ("A", 2, {1, 3, 5}), ("B", 3, {0, 3, 6})])
def test_input_dependence_of_one_layer(option, dilation, offsets):
    layer = CausalConv1d(2, 2, kernel_size=3, dilation=dilation, option=option)
    assert torch.equal(input_dependence(layer, 12, in_channels=2), _expected_dependence(12, offsets))


def test_input_dependence_sees_a_non_causal_layer():
    layer = nn.Conv1d(1, 1, kernel_size=3, padding=1)
    dependence = input_dependence(layer, 6)
    assert dependence[2].tolist() == [0, 1, 1, 1, 0, 0]


def test_receptive_field_of_tomczaks_network_and_of_the_dilated_stack():
    assert receptive_field([7, 7, 7, 7]) == tuple(range(1, 26))
    assert receptive_field([3] * 6, [1, 1, 2, 4, 8, 16]) == tuple(range(1, 66))
    assert receptive_field([3], first_option="B") == (0, 1, 2)
    assert receptive_field([2, 2], [2, 2]) == (1, 3, 5)  # dilation 2 from the start leaves gaps


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=1, max_size=4))
def test_receptive_field_matches_the_gradients_of_a_stack(layers):
    kernel_sizes, dilations = zip(*layers)
    torch.manual_seed(0)
    modules = []
    for index, (kernel_size, dilation) in enumerate(layers):
        modules += [CausalConv1d(2, 2, kernel_size, dilation, option="A" if index == 0 else "B"), nn.Tanh()]
    length = 40
    offsets = [s for s in receptive_field(kernel_sizes, dilations) if s < length]
    assert torch.equal(input_dependence(nn.Sequential(*modules), length, in_channels=2),
                       _expected_dependence(length, offsets))


def test_tomczaks_network_sees_the_25_previous_pixels():
    net = TomczakConvNet(channels=4)
    assert torch.equal(input_dependence(net.layers, 64), _expected_dependence(64, range(1, 26)))


def test_dilated_network_sees_every_previous_pixel():
    net = DilatedConvNet(channels=8)
    dependence = input_dependence(net.layers, 64, in_channels=armlib.NUM_VALS)
    assert torch.equal(dependence, torch.ones(64, 64, dtype=torch.long).tril(-1))


@pytest.mark.parametrize("name", ["causal_conv1d_tomczak", "causal_conv1d"])
def test_registered_models_give_one_log_prob_per_image(name):
    model = armlib.MODELS[name](channels=8)
    x = armlib.load_digits("val")[:5]
    assert model.log_prob(x).shape == (5,)
    assert torch.isfinite(model.log_prob(x)).all()
    assert model.sample(2, generator=torch.Generator().manual_seed(0)).shape == (2, 64)


def test_networks_take_any_integer_dtype_and_follow_the_dtype_of_their_weights():
    x = armlib.load_digits("val")[:3]
    for net in (TomczakConvNet(channels=4), DilatedConvNet(channels=4)):
        assert net(x.int()).shape == (3, armlib.NUM_VALS, 64)
        assert net.double()(x).dtype == torch.float64


@pytest.mark.parametrize("kwargs, message", [
    ({"option": "C"}, "option must be 'A'"),
    ({"kernel_size": 0}, "kernel_size must be a positive integer"),
    ({"dilation": 0}, "dilation must be a positive integer"),
])
def test_causal_conv1d_rejects_bad_arguments(kwargs, message):
    arguments = {"in_channels": 1, "out_channels": 1, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        CausalConv1d(**arguments)


def test_receptive_field_rejects_bad_arguments():
    with pytest.raises(ValueError, match="at least one layer"):
        receptive_field([])
    with pytest.raises(ValueError, match="one value per layer"):
        receptive_field([3, 3], [1])
    with pytest.raises(ValueError, match="option must be"):
        receptive_field([3], first_option="a")
    with pytest.raises(TypeError, match="dilation must be an int"):
        receptive_field([3], [1.5])


def test_networks_reject_bad_arguments():
    with pytest.raises(ValueError, match="num_layers must be an integer of at least 2"):
        TomczakConvNet(num_layers=1)
    with pytest.raises(ValueError, match="dropout must be a probability"):
        DilatedConvNet(dropout=1.0)
