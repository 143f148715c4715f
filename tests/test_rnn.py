"""The recurrent ARM of chapter 03: shifted inputs, unbounded memory, and the gradient measurement."""
import pytest
import torch

import armlib
from armlib.models.rnn import (RecurrentNet, gru_update_gates, input_gradient_norms, recurrent_arm, set_spectral_norm,
                               set_spectral_radius)


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


@pytest.mark.parametrize("norm", [0.5, 2.0])
def test_set_spectral_norm_sets_the_largest_singular_value(norm):
    torch.manual_seed(0)
    net = RecurrentNet(num_vals=17, hidden=32, cell="tanh")
    set_spectral_norm(net, norm)
    weight = net.rnn.weight_hh_l0.detach()
    assert torch.linalg.svdvals(weight).max().item() == pytest.approx(norm, rel=1e-5)
    assert torch.linalg.eigvals(weight).abs().max().item() < norm  # the radius never exceeds the norm


@pytest.mark.parametrize("radius", [0.5, 2.0])
def test_set_spectral_radius_sets_the_largest_eigenvalue_magnitude(radius):
    torch.manual_seed(0)
    net = RecurrentNet(num_vals=17, hidden=32, cell="tanh")
    set_spectral_radius(net, radius)
    assert torch.linalg.eigvals(net.rnn.weight_hh_l0.detach()).abs().max().item() == pytest.approx(radius, rel=1e-5)


@pytest.mark.parametrize("rescale", [set_spectral_norm, set_spectral_radius])
def test_rescaling_refuses_gated_cells_and_bad_values(rescale):
    with pytest.raises(ValueError, match="cell='tanh'"):
        rescale(RecurrentNet(num_vals=17, hidden=4, cell="gru"), 1.0)
    with pytest.raises(ValueError, match="must be a positive number"):
        rescale(RecurrentNet(num_vals=17, hidden=4, cell="tanh"), 0.0)
    with pytest.raises(TypeError, match="net must be a RecurrentNet"):
        rescale(armlib.MODELS["rnn"](cell="tanh"), 1.0)  # the ARM, not its net


def test_input_gradient_norms_match_autograd_through_the_whole_model():
    """The gradient of each target term with respect to each step's input, taken the long way:
    through log_prob with the embedding's output kept, one backward pass per target, then
    reordered by distance k and averaged over targets and examples."""
    torch.manual_seed(0)
    model = recurrent_arm(hidden=8, cell="tanh", embedding_dim=3).double()
    x = torch.randint(17, (5, 20))
    model = armlib.ARM(model.net, model.head, (20,))
    max_distance = 6
    expected = torch.zeros(max_distance, dtype=torch.float64)
    for d in range(20 - max_distance + 1, 21):  # targets, counted from 1
        captured = []
        hook = model.net.embedding.register_forward_hook(lambda m, args, out: captured.append(out) or out.retain_grad())
        (-model.log_prob(x, reduction="none")[:, d - 1].sum()).backward()
        hook.remove()
        per_step = captured[0].grad.norm(dim=2)  # (B, D): step j carries x_j, step 0 the start vector
        expected += torch.stack([per_step[:, d - k].mean() for k in range(1, max_distance + 1)]) / max_distance
    torch.testing.assert_close(input_gradient_norms(model, x, max_distance), expected)


def test_input_gradient_norms_default_to_half_the_sequence_and_refuse_longer_distances():
    model = recurrent_arm(hidden=4, cell="tanh", embedding_dim=2)
    x = torch.zeros(2, 64, dtype=torch.long)
    assert input_gradient_norms(model, x).shape == (32,)
    with pytest.raises(ValueError, match="at most D // 2 = 32"):
        input_gradient_norms(model, x, 33)


def test_gradients_vanish_below_norm_one_and_explode_well_above_it():
    x = armlib.load_digits("test")[:16]
    norms = {}
    for spectral_norm in (0.5, 6.0):
        torch.manual_seed(0)
        model = recurrent_arm(hidden=64, cell="tanh")
        set_spectral_norm(model.net, spectral_norm)
        norms[spectral_norm] = input_gradient_norms(model, x)
    assert norms[0.5][-1] < 0.5 ** 30 * norms[0.5][0]  # 31 steps, each shrinking by 0.5 at least
    assert norms[6.0][-1] > 1e3 * norms[6.0][0]


def test_input_gradient_norms_refuses_other_networks():
    with pytest.raises(TypeError, match="RecurrentNet"):
        input_gradient_norms(armlib.MODELS["mlp"](), torch.zeros(1, 64, dtype=torch.long))


def test_an_unknown_cell_is_refused_by_name():
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentNet(num_vals=17, cell="transformer")


def test_gru_update_gates_rebuild_the_states_of_the_gru():
    """With the gates from gru_update_gates and the candidate n_d computed by hand, the update
    h_d = z_d h_{d-1} + (1 - z_d) n_d reproduces the states nn.GRU returns."""
    torch.manual_seed(0)
    model = recurrent_arm(hidden=6, embedding_dim=3).double()
    model = armlib.ARM(model.net, model.head, (10,))
    x = torch.randint(17, (4, 10))
    gates = gru_update_gates(model, x)
    assert gates.shape == (4, 10, 6) and ((gates > 0) & (gates < 1)).all()
    rnn, inputs = model.net.rnn, model.net.inputs(x).detach()
    with torch.no_grad():
        states, _ = rnn(inputs)
        w_ir, _, w_in = rnn.weight_ih_l0.chunk(3)
        w_hr, _, w_hn = rnn.weight_hh_l0.chunk(3)
        b_ir, _, b_in = rnn.bias_ih_l0.chunk(3)
        b_hr, _, b_hn = rnn.bias_hh_l0.chunk(3)
        h = torch.zeros(4, 6, dtype=torch.float64)
        for d in range(10):
            r = torch.sigmoid(inputs[:, d] @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
            n = torch.tanh(inputs[:, d] @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))
            h = gates[:, d] * h + (1 - gates[:, d]) * n
            torch.testing.assert_close(h, states[:, d])


def test_gru_update_gates_refuses_other_cells():
    with pytest.raises(TypeError, match="cell='gru'"):
        gru_update_gates(recurrent_arm(hidden=4, cell="lstm"), torch.zeros(1, 64, dtype=torch.long))
