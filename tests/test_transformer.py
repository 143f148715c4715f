"""The causal Transformer of the attention chapter: its mask, its positions, its KV cache, its maps."""
import math
from itertools import product

import pytest
import torch

import armlib
from armlib.layers import CausalSelfAttention, KVCache, attention, relative_offsets
from armlib.models.transformer import CausalTransformer
from armlib.modes import evaluating

SMALL = {"width": 16, "layers": 2, "heads": 2}


def with_random_relative_scores(net):
    """Fresh relative scores depend on an offset's length only, so they would hide a swapped row and
    column offset; random ones do not."""
    with torch.no_grad():
        for block in net.blocks:
            if block.attention.relative is not None:
                block.attention.relative.normal_()
    return net


def image_model(**overrides):
    torch.manual_seed(0)
    net = with_random_relative_scores(CausalTransformer(grid=(5, 6), **{**SMALL, **overrides}))
    return armlib.ARM(net, armlib.Categorical(armlib.NUM_VALS), (1, 5, 6))


def sequence_model(**overrides):
    torch.manual_seed(0)
    net = with_random_relative_scores(CausalTransformer(grid=(11,), **{**SMALL, "positions": "1d", **overrides}))
    return armlib.ARM(net, armlib.Categorical(armlib.NUM_VALS), (11,))


def colour_model():
    torch.manual_seed(0)
    head = armlib.LogisticMixtureHead(armlib.NUM_VALS, num_components=2)
    net = CausalTransformer(grid=(4, 3), image_channels=3, num_params=head.num_params(3),
                            output_bias=head.initial_bias(3), conv_kernel_size=3, **SMALL)
    return armlib.ARM(net, head, (3, 4, 3))


VARIANTS = {
    "default": lambda: image_model(),
    "rows_columns": lambda: image_model(positions="rows_columns", relative_bias=False),
    "1d": lambda: image_model(positions="1d", relative_bias=False),
    "no_positions_value_input": lambda: image_model(relative_bias=False, inputs="value"),
    "masked_conv_5": lambda: image_model(conv_kernel_size=5),
    "gated_front": lambda: image_model(gated_blocks=2, gated_channels=8, dropout=0.3),
    "mlp_width_8_one_head": lambda: image_model(mlp_width=8, heads=1),
    "relative_bias_and_rows_columns": lambda: image_model(positions="rows_columns"),
    "sequence_1d": lambda: sequence_model(relative_bias=False),
    "sequence_relative_bias": lambda: sequence_model(positions="none"),
    "colour_logistic_mixture": colour_model,
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_is_autoregressive(name):
    armlib.check_autoregressive(VARIANTS[name]())


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_step_gives_the_full_pass_at_its_position(name):
    model = VARIANTS[name]().double()
    x = torch.randint(model.num_vals, (3, *model.shape), generator=torch.Generator().manual_seed(1))
    channel_first = x.unsqueeze(1) if len(model.shape) == 1 else x
    with torch.no_grad(), evaluating(model):
        full = model.params(x)
        step = model.stepper(3)
        for position in product(*map(range, model.positions)):
            torch.testing.assert_close(step(channel_first, position), full[(..., *position)], rtol=0, atol=1e-10)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_cached_samples_are_the_plain_samples(name, dtype):
    model = VARIANTS[name]().to(dtype)
    noise = model.noise(4, torch.Generator().manual_seed(2))
    assert torch.equal(model.sample_from_noise(noise, cached=True), model.sample_from_noise(noise))


def test_the_registered_model_samples_the_same_cached_after_some_training():
    """Trained weights make sharper, more varied logits than fresh ones; the cache must still agree."""
    model = armlib.MODELS["transformer"](width=32, layers=2)
    armlib.fit(model, armlib.as_images(armlib.load_digits("train"))[:64],
               armlib.as_images(armlib.load_digits("val"))[:32], epochs=2, batch_size=16, lr=3e-3, progress=False)
    for dtype in (torch.float32, torch.float64):
        model = model.to(dtype)
        noise = model.noise(8, torch.Generator().manual_seed(3))
        assert torch.equal(model.sample_from_noise(noise, cached=True), model.sample_from_noise(noise))


def test_without_its_mask_the_network_is_caught_reading_the_future():
    model = image_model(mask=False)
    with pytest.raises(armlib.NotAutoregressive, match="change when"):
        armlib.check_autoregressive(model)
    with pytest.raises(ValueError, match="without its causal mask"):
        model.stepper(1)


def test_the_input_is_shifted_right_behind_a_start_vector():
    net = image_model().net.double().eval()
    x = torch.randint(17, (2, 1, 5, 6))
    tokens = net.tokens(x)
    first = net.start + net.position_table()[0]
    torch.testing.assert_close(tokens[:, 0], first.expand(2, -1))
    # position d holds x_{d-1}: changing the last pixel changes no input at all
    changed = x.clone()
    changed[:, 0, -1, -1] = (changed[:, 0, -1, -1] + 1) % 17
    assert torch.equal(net.tokens(changed), tokens)


def test_row_and_column_embeddings_add_one_vector_per_row_and_one_per_column():
    net = image_model(positions="rows_columns").net
    table = net.position_table().reshape(5, 6, -1)
    for i, j in [(0, 0), (2, 5), (4, 3)]:
        torch.testing.assert_close(table[i, j], net.row[i, 0] + net.column[0, j])
    assert table.shape == (5, 6, SMALL["width"])
    assert torch.equal(image_model(positions="none").net.position_table(), torch.zeros(30, SMALL["width"]))


def test_a_float64_copy_reads_integer_input_in_its_own_dtype():
    model = image_model(inputs="levels").double()
    assert model.params(torch.randint(17, (2, 1, 5, 6))).dtype == torch.float64


def explicit_attention(q, k, v, causal):
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if causal:
        scores = scores.masked_fill(torch.ones(scores.shape[-2:], dtype=torch.bool).triu(1), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


@pytest.mark.parametrize("causal", [True, False])
def test_attention_is_the_softmax_of_scaled_scores_averaging_the_values(causal):
    generator = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 7, 4, generator=generator, dtype=torch.float64) for _ in range(3))
    torch.testing.assert_close(attention(q, k, v, causal), explicit_attention(q, k, v, causal))


