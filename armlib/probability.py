"""Exact probability on small discrete joints: the sum rule, the product rule, the chain rule.

A joint distribution over D variables is a float tensor with D axes, axis i holding the values of
the variable x_{i+1}; its entries are non-negative and sum to 1. Every helper enumerates all
configurations (no sampling), so the numbers are exact up to floating-point rounding and the joints
must be small: V values for each of D variables is V^D entries.

The parameter counts at the end say why nobody models a real joint this way: the tables grow as
V^D, while one network shared by every conditional does not grow with D at all.
"""
from collections.abc import Sequence

import torch

from .validation import check_positive_int

_SUM_TOLERANCE = 1e-9
"""How far from 1 the total of a float64 joint may drift by rounding before we call it unnormalised."""


def random_joint(num_vars: int, num_vals: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """A random joint p(x_1, ..., x_D) over ``num_vars`` variables with ``num_vals`` values each.

    Returns a float64 tensor of shape (num_vals,) * num_vars, positive everywhere (with probability 1,
    so every conditional is defined) and summing to 1. The entries are a draw from the flat Dirichlet
    distribution: independent exponential variables, normalised by their sum.
    """
    check_positive_int(num_vars, "num_vars")
    check_positive_int(num_vals, "num_vals")
    uniform = torch.rand((num_vals,) * num_vars, generator=generator, dtype=torch.float64)
    weights = -torch.log1p(-uniform)  # -ln(1 - u) for u in [0, 1): an exponential draw
    return weights / weights.sum()


def _check_joint(joint) -> None:
    if not isinstance(joint, torch.Tensor):
        raise TypeError(f"joint must be a torch.Tensor, got {type(joint).__name__}")
    if not joint.dtype.is_floating_point:
        raise TypeError(f"joint must hold floating-point probabilities, got dtype {joint.dtype}")
    if joint.dim() == 0:
        raise ValueError("joint must have one axis per variable, got a 0-dimensional tensor")
    if (joint < 0).any():
        raise ValueError(f"joint must be non-negative, got a smallest entry of {joint.min().item():.3g}")
    total = joint.sum().item()
    if abs(total - 1) > _SUM_TOLERANCE:
        raise ValueError(f"joint must sum to 1, got a total of {total!r}")


def _check_axes(axes, num_vars: int, name: str) -> list[int]:
    axes = list(axes)
    if any(isinstance(a, bool) or not isinstance(a, int) for a in axes):
        raise TypeError(f"{name} must hold integer variable indices, got {axes}")
    if any(not 0 <= a < num_vars for a in axes):
        raise ValueError(f"{name} must hold variable indices in [0, {num_vars - 1}], got {axes}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name} must not repeat a variable, got {axes}")
    return axes


def marginal(joint: torch.Tensor, keep: Sequence[int]) -> torch.Tensor:
    """The sum rule: p(x_keep) = sum over every other variable of p(x).

    The result has one axis per variable in ``keep``, in the order given there; ``keep=[]``
    sums out everything and returns the total probability, a 0-dimensional tensor.
    """
    _check_joint(joint)
    keep = _check_axes(keep, joint.dim(), "keep")
    summed_out = [axis for axis in range(joint.dim()) if axis not in keep]
    if not keep:
        return joint.sum()
    kept = joint.sum(dim=summed_out) if summed_out else joint
    # After summing, the kept axes are in increasing order; permute them into the order asked for.
    return kept.permute(*[sorted(keep).index(axis) for axis in keep])


def conditional(joint: torch.Tensor, target: int, given: Sequence[int]) -> torch.Tensor:
    """The product rule solved for the conditional: p(x_target | x_given) = p(x_given, x_target) / p(x_given).

    The result has the axes of ``given`` (in that order) and then the axis of ``target``; summed
    over its last axis it is 1 for every context. Raises ``ValueError`` where p(x_given) = 0,
    because the conditional is undefined there.
    """
    _check_joint(joint)
    given = _check_axes(given, joint.dim(), "given")
    (target,) = _check_axes([target], joint.dim(), "target")
    if target in given:
        raise ValueError(f"target {target} must not also be in given {given}")
    together = marginal(joint, [*given, target])
    context = together.sum(dim=-1, keepdim=True)
    if (context == 0).any():
        raise ValueError(f"p(x_given) is 0 for some context of given={given}; the conditional is undefined there")
    return together / context


def chain_rule(joint: torch.Tensor, order: Sequence[int]) -> list[torch.Tensor]:
    """The chain rule in the given order o: p(x) = p(x_o1) p(x_o2 | x_o1) ... p(x_oD | x_o1, ..., x_o(D-1)).

    Returns the D factors; factor d (counting from 0) has d + 1 axes, the variables
    ``order[:d]`` and then ``order[d]``. ``joint_from_chain`` multiplies them back together.
    """
    _check_joint(joint)
    order = _check_axes(order, joint.dim(), "order")
    if len(order) != joint.dim():
        raise ValueError(f"order must name each of the {joint.dim()} variables once, got {order}")
    return [conditional(joint, order[d], order[:d]) for d in range(len(order))]


def joint_from_chain(factors: Sequence[torch.Tensor], order: Sequence[int]) -> torch.Tensor:
    """Multiply the factors of ``chain_rule(joint, order)`` back into the joint, axis i = x_{i+1}."""
    if len(factors) != len(order) or not factors:
        raise ValueError(f"need one factor per variable of order, got {len(factors)} factors for order {list(order)}")
    order = _check_axes(order, len(order), "order")
    for d, factor in enumerate(factors):
        if not isinstance(factor, torch.Tensor) or factor.dim() != d + 1:
            raise ValueError(f"factor {d} must be a tensor with {d + 1} axes (x_<d then x_d), got "
                             f"{tuple(factor.shape) if isinstance(factor, torch.Tensor) else type(factor).__name__}")
    product = factors[0]
    for factor in factors[1:]:
        # product has the axes order[:d]; a new last axis lines it up with factor's axes order[:d + 1].
        product = product.unsqueeze(-1) * factor
    # The axes are now in the chain's order; axis order[k] of the joint sits at position k.
    return product.permute(*sorted(range(len(order)), key=order.__getitem__))


def full_table_params(num_vars: int, num_vals: int) -> int:
    """Free parameters of a table of p(x) itself: V^D entries, less one because they sum to 1."""
    check_positive_int(num_vars, "num_vars")
    check_positive_int(num_vals, "num_vals")
    return num_vals ** num_vars - 1


def conditional_tables_params(num_vars: int, num_vals: int) -> int:
    """Free parameters of D separate tables p(x_d | x_<d): table d has V^(d-1) contexts (rows), each a
    distribution with V - 1 free entries. The sum telescopes to V^D - 1, the full table's count."""
    check_positive_int(num_vars, "num_vars")
    check_positive_int(num_vals, "num_vals")
    return sum(num_vals ** (d - 1) * (num_vals - 1) for d in range(1, num_vars + 1))


def mlp_params(num_inputs: int, hidden: int, num_vals: int) -> int:
    """Parameters (weights and biases) of Linear(num_inputs, hidden) -> ReLU -> Linear(hidden, num_vals),
    Tomczak's (2022) finite-memory MLP when it reads ``num_inputs`` previous values."""
    if isinstance(num_inputs, bool) or not isinstance(num_inputs, int):
        raise TypeError(f"num_inputs must be an int, got {type(num_inputs).__name__}")
    if num_inputs < 0:
        raise ValueError(f"num_inputs must be a non-negative integer, got {num_inputs}")
    check_positive_int(hidden, "hidden")
    check_positive_int(num_vals, "num_vals")
    return (num_inputs + 1) * hidden + (hidden + 1) * num_vals


def separate_mlps_params(num_vars: int, hidden: int, num_vals: int) -> int:
    """Parameters of D separate MLPs, MLP d reading all of x_<d (d - 1 inputs): the growing
    conditioning makes the total grow as D^2, not V^D, but still with D."""
    check_positive_int(num_vars, "num_vars")
    return sum(mlp_params(d - 1, hidden, num_vals) for d in range(1, num_vars + 1))
