"""Cached sampling at another git revision of armlib against this checkout, in one process.

    .venv/bin/python benchmarks/cached_against_revision.py HEAD~5            # a few minutes on 2 cores
    .venv/bin/python benchmarks/cached_against_revision.py HEAD~5 --quick    # a smoke run

Timings on a shared machine drift by tens of percent from one minute to the next, so two runs of
benchmarks/sampling.py, one per revision, cannot tell a 10% change from the drift. This script
loads both versions of the package into one process (the other revision as ``armlib_at_revision``),
gives their networks the same weights and the same noise, and alternates between them round after
round; it prints the median time of each and their ratio. Only the package's registered models and
its ``armlib.sampling.sample(model, n, "cached", generator=...)`` are used, which every revision has.
"""
import argparse
import importlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from time import perf_counter

import torch

import armlib

REPOSITORY = Path(__file__).resolve().parents[1]
NETWORKS = {"CausalConv1D (Tomczak)": "causal_conv1d_tomczak", "CausalConv1D (improved)": "causal_conv1d",
            "gated PixelCNN": "gated_pixelcnn"}
"""The networks of benchmarks/sampling.py, by their names in MODELS."""


def load_revision(revision: str, into: Path):
    """The package ``armlib`` as it was at ``revision``, imported as ``armlib_at_revision``."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision, "armlib"], cwd=REPOSITORY,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "armlib").rename(into / "armlib_at_revision")
    sys.path.insert(0, str(into))
    return importlib.import_module("armlib_at_revision")


def model_of(package, name: str, side: int):
    """``package``'s network ``name`` with its default settings over a side x side canvas (a
    sequence of side^2 for the 1-D networks)."""
    net = type(package.MODELS[name]().net)()
    shape = (1, side, side) if "pixelcnn" in name else (side * side,)
    return package.ARM(net, package.Categorical(package.NUM_VALS), shape)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revision", help="the git revision to compare this checkout with")
    parser.add_argument("--rounds", type=int, default=7, help="alternations per case (default 7)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 8x8 only, batch 1, 2 rounds")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    sides, batches, rounds = ((8,), (1,), 2) if args.quick else ((8, 28), (1, 64), args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        other = load_revision(args.revision, Path(folder))
        print(f"Machine: {armlib.machine()}\n")
        print(f"Cached sampling, median of {rounds} alternating rounds: {args.revision} against this checkout.\n")
        print(f"| model | D | batch | {args.revision} [ms] | this checkout [ms] | this / {args.revision} | same samples |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for label, name in NETWORKS.items():
            for side in sides:
                torch.manual_seed(0)
                here = model_of(armlib, name, side).eval()
                there = model_of(other, name, side).eval()
                there.load_state_dict(here.state_dict())
                for batch in batches:
                    seconds = {"there": [], "here": []}
                    samples = {}
                    for _ in range(rounds):
                        for key, package, model in (("there", other, there), ("here", armlib, here)):
                            sample = importlib.import_module(f"{package.__name__}.sampling").sample
                            generator = torch.Generator().manual_seed(1)
                            start = perf_counter()
                            samples[key] = sample(model, batch, "cached", generator=generator)
                            seconds[key].append(perf_counter() - start)
                    there_ms, here_ms = (1000 * statistics.median(seconds[key]) for key in ("there", "here"))
                    same = "yes" if torch.equal(samples["there"], samples["here"]) else "no"
                    print(f"| {label} | {side * side} | {batch} | {there_ms:.1f} | {here_ms:.1f} | "
                          f"{here_ms / there_ms:.2f} | {same} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
