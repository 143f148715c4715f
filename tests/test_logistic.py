"""The discretised logistic, its mixture and the PixelCNN++ head: a distribution, stable, exact to sample."""
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import armlib
from armlib.colour import load_colour_digits, tint
from armlib.heads.logistic import (DiscretizedLogistic, LogisticMixtureHead, discretized_logistic_log_prob,
                                   discretized_logistic_mixture, discretized_logistic_sample, uniform_noise)

NUM_VALS = (2, 17, 256)
LOG_SCALES = (-10.0, 5.0)
FAR = 1e3  # means this far outside [-1, 1] put almost all mass on one edge bin


def all_bins(num_vals: int, batch_dims: int = 1) -> torch.Tensor:
    return torch.arange(num_vals).reshape(-1, *[1] * batch_dims)


def random_parameters(n: int, seed: int, dtype=torch.float64):
    """Means in [-3, 3] and in the far tails, log-scales spread over [-10, 5]."""
    generator = torch.Generator().manual_seed(seed)
    near = torch.rand(n, generator=generator, dtype=dtype) * 6 - 3
    far = torch.tensor([-FAR, -10.0, 10.0, FAR], dtype=dtype)
    log_scale = torch.rand(n + 4, generator=generator, dtype=dtype) * 15 - 10
    return torch.cat([near, far]), torch.cat([log_scale[:-6], torch.tensor(LOG_SCALES * 3, dtype=dtype)])


def chi_square_critical(df: int, z: float = 3.0902) -> float:
    """The chi-square quantile at 1 - alpha by the Wilson-Hilferty cube-root approximation
    (relative error below 1% for df >= 3); z = 3.0902 is the standard normal quantile at 0.999, so a
    correct sampler fails a test once in a thousand seeds, and the seeds here are fixed."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def chi_square(counts: torch.Tensor, probs: torch.Tensor) -> tuple[float, int]:
    """Pearson's statistic and its degrees of freedom, cells with an expected count below 5 pooled."""
    expected = probs * counts.sum()
    small = expected < 5
    observed = torch.cat([counts[~small], counts[small].sum().reshape(1)])
    expected = torch.cat([expected[~small], expected[small].sum().reshape(1)])
    keep = expected > 0
    statistic = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum().item()
    return statistic, int(keep.sum()) - 1


# --- the discretised logistic --------------------------------------------------------------------

@pytest.mark.parametrize("num_vals", NUM_VALS)
def test_probabilities_over_all_bins_sum_to_one(num_vals):
    mean, log_scale = random_parameters(200, seed=num_vals)
    log_p = discretized_logistic_log_prob(all_bins(num_vals), mean, log_scale, num_vals)
    assert log_p.shape == (num_vals, len(mean))
    assert torch.allclose(log_p.logsumexp(0).exp(), torch.ones_like(mean), rtol=0, atol=1e-9)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("num_vals", NUM_VALS)
def test_value_and_gradient_are_finite_everywhere(num_vals, dtype):
    mean, log_scale = random_parameters(100, seed=1, dtype=dtype)
    mean.requires_grad_(True)
    log_scale.requires_grad_(True)
    log_p = discretized_logistic_log_prob(all_bins(num_vals), mean, log_scale, num_vals)
    log_p.sum().backward()
    assert torch.isfinite(log_p).all()
    assert torch.isfinite(mean.grad).all() and torch.isfinite(log_scale.grad).all()


def test_interior_bin_far_in_a_tail_is_exact_where_the_naive_difference_is_zero():
    # Scale 1/8 and the centre-0 bin [-1/16, 1/16] of 17 values: standardised edges a = 40 and
    # b = 39 when the mean is 1/16 - 5. Then sigma(a) - sigma(b) rounds to 1 - 1 = 0 in float64,
    # but the mass is e^-39 (1 - e^-1), the same as that of the mirrored bin on the other side.
    num_vals, x = 17, torch.tensor([8])
    log_scale = torch.tensor(math.log(1 / 8), dtype=torch.float64)
    exact = -39 + math.log(1 - math.exp(-1))
    mean = torch.tensor(1 / 16 - 5, dtype=torch.float64)
    edges = torch.tensor([40.0, 39.0], dtype=torch.float64)
    assert torch.sigmoid(edges[0]) == torch.sigmoid(edges[1])  # the naive difference is 0
    for side in (mean, -mean):
        assert discretized_logistic_log_prob(x, side, log_scale, num_vals).item() == pytest.approx(exact, rel=1e-12)


