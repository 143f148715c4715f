"""The benchmark scripts still run: smoke runs on tiny settings (the README quotes full runs); the
training benchmarks train for one epoch on the first few images of each split."""
import os
import subprocess
import sys
from pathlib import Path

import armlib

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_heads_benchmark_trains_every_head_on_every_seed():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "heads.py"), "--seeds", "1", "--epochs", "1", "--jobs", "1",
                           "--images", "128"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Network: channels 32, blocks 8, dropout 0.2, K = 5. Recipe: epochs 1, batch_size 16," in done.stdout
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
                           "--images", "16", "--heads", "mixture, spread start", "categorical"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    headers = [line for line in done.stdout.splitlines() if line.startswith("| seed")]
    assert headers == ["| seed | categorical | mixture, spread start |"] * 2  # in the benchmark's order


def test_sampling_benchmark_prints_the_short_table_and_writes_every_row(tmp_path):
    command = ["--epochs", "0", "--batch-sizes", "1", "4", "--large-batch-sizes", "--repeats", "1"]  # random weights
    done = subprocess.run([sys.executable, str(BENCHMARKS / "sampling.py"), *command], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "ARMLIB_RESULTS_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    short = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert short[0] == ["| model", "D", "batch", "cached speed-up", "predictive speed-up", "identical |"]
    assert [(row[1], row[2], row[-1]) for row in short[1:]] == [("64", "1", "yes |")] * 4  # batch 4 not in it
    full = (tmp_path / "sampling.md").read_text()
    assert full.count("| yes |") == 8  # batches 1 and 4, four models


def test_sampling_benchmark_times_only_the_models_asked_for(tmp_path):
    command = ["--epochs", "0", "--batch-sizes", "1", "--large-batch-sizes", "1", "--plain-passes", "1",
               "--repeats", "1", "--models", "transformer"]
    done = subprocess.run([sys.executable, str(BENCHMARKS / "sampling.py"), *command], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "ARMLIB_RESULTS_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "sampling.md").exists()  # the full table is not overwritten by a part of it
    rows = [line for line in (tmp_path / "sampling-transformer.md").read_text().splitlines()
            if line.startswith("| causal")]
    assert [row.split(" | ")[1] for row in rows] == ["64", "784"], rows  # the digits and the 28x28 canvas


def test_revision_comparison_loads_both_packages_and_gets_the_same_samples():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "cached_against_revision.py"), "HEAD", "--quick"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| Causal") or line.startswith("| gated")]
    assert len(rows) == 3, done.stdout  # the three networks at D = 64, batch 1
    assert all(row.endswith("| yes |") for row in rows), done.stdout  # HEAD and the checkout draw alike
