"""How fast the plain, cached and predictive samplers draw the same samples.

    .venv/bin/python benchmarks/sampling.py            # the default run: a few minutes on 2 cores
    .venv/bin/python benchmarks/sampling.py --quick    # a smoke test: random weights, small batches

Part 1, the digits (D = 64): Tomczak's (2022) CausalConv1D ARM, the improved (dilated, gated) one, the
gated PixelCNN and the causal Transformer (its KV cache), each with the book's default
hyper-parameters, briefly trained (``--epochs``; 0 keeps the random weights). Part 2, a 28x28 canvas
(D = 784): the same networks with random weights. ``--models`` times some of them only.

For every model and batch size the three samplers get the same noise. The table gives samples per
second, the speed-ups over the plain sampler measured in the same run, the network passes per sample
that predictive sampling needed (the plain sampler needs D), and whether the samples were identical.
Every sampler is timed ``--repeats`` times on the same batch and its fastest run is kept. The
script prints a short table (cached and predictive speed-ups at batch 1 and 64, what the README
quotes) and writes the whole table to results/sampling.md.

At D = 784 the plain sampler would need minutes per batch. Each of its D steps is the same work, one
full network pass and one draw, so it is timed over ``--plain-passes`` such steps and scaled to D;
those figures are marked ~. With random weights the draws hardly depend on the past, so predictive
sampling needs few passes there; only the trained models' pass counts say what it does on data.
"""
import argparse
import math
import sys
from dataclasses import dataclass
from time import perf_counter

import torch

import armlib
from armlib.modes import evaluating
from armlib.models.conv1d import DilatedConvNet, TomczakConvNet
from armlib.models.gated_pixelcnn import GatedPixelCNN
from armlib.models.transformer import CausalTransformer
from armlib.book.ladder import RESULTS
from armlib.sampling import predictive_sample_from_noise


DIGITS = {"CausalConv1D (Tomczak)": "causal_conv1d_tomczak", "CausalConv1D (improved)": "causal_conv1d",
          "gated PixelCNN": "gated_pixelcnn", "causal Transformer": "transformer"}
"""The benchmarked models: their names in armlib.MODELS."""
LEARNING_RATES = {"causal_conv1d_tomczak": 1e-3, "causal_conv1d": 3e-3, "gated_pixelcnn": 3e-3, "transformer": 3e-3}
LARGE_SIDE = 28


def large_models() -> dict[str, armlib.ARM]:
    """The same networks, untrained, over a 28x28 canvas (a 784-long sequence for the 1-D ones)."""
    head, length, image = armlib.Categorical(armlib.NUM_VALS), LARGE_SIDE * LARGE_SIDE, (1, LARGE_SIDE, LARGE_SIDE)
    return {"CausalConv1D (Tomczak)": armlib.ARM(TomczakConvNet(), head, (length,)),
            "CausalConv1D (improved)": armlib.ARM(DilatedConvNet(), head, (length,)),
            "gated PixelCNN": armlib.ARM(GatedPixelCNN(), head, image),
            "causal Transformer": armlib.ARM(CausalTransformer(grid=image[1:]), head, image)}


