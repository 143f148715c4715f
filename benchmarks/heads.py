"""The categorical head against the mixture of discretised logistics, over several seeds.

    .venv/bin/python benchmarks/heads.py                       # 3 seeds, 12 runs: about 12 minutes on 2 cores
    .venv/bin/python benchmarks/heads.py --seeds 5 --heads categorical "mixture, spread start"  # 10 runs: about 10 minutes on 2 cores
    .venv/bin/python benchmarks/heads.py --seeds 1 --epochs 1  # a smoke run
    .venv/bin/python benchmarks/heads.py --seeds 1 --epochs 1 --images 128  # a quicker one

Chapter 09 trains the mixture head once and compares it with chapter 06's categorical head, also
trained once. A single run cannot tell a difference of a few tenths of a nat from the luck of the
seed, which picks the initial weights, the batches and the dropout masks. This script trains
chapter 06's gated PixelCNN with the recipe of chapters 06 and 09 once per seed and head:

- the categorical head (chapter 06),
- the categorical head with a careful start of its own: its output bias at the logarithm of each
  level's frequency among the training pixels, so it starts at the digits' overall histogram,
- the mixture head as armlib builds it, its output bias at ``LogisticMixtureHead.initial_bias``
  (chapter 09),
- the mixture head with PyTorch's default output bias, the components starting alike,

and prints two tables: the test NLL of every run, and its best validation NLL (the epoch whose
weights are kept), each with the mean and standard deviation of every column. Choose between heads
on the validation table; read the chosen head's score from the test table. Runs go to ``--jobs``
worker processes of one thread each; one thread makes every run bit-reproducible on
one machine (another processor rounds some sums in another order, and its runs differ as
another seed's would).
"""
import argparse
import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from time import perf_counter
from typing import NamedTuple

import torch

import armlib


# chapter 06's network and recipe, which chapter 09 uses for both heads
NETWORK = {"channels": 32, "blocks": 8, "dropout": 0.2}
RECIPE = {"epochs": 27, "batch_size": 16, "lr": 5e-3, "lr_schedule": "cosine", "weight_decay": 0.05}
NUM_COMPONENTS = 5
HEADS = ("categorical", "categorical, histogram start", "mixture, spread start", "mixture, default start")


def positive_count(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def add_images_option(parser: argparse.ArgumentParser) -> None:
    """``--images N``, shared by the training benchmarks: a smoke run on the first N images of each split."""
    parser.add_argument("--images", type=positive_count, default=None, metavar="N",
                        help="train and score on the first N images of each split only (a smoke run; "
                             "default: all 1000, 350 and 447)")


def images_used(split: str, images: int | None) -> int:
    """How many images of ``split`` ("train", "val" or "test") a run uses when a smoke run keeps the
    first ``images`` of each."""
    return len(armlib.load_digits(split)[:images])


def build(head: str, x_train: torch.Tensor) -> armlib.ARM:
    if head.startswith("categorical"):
        if head == "categorical, histogram start":
            counts = torch.bincount(x_train.flatten(), minlength=armlib.NUM_VALS).float()
            return armlib.MODELS["gated_pixelcnn"](**NETWORK, output_bias=(counts / counts.sum()).log())
        return armlib.MODELS["gated_pixelcnn"](**NETWORK)
    model = armlib.MODELS["gated_pixelcnn_logistic_mixture"](num_components=NUM_COMPONENTS, **NETWORK)
    if head == "mixture, default start":
        output = model.net.to_logits[-1]
        bound = output.in_channels ** -0.5  # what nn.Conv2d draws a 1x1 convolution's bias from
        torch.nn.init.uniform_(output.bias, -bound, bound)
    return model


class Run(NamedTuple):
    """One training run: NLLs in nats per image."""
    head: str
    seed: int
    test_nats: float
    best_val_nats: float
    seconds: float
    epochs: int


def train_and_test(head: str, seed: int, epochs: int, images: int | None = None) -> Run:
    """Train chapter 06's network with ``head`` on ``seed``; score the kept weights on test.
    ``images`` (a smoke run) keeps the first that many images of each split only."""
    armlib.setup(seed=0, threads=1)
    x_train, x_val, x_test = (armlib.as_images(armlib.load_digits(split)[:images])
                              for split in ("train", "val", "test"))
    torch.manual_seed(seed)
    model = build(head, x_train)
    history = armlib.fit(model, x_train, x_val, **{**RECIPE, "epochs": epochs}, patience=epochs, seed=seed,
                         progress=False)
    return Run(head, seed, armlib.evaluate(model, x_test).nats, history.best_val, history.seconds[-1], history.epochs)


def settings(values: dict) -> str:
    """Hyper-parameters as the printout names them: ``channels 32, blocks 8, dropout 0.2``."""
    return ", ".join(f"{name} {value}" for name, value in values.items())


def print_table(title: str, values: dict[tuple[str, int], float], heads: list[str], seeds: int) -> None:
    print(f"{title}:")
    print()
    print("| seed | " + " | ".join(heads) + " |")
    print("|---:|" + "---:|" * len(heads))
    for seed in range(seeds):
        print(f"| {seed} | " + " | ".join(f"{values[head, seed]:.2f}" for head in heads) + " |")
    columns = [[values[head, seed] for seed in range(seeds)] for head in heads]
    print("| mean | " + " | ".join(f"{statistics.mean(c):.2f}" for c in columns) + " |")
    if seeds > 1:
        print("| standard deviation | " + " | ".join(f"{statistics.stdev(c):.2f}" for c in columns) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. seeds-1 (default 3)")
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"], help="length of the cosine (default 27)")
    parser.add_argument("--heads", nargs="+", choices=HEADS, default=list(HEADS), metavar="HEAD",
                        help=f"heads to train (default all): {', '.join(repr(h) for h in HEADS)}")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    add_images_option(parser)
    args = parser.parse_args()
    heads = [head for head in HEADS if head in args.heads]  # the table keeps the order of HEADS

    start = perf_counter()
    runs = [(head, seed) for seed in range(args.seeds) for head in heads]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(train_and_test, *zip(*runs), [args.epochs] * len(runs),
                                [args.images] * len(runs)))

    print(f"Machine: {armlib.machine(f'{args.jobs} runs at a time, one torch thread each')}.")
    print(f"Network: {settings(NETWORK)}, K = {NUM_COMPONENTS}. Recipe: {settings(dict(RECIPE, epochs=args.epochs))}. "
          f"{len(runs)} runs took {(perf_counter() - start) / 60:.1f} minutes, "
          f"{statistics.mean(run.seconds for run in results):.0f} s of training each on average.")
    if args.images is not None:
        print(f"Smoke run: the first {args.images} images of each split only.")
    print()
    print_table(f"Best validation NLL ({images_used('val', args.images)} images)",
                {(r.head, r.seed): r.best_val_nats for r in results},
                heads, args.seeds)
    print_table(f"Test NLL ({images_used('test', args.images)} images)",
                {(r.head, r.seed): r.test_nats for r in results}, heads, args.seeds)
    print("NLL in nats per image on the digits' validation and test splits; lower is better.")


if __name__ == "__main__":
    main()
