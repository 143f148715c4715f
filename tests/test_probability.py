"""The exact helpers of chapter 01: sum rule, product rule, chain rule, parameter counts."""
from itertools import permutations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from armlib.probability import (chain_rule, conditional, conditional_tables_params, full_table_params,
                                joint_from_chain, marginal, mlp_params, random_joint, separate_mlps_params)


def joint_of_shape(shape, seed=0):
    """A positive normalised joint whose variables may take different numbers of values."""
    weights = torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) + 0.1
    return weights / weights.sum()


# random_joint


def test_random_joint_is_a_positive_normalised_float64_table():
    joint = random_joint(3, 4, generator=torch.Generator().manual_seed(0))
    assert joint.shape == (4, 4, 4)
    assert joint.dtype == torch.float64
    assert (joint > 0).all()
    assert joint.sum().item() == pytest.approx(1.0, abs=1e-12)


def test_random_joint_is_reproducible_from_its_generator():
    first = random_joint(2, 5, generator=torch.Generator().manual_seed(7))
    again = random_joint(2, 5, generator=torch.Generator().manual_seed(7))
    other = random_joint(2, 5, generator=torch.Generator().manual_seed(8))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


@pytest.mark.parametrize("num_vars, num_vals, error", [(0, 4, ValueError), (3, 0, ValueError), (2.0, 4, TypeError)])
def test_random_joint_rejects_bad_sizes(num_vars, num_vals, error):
    with pytest.raises(error, match="num_vars|num_vals"):
        random_joint(num_vars, num_vals)


# marginal: the sum rule


def test_marginal_sums_out_the_other_variables():
    joint = joint_of_shape((2, 3, 4))
    assert torch.allclose(marginal(joint, [1]), joint.sum(dim=(0, 2)))
    assert torch.allclose(marginal(joint, [0, 2]), joint.sum(dim=1))


def test_marginal_puts_the_axes_in_the_order_asked_for():
    joint = joint_of_shape((2, 3, 4))
    assert marginal(joint, [2, 0]).shape == (4, 2)
    assert torch.allclose(marginal(joint, [2, 0]), joint.sum(dim=1).T)
    assert torch.equal(marginal(joint, [2, 0, 1]), joint.permute(2, 0, 1))


def test_marginal_of_nothing_is_the_total_probability():
    total = marginal(joint_of_shape((3, 3)), [])
    assert total.dim() == 0
    assert total.item() == pytest.approx(1.0)


@pytest.mark.parametrize("keep, error, message", [
    ([0, 0], ValueError, "repeat"),
    ([3], ValueError, r"\[0, 2\]"),
    ([-1], ValueError, r"\[0, 2\]"),
    ([0.5], TypeError, "integer"),
])
def test_marginal_rejects_bad_axes(keep, error, message):
    with pytest.raises(error, match=message):
        marginal(joint_of_shape((2, 3, 4)), keep)


@pytest.mark.parametrize("joint, error, message", [
    ([[0.5, 0.5]], TypeError, "torch.Tensor"),
    (torch.ones(2, 2, dtype=torch.long), TypeError, "floating-point"),
    (torch.tensor(1.0), ValueError, "one axis per variable"),
    (torch.tensor([1.5, -0.5]), ValueError, "non-negative"),
    (torch.tensor([0.5, 0.6]), ValueError, "sum to 1"),
])
def test_marginal_rejects_what_is_not_a_joint(joint, error, message):
    with pytest.raises(error, match=message):
        marginal(joint, [0])


# conditional: the product rule


def test_conditional_times_the_context_marginal_is_the_joint_marginal():
    joint = joint_of_shape((2, 3, 4))
    p_x3_given_x1 = conditional(joint, 2, [0])
    assert p_x3_given_x1.shape == (2, 4)
    assert torch.allclose(p_x3_given_x1 * marginal(joint, [0]).unsqueeze(-1), marginal(joint, [0, 2]))


def test_conditional_is_a_distribution_for_every_context():
    joint = joint_of_shape((2, 3, 4))
    p = conditional(joint, 1, [2, 0])
    assert p.shape == (4, 2, 3)
    assert torch.allclose(p.sum(-1), torch.ones(4, 2, dtype=torch.float64))


def test_conditional_given_nothing_is_the_marginal():
    joint = joint_of_shape((2, 3, 4))
    assert torch.allclose(conditional(joint, 1, []), marginal(joint, [1]))


def test_conditional_of_an_independent_pair_is_the_marginal():
    p_a = torch.tensor([0.2, 0.8], dtype=torch.float64)
    p_b = torch.tensor([0.1, 0.3, 0.6], dtype=torch.float64)
    joint = p_a[:, None] * p_b[None, :]
    assert torch.allclose(conditional(joint, 1, [0]), p_b.expand(2, 3))


def test_conditional_refuses_a_context_of_probability_zero():
    joint = torch.tensor([[0.5, 0.5], [0.0, 0.0]], dtype=torch.float64)
    with pytest.raises(ValueError, match="undefined"):
        conditional(joint, 1, [0])


