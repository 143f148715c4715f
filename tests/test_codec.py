"""armlib.compress / armlib.decompress: exact round trips, a 32-byte header, a payload at the ideal code
length, and a clear error for every bad input instead of a wrong image."""
import math

import constriction
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import armlib
from armlib import codec

SMALL = ({"channels": 8, "blocks": 2}, {"channels": 8, "layers": 2}, {"channels": 8, "num_layers": 2},
         {"channels": 8}, {"hidden": 16}, {"width": 16}, {})


def small(name: str) -> armlib.ARM:
    """The registered model ``name``, untrained, as small as its builder allows."""
    torch.manual_seed(0)
    for overrides in SMALL:
        try:
            return armlib.MODELS[name](**overrides)
        except (TypeError, ValueError):
            continue
    raise AssertionError(f"cannot build {name}")


def labels(model, n):
    return None if model.num_classes is None else torch.arange(n) % model.num_classes


def round_trip(model, x, y=None, **options):
    data = armlib.compress(model, x, y, **options)
    out = armlib.decompress(model, data)
    if y is None:
        assert torch.equal(out, x)
    else:
        assert torch.equal(out[0], x) and torch.equal(out[1], y)
    return data


@pytest.fixture(scope="module")
def conv():
    return small("causal_conv1d")


@pytest.fixture(scope="module")
def conditional():
    return small("gated_pixelcnn_conditional")


@pytest.mark.parametrize("name", sorted(armlib.MODELS))
def test_every_registered_model_round_trips(name):
    model = small(name)
    x = torch.randint(model.num_vals, (3, *model.shape), generator=torch.Generator().manual_seed(1))
    data = round_trip(model, x, labels(model, 3))
    assert len(data) == codec.HEADER.size + 4 * ((len(data) - codec.HEADER.size) // 4)


def test_the_header_is_32_bytes_and_the_payload_follows_it(conv):
    x = torch.zeros(1, *conv.shape, dtype=torch.long)
    data = armlib.compress(conv, x)
    assert codec.HEADER.size == 32
    magic, version, path, *shape, count, chunk, words, tag, crc = codec.HEADER.unpack_from(data)
    assert (magic, version, codec.PATHS[path], shape, count, words) == (b"AR", 1, "cached", [64, 0, 0], 1,
                                                                          (len(data) - 32) // 4)


def test_plain_path_and_small_chunks_round_trip(conditional):
    """A stream written along the full pass is read along it (the header says so); examples coded in
    chunks (the last one short) are decoded in the same chunks."""
    x = torch.randint(17, (5, *conditional.shape), generator=torch.Generator().manual_seed(2))
    y = torch.tensor([3, 1, 4, 1, 5])
    round_trip(conditional, x, y, path="plain", chunk=5)
    data = round_trip(conditional, x, y, chunk=2)
    assert codec.HEADER.unpack_from(data)[7] == 2


def test_colour_images_round_trip_channel_by_channel():
    model = small("gated_pixelcnn_logistic_mixture_colour")
    x = torch.randint(17, (2, *model.shape), generator=torch.Generator().manual_seed(3))
    x[0, :, :2] = torch.tensor([0, 16, 8]).reshape(3, 1, 1)  # channels far apart in one pixel
    round_trip(model, x)


def extreme_images():
    fills = st.sampled_from(["zeros", "max", "noise", "stripes"])
    return st.tuples(st.integers(1, 4), fills, st.integers(0, 2 ** 31 - 1))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=extreme_images())
def test_any_valid_input_round_trips_however_improbable(conv, case):
    n, fill, seed = case
    if fill == "zeros":
        x = torch.zeros(n, 64, dtype=torch.long)
    elif fill == "max":
        x = torch.full((n, 64), 16)
    elif fill == "stripes":
        x = (torch.arange(64) % 2 * 16).repeat(n, 1)
    else:
        x = torch.randint(17, (n, 64), generator=torch.Generator().manual_seed(seed))
    round_trip(conv, x)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.integers(0, 16), min_size=64, max_size=64), label=st.integers(0, 9))
def test_any_image_and_label_round_trip_through_a_conditional_model(conditional, values, label):
    round_trip(conditional, torch.tensor(values).reshape(1, 1, 8, 8), torch.tensor([label]))


def test_thousands_of_images_round_trip_in_chunks():
    model = small("mlp")
    x = torch.randint(17, (2000, 64), generator=torch.Generator().manual_seed(4))
    x[:100] = 0
    data = round_trip(model, x, chunk=1500)
    assert len(data) < 2000 * 64 * math.log2(17) / 8 * 1.02


def test_the_payload_is_the_ideal_code_length():
    """On data drawn from the model the payload is within 1% (and a few bytes) of sum -log2 p(x)."""
    torch.manual_seed(0)
    sharp = armlib.MODELS["causal_conv1d"](channels=8)
    with torch.no_grad():  # sharper conditionals, as a trained model has: about 2 bits a pixel, not 4
        sharp.net.layers[-1].weight.mul_(8)
        sharp.net.layers[-1].bias.mul_(8)
    x = sharp.sample(200, generator=torch.Generator().manual_seed(5), cached=True)
    ideal = -sharp.log_prob(x).sum().item() / math.log(2)
    payload = 8 * (len(armlib.compress(sharp, x)) - codec.HEADER.size)
    assert ideal < 200 * 64 * math.log2(17) * 0.6  # the test means something only on a peaked model
    assert abs(payload - ideal) <= 0.01 * ideal + 64, (payload, ideal)


