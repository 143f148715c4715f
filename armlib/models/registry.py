"""``MODELS``: every chapter's model by name, each a function that builds it untrained for the digits.

Chapters register their builders with ``@register("name")``; the unit tests walk ``MODELS`` and put
every entry through the autoregressive-property check, so a new model is tested by being registered.
"""
from typing import Callable

MODELS: dict[str, Callable] = {}


def register(name: str):
    """Decorator: make ``builder(**overrides) -> ARM`` available as ``MODELS[name]``."""

    def add(builder: Callable) -> Callable:
        if name in MODELS:
            raise ValueError(f"a model named {name!r} is registered already")
        MODELS[name] = builder
        return builder

    return add
