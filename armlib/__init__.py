"""armlib: the package every chapter of the armlib book imports.

One home per idea: data, likelihood heads, causal layers and networks, the ARM that joins a network
to a head, the training loop, the metric, the checks and the figures.
"""
from . import ladder, plots
from .arm import ARM
from .checks import NotAutoregressive, check_autoregressive, total_probability
from .class_mixture import ClassMixture
from .colour import COLOUR_SHAPE, load_colour_digits
from .completion import complete
from .conv1d import CausalConv1d, DilatedConvNet, TomczakConvNet, input_dependence, receptive_field
from .data import IMAGE_SHAPE, NUM_VALS, as_images, binarise, load_digits
from .display import show_figure, show_source
from .gated_pixelcnn import GatedPixelCNN
from .heads import Categorical
from .logistic import (DiscretizedLogistic, LogisticMixtureHead, discretized_logistic_log_prob,
                       discretized_logistic_mixture)
from .metrics import Score, bits_per_dim, evaluate, uniform_nats
from .mlp import FiniteMemoryMLP
from .pixelcnn import MaskedConv2d, PixelCNN, causal_mask
from .pixelcnn_pp import gated_pixelcnn_for_head
from .receptive_field_2d import (blind_spot, field_map, influencing_positions, position_gradient, raster_past,
                                 show_receptive_field)
from .registry import MODELS, register
from .reproducibility import machine, seed_everything, setup
from .rnn import RecurrentNet, input_gradient_norms, set_spectral_radius
from .train import History, TrainingDiverged, fit

__all__ = [
    "ARM", "Categorical", "History", "IMAGE_SHAPE", "MODELS", "NUM_VALS", "NotAutoregressive", "Score",
    "TrainingDiverged", "as_images", "binarise", "bits_per_dim", "check_autoregressive", "evaluate", "fit",
    "load_digits", "machine", "register", "seed_everything", "setup", "show_figure", "show_source", "total_probability", "uniform_nats",
    "COLOUR_SHAPE", "DiscretizedLogistic", "LogisticMixtureHead", "discretized_logistic_log_prob",
    "discretized_logistic_mixture", "gated_pixelcnn_for_head", "load_colour_digits",
    "FiniteMemoryMLP", "RecurrentNet", "input_gradient_norms", "set_spectral_radius",
    "CausalConv1d", "DilatedConvNet", "TomczakConvNet", "input_dependence", "receptive_field",
    "ClassMixture", "GatedPixelCNN", "MaskedConv2d", "PixelCNN", "blind_spot", "causal_mask", "complete",
    "field_map", "influencing_positions", "position_gradient", "raster_past", "show_receptive_field",
]
