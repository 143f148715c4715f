"""A class-conditional ARM mixed over its classes."""
import pytest
import torch

import armlib
from armlib.class_mixture import ClassMixture
from armlib.models.gated_pixelcnn import GatedPixelCNN


def tiny_conditional(num_classes=3):
    torch.manual_seed(0)
    net = GatedPixelCNN(num_vals=3, channels=4, blocks=2, num_classes=num_classes, dropout=0.0)
    for block in net.blocks:
        torch.nn.init.normal_(block.class_bias.weight)  # make the classes differ
    return armlib.ARM(net, armlib.Categorical(3), (1, 2, 2))


def every_image():
    return torch.cartesian_prod(*[torch.arange(3)] * 4).reshape(-1, 1, 2, 2)


def test_the_mixture_is_a_distribution_and_its_posterior_sums_to_one():
    mixture = ClassMixture(tiny_conditional(), torch.tensor([0.2, 0.5, 0.3])).double()
    x = every_image()
    assert mixture.log_prob(x).logsumexp(0).exp().item() == pytest.approx(1.0, abs=1e-12)
    assert torch.allclose(mixture.posterior(x).sum(1), torch.ones(len(x), dtype=torch.float64))


def test_the_mixture_is_the_weighted_sum_of_the_conditionals():
    conditional = tiny_conditional()
    probs = torch.tensor([0.2, 0.5, 0.3])
    x = every_image()[:10]
    expected = sum(p * conditional.log_prob(x, y).exp() for y, p in enumerate(probs)).log()
    assert torch.allclose(ClassMixture(conditional, probs).log_prob(x), expected, atol=1e-5)
    # all the weight on one class: the conditional model itself
    only_one = ClassMixture(conditional, torch.tensor([0.0, 1.0, 0.0]))
    assert torch.allclose(only_one.log_prob(x), conditional.log_prob(x, 1))


def test_sampling_draws_a_class_then_an_image_given_it():
    mixture = ClassMixture(tiny_conditional(), torch.tensor([0.2, 0.5, 0.3]))
    draws = mixture.sample(5, generator=torch.Generator().manual_seed(0))
    generator = torch.Generator().manual_seed(0)
    classes = torch.multinomial(torch.tensor([0.2, 0.5, 0.3], dtype=torch.float64), 5, replacement=True,
                                generator=generator)
    assert torch.equal(draws, mixture.conditional.sample(5, classes, generator))


class ClassLogits(torch.nn.Module):
    """A class-conditional network that ignores the pixels: its own logits per class and pixel, far
    apart, so a sampler that weighted the classes wrongly would show."""

    num_classes = 3

    def __init__(self):
        super().__init__()
        self.logits = torch.nn.Parameter(3 * torch.randn(3, 3, 2, 2, generator=torch.Generator().manual_seed(0)))

    def forward(self, x, y):
        return self.logits[y]


def test_the_draws_follow_the_mixtures_own_probabilities():
    """Over all 81 images, the frequencies of 20,000 draws match p(x): their total variation
    distance is at the level of sampling noise (about 0.03 at most), and a mixture with the classes
    weighted alike is much further away."""
    conditional = armlib.ARM(ClassLogits(), armlib.Categorical(3), (1, 2, 2)).double()
    mixture = ClassMixture(conditional, torch.tensor([0.2, 0.5, 0.3]))
    draws = mixture.sample(20_000, generator=torch.Generator().manual_seed(1))
    index = (draws.flatten(1) * torch.tensor([27, 9, 3, 1])).sum(1)
    frequencies = torch.bincount(index, minlength=81).double() / len(draws)
    with torch.no_grad():
        probabilities = mixture.log_prob(every_image()).exp()
        classes_alike = ClassMixture(conditional, torch.ones(3) / 3).log_prob(every_image()).exp()
    assert 0.5 * (frequencies - probabilities).abs().sum() < 0.03
    assert 0.5 * (classes_alike - probabilities).abs().sum() > 0.1


def test_evaluate_scores_the_mixture_like_any_model():
    mixture = ClassMixture(tiny_conditional(), torch.tensor([0.2, 0.5, 0.3]))
    x = every_image()
    assert armlib.evaluate(mixture, x).nats == pytest.approx(-mixture.log_prob(x).mean().item(), rel=1e-6)


@pytest.mark.parametrize("probs", [[0.5, 0.5], [0.5, 0.6, -0.1], [0.3, 0.3, 0.3]])
def test_bad_class_probabilities_are_refused(probs):
    with pytest.raises(ValueError, match="class_probs"):
        ClassMixture(tiny_conditional(), torch.tensor(probs))


def test_an_unconditional_model_or_a_label_is_refused():
    with pytest.raises(ValueError, match="class-conditional"):
        ClassMixture(armlib.MODELS["gated_pixelcnn"](channels=4, blocks=1), torch.full((10,), 0.1))
    with pytest.raises(ValueError, match="unconditional"):
        ClassMixture(tiny_conditional(), torch.tensor([0.2, 0.5, 0.3])).log_prob(every_image()[:2], 1)


def test_the_posterior_is_taken_in_eval_mode():
    torch.manual_seed(0)
    net = GatedPixelCNN(num_vals=3, channels=4, blocks=2, num_classes=3, dropout=0.5)
    mixture = ClassMixture(armlib.ARM(net, armlib.Categorical(3), (1, 2, 2)), torch.tensor([0.2, 0.5, 0.3]))
    mixture.train()
    x = every_image()[:6]
    assert torch.equal(mixture.posterior(x), mixture.posterior(x)) and mixture.training


def test_completion_keeps_the_given_pixels_and_reads_the_class_from_them():
    conditional = tiny_conditional()
    x = every_image()[:4]
    mixture = ClassMixture(conditional, torch.tensor([0.2, 0.5, 0.3]))
    completed = mixture.complete(x, 2, torch.Generator().manual_seed(0))
    assert torch.equal(completed[..., 0, :], x[..., 0, :])
    assert torch.equal(mixture.complete(x, 4), x)
    # with all the prior weight on one class the completion is the conditional model's
    certain = ClassMixture(conditional, torch.tensor([0.0, 0.0, 1.0]))
    assert torch.equal(certain.complete(x, 1, torch.Generator().manual_seed(3)),
                       complete_after_class(conditional, x, 1, 2, seed=3))


def complete_after_class(conditional, x, given, y, seed):
    generator = torch.Generator().manual_seed(seed)
    certain = torch.zeros(len(x), 3)
    certain[:, y] = 1
    torch.multinomial(certain, 1, generator=generator)  # the class draw the mixture makes
    return armlib.complete(conditional, x, given, y, generator)
