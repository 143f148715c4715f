"""Masked convolutions and the PixelCNN of chapter 05."""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import armlib
from armlib.layers import MaskedConv2d, causal_mask
from armlib.models.pixelcnn import PixelCNN
from armlib.diagnostics.receptive_field_2d import blind_spot, out_of_reach, position_gradient, raster_past


def test_causal_masks_of_a_3x3_kernel():
    assert causal_mask(3, "A").tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert causal_mask(3, "B").tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]


@given(half=st.integers(0, 4), mask_type=st.sampled_from("AB"))
def test_masks_keep_exactly_the_raster_past_of_the_centre(half, mask_type):
    k = 2 * half + 1
    mask = causal_mask(k, mask_type)
    kept = {(r, c) for r in range(k) for c in range(k) if mask[r, c] == 1}
    past = {(r, c) for r in range(k) for c in range(k) if (r, c) < (half, half)}
    assert kept == (past | {(half, half)} if mask_type == "B" else past)
    assert mask[half + 1:].sum() == 0  # rows below the centre: always masked


@pytest.mark.parametrize("kernel_size, mask_type, error", [
    (4, "A", ValueError), (0, "B", ValueError), (3, "C", ValueError), (3.0, "A", TypeError)])
def test_bad_masks_are_refused(kernel_size, mask_type, error):
    with pytest.raises(error):
        causal_mask(kernel_size, mask_type)
    with pytest.raises(error):
        MaskedConv2d(1, 1, kernel_size, mask_type)


@settings(deadline=None, max_examples=20)
@given(half=st.integers(0, 3), mask_type=st.sampled_from("AB"), row=st.integers(0, 6), column=st.integers(0, 6))
def test_a_masked_convolution_reads_only_the_past_and_for_type_b_the_centre(half, mask_type, row, column):
    torch.manual_seed(0)
    conv = MaskedConv2d(2, 3, 2 * half + 1, mask_type).double()
    gradient = position_gradient(conv, torch.randn(1, 2, 7, 7, dtype=torch.float64), (row, column))
    window = {(r, c) for r in range(7) for c in range(7) if abs(r - row) <= half and abs(c - column) <= half}
    allowed = raster_past((row, column), 7, 7) & window
    if mask_type == "B":
        allowed |= {(row, column)}
    assert {(int(r), int(c)) for r, c in torch.nonzero(gradient)} == allowed


def test_the_masked_convolution_of_a_small_image_by_hand():
    image = torch.tensor([[0, 1, 0], [1, 1, 0], [0, 1, 1]], dtype=torch.float32)[None, None]
    conv = MaskedConv2d(1, 1, 3, "A", bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    # type A with unit weights: the sum of the three pixels above and the one to the left
    expected = [[0, 0, 1], [1, 2, 2], [2, 2, 2]]
    assert conv(image)[0, 0].tolist() == expected


def test_masked_weights_get_no_gradient():
    conv = MaskedConv2d(2, 2, 5, "A")
    conv(torch.randn(3, 2, 6, 6)).sum().backward()
    assert torch.all(conv.weight.grad[..., causal_mask(5, "A") == 0] == 0)
    assert conv.weight.grad.abs().sum() > 0


def test_pixelcnn_gives_logits_for_any_image_size_and_accepts_integers():
    net = PixelCNN(num_vals=5, channels=8, layers=2)
    for height, width in [(8, 8), (5, 11)]:
        x = torch.randint(5, (2, 1, height, width))
        assert net(x).shape == (2, 5, height, width)


@pytest.mark.parametrize("inputs", ["value", "levels"])
def test_pixelcnn_is_autoregressive_and_registered(inputs):
    model = armlib.MODELS["pixelcnn"](channels=8, layers=2, inputs=inputs)
    assert isinstance(model.net, PixelCNN)
    armlib.check_autoregressive(model)


def test_pixelcnn_reads_the_value_unless_told_to_read_level_indicators():
    assert PixelCNN(channels=8, layers=2).first.in_channels == 1
    levels = PixelCNN(num_vals=5, channels=8, layers=2, inputs="levels")
    assert levels.first.in_channels == 5
    assert levels(torch.randint(5, (2, 1, 6, 7))).shape == (2, 5, 6, 7)


def test_a_pixelcnn_has_a_blind_spot_up_and_to_the_right():
    torch.manual_seed(0)
    net = PixelCNN(channels=16, layers=4, first_kernel_size=3).double()
    gradient = position_gradient(net, torch.rand(1, 1, 12, 12, dtype=torch.float64), (4, 4))
    # a 3x3 masked kernel moves the field one column right only by moving it one row up
    expected = {(r, c) for r in range(4) for c in range(12) if c - 4 > 4 - r}
    assert blind_spot(gradient, (4, 4)) == expected


def test_out_of_reach_is_beyond_the_span_of_the_kernels_and_the_blind_spot_within_it():
    torch.manual_seed(0)
    net = PixelCNN(channels=8, layers=5, first_kernel_size=5).double()
    reach = 5 // 2 + 5 * (3 // 2)  # rows up and columns to either side that 5x5 + five 3x3 kernels span
    (row, column), size = (8, 8), 17
    gradient = position_gradient(net, torch.rand(1, 1, size, size, dtype=torch.float64), (row, column))
    unseen = blind_spot(gradient, (row, column))
    within = {(r, c) for r, c in unseen if row - r <= reach and abs(c - column) <= reach}
    assert out_of_reach(gradient, (row, column)) == unseen - within
    assert blind_spot(gradient, (row, column), beyond_reach=False) == within
    assert within and all(c - column > row - r for r, c in within)  # up and to the right only


@pytest.mark.parametrize("overrides, error", [
    ({"channels": 0}, ValueError), ({"layers": 1.5}, TypeError), ({"dropout": 1.0}, ValueError),
    ({"first_kernel_size": 2}, ValueError), ({"inputs": "levels?"}, ValueError)])
def test_bad_pixelcnn_settings_are_refused(overrides, error):
    with pytest.raises(error):
        PixelCNN(**overrides)
