"""Receptive fields by gradients."""
import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from armlib.layers import MaskedConv2d
from armlib.diagnostics.receptive_field_2d import (blind_spot, field_map, influencing_positions, out_of_reach,
                                                   position_gradient, raster_past)
from armlib.book.plots import show_receptive_field


def unit_conv(mask_type=None):
    if mask_type is None:
        conv = nn.Conv2d(1, 1, 3, padding=1, bias=False)
    else:
        conv = MaskedConv2d(1, 1, 3, mask_type, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    return conv


def test_the_gradient_of_a_plain_3x3_convolution_is_its_window():
    gradient = position_gradient(unit_conv(), torch.zeros(1, 1, 5, 5), (0, 2))
    expected = torch.zeros(5, 5)
    expected[0:2, 1:4] = 1
    assert torch.equal(gradient, expected)


def test_two_unit_layers_count_the_paths():
    net = nn.Sequential(unit_conv("A"), unit_conv("B"))
    gradient = position_gradient(net, torch.zeros(1, 1, 5, 5), (2, 2))
    # (1, 2) reaches (2, 2) through the first layer's outputs at (1, 3), (2, 1) and (2, 2)
    assert gradient[1, 2] == 3
    expected = {(0, c) for c in range(5)} | {(1, c) for c in range(4)} | {(2, 0), (2, 1)}
    assert influencing_positions(gradient) == expected


def test_blind_spot_is_the_unreached_raster_past():
    gradient = position_gradient(unit_conv("A"), torch.zeros(1, 1, 4, 4), (2, 2))
    assert influencing_positions(gradient) == {(1, 1), (1, 2), (1, 3), (2, 1)}
    assert blind_spot(gradient, (2, 2)) == raster_past((2, 2), 4, 4) - {(1, 1), (1, 2), (1, 3), (2, 1)}
    assert raster_past((0, 0), 4, 4) == set()
    assert len(raster_past((3, 3), 4, 4)) == 15


def test_the_text_map_marks_position_field_and_blind_spot():
    gradient = position_gradient(unit_conv("A"), torch.zeros(1, 1, 3, 4), (1, 1))
    assert field_map(gradient, (1, 1)) == "# # # x\n# o . .\n. . . ."


def test_a_module_is_probed_in_eval_mode_and_left_as_it_was():
    net = nn.Sequential(unit_conv(), nn.Dropout(0.9)).train()
    gradient = position_gradient(net, torch.zeros(1, 1, 5, 5), (2, 2))
    assert gradient.sum() == 9 and net.training


def test_labels_are_passed_to_a_conditional_network():
    def net(x, y):
        return x * y.double()[:, None, None, None]

    gradient = position_gradient(net, torch.zeros(1, 1, 3, 3, dtype=torch.float64), (1, 1), torch.tensor([3]))
    assert gradient[1, 1] == 3 and gradient.sum() == 3


@pytest.mark.parametrize("x, position, error", [
    (torch.zeros(1, 1, 4, 4, dtype=torch.long), (0, 0), TypeError),
    (torch.zeros(2, 1, 4, 4), (0, 0), ValueError),
    (torch.zeros(1, 4, 4), (0, 0), ValueError),
    (torch.zeros(1, 1, 4, 4), (4, 0), ValueError),
    (torch.zeros(1, 1, 4, 4), 5, TypeError),
    (torch.zeros(1, 1, 4, 4), (1.0, 2), TypeError)])
def test_bad_inputs_are_refused(x, position, error):
    with pytest.raises(error):
        position_gradient(unit_conv(), x, position)


def test_the_picture_crosses_out_the_blind_spot():
    gradient = position_gradient(nn.Sequential(unit_conv("A"), unit_conv("B")), torch.zeros(1, 1, 6, 6), (3, 2))
    ax = show_receptive_field(gradient, (3, 2), title="two layers")
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == len(blind_spot(gradient, (3, 2))) > 0
    assert ax.get_title() == "two layers"


def unit_stack(depth):
    return nn.Sequential(unit_conv("A"), *[unit_conv("B") for _ in range(depth - 1)])


def test_out_of_reach_is_what_lies_beyond_the_field_and_the_rest_is_the_wedge():
    # two unit layers reach 2 rows up and 2 columns left; to the right, one column per row up
    gradient = position_gradient(unit_stack(2), torch.zeros(1, 1, 5, 7), (3, 3))
    far = {(0, c) for c in range(7)} | {(r, 0) for r in range(1, 4)} | {(r, 6) for r in (1, 2)}
    assert out_of_reach(gradient, (3, 3)) == far
    wedge = {(2, 5)}  # one row up, two columns right: passed over by (1, 5), which reaches (3, 3)
    assert blind_spot(gradient, (3, 3), beyond_reach=False) == wedge
    assert blind_spot(gradient, (3, 3)) == far | wedge


def test_a_field_with_room_has_nothing_out_of_reach_and_its_wedge_does_not_depend_on_the_canvas():
    depth = 3
    small = position_gradient(unit_stack(depth), torch.zeros(1, 1, 2 * depth + 1, 2 * depth + 1), (depth, depth))
    large = position_gradient(unit_stack(depth), torch.zeros(1, 1, 13, 13), (6, 6))
    assert not out_of_reach(small, (depth, depth))
    shifted = {(r + 6 - depth, c + 6 - depth) for r, c in blind_spot(small, (depth, depth))}
    assert shifted == blind_spot(large, (6, 6), beyond_reach=False)
    assert len(shifted) == depth * (depth - 1) // 2


def test_the_text_map_can_mark_out_of_reach_apart():
    gradient = position_gradient(unit_conv("A"), torch.zeros(1, 1, 3, 5), (2, 2))
    assert field_map(gradient, (2, 2), beyond_reach=False) == "- - - - -\n- # # # -\n- # o . ."


def test_the_picture_can_dot_out_of_reach_and_cross_only_the_wedge():
    gradient = position_gradient(unit_stack(2), torch.zeros(1, 1, 5, 7), (3, 3))
    ax = show_receptive_field(gradient, (3, 3), beyond_reach=False)
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    dots = [line for line in ax.lines if line.get_marker() == "."]
    assert len(crosses) == 1 and len(dots) == len(out_of_reach(gradient, (3, 3))) == 12
