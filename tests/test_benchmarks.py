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
    header, _, *rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert header == ("| seed | categorical | categorical, histogram start | mixture, spread start "
                      "| mixture, default start |")
    assert [row.split(" | ")[0] for row in rows] == ["| 0", "| mean"]
    nats = [float(cell) for cell in rows[0].strip("| ").split(" | ")[1:]]
    uniform = armlib.uniform_nats(64, armlib.NUM_VALS)
    assert len(nats) == 4 and all(0 < value < uniform for value in nats), nats  # one epoch learns something
