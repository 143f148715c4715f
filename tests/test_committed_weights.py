"""Every weight file in results/ is the model its chapter trained: loaded into a model built with
the chapter's settings, it scores the test NLL the chapter recorded (in the ladder) or printed. Later
chapters and the solutions load these files instead of training the models again, so a file that
drifted from its chapter would make their numbers about another model."""
import re
from pathlib import Path

import jupytext
import pytest

import armlib
from armlib import ladder
from armlib.models.conv1d import DilatedConvNet

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
GATED = {"channels": 32, "blocks": 8, "dropout": 0.2}  # chapter 06's network, kept by 07 and 09


def digits_test_split():
    return (armlib.as_images(armlib.load_digits("test")),)


def labelled_test_split():
    x, y = armlib.load_digits("test", return_labels=True)
    return armlib.as_images(x), y


def printed_nats(chapter: str, label: str) -> float:
    """The test NLL ``chapter``'s committed notebook printed on the line starting with ``label``."""
    outputs = "".join(output.get("text", "") for cell in jupytext.read(NOTEBOOKS / f"{chapter}.ipynb").cells
                      if cell.cell_type == "code" for output in cell.get("outputs", []))
    found = re.search(rf"^{re.escape(label)}\s+test NLL ([\d.]+) nats per image", outputs, re.M)
    assert found, f"{chapter} printed no test NLL for {label!r}"
    return float(found.group(1))


def dilated(num_vals):
    return armlib.ARM(DilatedConvNet(num_vals, channels=32), armlib.Categorical(num_vals), (armlib.DIGIT_LENGTH,))


# weight file -> (the model its chapter built, the test data with labels if any, the number recorded)
WEIGHTS = {
    "06_gated_pixelcnn": (lambda: armlib.MODELS["gated_pixelcnn"](**GATED), digits_test_split,
                          lambda: ladder.find("06_gated_pixelcnn", "gated PixelCNN")["test_nats"]),
    "07_class_conditioning": (
        lambda: armlib.MODELS["gated_pixelcnn_conditional"](**GATED), labelled_test_split,
        lambda: ladder.find("07_class_conditioning", "gated PixelCNN given the class (conditional NLL)")["test_nats"]),
    "09_mixture_head_and_colour": (
        lambda: armlib.MODELS["gated_pixelcnn_logistic_mixture"](num_components=5, **GATED), digits_test_split,
        lambda: ladder.find("09_mixture_head_and_colour", "gated PixelCNN, mixture of 5 discretised logistics")["test_nats"]),
    "10_fast_sampling_digits": (lambda: dilated(armlib.NUM_VALS), lambda: (armlib.load_digits("test"),),
                                lambda: printed_nats("10_fast_sampling", "digits")),
    "10_fast_sampling_binarised": (lambda: dilated(2), lambda: (armlib.binarise(armlib.load_digits("test")),),
                                   lambda: printed_nats("10_fast_sampling", "binarised digits")),
    "11_attention_hybrid": (lambda: armlib.MODELS["transformer_hybrid"](), digits_test_split,
                            lambda: ladder.find("11_attention", "hybrid: 6 gated blocks + 1 attention block")["test_nats"]),
}


def test_every_weight_file_is_checked():
    assert {path.stem for path in ladder.COMMITTED_RESULTS.glob("*.pt")} == set(WEIGHTS)


@pytest.mark.parametrize("name", sorted(WEIGHTS))
def test_the_committed_weights_score_what_their_chapter_recorded(name):
    build, data, recorded = WEIGHTS[name]
    score = armlib.evaluate(ladder.load_weights(name, build()), *data())
    # the record is rounded to 0.01 nats; another CPU may round the last digits of the sum differently
    assert abs(score.nats - recorded()) <= 0.006, (name, score.nats, recorded())


def test_missing_weights_are_named():
    with pytest.raises(FileNotFoundError, match="no weights 'nonexistent'"):
        ladder.load_weights("nonexistent", dilated(2))
