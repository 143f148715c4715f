"""The unit tests use as many torch threads as the test command gives each worker.

``book.py test`` runs two workers side by side with ARMLIB_NUM_THREADS=1, as the notebooks get it
through ``armlib.setup``; without this, each worker's torch would take every core and the two would
fight over them."""
import os

import torch

from armlib.reproducibility import THREADS_VARIABLE

if os.environ.get(THREADS_VARIABLE):
    torch.set_num_threads(int(os.environ[THREADS_VARIABLE]))
