import platform

import pytest
import torch

import armlib


def test_setup_fixes_the_random_stream():
    armlib.setup(seed=3)
    first = torch.rand(5)
    armlib.setup(seed=3)
    assert torch.equal(first, torch.rand(5))


def test_setup_takes_threads_from_the_environment(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("ARMLIB_NUM_THREADS", "1")
        armlib.setup(seed=0)
        assert torch.get_num_threads() == 1
        armlib.setup(seed=0, threads=2)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_setup_refuses_zero_threads():
    with pytest.raises(ValueError, match="threads"):
        armlib.setup(threads=0)


def test_show_source_displays_the_library_code():
    code = armlib.show_source(armlib.load_digits)
    assert "def load_digits(split" in code.source
    with pytest.raises(TypeError, match="function, class or method"):
        armlib.show_source(3)


def test_machine_line_names_the_threads_and_versions():
    count = torch.get_num_threads()
    line = armlib.machine()
    assert f", {count} torch thread{'s' if count > 1 else ''};" in line
    assert f"torch {torch.__version__}, Python {platform.python_version()}" in line
    assert ", 2 runs at a time; " in armlib.machine("2 runs at a time")
    assert f" ({torch.backends.cpu.get_cpu_capability()}), " in line
