"""What made chapter 06's gated PixelCNN better than chapter 05's PixelCNN: one ingredient at a time.

    .venv/bin/python benchmarks/ablation.py --jobs 1                       # 10 variants x 3 seeds
    .venv/bin/python benchmarks/ablation.py --jobs 1 --variants "chapter 05"  # one column
    .venv/bin/python benchmarks/ablation.py --seeds 1 --epochs 1 --jobs 1  # a smoke run

The 30 runs take about 20 minutes with ``--jobs 2`` on a 2-core AMD EPYC (18.5 minutes for the run
whose JSON chapter 06 computes its tables from). On one thread a run is
bit-reproducible on one machine; another CPU rounds differently.

Chapter 06's model scores about 2 nats per image below chapter 05's PixelCNN, but it changed more
than the architecture at once: the pixels enter as level indicators instead of their value; the
optimiser is AdamW with weight decay instead of Adam; batches hold 16 images instead of 64; the
learning rate follows a cosine over a fixed 27 epochs instead of staying constant with early
stopping; and the network is narrower (32 features per stack instead of 64) and deeper (8 blocks
instead of 6 layers). This script starts from chapter 06's full configuration and puts back ONE of
chapter 05's choices at a time:

- ``chapter 06``: the full configuration (this column is the categorical column of
  ``benchmarks/heads.py``: same network, recipe and seeding);
- ``value input``: the pixel's value scaled to [0, 1] as the only input channel, as chapter 05
  reads it, instead of 17 level indicators;
- ``batches of 64``: chapter 06's recipe with chapter 05's batch size (a quarter of the steps);
- ``constant rate, early stopping``: chapter 06's recipe with chapter 05's schedule: the learning
  rate stays at 5e-3, at most 40 epochs, stopping after 5 without a better validation NLL;
- ``no dropout or weight decay``: chapter 06's recipe without its two regularisers;
- ``chapter 05's recipe``: chapter 05's whole optimisation (Adam at 3e-3, constant, no weight
  decay, batches of 64, at most 40 epochs with early stopping after 5 without a better validation
  NLL); dropout 0.2 stays, as both chapters use it;
- ``chapter 05's network``: chapter 05's PixelCNN (64 channels, a 5x5 type-A layer and 5 residual
  3x3 type-B layers, dropout 0.2), reading level indicators and trained with chapter 06's recipe:
  architecture, width and depth together.

Three more columns start from the other end, chapter 05's configuration, so that the table holds
both ends and the two networks can be compared under chapter 05's recipe too:

- ``chapter 05's recipe and input``: chapter 06's network, with chapter 05's input and recipe (one
  change from ``chapter 05``: the network, with its width and depth);
- ``chapter 05, level input``: chapter 05's network and recipe, reading level indicators (one
  change from ``chapter 05``; one change, the network, from ``chapter 05's recipe``);
- ``chapter 05``: chapter 05's network, input and recipe.

Every run keeps the weights of its best validation epoch and scores them on the test split once.
The script prints two tables, the best validation NLL and the test NLL of every run, with each
column's mean and standard deviation (judge the variants on validation; read the test table for
their scores), and writes every run's learning curve (training and validation NLL per epoch), best
epoch and test NLL to ``--curves``, from which chapter 06 computes its tables and plots its curves.
Runs go to ``--jobs`` worker processes of one torch thread each; one thread makes every run
bit-reproducible.
"""
import argparse
import json
import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from time import perf_counter
from typing import NamedTuple

import torch

import armlib

from heads import NETWORK, RECIPE, add_images_option, images_used, print_table, settings

CURVES = Path(__file__).resolve().parents[1] / "results" / "ablation" / "learning_curves.json"
CHAPTER_05_RECIPE = {"epochs": 40, "batch_size": 64, "lr": 3e-3, "lr_schedule": "constant", "weight_decay": 0.0,
                     "patience": 5}
CHAPTER_05_NETWORK = {"channels": 64, "layers": 5, "first_kernel_size": 5, "dropout": 0.2}


