"""The benchmark of Tomczak's recipe still runs: a smoke run of one epoch on the first 128 images of
each split (chapter 04 quotes a full run)."""
import re
import subprocess
import sys
from pathlib import Path

import armlib

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_tomczak_benchmark_trains_scores_and_reports():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "tomczak_arm.py"), "--max-epochs", "1", "--images", "128"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("Machine: ") and "one torch thread" in line for line in lines)
    assert any("Adamax, lr 0.001, batches of 64, at most 1 epochs, patience 20" in line for line in lines)
    best = next(re.fullmatch(r"best validation NLL ([\d.]+) nats at epoch (\d+) \(counted from 1\), "
                             r"after \d+ s of training", line) for line in lines if line.startswith("best"))
    test = next(re.fullmatch(r"test NLL ([\d.]+) nats per image \(([\d.]+) bits per dimension\), "
                             r"with the weights of epoch (\d+)", line) for line in lines if line.startswith("test"))
    assert best and test, done.stdout
    assert best[2] == test[3] == "1"
    uniform = armlib.uniform_nats(64, armlib.NUM_VALS)
    for nats in (float(best[1]), float(test[1])):
        assert 0 < nats < uniform  # one epoch learns something
    assert abs(float(test[2]) - armlib.bits_per_dim(float(test[1]), 64)) < 1e-3
