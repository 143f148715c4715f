import pytest
import torch

import armlib
from armlib.diagnostics.checks import element_order
from toy import toy_arm


def test_causal_network_passes():
    armlib.check_autoregressive(toy_arm(length=5, num_vals=3))


def test_network_that_sees_the_current_input_is_caught_with_the_pair():
    with pytest.raises(armlib.NotAutoregressive, match=r"parameters at position x\[0\] change when x\[0\] changes"):
        armlib.check_autoregressive(toy_arm(length=5, num_vals=3, leak=True))


def test_image_order_is_raster_with_channels_innermost():
    rank = element_order((3, 2, 2))
    assert rank[:, 0, 0].tolist() == [0, 1, 2]
    assert rank[0, 0, 1].item() == 3 and rank[0, 1, 0].item() == 6
    assert sorted(rank.flatten().tolist()) == list(range(12))


def test_total_probability_refuses_huge_enumerations():
    with pytest.raises(ValueError, match="too many"):
        armlib.total_probability(toy_arm(length=20, num_vals=4))


def test_head_that_looks_ahead_across_channels_is_caught():
    class PeekingHead(armlib.Categorical):
        """Scores each channel as if it were the next channel's value: channel 0 sees channel 1."""

        def log_prob(self, params, x):
            return super().log_prob(params, x.roll(-1, dims=1))

    class Constant(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.logits = torch.nn.Parameter(torch.randn(2 * 3, 2, 2))

        def forward(self, x):
            return self.logits.expand(x.shape[0], -1, -1, -1)

    model = armlib.ARM(Constant(), PeekingHead(3), (2, 2, 2))
    with pytest.raises(armlib.NotAutoregressive, match=r"term at x\[0, 0, 0\] changes when x\[1, 0, 0\]"):
        armlib.check_autoregressive(model)


def test_arm_checks_causality_at_construction_on_request():
    leaky = toy_arm(leak=True)
    with pytest.raises(armlib.NotAutoregressive):
        armlib.ARM(leaky.net, leaky.head, leaky.shape, check=True)
    armlib.ARM(toy_arm().net, armlib.Categorical(4), (3,), check=True)


def test_a_pixelcnn_whose_first_layer_is_type_b_is_caught():
    from armlib.layers import MaskedConv2d

    class FirstLayerB(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = MaskedConv2d(1, 4, 3, "B")  # must be type A: B lets x_d see itself

        def forward(self, x):
            return self.conv(x.to(self.conv.weight.dtype))

    with pytest.raises(armlib.NotAutoregressive, match=r"parameters at position x\[0, 0\] change when x\[0, 0, 0\]"):
        armlib.ARM(FirstLayerB(), armlib.Categorical(4), (1, 3, 3), check=True)


def test_a_causal_conv1d_stack_whose_first_layer_is_option_b_is_caught():
    from armlib.layers import CausalConv1d

    net = torch.nn.Sequential(torch.nn.Unflatten(1, (1, 5)), CausalConv1d(1, 4, 2, option="B"))
    model = armlib.ARM(_FloatInput(net), armlib.Categorical(4), (5,))
    with pytest.raises(armlib.NotAutoregressive, match="parameters at position"):
        armlib.check_autoregressive(model)


class _FloatInput(torch.nn.Module):
    """Integer data -> floats of the wrapped network's dtype."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x.to(next(self.net.parameters()).dtype))