class Variant(NamedTuple):
    """A configuration: a registered model, its network settings, and fit's settings."""
    model: str
    network: dict
    recipe: dict


FULL = Variant("gated_pixelcnn", NETWORK, {**RECIPE, "patience": RECIPE["epochs"]})
VARIANTS = {
    "chapter 06": FULL,
    "value input": FULL._replace(network={**NETWORK, "inputs": "value"}),
    "batches of 64": FULL._replace(recipe={**FULL.recipe, "batch_size": CHAPTER_05_RECIPE["batch_size"]}),
    "constant rate, early stopping": FULL._replace(recipe={**FULL.recipe, "lr_schedule": "constant",
                                                           "epochs": CHAPTER_05_RECIPE["epochs"],
                                                           "patience": CHAPTER_05_RECIPE["patience"]}),
    "no dropout or weight decay": FULL._replace(network={**NETWORK, "dropout": 0.0},
                                                recipe={**FULL.recipe, "weight_decay": 0.0}),
    "chapter 05's recipe": FULL._replace(recipe=CHAPTER_05_RECIPE),
    "chapter 05's network": Variant("pixelcnn", {**CHAPTER_05_NETWORK, "inputs": "levels"}, FULL.recipe),
    "chapter 05's recipe and input": FULL._replace(network={**NETWORK, "inputs": "value"}, recipe=CHAPTER_05_RECIPE),
    "chapter 05, level input": Variant("pixelcnn", {**CHAPTER_05_NETWORK, "inputs": "levels"}, CHAPTER_05_RECIPE),
    "chapter 05": Variant("pixelcnn", CHAPTER_05_NETWORK, CHAPTER_05_RECIPE),
}


class Run(NamedTuple):
    """One training run: NLLs in nats per image, per-epoch curves in nats per image."""
    variant: str
    seed: int
    test_nats: float
    best_val_nats: float
    best_epoch: int
    epochs: int
    seconds: float
    train_nll: list[float]
    val_nll: list[float]


def recipe(variant: str, epochs: int | None, variants: dict[str, Variant] = VARIANTS) -> dict:
    """``variant``'s settings for ``fit``; ``epochs`` (a smoke run) caps its epochs and patience."""
    settings = dict(variants[variant].recipe)
    if epochs is not None:
        settings["epochs"] = min(settings["epochs"], epochs)
        settings["patience"] = min(settings["patience"], epochs)
    return settings


def train_and_test(variant: str, seed: int, epochs: int | None = None, variants: dict[str, Variant] = VARIANTS,
                   images: int | None = None) -> Run:
    """Train ``variant`` (a name in ``variants``) on ``seed``; score its kept weights on test. Seeded
    as benchmarks/heads.py seeds its runs (process set-up with seed 0, then ``seed`` for the initial
    weights and for fit). ``images`` (a smoke run) keeps the first that many images of each split only."""
    armlib.setup(seed=0, threads=1)
    x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)[:images])
                              for split in ("train", "val", "test"))
    torch.manual_seed(seed)
    model = armlib.MODELS[variants[variant].model](**variants[variant].network)
    history = armlib.fit(model, x_train, x_val, **recipe(variant, epochs, variants), seed=seed, progress=False)
    return Run(variant, seed, armlib.evaluate(model, x_test).nats, history.best_val, history.best_epoch,
               history.epochs, history.seconds[-1], history.train_nll, history.val_nll)