def test_frequencies_sum_to_the_coders_total_with_every_level_at_least_one():
    log_probs = torch.tensor([[0.0] * 17, [-1e30] * 16 + [0.0], [-float("inf")] + [0.0] * 16,
                              list(range(17))], dtype=torch.float32)
    counts = codec.frequencies(log_probs)
    assert counts.dtype == torch.int64
    assert (counts.sum(-1) == 2 ** codec.PRECISION).all() and (counts >= 1).all()
    assert counts[1, -1] == 2 ** codec.PRECISION - 16
    assert torch.equal(codec.frequencies(log_probs.clone()), counts)
    with pytest.raises(ValueError, match="not finite"):
        codec.frequencies(torch.tensor([[float("nan")] * 17]))


def test_the_coder_codes_exactly_our_counts():
    """A level of count 1 out of 2**24 costs exactly 24 bits: constriction does not requantise."""
    counts = torch.ones(1000, 17, dtype=torch.int64)
    counts[:, -1] = 2 ** 24 - 16
    encoder = constriction.stream.queue.RangeEncoder()
    family = constriction.stream.model.Categorical(perfect=False)
    encoder.encode(np.zeros(1000, dtype=np.int32), family, codec._coder_probabilities(counts))
    assert 1000 * 24 <= encoder.num_bits() <= 1000 * 24 + 64


def test_paths_give_frequency_tables_of_the_data(conv):
    x = torch.randint(17, (2, 64), generator=torch.Generator().manual_seed(6))
    for path in codec.PATHS:
        tables = codec.frequency_tables(conv, x, path=path)
        assert tables.shape == (2, 1, 64, 17) and (tables.sum(-1) == 2 ** 24).all()


def test_a_stream_written_with_the_parallel_pass_never_decodes_silently_wrong(conditional):
    x = torch.randint(17, (4, *conditional.shape), generator=torch.Generator().manual_seed(7))
    y = torch.tensor([0, 1, 2, 3])
    data = armlib.compress(conditional, x, y, path="parallel")
    try:
        out, labels_out = armlib.decompress(conditional, data)
    except codec.CorruptStream as error:
        assert error.x.shape == x.shape and "'parallel'" in str(error)
    else:
        assert torch.equal(out, x) and torch.equal(labels_out, y)


# errors: a clear ValueError, never a wrong image

def test_bytes_from_another_model_are_refused(conv):
    x = torch.zeros(1, 64, dtype=torch.long)
    other = small("causal_conv1d")
    with torch.no_grad():
        next(other.parameters()).view(-1)[0] += 1e-6
    with pytest.raises(ValueError, match="not written by this model"):
        armlib.decompress(other, armlib.compress(conv, x))
    with pytest.raises(ValueError, match="shape"):
        armlib.decompress(small("pixelcnn"), armlib.compress(conv, x))


@pytest.mark.parametrize("cut", [0, 5, 31, 32, -4, -1])
def test_a_truncated_stream_is_refused(conv, cut):
    data = armlib.compress(conv, torch.randint(17, (2, 64), generator=torch.Generator().manual_seed(8)))
    with pytest.raises(ValueError, match="truncated"):
        armlib.decompress(conv, data[:cut])


def test_extra_bytes_and_foreign_bytes_are_refused(conv):
    data = armlib.compress(conv, torch.zeros(1, 64, dtype=torch.long))
    with pytest.raises(ValueError, match="extra bytes"):
        armlib.decompress(conv, data + b"\0\0\0\0")
    with pytest.raises(ValueError, match="not an armlib stream"):
        armlib.decompress(conv, b"\x89PNG" + data[4:])
    with pytest.raises(TypeError, match="bytes"):
        armlib.decompress(conv, "a string")


@pytest.mark.parametrize("offset", [8, 12, 16, 20, 28, 32, 36, 44])
def test_a_corrupted_stream_is_refused(conv, offset):
    """A damaged header field fails the tag; a damaged payload fails to decode or the checksum."""
    x = torch.randint(17, (3, 64), generator=torch.Generator().manual_seed(9))
    data = bytearray(armlib.compress(conv, x))
    data[offset] ^= 0x5A
    with pytest.raises(ValueError):
        armlib.decompress(conv, bytes(data))


@pytest.mark.parametrize("bad, message", [
    (torch.zeros(1, 64), "integers"),
    (torch.full((1, 64), 17), r"values in \[0, 16\]"),
    (torch.full((1, 64), -1), r"values in \[0, 16\]"),
    (torch.zeros(1, 8, 8, dtype=torch.long), "shape"),
    (torch.zeros(0, 64, dtype=torch.long), "empty"),
])
def test_bad_data_are_refused(conv, bad, message):
    with pytest.raises(ValueError, match=message):
        armlib.compress(conv, bad)


def test_labels_must_come_with_a_conditional_model_only(conv, conditional):
    x = torch.zeros(2, 1, 8, 8, dtype=torch.long)
    with pytest.raises(ValueError, match="y is required"):
        armlib.compress(conditional, x)
    with pytest.raises(ValueError, match="classes in"):
        armlib.compress(conditional, x, torch.tensor([0, 10]))
    with pytest.raises(ValueError, match="integer classes"):
        armlib.compress(conditional, x, torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="not class-conditional"):
        armlib.compress(conv, torch.zeros(2, 64, dtype=torch.long), torch.tensor([0, 1]))


def test_bad_options_are_refused(conv):
    x = torch.zeros(1, 64, dtype=torch.long)
    with pytest.raises(ValueError, match="path"):
        armlib.compress(conv, x, path="fast")
    with pytest.raises(ValueError, match="chunk"):
        armlib.compress(conv, x, chunk=0)
    with pytest.raises(ValueError, match="parallel pass"):
        armlib.decompress(conv, armlib.compress(conv, x), path="parallel")
