"""The line every benchmark prints about the machine it ran on."""
import os
import platform

import torch


def machine(threads: str) -> str:
    """The CPU's model name, its logical cores, ``threads`` (how the run used them), and the versions
    of torch, Python and the operating system."""
    cpu = platform.processor() or platform.machine()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    return (f"{cpu}, {os.cpu_count()} logical cores, {threads}; "
            f"torch {torch.__version__}, Python {platform.python_version()}, {platform.system()}")