def test_attention_weights_are_a_causal_average_and_give_the_layers_output():
    torch.manual_seed(0)
    layer = CausalSelfAttention(12, 3).double()
    h = torch.randn(2, 9, 12, dtype=torch.float64)
    weights = layer.weights(h)
    assert weights.shape == (2, 3, 9, 9)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 9, dtype=torch.float64))
    assert torch.equal(weights.triu(1), torch.zeros_like(weights))  # no weight on the future
    _, _, v = layer.project(h)
    torch.testing.assert_close(layer.merge(weights @ v), layer(h))


def test_the_network_returns_every_layers_attention_maps():
    model = image_model(dropout=0.5)
    x = torch.randint(17, (2, 1, 5, 6))
    model.train()
    maps = model.net.attention_weights(x)
    assert model.training  # its mode is given back
    assert len(maps) == SMALL["layers"] and all(m.shape == (2, SMALL["heads"], 30, 30) for m in maps)
    assert all(torch.equal(m.triu(1), torch.zeros_like(m)) for m in maps)
    # the first layer's map is the first block's attention on its normalised input
    net = model.net.eval()
    with torch.no_grad():
        first = net.blocks[0].attention.weights(net.blocks[0].attention_norm(net.tokens(x)))
    torch.testing.assert_close(maps[0], first)


def test_the_kv_cache_reproduces_the_attention_position_by_position_and_refuses_more():
    torch.manual_seed(0)
    layer = CausalSelfAttention(8, 2).double()
    h = torch.randn(3, 6, 8, dtype=torch.float64)
    cache = layer.cache(3, 6)
    assert isinstance(cache, KVCache)
    with torch.no_grad():
        full = layer(h)
        for t in range(6):
            torch.testing.assert_close(cache(h[:, t]), full[:, t], rtol=0, atol=1e-12)
        with pytest.raises(ValueError, match="full"):
            cache(h[:, 0])


def test_relative_offsets_index_the_row_and_column_difference():
    offsets = relative_offsets((3, 4))  # differences: rows -2..2, columns -3..3, 5 x 7 of them
    assert offsets.shape == (12, 12) and offsets.min() == 0 and offsets.max() == 5 * 7 - 1
    rank = {(i, j): i * 4 + j for i in range(3) for j in range(4)}
    # the same offset, anywhere on the grid, has the same index; another offset another one
    assert offsets[rank[1, 2], rank[0, 1]] == offsets[rank[2, 3], rank[1, 2]] == (1 + 2) * 7 + (1 + 3)
    assert offsets[rank[1, 2], rank[0, 2]] != offsets[rank[1, 2], rank[0, 1]]
    assert torch.equal(relative_offsets((5,)), torch.arange(5)[:, None] - torch.arange(5) + 4)


