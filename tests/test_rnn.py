"""The recurrent ARM of chapter 03: shifted inputs, unbounded memory, and the gradient measurement."""
import pytest
import torch

import armlib
from armlib.rnn import RecurrentNet, input_gradient_norms, recurrent_arm, set_spectral_radius


@pytest.mark.parametrize("cell", ["gru", "lstm", "tanh"])
def test_every_cell_is_autoregressive(cell):
    armlib.check_autoregressive(recurrent_arm(hidden=8, cell=cell, embedding_dim=3))


def test_step_d_is_fed_the_previous_pixel_and_step_one_the_start_vector():
    net = RecurrentNet(num_vals=17, hidden=4, embedding_dim=3)
    x = torch.tensor([[7, 2, 9]])
    table = net.embedding.weight
    assert torch.equal(net.inputs(x)[0], torch.stack([table[17], table[7], table[2]]))


def test_the_memory_reaches_back_to_the_first_pixel():
    torch.manual_seed(0)
    net = RecurrentNet(num_vals=17, hidden=8, embedding_dim=3).double().eval()
    x = torch.randint(17, (1, 64))
    changed = x.clone()
    changed[0, 0] = (x[0, 0] + 1) % 17
    with torch.no_grad():
        moved = (net(changed) != net(x)).any(1)[0]
    assert not moved[0] and moved[1:].all()  # every later position, even the last, sees x_1


@pytest.mark.parametrize("radius", [0.5, 2.0])
def test_set_spectral_radius_sets_the_largest_eigenvalue_magnitude(radius):
    torch.manual_seed(0)
    net = RecurrentNet(num_vals=17, hidden=32, cell="tanh")
    set_spectral_radius(net, radius)
    assert torch.linalg.eigvals(net.rnn.weight_hh_l0.detach()).abs().max().item() == pytest.approx(radius, rel=1e-5)


def test_set_spectral_radius_refuses_gated_cells_and_bad_radii():
    with pytest.raises(ValueError, match="cell='tanh'"):
        set_spectral_radius(RecurrentNet(num_vals=17, hidden=4, cell="gru"), 1.0)
    with pytest.raises(ValueError, match="radius must be a positive number"):
        set_spectral_radius(RecurrentNet(num_vals=17, hidden=4, cell="tanh"), 0.0)
    with pytest.raises(TypeError, match="net must be a RecurrentNet"):
        set_spectral_radius(armlib.MODELS["rnn"](cell="tanh"), 1.0)  # the ARM, not its net


def test_input_gradient_norms_match_autograd_through_the_whole_model():
    """The gradient of the last term with respect to each step's input, taken the long way: through
    log_prob with the embedding's output kept, then reordered by distance k."""
    torch.manual_seed(0)
    model = recurrent_arm(hidden=8, cell="tanh", embedding_dim=3).double()
    x = torch.randint(17, (5, 64))
    captured = []
    hook = model.net.embedding.register_forward_hook(lambda module, args, out: captured.append(out) or out.retain_grad())
    (-model.log_prob(x, reduction="none")[:, -1].sum()).backward()
    hook.remove()
    per_step = captured[0].grad.norm(dim=2).mean(0)  # step j carries x_j, step 0 the start vector
    expected = torch.stack([per_step[64 - k] for k in range(1, 64)])
    torch.testing.assert_close(input_gradient_norms(model, x), expected)


def test_gradients_vanish_below_radius_one_and_explode_above_it():
    x = armlib.load_digits("test")[:16]
    norms = {}
    for radius in (0.5, 3.0):
        torch.manual_seed(0)
        model = recurrent_arm(hidden=64, cell="tanh")
        set_spectral_radius(model.net, radius)
        norms[radius] = input_gradient_norms(model, x)
    assert norms[0.5][-1] < 1e-6 * norms[0.5][0]
    assert norms[3.0][-1] > 1e3 * norms[3.0][0]


def test_input_gradient_norms_refuses_other_networks():
    with pytest.raises(TypeError, match="RecurrentNet"):
        input_gradient_norms(armlib.MODELS["mlp"](), torch.zeros(1, 64, dtype=torch.long))


def test_an_unknown_cell_is_refused_by_name():
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentNet(num_vals=17, cell="transformer")
