"""The book's tooling, apart from the models: how a chapter shows code, figures and tables
(``display``), its plots and diagrams (``plots``, ``diagrams``) and the likelihood ladder the
chapters fill in (``ladder``)."""
from . import diagrams, display, ladder, plots
from .display import show_figure, show_source, table

__all__ = ["diagrams", "display", "ladder", "plots", "show_figure", "show_source", "table"]
