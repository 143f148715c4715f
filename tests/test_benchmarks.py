"""The benchmark scripts still run: smoke runs on tiny settings (the README quotes full runs)."""
import subprocess
import sys
from pathlib import Path

import armlib

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_heads_benchmark_trains_every_head_on_every_seed():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "heads.py"), "--seeds", "1", "--epochs", "1", "--jobs", "1"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table_lines = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(table_lines) == 8, done.stdout  # validation, then test: header, rule, seed 0, mean
    uniform = armlib.uniform_nats(64, armlib.NUM_VALS)
    for header, _, *rows in (table_lines[:4], table_lines[4:]):
        assert header == ("| seed | categorical | categorical, histogram start | mixture, spread start "
                          "| mixture, default start |")
        assert [row.split(" | ")[0] for row in rows] == ["| 0", "| mean"]
        nats = [float(cell) for cell in rows[0].strip("| ").split(" | ")[1:]]
        assert len(nats) == 4 and all(0 < value < uniform for value in nats), nats  # one epoch learns something


def test_heads_benchmark_trains_only_the_heads_asked_for():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "heads.py"), "--seeds", "1", "--epochs", "1", "--jobs", "1",
                           "--heads", "mixture, spread start", "categorical"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    headers = [line for line in done.stdout.splitlines() if line.startswith("| seed")]
    assert headers == ["| seed | categorical | mixture, spread start |"] * 2  # in the benchmark's order
