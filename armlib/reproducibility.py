"""The first cell of every chapter: fixed seeds and a known number of threads; and the machine that
timings were taken on."""
import os
import platform
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


def machine(threads: str | None = None) -> str:
    """The line printed beside every timing: the CPU's model name and the vector instructions torch
    uses on it (AVX2, AVX512, ...), its logical cores, ``threads`` (how
    the run used them; by default PyTorch's number of threads), and the versions of torch, Python
    and the operating system."""
    if threads is None:
        count = torch.get_num_threads()
        threads = f"{count} torch thread{'s' if count > 1 else ''}"
    cpu = platform.processor() or platform.machine()
    if os.path.exists("/proc/cpuinfo"):  # Linux names the model there; platform often does not
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    # the vector instructions torch's kernels use: the same seed and code can round differently on
    # CPUs of one name that differ here (an AVX-512 EPYC and an AVX2 one)
    vectors = torch.backends.cpu.get_cpu_capability()
    return (f"{cpu} ({vectors}), {os.cpu_count()} logical cores, {threads}; "
            f"torch {torch.__version__}, Python {platform.python_version()}, {platform.system()}")
