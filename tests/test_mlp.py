"""The finite-memory MLP of chapter 02: what it sees, that it is shared, and its position input."""
import pytest
import torch

import armlib
from armlib.models.mlp import PAD_VALUE, FiniteMemoryMLP, finite_memory_mlp


def changed_positions(net, x, j):
    """Positions whose logits move when x_j (0-based) changes."""
    with torch.no_grad():
        before = net(x)
        x = x.clone()
        x[:, j] = (x[:, j] + 5) % net.num_vals
        return (net(x) != before).any(1).any(0).nonzero().flatten().tolist()


def test_context_holds_the_window_newest_first_and_pads_the_start():
    net = FiniteMemoryMLP(num_vals=17, window=3)
    x = torch.tensor([[4, 5, 6, 7, 8]])
    assert net.context(x).tolist() == [[[PAD_VALUE] * 3, [4, PAD_VALUE, PAD_VALUE], [5, 4, PAD_VALUE],
                                        [6, 5, 4], [7, 6, 5]]]


@pytest.mark.parametrize("window", [1, 2, 5])
def test_each_output_sees_exactly_the_window_before_it(window):
    torch.manual_seed(0)
    net = FiniteMemoryMLP(num_vals=17, window=window, hidden=16).double()
    x = torch.randint(17, (3, 12))
    for j in range(12):
        assert changed_positions(net, x, j) == list(range(j + 1, min(j + window + 1, 12)))


def test_one_mlp_is_shared_by_every_position_unless_it_is_told_the_position():
    torch.manual_seed(0)
    x = torch.full((1, 10), 3)  # every position from d = 2 on sees the same window [3, 3]
    blind = FiniteMemoryMLP(num_vals=17, window=2, hidden=16)(x)
    # the same inputs through the same weights, up to BLAS rounding, which may differ between the
    # rows of one matrix product (AVX-512 kernels treat a block's last rows apart)
    torch.testing.assert_close(blind[..., 2:], blind[..., 2:3].expand_as(blind[..., 2:]), rtol=0, atol=1e-6)
    told = FiniteMemoryMLP(num_vals=17, window=2, hidden=16, num_positions=10)(x)
    assert not torch.allclose(told[..., 2], told[..., 3])


def test_window_zero_with_position_is_a_categorical_per_position():
    torch.manual_seed(0)
    net = FiniteMemoryMLP(num_vals=17, window=0, hidden=16, num_positions=6)
    logits = net(torch.randint(17, (4, 6)))
    assert logits.shape == (4, 17, 6)
    torch.testing.assert_close(logits, logits[:1].expand_as(logits), rtol=0, atol=1e-6)  # the data play no part
    assert not torch.allclose(logits[0, :, 0], logits[0, :, 1])


def test_the_seeds_network_has_the_seeds_size():
    model = finite_memory_mlp(hidden=300)
    # Linear(2, 300) and Linear(300, 17), weights and biases.
    assert sum(p.numel() for p in model.parameters()) == (2 * 300 + 300) + (300 * 17 + 17)
    with_position = armlib.MODELS["mlp_position"](hidden=300)
    assert sum(p.numel() for p in with_position.parameters()) == (2 * 300 + 300) + 64 * 300 + (300 * 17 + 17)


@pytest.mark.parametrize("overrides", [{"window": 1}, {"window": 7, "position": True}, {"window": 0, "position": True}])
def test_variants_are_autoregressive(overrides):
    armlib.check_autoregressive(finite_memory_mlp(hidden=8, **overrides))


def test_a_float64_copy_runs_in_float64():
    net = FiniteMemoryMLP(num_vals=17, num_positions=5).double()
    assert net(torch.randint(17, (2, 5))).dtype == torch.float64


@pytest.mark.parametrize("kwargs, message", [
    ({"window": -1}, "window must be a non-negative int"),
    ({"window": 1.5}, "window must be a non-negative int"),
    ({"window": 0}, "window=0 needs num_positions"),
    ({"hidden": 0}, "hidden must be a positive integer"),
    ({"num_positions": 0}, "num_positions must be a positive integer"),
])
def test_bad_arguments_are_refused_by_name(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        FiniteMemoryMLP(num_vals=17, **kwargs)


def test_a_sequence_of_another_length_is_refused_when_positions_are_learned():
    net = FiniteMemoryMLP(num_vals=17, num_positions=64)
    with pytest.raises(ValueError, match="x must have 64 positions"):
        net(torch.zeros(2, 63, dtype=torch.long))
