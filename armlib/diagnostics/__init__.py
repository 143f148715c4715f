"""Diagnostics: is a model causal and normalised (``checks``), and what does each output read
(``receptive_field`` for sequences, ``receptive_field_2d`` for images). No plotting here; the book's
figures of them are in ``armlib.book.plots``."""
from .checks import NotAutoregressive, check_autoregressive, element_order, total_probability
from .receptive_field import input_dependence, receptive_field
from .receptive_field_2d import (blind_spot, field_map, influencing_positions, out_of_reach, position_gradient,
                                 raster_past)

__all__ = ["NotAutoregressive", "blind_spot", "check_autoregressive", "element_order", "field_map",
           "influencing_positions", "input_dependence", "out_of_reach", "position_gradient", "raster_past",
           "receptive_field", "total_probability"]
