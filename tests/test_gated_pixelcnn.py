"""The gated PixelCNN of chapters 06 and 07: its two stacks, its gates, its class conditioning."""
import pytest
import torch

import armlib
from armlib.models.gated_pixelcnn import GatedBlock, GatedPixelCNN
from armlib.layers import HorizontalConv, VerticalConv, gate, levels_as_input
from armlib.diagnostics.receptive_field_2d import influencing_positions, position_gradient, raster_past

SIZE = 7


def field(net, position, y=None):
    torch.manual_seed(1)
    x = torch.rand(1, 1, SIZE, SIZE, dtype=torch.float64)
    return influencing_positions(position_gradient(net.double(), x, position, y))


@pytest.mark.parametrize("shift", [False, True])
def test_vertical_conv_reads_the_rows_above_and_row_i_only_without_shift(shift):
    torch.manual_seed(0)
    conv = VerticalConv(1, 2, 5, shift=shift)
    row, column = 4, 3
    rows = range(row - 3, row) if shift else range(row - 2, row + 1)
    expected = {(r, c) for r in rows for c in range(column - 2, column + 3) if 0 <= c < SIZE}
    assert field(conv, (row, column)) == expected


@pytest.mark.parametrize("shift", [False, True])
def test_horizontal_conv_reads_the_left_of_its_row_and_the_pixel_only_without_shift(shift):
    torch.manual_seed(0)
    conv = HorizontalConv(1, 2, 5, shift=shift)
    columns = range(1, 4) if shift else range(2, 5)
    assert field(conv, (3, 4)) == {(3, c) for c in columns}


def test_gate_is_tanh_times_sigmoid_of_the_two_halves():
    a = torch.randn(2, 6, 3, 3)
    assert torch.allclose(gate(a), torch.tanh(a[:, :3]) * torch.sigmoid(a[:, 3:]))


def test_the_vertical_stack_never_sees_the_current_row():
    torch.manual_seed(0)
    blocks = [GatedBlock(1, 4, first=True).double()] + [GatedBlock(4, 4).double() for _ in range(3)]
    x = torch.rand(1, 1, SIZE, SIZE, dtype=torch.float64)

    def vertical_stack(image):
        v = h = image
        for block in blocks:
            v, h = block(v, h)
        return v

    for row in range(SIZE):
        gradient = position_gradient(vertical_stack, x, (row, 3))
        assert all(r < row for r, _ in influencing_positions(gradient))


def test_gated_pixelcnn_has_no_blind_spot():
    net = GatedPixelCNN(channels=4, blocks=6)
    for position in [(3, 3), (6, 2), (5, 6)]:
        assert field(net, position) == raster_past(position, SIZE, SIZE)


@pytest.mark.parametrize("name", ["gated_pixelcnn", "gated_pixelcnn_conditional"])
@pytest.mark.parametrize("inputs", ["levels", "value"])
def test_registered_gated_models_are_autoregressive(name, inputs):
    model = armlib.MODELS[name](channels=8, blocks=3, inputs=inputs)
    assert isinstance(model.net, GatedPixelCNN)
    armlib.check_autoregressive(model)


def test_the_gated_pixelcnn_reads_level_indicators_unless_told_to_read_the_value():
    assert GatedPixelCNN(channels=4, blocks=2).blocks[0].vertical.conv.in_channels == 17
    value = GatedPixelCNN(channels=4, blocks=2, inputs="value")
    assert value.blocks[0].vertical.conv.in_channels == value.blocks[0].horizontal.conv.in_channels == 1
    assert value(torch.randint(17, (2, 1, 5, 6))).shape == (2, 17, 5, 6)


def test_the_class_changes_the_distribution_and_is_required():
    torch.manual_seed(0)
    model = armlib.MODELS["gated_pixelcnn_conditional"](channels=8, blocks=2)
    assert model.num_classes == 10
    for block in model.net.blocks:
        torch.nn.init.normal_(block.class_bias.weight)
    x = torch.randint(17, (2, 1, 8, 8))
    assert not torch.allclose(model.log_prob(x, 3), model.log_prob(x, 7))
    assert model.sample(3, y=torch.tensor([0, 5, 9])).shape == (3, 1, 8, 8)
    with pytest.raises(ValueError, match="y"):
        model.net(x)
    with pytest.raises(ValueError, match="y"):
        armlib.MODELS["gated_pixelcnn"](channels=8, blocks=2).net(x, torch.tensor([1, 2]))


def test_a_fresh_conditional_model_on_unconditional_weights_is_the_unconditional_model():
    torch.manual_seed(0)
    unconditional = armlib.MODELS["gated_pixelcnn"](channels=8, blocks=3)
    conditional = armlib.MODELS["gated_pixelcnn_conditional"](channels=8, blocks=3)
    missing, unexpected = conditional.net.load_state_dict(unconditional.net.state_dict(), strict=False)
    assert not unexpected and missing == [f"blocks.{b}.class_bias.weight" for b in range(3)]
    x = torch.randint(17, (4, 1, 8, 8))
    unconditional.eval()  # no dropout
    conditional.eval()
    for label in (0, 9):
        assert torch.allclose(conditional.log_prob(x, label), unconditional.log_prob(x))


@pytest.mark.parametrize("overrides, error", [
    ({"channels": 0}, ValueError), ({"blocks": 2.0}, TypeError), ({"dropout": -0.1}, ValueError),
    ({"kernel_size": 4}, ValueError), ({"num_classes": 0}, ValueError),
    ({"image_channels": 0}, ValueError), ({"num_params": 0}, ValueError), ({"inputs": "onehot"}, ValueError)])
def test_bad_gated_settings_are_refused(overrides, error):
    with pytest.raises(error, match=next(iter(overrides))):
        GatedPixelCNN(**overrides)


def test_levels_enter_as_one_hot_indicators_and_stay_differentiable():
    x = torch.tensor([[[[0, 2], [1, 2]]], [[[2, 0], [0, 1]]]])  # (B=2, C=1, 2, 2), 3 levels
    like = torch.zeros((), dtype=torch.float64)
    indicators = levels_as_input(x, 3, like)
    assert indicators.shape == (2, 3, 2, 2) and indicators.dtype == torch.float64
    assert torch.equal(indicators, torch.nn.functional.one_hot(x[:, 0], 3).permute(0, 3, 1, 2).double())
    halfway = levels_as_input(torch.tensor([[0.5, 1.75]], requires_grad=True), 3, like)  # (B=1, C=2)
    assert torch.allclose(halfway, torch.tensor([[0.5, 0.5, 0.0, 0.0, 0.25, 0.75]], dtype=torch.float64))
    colour = levels_as_input(torch.randint(3, (4, 3, 5)), 3, like)  # channel c, level v -> c * 3 + v
    assert colour.shape == (4, 9, 5) and torch.equal(colour.sum(1), torch.full((4, 5), 3.0, dtype=torch.float64))