def fastest(run, repeats: int):
    """(seconds, result) of the fastest of ``repeats`` runs of ``run()``."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = perf_counter()
        result = run()
        best = min(best, perf_counter() - start)
    return best, result


@torch.no_grad()
def plain_step_seconds(model, noise, passes: int, repeats: int) -> float:
    """Seconds of one step of the plain sampler: a full network pass on the batch and a draw."""
    x = torch.zeros(noise.shape[0], *model.shape, dtype=torch.long)
    with evaluating(model):
        seconds, _ = fastest(lambda: [model.head.sample(model.params(x), noise) for _ in range(passes)], repeats)
    return seconds / passes


@dataclass
class Row:
    """One line of the table: seconds per batch for each sampler, and what predictive sampling needed."""

    model: str
    dims: int
    weights: str
    batch: int
    plain: float
    cached: float
    predictive: float
    calls_per_sample: float
    identical: bool
    plain_estimated: bool = False

    def samples_per_second(self, seconds: float) -> str:
        per_second = self.batch / seconds
        return f"{per_second:,.0f}" if per_second >= 100 else f"{per_second:.3g}"

    def short_markdown(self) -> str:
        approx = "~" if self.plain_estimated else ""
        return (f"| {self.model} | {self.dims} | {self.batch} | {approx}{self.plain / self.cached:.1f}x | "
                f"{approx}{self.plain / self.predictive:.1f}x | {'yes' if self.identical else 'NO'} |")

    def markdown(self) -> str:
        approx = "~" if self.plain_estimated else ""
        rate = self.samples_per_second
        return (f"| {self.model} | {self.dims} | {self.weights} | {self.batch} | {approx}{rate(self.plain)} | "
                f"{rate(self.cached)} | {rate(self.predictive)} | {approx}{self.plain / self.cached:.1f}x | "
                f"{approx}{self.plain / self.predictive:.1f}x | {self.calls_per_sample:.1f} | "
                f"{'yes' if self.identical else 'NO'} |")


SHORT_BATCHES = (1, 64)
SHORT_HEADER = ("| model | D | batch | cached speed-up | predictive speed-up | identical |\n"
                "|---|---:|---:|---:|---:|---|")
HEADER = ("| model | D | weights | batch | plain samples/s | cached samples/s | predictive samples/s | "
          "cached speed-up | predictive speed-up | predictive calls/sample | identical |\n"
          "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")


def measure(name: str, model, weights: str, batch: int, plain_passes: int | None, repeats: int) -> Row:
    """One row: all three samplers on the same noise; the plain one in full unless ``plain_passes``."""
    dims = math.prod(model.positions)
    noise = model.noise(batch, torch.Generator().manual_seed(batch))
    cached_seconds, cached = fastest(lambda: model.sample_from_noise(noise, cached=True), repeats)
    predictive_seconds, run = fastest(lambda: predictive_sample_from_noise(model, noise), repeats)
    identical = torch.equal(cached, run.samples)
    if plain_passes is None:
        plain_seconds, plain = fastest(lambda: model.sample_from_noise(noise), repeats)
        identical &= torch.equal(plain, cached)
    else:
        plain_seconds = dims * plain_step_seconds(model, noise, plain_passes, repeats)
    return Row(name, dims, weights, batch, plain_seconds, cached_seconds, predictive_seconds,
               run.passes_per_sample.float().mean().item(), identical, plain_passes is not None)


def briefly_trained(name: str, epochs: int) -> tuple[armlib.ARM, float]:
    """The registered model after ``epochs`` epochs on the digits, and its validation NLL (nats)."""
    model = armlib.MODELS[name]()
    train, val = armlib.load_digits("train"), armlib.load_digits("val")
    if len(model.shape) == 3:
        train, val = armlib.as_images(train), armlib.as_images(val)
    history = armlib.fit(model, train, val, epochs=epochs, batch_size=32, lr=LEARNING_RATES[name],
                         patience=epochs, progress=False)
    return model, history.best_val


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 16, 64, 256],
                        help="batch sizes on the digits (default: 1 16 64 256)")
    parser.add_argument("--large-batch-sizes", type=int, nargs="*", default=[1, 16, 64],
                        help="batch sizes on the 28x28 canvas; none skips it (default: 1 16 64)")
    parser.add_argument("--epochs", type=int, default=3,
                        help="training epochs on the digits before timing; 0 keeps random weights (default: 3)")
    parser.add_argument("--plain-passes", type=int, default=2,
                        help="plain steps timed on the 28x28 canvas, scaled to D = 784 (default: 2)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed runs of every sampler on every batch; the fastest is kept (default: 3)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--models", nargs="+", choices=list(DIGITS.values()), default=list(DIGITS.values()),
                        help="the models to time, by their names in armlib.MODELS (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test, overriding the options above: random weights, batch sizes 1 and 4, "
                             "28x28 at batch 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch_sizes, args.large_batch_sizes, args.epochs, args.plain_passes, args.repeats = [1, 4], [1], 0, 1, 1
    if args.epochs < 0:
        parser.error(f"--epochs must be 0 (random weights) or more, got {args.epochs}")
    if min(args.plain_passes, args.repeats, *args.batch_sizes, *args.large_batch_sizes) < 1:
        parser.error("--plain-passes, --repeats and every batch size must be positive integers")
    armlib.setup(seed=0, threads=args.threads)

    rows, trained = [], []
    chosen = {label: name for label, name in DIGITS.items() if name in args.models}
    for label, name in chosen.items():
        if args.epochs:
            progress(f"training {label} for {args.epochs} epochs")
            model, val_nll = briefly_trained(name, args.epochs)
            trained.append(f"{label} {val_nll:.1f}")
            weights = f"trained {args.epochs} epochs"
        else:
            model, weights = armlib.MODELS[name](), "random"
        for batch in args.batch_sizes:
            progress(f"timing {label} on the digits at batch {batch}")
            rows.append(measure(label, model, weights, batch, plain_passes=None, repeats=args.repeats))
    for label, model in large_models().items():
        if label not in chosen:
            continue
        for batch in args.large_batch_sizes:
            progress(f"timing {label} on a {LARGE_SIDE}x{LARGE_SIDE} canvas at batch {batch}")
            rows.append(measure(label, model, "random", batch, plain_passes=args.plain_passes, repeats=args.repeats))

    machine = f"Machine: {armlib.machine(f'{torch.get_num_threads()} torch threads')}."
    weights = (f"Digits weights: each model trained for {args.epochs} epochs (batch 32, Adam); validation NLL, "
               f"nats per image: {'; '.join(trained)}." if trained else "Digits weights: random.")
    notes = [f"Fastest of {args.repeats} run{'s' if args.repeats > 1 else ''} of each sampler on the same batch."]
    if args.large_batch_sizes:
        notes.append(f"~ plain sampler at D = {LARGE_SIDE * LARGE_SIDE}: {args.plain_passes} of its steps timed "
                     "(each one full network pass and a draw) and scaled to D; 'identical' there compares the "
                     "cached and the predictive samples. Random weights make the draws nearly independent of the "
                     "past, so predictive sampling needs few passes there.")
    # every model: results/sampling.md, which the README quotes; some: a file named after them
    full = RESULTS / ("sampling.md" if len(chosen) == len(DIGITS) else f"sampling-{'-'.join(chosen.values())}.md")
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_text("\n\n".join(["# `benchmarks/sampling.py`: every row", machine, weights, HEADER + "\n"
                                  + "\n".join(row.markdown() for row in rows), *notes]) + "\n")
    print(machine, weights, sep="\n\n", end="\n\n")
    print(SHORT_HEADER)
    print("\n".join(row.short_markdown() for row in rows if row.batch in SHORT_BATCHES))
    print("", *notes, f"Every row, with samples per second and predictive passes per sample: {full}.", sep="\n\n")


if __name__ == "__main__":
    main()