def write_curves(path: Path, results: list[Run], epochs: int | None, variants: dict[str, Variant] = VARIANTS,
                 made_by: str = "benchmarks/ablation.py") -> None:
    """Every run's learning curve and test NLL, with the settings that made it, as JSON. The variants of an
    earlier file at ``path`` that this invocation did not train are kept, so a run of a few
    ``--variants`` adds or replaces their curves only."""
    ran = {r.variant for r in results}
    curves = json.loads(path.read_text()) if path.exists() else {"settings": {}, "runs": []}
    settings = {name: value for name, value in curves["settings"].items() if name not in ran}
    settings.update({name: {"model": v.model, "network": v.network, "recipe": recipe(name, epochs, variants)}
                     for name, v in variants.items() if name in ran})
    runs = [run for run in curves["runs"] if run["variant"] not in ran]
    runs += [{"variant": r.variant, "seed": r.seed, "test_nll": round(r.test_nats, 4), "best_epoch": r.best_epoch,
              "seconds": round(r.seconds, 1), "train_nll": [round(v, 4) for v in r.train_nll],
              "val_nll": [round(v, 4) for v in r.val_nll]}
             for r in results]
    order = list(variants)
    curves = {"made_by": made_by, "unit": "nats per image",
              "settings": {name: settings[name] for name in order if name in settings},
              "runs": sorted(runs, key=lambda run: (run["seed"], order.index(run["variant"])))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(curves, indent=1) + "\n")


def arguments(description: str, variants: dict[str, Variant], curves: Path) -> argparse.Namespace:
    """The command line of a study of ``variants`` whose learning curves go to ``curves`` by default."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. seeds-1 (default 3)")
    parser.add_argument("--epochs", type=int, default=None, help="cap every run's epochs (a smoke run)")
    parser.add_argument("--variants", nargs="+", choices=variants, default=list(variants), metavar="VARIANT",
                        help=f"variants to train (default all): {', '.join(repr(v) for v in variants)}")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    add_images_option(parser)
    parser.add_argument("--curves", type=Path, default=None,
                        help=f"where the learning curves go (default: {curves.relative_to(curves.parents[2])}, "
                             "but nowhere for a smoke run with --epochs)")
    args = parser.parse_args()
    args.curves = args.curves or (curves if args.epochs is None else None)  # a smoke run keeps the committed curves
    return args


def run_study(variants: dict[str, Variant], args: argparse.Namespace, made_by: str, described: str) -> None:
    """Train the chosen ``variants`` on every seed, write their curves, print the tables; ``described``
    follows the run time in the printout."""
    names = [name for name in variants if name in args.variants]  # the table keeps the order of variants
    start = perf_counter()
    runs = [(variant, seed) for seed in range(args.seeds) for variant in names]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(train_and_test, *zip(*runs), [args.epochs] * len(runs), [variants] * len(runs),
                                [args.images] * len(runs)))
    if args.curves is not None:
        write_curves(args.curves, results, args.epochs, variants, made_by)

    print(f"Machine: {armlib.machine(f'{args.jobs} runs at a time, one torch thread each')}.")
    print(f"{len(runs)} runs took {(perf_counter() - start) / 60:.1f} minutes. {described}")
    if args.images is not None:
        print(f"Smoke run: the first {args.images} images of each split only.")
    print()
    print_table(f"Best validation NLL ({images_used('val', args.images)} images)",
                {(r.variant, r.seed): r.best_val_nats for r in results},
                names, args.seeds)
    print_table(f"Test NLL ({images_used('test', args.images)} images)",
                {(r.variant, r.seed): r.test_nats for r in results}, names, args.seeds)
    print("Best epoch / epochs run, and seconds of training, per run:")
    print()
    print("| seed | " + " | ".join(names) + " |")
    print("|---:|" + "---:|" * len(names))
    done = {(r.variant, r.seed): r for r in results}
    for seed in range(args.seeds):
        print(f"| {seed} | " + " | ".join(f"{done[v, seed].best_epoch}/{done[v, seed].epochs}, "
                                          f"{done[v, seed].seconds:.0f} s" for v in names) + " |")
    print()
    print("NLL in nats per image on the digits' validation and test splits; lower is better.")
    if args.curves is not None:
        print(f"Learning curves of every run: {args.curves}.")


def main() -> None:
    args = arguments(__doc__.split("\n")[0], VARIANTS, CURVES)
    run_study(VARIANTS, args, "benchmarks/ablation.py",
              f"Starting point, chapter 06: network: {settings(VARIANTS['chapter 06'].network)}; "
              f"recipe: {settings(recipe('chapter 06', args.epochs))}.")


if __name__ == "__main__":
    main()