def test_shifted_keys_are_indexed_by_the_element_they_carry():
    plain, shifted = relative_offsets((3, 4)), relative_offsets((3, 4), key_shift=1)
    assert torch.equal(shifted[:, 1:], plain[:, :-1])  # key position s carries element s - 1
    assert (shifted[:, 0] == 5 * 7).all()  # the start vector carries none: an index of its own


def test_the_pixel_above_is_one_offset_for_every_query_of_the_transformer():
    net = image_model().net  # random relative scores on a 5 x 6 grid
    bias = net.blocks[0].attention.score_bias()  # (heads, D, D): query t predicts pixel t, key s holds pixel s - 1
    height, width = net.grid
    rank = lambda r, c: r * width + c
    above = {tuple(bias[:, rank(r, c), rank(r - 1, c) + 1].tolist()) for r in range(1, height) for c in range(width)}
    left = {tuple(bias[:, rank(r, c), rank(r, c - 1) + 1].tolist()) for r in range(height) for c in range(1, width)}
    assert len(above) == 1 and len(left) == 1 and above != left


def test_the_kv_cache_keeps_keys_and_values_only():
    net = image_model().net
    stepper = net.stepper(2, net.grid)
    for cache in stepper.caches:
        tensors = [value for value in vars(cache).values() if isinstance(value, torch.Tensor)]
        assert all(t.shape[:3] == (2, cache.layer.heads, net.length) for t in tensors), [t.shape for t in tensors]


def test_relative_scores_are_added_to_every_query_and_key_at_that_offset():
    torch.manual_seed(0)
    layer = CausalSelfAttention(8, 2, relative=(3, 3)).double()
    with torch.no_grad():
        layer.relative.normal_()
    h = torch.randn(2, 9, 8, dtype=torch.float64)
    q, k, v = layer.project(h)
    scores = q @ k.transpose(-1, -2) / math.sqrt(4) + layer.relative[:, relative_offsets((3, 3))]
    scores = scores.masked_fill(torch.ones(9, 9, dtype=torch.bool).triu(1), float("-inf"))
    torch.testing.assert_close(layer.weights(h), torch.softmax(scores, -1).expand(2, 2, 9, 9))


def test_a_stepper_is_refused_for_another_grid():
    with pytest.raises(ValueError, match="built for the grid"):
        image_model().net.stepper(1, (8, 8))


@pytest.mark.parametrize("overrides, error", [
    ({"width": 0}, ValueError), ({"layers": 2.0}, TypeError), ({"heads": 3}, ValueError),
    ({"dropout": 1.0}, ValueError), ({"positions": "2d"}, ValueError), ({"inputs": "onehot"}, ValueError),
    ({"conv_kernel_size": 4}, ValueError), ({"gated_blocks": -1}, ValueError), ({"grid": (2, 2, 2)}, ValueError),
    ({"mlp_width": 0}, ValueError), ({"num_params": 0}, ValueError), ({"image_channels": 0}, ValueError),
    ({"num_vals": 0}, ValueError), ({"output_bias": torch.zeros(3)}, ValueError), ({"gated_channels": 0}, ValueError)])
def test_bad_transformer_settings_are_refused(overrides, error):
    settings = {"width": 16, "heads": 4, **overrides}
    if "gated_channels" in overrides:
        settings["gated_blocks"] = 1
    with pytest.raises(error, match=next(iter(overrides))):
        CausalTransformer(**settings)


@pytest.mark.parametrize("overrides, named", [
    ({"positions": "rows_columns"}, "positions='rows_columns'"), ({"conv_kernel_size": 3}, "conv_kernel_size"),
    ({"gated_blocks": 1}, "gated_blocks"), ({"image_channels": 3}, "image_channels")])
def test_image_only_settings_are_refused_for_sequences(overrides, named):
    with pytest.raises(ValueError, match=named):
        CausalTransformer(grid=(64,), **{"positions": "1d", **overrides})
