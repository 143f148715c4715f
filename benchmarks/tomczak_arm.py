"""Tomczak's (2022) ARM on the digits, trained with the recipe of his companion code.

    .venv/bin/python benchmarks/tomczak_arm.py                  # one run: 76 epochs, about 7 minutes on one thread
    .venv/bin/python benchmarks/tomczak_arm.py --max-epochs 2   # a smoke run
    .venv/bin/python benchmarks/tomczak_arm.py --max-epochs 1 --images 128  # a quicker one

Chapter 04 trains Tomczak's network with the book's loop, ``armlib.fit``, shortened to fit the
chapter's budget, and compares the result with what his own code reaches. This script measures
that reference: armlib's copy of his network (``TomczakConvNet``, registered as
``causal_conv1d_tomczak``: four causal convolutions of kernel 7, 256 channels, the raw pixel value
as input), trained the way his companion code (``intro_dgm``, ``arms/arm_example``) trains it:

- Adamax, learning rate 1e-3; batches of 64, reshuffled every epoch; the loss is the mean of
  -log p(x) over the batch;
- at most 1000 epochs; the validation NLL after every epoch; the weights of the best epoch kept;
  training stops when the validation NLL has not improved for more than 20 epochs in a row;
- the same split (``armlib.load_digits``: 1000 train, 350 validation, 447 test images) and the
  test split scored once, with the best weights.

The loop is written out below, deliberately not ``armlib.fit`` (Adam, and a patience counted the
book's way): it is his recipe. Two details of his code are left out. His log-likelihood clamps every
probability to [1e-5, 1 - 1e-5] before taking the logarithm; here it is armlib's exact
log-softmax, for training and for scoring. And his loop draws 16 samples whenever the validation
NLL improves; drawing does not change the weights, so this script does not. One torch thread, and
every random number comes from ``--seed``: the same machine gives the same numbers.
"""
import argparse
from time import perf_counter

import torch

import armlib

from heads import add_images_option


# Tomczak's recipe, as his companion code sets it
LEARNING_RATE = 1e-3       # Adamax
BATCH_SIZE = 64
MAX_EPOCHS = 1000
PATIENCE = 20              # his loop stops once more than 20 epochs in a row bring no new best


def train_his_way(model: armlib.ARM, x_train: torch.Tensor, x_val: torch.Tensor, max_epochs: int, seed: int):
    """Tomczak's training loop on an armlib ARM: returns the validation NLL of every epoch and the
    training seconds at the end of every epoch; ``model`` ends holding the best epoch's weights."""
    optimiser = torch.optim.Adamax(model.parameters(), lr=LEARNING_RATE)
    shuffle = torch.Generator().manual_seed(seed)
    val_nll, seconds = [], []
    best_state, epochs_without_gain, elapsed = None, 0, 0.0
    for epoch in range(max_epochs):
        start = perf_counter()
        model.train()
        for rows in torch.randperm(len(x_train), generator=shuffle).split(BATCH_SIZE):
            loss = -model.log_prob(x_train[rows]).mean()  # his reduction='avg'
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        val_nll.append(armlib.evaluate(model, x_val).nats)
        elapsed += perf_counter() - start
        seconds.append(elapsed)
        if best_state is None or val_nll[-1] < min(val_nll[:-1]):  # strictly better, as his `<`
            best_state = {name: value.detach().clone() for name, value in model.state_dict().items()}
            epochs_without_gain = 0
        else:
            epochs_without_gain += 1
        print(f"epoch {epoch + 1}: validation NLL {val_nll[-1]:.2f} nats, {elapsed:.0f} s", flush=True)
        if epochs_without_gain > PATIENCE:
            break
    model.load_state_dict(best_state)
    return val_nll, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-epochs", type=int, default=MAX_EPOCHS, help="at most this many epochs (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="initial weights and batch order (default 0)")
    add_images_option(parser)
    args = parser.parse_args()

    armlib.setup(seed=args.seed, threads=1)
    x_train, x_val, x_test = (armlib.load_digits(split)[:args.images] for split in ("train", "val", "test"))
    model = armlib.MODELS["causal_conv1d_tomczak"]()
    val_nll, seconds = train_his_way(model, x_train, x_val, args.max_epochs, args.seed)
    test = armlib.evaluate(model, x_test)
    best = min(range(len(val_nll)), key=val_nll.__getitem__)

    print()
    print(f"Machine: {armlib.machine('one torch thread')}.")
    print(f"Tomczak's network (TomczakConvNet, {sum(p.numel() for p in model.parameters()):,} parameters), "
          f"his recipe: Adamax, lr {LEARNING_RATE:g}, batches of {BATCH_SIZE}, at most {args.max_epochs} epochs, "
          f"patience {PATIENCE}; seed {args.seed}.")
    if args.images is not None:
        print(f"Smoke run: the first {args.images} images of each split only.")
    print(f"best validation NLL {val_nll[best]:.2f} nats at epoch {best + 1} (counted from 1), "
          f"after {seconds[best]:.0f} s of training")
    print(f"stopped after {len(val_nll)} epochs, {seconds[-1]:.0f} s of training")
    print(f"test NLL {test.nats:.2f} nats per image ({test.bpd:.3f} bits per dimension), "
          f"with the weights of epoch {best + 1}")


if __name__ == "__main__":
    main()
