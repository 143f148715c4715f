"""The first cell of every chapter: fixed seeds and a known number of threads."""
import os
import random

import numpy as np
import torch

THREADS_VARIABLE = "ARMLIB_NUM_THREADS"


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's random number generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup(seed: int = 0, threads: int | None = None) -> None:
    """Seed every generator and set how many CPU threads PyTorch may use.

    ``threads`` defaults to the environment variable ``ARMLIB_NUM_THREADS`` when it is set (the
    test command sets it to 1 when it runs two notebooks side by side), otherwise to PyTorch's
    own default, which is the number of cores.
    """
    if threads is None and os.environ.get(THREADS_VARIABLE):
        threads = int(os.environ[THREADS_VARIABLE])
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be a positive integer, got {threads}")
        torch.set_num_threads(threads)
    seed_everything(seed)
