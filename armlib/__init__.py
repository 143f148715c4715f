"""armlib: the package every chapter of the armlib book imports.

Where things live, one home per idea:

- data: ``data`` (the digits), ``colour`` (their colour version);
- layers: ``layers``, the causal building blocks and their one-position steps;
- models: ``models``, one module per network family, and ``MODELS``, every chapter's model by name;
- heads: ``heads``, from a network's parameters to log-probabilities and draws;
- the model: ``arm.ARM`` joins a network and a head, and holds the one raster loop;
- sampling: ``sampling``, the plain, cached and predictive samplers and completion;
  ``class_mixture``, a class-conditional model summed over its classes;
- compression: ``codec``, ``compress`` and ``decompress``, the model as a lossless codec;
- training and scoring: ``train.fit``, ``metrics``;
- diagnostics: ``diagnostics``, causality and normalisation checks, receptive fields;
- the book's tooling: ``book`` (listings, figures, tables, plots, diagrams, the ladder),
  ``reproducibility`` (seeds, threads, the machine a timing ran on).
"""
from . import book, codec, heads, layers, models, sampling
from .arm import ARM
from .book import diagrams, ladder, plots, show_figure, show_source
from .book.plots import show_receptive_field
from .class_mixture import ClassMixture
from .codec import compress, decompress
from .colour import COLOUR_SHAPE, load_colour_digits
from .data import DIGIT_LENGTH, IMAGE_SHAPE, NUM_VALS, as_images, binarise, load_digits
from .diagnostics import (NotAutoregressive, blind_spot, check_autoregressive, field_map, influencing_positions,
                          input_dependence, position_gradient, raster_past, receptive_field, total_probability)
from .heads import (Categorical, DiscretizedLogistic, LogisticMixtureHead, discretized_logistic_log_prob,
                    discretized_logistic_mixture)
from .layers import CausalConv1d, MaskedConv2d, Stepper, causal_mask, gate
from .metrics import Score, bits_per_dim, evaluate, uniform_nats
from .models import (MODELS, CausalTransformer, DilatedConvNet, FiniteMemoryMLP, GatedPixelCNN, PixelCNN, RecurrentNet,
                     TomczakConvNet, gated_pixelcnn_for_head, register, set_spectral_radius)
from .models.rnn import input_gradient_norms
from .reproducibility import machine, seed_everything, setup
from .sampling import complete
from .train import History, TrainingDiverged, fit

__all__ = [
    "ARM", "Categorical", "History", "IMAGE_SHAPE", "DIGIT_LENGTH", "MODELS", "NUM_VALS", "NotAutoregressive", "Score",
    "TrainingDiverged", "as_images", "binarise", "bits_per_dim", "check_autoregressive", "evaluate", "fit",
    "load_digits", "machine", "register", "seed_everything", "setup", "show_figure", "show_source",
    "total_probability", "uniform_nats",
    "COLOUR_SHAPE", "DiscretizedLogistic", "LogisticMixtureHead", "discretized_logistic_log_prob",
    "discretized_logistic_mixture", "gated_pixelcnn_for_head", "load_colour_digits",
    "FiniteMemoryMLP", "RecurrentNet", "input_gradient_norms", "set_spectral_radius",
    "CausalConv1d", "DilatedConvNet", "TomczakConvNet", "input_dependence", "receptive_field",
    "ClassMixture", "GatedPixelCNN", "MaskedConv2d", "PixelCNN", "Stepper", "blind_spot", "causal_mask", "complete",
    "CausalTransformer",
    "field_map", "gate", "influencing_positions", "position_gradient", "raster_past", "show_receptive_field",
    "codec", "compress", "decompress",
    "book", "diagrams", "heads", "ladder", "layers", "models", "plots", "sampling",
]
