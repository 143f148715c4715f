"""Train and eval mode for a block of code."""
from contextlib import contextmanager

from torch import nn


@contextmanager
def evaluating(module: nn.Module):
    """Eval mode inside the block (dropout off), the module's previous mode after it."""
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)
