"""The ablation benchmark of chapter 06 still runs (a smoke run on tiny settings: one epoch on the first 128
images of each split; the chapter computes its tables from the full run's committed JSON), and its full
configuration is the heads benchmark's categorical column."""
import json
import subprocess
import sys
from pathlib import Path

import armlib

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
CURVES = BENCHMARKS.parent / "results" / "ablation" / "learning_curves.json"  # chapter 06 reads them
VARIANTS = ["chapter 06", "value input", "batches of 64", "constant rate, early stopping",
            "no dropout or weight decay", "chapter 05's recipe", "chapter 05's network", "chapter 05's recipe and input",
            "chapter 05, level input",
            "chapter 05"]


def test_ablation_trains_every_variant_and_writes_its_learning_curves(tmp_path):
    curves = tmp_path / "curves.json"
    done = subprocess.run([sys.executable, str(BENCHMARKS / "ablation.py"), "--seeds", "1", "--epochs", "1",
                           "--jobs", "1", "--images", "128", "--curves", str(curves)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Machine: ")
    tables = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(tables) == 4 + 4 + 3, done.stdout  # validation and test: header, rule, seed 0, mean; epochs
    uniform = armlib.uniform_nats(64, armlib.NUM_VALS)
    for header, _, *rows in (tables[:4], tables[4:8]):
        assert header == "| seed | " + " | ".join(VARIANTS) + " |"
        assert [row.split(" | ")[0] for row in rows] == ["| 0", "| mean"]
        nats = [float(cell) for cell in rows[0].strip("| ").split(" | ")[1:]]
        assert len(nats) == len(VARIANTS) and all(0 < value < uniform for value in nats), nats
    written = json.loads(curves.read_text())
    assert [run["variant"] for run in written["runs"]] == VARIANTS
    assert all(len(run["train_nll"]) == len(run["val_nll"]) == 1 for run in written["runs"])
    assert all(0 < run["test_nll"] < uniform and run["best_epoch"] == 1 for run in written["runs"])


def test_the_full_configuration_is_the_heads_benchmarks_categorical_run(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import ablation
    import heads

    # one epoch on the first 128 images of each split (eight batches of 16, shuffled): a different
    # network, recipe or seeding would still give different numbers
    ours = ablation.train_and_test("chapter 06", 1, 1, images=128)
    theirs = heads.train_and_test("categorical", 1, 1, images=128)
    assert (ours.test_nats, ours.best_val_nats) == (theirs.test_nats, theirs.best_val_nats)


def test_the_committed_learning_curves_come_from_a_full_run():
    written = json.loads(CURVES.read_text())
    assert written["made_by"] == "benchmarks/ablation.py"
    assert written["settings"]["chapter 06"]["recipe"]["epochs"] == 27  # not a smoke run
    assert list(written["settings"]) == VARIANTS  # chapter 06's tables need every variant on seeds 0, 1, 2
    assert sorted((run["variant"], run["seed"]) for run in written["runs"]) == sorted(
        (variant, seed) for variant in VARIANTS for seed in range(3))
    for run in written["runs"]:
        assert set(run) == {"variant", "seed", "test_nll", "best_epoch", "train_nll", "val_nll"}, run["variant"]
        assert len(run["train_nll"]) == len(run["val_nll"]) and 1 <= run["best_epoch"] <= len(run["val_nll"])
        assert run["val_nll"][run["best_epoch"] - 1] == min(run["val_nll"])  # the epoch whose weights it kept
    for variant in ("chapter 06", "no dropout or weight decay"):  # the two that chapter 06 plots
        runs = [run for run in written["runs"] if run["variant"] == variant]
        assert [run["seed"] for run in runs] == [0, 1, 2] and all(len(run["val_nll"]) == 27 for run in runs)
