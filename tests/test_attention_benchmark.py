"""The attention benchmark behind chapter 11 still runs (a smoke run of one variant; the chapter reads
the full run's committed JSON), and the committed file holds what the chapter's tables need."""
import json
import subprocess
import sys
from pathlib import Path

import armlib

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
CURVES = BENCHMARKS.parent / "results" / "attention" / "learning_curves.json"  # chapter 11 reads them
POSITIONS = ["no positions", "1-D positions", "row + column positions", "relative scores"]
CONVOLUTION = ["gated PixelCNN, 6 blocks", "hybrid", "gated PixelCNN, 8 blocks"]


def test_a_smoke_run_trains_and_writes_its_curves(tmp_path):
    curves = tmp_path / "curves.json"
    done = subprocess.run([sys.executable, str(BENCHMARKS / "attention.py"), "--seeds", "1", "--epochs", "1",
                           "--jobs", "1", "--images", "128", "--variants", "hybrid", "--curves", str(curves)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Machine: ")
    assert "| seed | hybrid |" in done.stdout
    (run,) = json.loads(curves.read_text())["runs"]
    assert run["variant"] == "hybrid" and run["seed"] == 0 and len(run["val_nll"]) == 1
    assert 0 < run["test_nll"] < armlib.uniform_nats(64, armlib.NUM_VALS) and run["seconds"] > 0


def test_the_committed_curves_come_from_full_runs_of_every_variant():
    written = json.loads(CURVES.read_text())
    assert written["made_by"] == "benchmarks/attention.py"
    assert list(written["settings"]) == POSITIONS + CONVOLUTION
    assert all(settings["recipe"]["epochs"] == 16 for settings in written["settings"].values())  # not smoke runs
    found = {(run["variant"], run["seed"]) for run in written["runs"]}
    assert {(variant, 0) for variant in POSITIONS} <= found  # Table 11.1 and Figure 11.2
    assert {(variant, seed) for variant in POSITIONS[1:] + CONVOLUTION for seed in range(3)} <= found  # three seeds each
    for run in written["runs"]:
        assert len(run["train_nll"]) == len(run["val_nll"]) == 16, run["variant"]
        assert run["val_nll"][run["best_epoch"] - 1] == min(run["val_nll"])  # the epoch whose weights it kept
        assert run["seconds"] > 0