def test_matches_the_plain_difference_of_cdfs_where_that_is_accurate():
    num_vals = 17
    mean = torch.linspace(-0.9, 0.9, 7, dtype=torch.float64)
    log_scale = torch.full_like(mean, -1.5)
    x = all_bins(num_vals)
    centre = 2 * x / (num_vals - 1) - 1
    cdf_upper = torch.where(x == num_vals - 1, 1.0, torch.sigmoid((centre + 1 / 16 - mean) / log_scale.exp()))
    cdf_lower = torch.where(x == 0, 0.0, torch.sigmoid((centre - 1 / 16 - mean) / log_scale.exp()))
    log_p = discretized_logistic_log_prob(x, mean, log_scale, num_vals)
    assert torch.allclose(log_p.exp(), cdf_upper - cdf_lower, rtol=1e-12, atol=1e-15)


def test_edge_bins_take_the_whole_tails():
    # Far below -1 nearly all mass falls in the first bin, far above 1 in the last.
    low, high = torch.tensor([-FAR, FAR], dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    log_p = discretized_logistic_log_prob(all_bins(17), low, high, 17)
    assert log_p[0, 0].exp() == pytest.approx(1, abs=1e-12)
    assert log_p[-1, 1].exp() == pytest.approx(1, abs=1e-12)


def test_two_values_split_at_zero():
    # num_vals = 2: bins {-1, 1}, the boundary at 0, so P(x = 1) = sigma(mean / s).
    mean, log_scale = torch.tensor([0.3], dtype=torch.float64), torch.tensor([-0.7], dtype=torch.float64)
    p_one = discretized_logistic_log_prob(torch.tensor([1]), mean, log_scale, 2).exp()
    assert torch.allclose(p_one, torch.sigmoid(mean / log_scale.exp()), rtol=1e-14)


@settings(max_examples=100, deadline=None)
@given(num_vals=st.integers(2, 300),
       mean=st.floats(-1e4, 1e4, allow_nan=False),
       log_scale=st.floats(-10, 5, allow_nan=False))
def test_property_a_distribution_over_the_bins_with_finite_gradients(num_vals, mean, log_scale):
    mean = torch.tensor(mean, dtype=torch.float64, requires_grad=True)
    log_scale = torch.tensor(log_scale, dtype=torch.float64, requires_grad=True)
    log_p = discretized_logistic_log_prob(all_bins(num_vals, 0), mean, log_scale, num_vals)
    assert torch.isfinite(log_p).all() and (log_p <= 0).all()
    total = log_p.logsumexp(0)
    assert abs(total.exp().item() - 1) <= 1e-9
    total.backward()  # d/d(params) of log sum P = 0, and every bin's gradient is finite on the way
    assert torch.isfinite(mean.grad) and torch.isfinite(log_scale.grad)
    for value in (0, num_vals - 1, num_vals // 2):  # each bin, the edge bins included, on its own
        mean.grad = log_scale.grad = None
        discretized_logistic_log_prob(torch.tensor(value), mean, log_scale, num_vals).backward()
        assert torch.isfinite(mean.grad) and torch.isfinite(log_scale.grad)


@settings(max_examples=60, deadline=None)
@given(num_vals=st.integers(2, 300),
       mean=st.floats(-1e3, 1e3, allow_nan=False, width=32),
       log_scale=st.floats(-10, 5, allow_nan=False, width=32))
def test_property_float32_stays_finite_and_normalised(num_vals, mean, log_scale):
    mean = torch.tensor(mean, dtype=torch.float32, requires_grad=True)
    log_scale = torch.tensor(log_scale, dtype=torch.float32, requires_grad=True)
    log_p = discretized_logistic_log_prob(all_bins(num_vals, 0), mean, log_scale, num_vals)
    log_p.sum().backward()
    assert torch.isfinite(log_p).all()
    assert torch.isfinite(mean.grad) and torch.isfinite(log_scale.grad)
    assert abs(log_p.logsumexp(0).exp().item() - 1) <= 1e-5


@settings(max_examples=60, deadline=None)
@given(num_vals=st.integers(2, 300), mean=st.floats(-5, 5), log_scale=st.floats(-10, 5),
       u=st.floats(1e-12, 1 - 1e-12))
def test_property_a_draw_lands_in_the_bin_its_logistic_value_falls_in(num_vals, mean, log_scale, u):
    mean, log_scale, u = (torch.tensor(v, dtype=torch.float64) for v in (mean, log_scale, u))
    x = discretized_logistic_sample(mean, log_scale, u, num_vals)
    y = mean + log_scale.exp() * math.log(u / (1 - u))  # the logistic draw before binning
    half_width = 1 / (num_vals - 1)
    centre = 2 * x.item() / (num_vals - 1) - 1
    assert 0 <= x.item() < num_vals
    assert x.item() == 0 or y >= centre - half_width - 1e-9
    assert x.item() == num_vals - 1 or y <= centre + half_width + 1e-9


def test_sampling_frequencies_match_the_probabilities():
    torch.manual_seed(0)
    dist = DiscretizedLogistic(torch.tensor(0.3, dtype=torch.float64), torch.tensor(-1.8, dtype=torch.float64), 17)
    draws = dist.sample((40_000,))
    statistic, df = chi_square(torch.bincount(draws, minlength=17).double(), dist.log_prob(torch.arange(17)).exp())
    assert statistic < chi_square_critical(df), (statistic, df)


def test_a_biased_sampler_fails_the_chi_square_test():
    # The test can fail: draws shifted by one bin are rejected by the same statistic.
    torch.manual_seed(0)
    dist = DiscretizedLogistic(torch.tensor(0.3, dtype=torch.float64), torch.tensor(-1.8, dtype=torch.float64), 17)
    draws = (dist.sample((40_000,)) + 1).clamp(max=16)
    statistic, df = chi_square(torch.bincount(draws, minlength=17).double(), dist.log_prob(torch.arange(17)).exp())
    assert statistic > chi_square_critical(df)


@pytest.mark.parametrize("bad, error", [(1, ValueError), (2.0, TypeError), (True, TypeError)])
def test_num_vals_is_checked(bad, error):
    with pytest.raises(error, match="num_vals"):
        discretized_logistic_log_prob(torch.tensor([0]), torch.zeros(1), torch.zeros(1), bad)


def test_values_outside_the_bins_are_rejected():
    with pytest.raises(ValueError, match=r"\[0, 16\]"):
        discretized_logistic_log_prob(torch.tensor([17]), torch.zeros(1), torch.zeros(1), 17)
    with pytest.raises(ValueError, match="whole numbers"):
        discretized_logistic_log_prob(torch.tensor([0.5]), torch.zeros(1), torch.zeros(1), 17)
    with pytest.raises(TypeError, match="floating point"):
        discretized_logistic_log_prob(torch.tensor([1]), torch.zeros(1, dtype=torch.long), torch.zeros(1), 17)


# --- as torch.distributions ----------------------------------------------------------------------

def test_distribution_is_a_distribution_over_its_support():
    dist = DiscretizedLogistic(torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64), 17)
    values = dist.enumerate_support()
    assert values.shape == (17, 4, 3) and dist.support.check(values).all()
    assert torch.allclose(dist.log_prob(values).logsumexp(0).exp(), torch.ones(4, 3, dtype=torch.float64))
    draws = dist.sample((5,))
    assert draws.shape == (5, 4, 3) and draws.dtype == torch.long and dist.support.check(draws).all()
    with pytest.raises(ValueError):
        dist.log_prob(torch.full((4, 3), 17))  # outside the support


def test_mixture_distribution_is_logsumexp_of_its_components():
    logits, loc, log_scale = torch.randn(3, 2, 3, dtype=torch.float64)  # 2 mixtures of 3 components
    log_scale = log_scale - 2
    mixture = discretized_logistic_mixture(logits, loc, log_scale, 17)
    x = torch.arange(17).unsqueeze(1)
    components = discretized_logistic_log_prob(x.unsqueeze(-1), loc, log_scale, 17)
    by_hand = (F.log_softmax(logits, -1) + components).logsumexp(-1)
    assert torch.allclose(mixture.log_prob(x), by_hand)
    assert torch.allclose(mixture.log_prob(x).logsumexp(0).exp(), torch.ones(2, dtype=torch.float64))
    assert mixture.sample((3,)).shape == (3, 2)


# --- the mixture head ----------------------------------------------------------------------------

@pytest.mark.parametrize("channels, expected", [(1, 3 * 5), (2, 5 * (1 + 4 + 1)), (3, 5 * (1 + 6 + 3))])
def test_head_parameter_count(channels, expected):
    assert LogisticMixtureHead(17, num_components=5).num_params(channels) == expected


def test_head_with_one_component_equals_the_single_logistic():
    head = LogisticMixtureHead(17, num_components=1)
    params = torch.randn(6, 3, 10, dtype=torch.float64)  # (B, logit + mean + log-scale, D)
    x = torch.randint(17, (6, 1, 10))
    single = discretized_logistic_log_prob(x, params[:, 1:2], params[:, 2:3], 17)
    assert torch.allclose(head.log_prob(params, x), single, rtol=1e-12, atol=0)


def test_head_on_one_channel_equals_the_mixture_distribution():
    head = LogisticMixtureHead(17, num_components=4)
    params = torch.randn(5, 12, 7, dtype=torch.float64)
    x = torch.randint(17, (5, 1, 7))
    logits, loc, log_scale = (t.movedim(1, -1) for t in params.split(4, dim=1))
    mixture = discretized_logistic_mixture(logits, loc, log_scale, 17)
    assert torch.allclose(head.log_prob(params, x)[:, 0], mixture.log_prob(x[:, 0]))


def pixel_joint(head, params, channels):
    """Every joint configuration of one pixel's channels and its probability under the head."""
    x = torch.cartesian_prod(*[torch.arange(head.num_vals)] * channels).reshape(-1, channels, 1)
    log_p = head.log_prob(params.expand(len(x), -1, -1), x).sum(1).squeeze(1)
    return x.squeeze(2), log_p.exp()


@pytest.mark.parametrize("channels", [1, 2, 3])
def test_head_is_a_distribution_over_the_channels_of_a_pixel(channels):
    head = LogisticMixtureHead(6, num_components=3)
    params = torch.randn(1, head.num_params(channels), 1, dtype=torch.float64)
    _, p = pixel_joint(head, params, channels)
    assert p.sum().item() == pytest.approx(1, abs=1e-12)


def test_channel_terms_are_conditionals_of_the_joint():
    # log p(x_2 | x_1): summing p(x_1, x_2) over x_2 must give back p(x_1), the first term.
    head = LogisticMixtureHead(5, num_components=3)
    params = torch.randn(1, head.num_params(2), 1, dtype=torch.float64)
    x = torch.cartesian_prod(torch.arange(5), torch.arange(5)).reshape(-1, 2, 1)
    terms = head.log_prob(params.expand(len(x), -1, -1), x).squeeze(2).reshape(5, 5, 2)
    assert torch.allclose(terms[..., 1].exp().sum(1), torch.ones(5, dtype=torch.float64))
    assert torch.allclose(terms[:, 0, 0], terms[:, 3, 0])  # the first channel's term ignores the second


def test_coupling_moves_a_later_channel_with_an_earlier_one():
    head = LogisticMixtureHead(17, num_components=1)
    params = torch.zeros(2, head.num_params(2), 1)
    params[:, 3:5] = -3.0  # narrow log-scales
    params[:, 5] = 10.0  # tanh(10) ~ 1: mean_2 = c(x_1)
    x = torch.tensor([[[2], [2]], [[14], [14]]])  # the second channel equal to the first
    x_swapped = torch.tensor([[[2], [14]], [[14], [2]]])
    assert (head.log_prob(params, x)[:, 1] > head.log_prob(params, x_swapped)[:, 1] + 5).all()


@pytest.mark.parametrize("channels", [1, 3])
def test_head_sampling_frequencies_match_its_joint(channels):
    head = LogisticMixtureHead(4, num_components=3)
    generator = torch.Generator().manual_seed(1)
    params = torch.randn(1, head.num_params(channels), 1, generator=generator, dtype=torch.float64)
    n = 30_000
    draws = head.sample(params.expand(n, -1, -1), head.noise((n, channels, 1), generator, torch.float64))
    assert draws.shape == (n, channels, 1) and draws.dtype == torch.long
    configurations, p = pixel_joint(head, params, channels)
    index = (draws.squeeze(2) * 4 ** torch.arange(channels - 1, -1, -1)).sum(1)
    statistic, df = chi_square(torch.bincount(index, minlength=len(p)).double(), p)
    assert statistic < chi_square_critical(df), (statistic, df)


@pytest.mark.parametrize("channels", [1, 3])
def test_initial_bias_gives_each_component_its_own_stretch_of_values(channels):
    head = LogisticMixtureHead(17, num_components=5)
    bias = head.initial_bias(channels)
    assert bias.shape == (head.num_params(channels),)
    params = bias.double()[None, :, None]  # what a network with zero output weights predicts
    # each component alone, its weight and coupling aside: its most likely value is 0, 4, 8, 12, 16
    _, means, log_scales, coefficients = head._split(params, channels)
    values = all_bins(17, batch_dims=2)
    per_component = discretized_logistic_log_prob(values, means[0, :, :, 0], log_scales[0, :, :, 0], 17)
    assert torch.equal(per_component.argmax(0), torch.tensor([0, 4, 8, 12, 16]).expand(channels, -1))
    # sigma(1) - sigma(-1) of its mass on its own level; sigma(1) for the two on the edge bins
    own = torch.tensor([0.7311, 0.4621, 0.4621, 0.4621, 0.7311], dtype=torch.float64)
    assert torch.allclose(per_component.exp().amax(0), own.expand(channels, -1), atol=1e-4)
    assert torch.all(coefficients == 0)
    # the mixture gives every value of the first channel a fair share of the mass to start from
    x = all_bins(17, batch_dims=1).expand(-1, channels)[..., None]
    p = head.log_prob(params.expand(17, -1, -1), x)[:, 0].exp()
    assert torch.all(p > 0.01) and p.sum().item() == pytest.approx(1, abs=1e-12)


def test_head_sample_is_a_function_of_the_noise():
    head = LogisticMixtureHead(17, num_components=5)
    params = torch.randn(8, head.num_params(3), 4, 4)
    noise = head.noise((8, 3, 4, 4), torch.Generator().manual_seed(0))
    assert noise.shape == (8, 5 + 3, 4, 4)
    assert torch.equal(head.sample(params, noise), head.sample(params, noise.clone()))


def test_head_checks_its_inputs():
    head = LogisticMixtureHead(17, num_components=2)
    with pytest.raises(ValueError, match="params must have 6"):
        head.log_prob(torch.zeros(1, 5, 3), torch.zeros(1, 1, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="num_components"):
        LogisticMixtureHead(17, num_components=0)
    with pytest.raises(ValueError, match="noise"):
        head.sample(torch.zeros(1, 6, 3), torch.zeros(1, 2, 3))


# --- the head in an ARM --------------------------------------------------------------------------

class PreviousPixelNet(nn.Module):
    """A tiny causal network for the tests: each position's parameters are an affine function of
    the whole previous position (all its channels) in raster order, and of nothing else."""

    def __init__(self, channels: int, num_params: int, num_vals: int):
        super().__init__()
        self.num_vals = num_vals
        self.project = nn.Conv1d(channels, num_params, kernel_size=1)

    def forward(self, x):
        images = x.dim() == 4
        flat = (x.flatten(2) if images else x.unsqueeze(1)).to(self.project.weight.dtype) / (self.num_vals - 1)
        previous = F.pad(flat, (1, 0))[..., :-1]
        params = self.project(previous)
        return params.reshape(len(x), -1, *x.shape[2:]) if images else params


def mixture_arm(shape, num_vals=17, num_components=3):
    head = LogisticMixtureHead(num_vals, num_components)
    channels = shape[0] if len(shape) == 3 else 1
    torch.manual_seed(0)
    return armlib.ARM(PreviousPixelNet(channels, head.num_params(channels), num_vals), head, shape)


@pytest.mark.parametrize("shape", [(3, 3, 3), (2, 2, 3), (1, 4, 4), (10,)])
def test_arm_with_the_head_is_autoregressive_across_pixels_and_channels(shape):
    armlib.check_autoregressive(mixture_arm(shape))


class LeakyCouplingHead(LogisticMixtureHead):
    """A broken head: a channel's mean also moves with the next channel of its pixel."""

    @staticmethod
    def _channel_mean(c, means, coefficients, centres):
        mean = LogisticMixtureHead._channel_mean(c, means, coefficients, centres)
        return mean + 0.1 * centres[:, (c + 1) % centres.shape[1]]


def test_check_catches_a_head_that_couples_to_a_later_channel():
    model = mixture_arm((3, 2, 2))
    model.head = LeakyCouplingHead(17, 3)
    with pytest.raises(armlib.NotAutoregressive, match=r"x\[0, 0, 0\] changes when x\[1, 0, 0\]"):
        armlib.check_autoregressive(model)


def test_arm_with_the_head_sums_to_one_over_every_image():
    assert armlib.total_probability(mixture_arm((2, 1, 2), num_vals=4)) == pytest.approx(1, abs=1e-10)


def test_arm_samples_are_reproducible_and_in_range():
    model = mixture_arm((3, 3, 3))
    first = model.sample(4, generator=torch.Generator().manual_seed(3))
    again = model.sample(4, generator=torch.Generator().manual_seed(3))
    assert first.shape == (4, 3, 3, 3) and torch.equal(first, again)
    assert 0 <= first.min() and first.max() <= 16


def test_uniform_noise_is_strictly_inside_the_unit_interval():
    u = uniform_noise((100_000,), torch.Generator().manual_seed(0), torch.float32)
    assert (u > 0).all() and (u < 1).all()


# --- colour digits -------------------------------------------------------------------------------

def test_colour_digits_are_digits_in_ink_on_white_paper():
    grey = armlib.as_images(armlib.load_digits("test"))
    colour = load_colour_digits("test")
    assert colour.shape == (447, 3, 8, 8) and colour.dtype == torch.long
    assert colour.min() >= 0 and colour.max() <= 16
    assert (colour[grey.expand_as(colour) == 0] == 16).all()  # blank paper is white in every channel
    ink = grey == 16
    assert not torch.equal(colour[:, 0:1][ink], colour[:, 1:2][ink])  # the inks differ between channels
    assert torch.equal(colour, load_colour_digits("test"))  # the same digit, the same ink


def test_tint_checks_the_inks():
    with pytest.raises(ValueError, match="ink must have shape"):
        tint(torch.zeros(2, 64, dtype=torch.long), torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        tint(torch.zeros(2, 64, dtype=torch.long), torch.full((2, 3), 1.5))


# --- the gated PixelCNN with the mixture head ----------------------------------------------------

def test_gated_pixelcnn_for_head_changes_only_its_two_ends():
    head = LogisticMixtureHead(17, num_components=4)
    net = armlib.gated_pixelcnn_for_head(head, 3, channels=8, blocks=3, kernel_size=5, dropout=0.1)
    plain = armlib.GatedPixelCNN(channels=8, blocks=3, kernel_size=5, dropout=0.1)
    assert net.to_logits[-1].out_channels == head.num_params(3) == 40
    assert net.blocks[0].vertical.conv.in_channels == 3 * 17 and net.blocks[0].first
    assert net.blocks[0].vertical.conv.kernel_size == plain.blocks[0].vertical.conv.kernel_size
    assert net.blocks[0].dropout.p == 0.1
    assert [type(b) for b in net.blocks] == [type(b) for b in plain.blocks]
    assert net(torch.randint(17, (2, 3, 8, 8))).shape == (2, 40, 8, 8)
    assert torch.equal(net.to_logits[-1].bias.detach(), head.initial_bias(3))


@pytest.mark.parametrize("name", ["gated_pixelcnn_logistic_mixture", "gated_pixelcnn_logistic_mixture_colour"])
def test_registered_mixture_models_are_autoregressive(name):
    model = armlib.MODELS[name](channels=8, blocks=3)
    armlib.check_autoregressive(model)
    assert isinstance(model.head, LogisticMixtureHead)


def test_colour_model_can_be_class_conditional_and_stays_causal():
    model = armlib.MODELS["gated_pixelcnn_logistic_mixture_colour"](channels=8, blocks=2, num_classes=10)
    assert model.net.blocks[0].class_bias is not None
    armlib.check_autoregressive(model)


def test_colour_model_learns_the_later_channels_from_the_earlier_ones():
    # A few steps on colour digits: the green and blue terms, which the head couples to red, fall
    # below the red term, which has only the earlier pixels to go on.
    torch.manual_seed(0)
    model = armlib.MODELS["gated_pixelcnn_logistic_mixture_colour"](channels=16, blocks=3)
    x = load_colour_digits("train")[:256]
    armlib.fit(model, x, x[:64], epochs=3, lr=5e-3, progress=False)
    with torch.no_grad():
        per_channel = -model.log_prob(x[:64], reduction="none").sum((2, 3)).mean(0)
    assert per_channel[1] < per_channel[0] and per_channel[2] < per_channel[0], per_channel