def test_conditional_refuses_a_target_that_is_also_given():
    with pytest.raises(ValueError, match="target 1 must not also be in given"):
        conditional(joint_of_shape((2, 3)), 1, [1])


# chain_rule and joint_from_chain


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_every_order_of_the_chain_rule_reproduces_the_joint(order):
    joint = joint_of_shape((2, 3, 4))
    factors = chain_rule(joint, order)
    assert [tuple(f.shape) for f in factors] == [tuple(joint.shape[v] for v in order[:d + 1]) for d in range(3)]
    assert torch.allclose(joint_from_chain(factors, order), joint, rtol=0, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=4), seed=st.integers(0, 2**16), data=st.data())
def test_chain_rule_round_trip_for_any_small_joint_and_order(shape, seed, data):
    order = data.draw(st.permutations(range(len(shape))))
    joint = joint_of_shape(tuple(shape), seed)
    factors = chain_rule(joint, order)
    for factor in factors:
        assert torch.allclose(factor.sum(-1), torch.ones(factor.shape[:-1], dtype=torch.float64))
    assert torch.allclose(joint_from_chain(factors, order), joint, rtol=0, atol=1e-15)


def test_chain_rule_gives_the_first_factor_as_a_marginal():
    joint = joint_of_shape((2, 3, 4))
    first, second, _ = chain_rule(joint, [2, 0, 1])
    assert torch.allclose(first, marginal(joint, [2]))
    assert torch.allclose(second, conditional(joint, 0, [2]))


def test_chain_rule_needs_every_variable_in_the_order():
    with pytest.raises(ValueError, match="each of the 3 variables"):
        chain_rule(joint_of_shape((2, 3, 4)), [0, 1])


def test_joint_from_chain_rejects_mismatched_factors():
    joint = joint_of_shape((2, 3))
    factors = chain_rule(joint, [0, 1])
    with pytest.raises(ValueError, match="one factor per variable"):
        joint_from_chain(factors, [0, 1, 2])
    with pytest.raises(ValueError, match="factor 1 must be a tensor with 2 axes"):
        joint_from_chain([factors[0], factors[0]], [0, 1])


# parameter counts


@pytest.mark.parametrize("num_vars, num_vals, expected", [(1, 17, 16), (3, 4, 63), (2, 2, 3), (64, 17, 17**64 - 1)])
def test_full_table_params(num_vars, num_vals, expected):
    assert full_table_params(num_vars, num_vals) == expected


@pytest.mark.parametrize("num_vars", [1, 2, 5, 64])
@pytest.mark.parametrize("num_vals", [2, 4, 17])
def test_separate_conditional_tables_cost_exactly_the_full_table(num_vars, num_vals):
    assert conditional_tables_params(num_vars, num_vals) == full_table_params(num_vars, num_vals)


def test_conditional_tables_params_counts_the_rows_of_each_table():
    # p(x_1): 3 free; p(x_2 | x_1): 4 rows of 3; p(x_3 | x_1, x_2): 16 rows of 3.
    assert conditional_tables_params(3, 4) == 3 + 4 * 3 + 16 * 3


@pytest.mark.parametrize("num_inputs, hidden, num_vals", [(2, 300, 17), (5, 7, 3), (1, 1, 2)])
def test_mlp_params_matches_the_torch_module(num_inputs, hidden, num_vals):
    mlp = nn.Sequential(nn.Linear(num_inputs, hidden), nn.ReLU(), nn.Linear(hidden, num_vals))
    assert mlp_params(num_inputs, hidden, num_vals) == sum(p.numel() for p in mlp.parameters())


def test_mlp_with_no_inputs_keeps_only_its_biases_and_output_layer():
    assert mlp_params(0, 10, 17) == 10 + 10 * 17 + 17


def test_separate_mlps_grow_quadratically_with_the_number_of_variables():
    hidden, num_vals = 300, 17
    per_model = hidden + hidden * num_vals + num_vals
    for num_vars in (1, 8, 64):
        # MLP d reads d - 1 inputs: sum_d (d - 1) * hidden = hidden * D (D - 1) / 2 input weights in all.
        expected = num_vars * per_model + hidden * num_vars * (num_vars - 1) // 2
        assert separate_mlps_params(num_vars, hidden, num_vals) == expected


@pytest.mark.parametrize("call, error, message", [
    (lambda: full_table_params(0, 17), ValueError, "num_vars"),
    (lambda: conditional_tables_params(3, 0), ValueError, "num_vals"),
    (lambda: mlp_params(-1, 10, 17), ValueError, "num_inputs"),
    (lambda: mlp_params(2.0, 10, 17), TypeError, "num_inputs"),
    (lambda: mlp_params(2, 0, 17), ValueError, "hidden"),
    (lambda: separate_mlps_params(True, 10, 17), TypeError, "num_vars"),
])
def test_parameter_counts_reject_bad_sizes(call, error, message):
    with pytest.raises(error, match=message):
        call()
