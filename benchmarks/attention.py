"""What attention needs on 1000 digits: positions, and a convolution's local view. Chapter 11's runs.

    .venv/bin/python benchmarks/attention.py --jobs 2                         # 7 variants x 3 seeds
    .venv/bin/python benchmarks/attention.py --jobs 1 --variants "hybrid"     # one column
    .venv/bin/python benchmarks/attention.py --seeds 1 --epochs 1 --jobs 1    # a smoke run

Every variant trains with AdamW, batches of 16 and a cosine learning rate over 16 epochs, as
chapter 06's recipe does over 27, and keeps the weights of its best validation epoch.

The attention-only Transformers (registered ``transformer``: 4 blocks 64 wide, 4 heads, dropout 0.1,
learning rate 8e-3) differ only in how position enters:

- ``no positions``: nothing; the causal mask alone tells a position how many came before it;
- ``1-D positions``: a learned vector per position (raster index);
- ``row + column positions``: a learned vector per row plus one per column;
- ``relative scores``: no vector at all, but a learned score per head and (row, column) offset added
  to the attention scores (the registered default).

Two more columns share a learning rate of 5e-3 and differ by one Transformer block on top
(attention with relative scores, its MLP and layer normalisations, and the Transformer's input
embedding and output layer):

- ``gated PixelCNN, 6 blocks``: chapter 06's network with 6 blocks instead of 8;
- ``hybrid``: the same 6 gated blocks, then that Transformer block (registered
  ``transformer_hybrid``, dropout 0.2).

The Transformer block brings parameters too, so a last column spends them on convolutions instead:

- ``gated PixelCNN, 8 blocks``: chapter 06's network (8 blocks, 166,705 parameters against the
  hybrid's 178,137), with the same recipe.

The tables and the learning curves (``results/attention/learning_curves.json``, which chapter 11
reads) are written as benchmarks/ablation.py writes its own. On one thread a run is bit-reproducible
on one machine; another CPU rounds differently.
"""
from pathlib import Path

from ablation import Variant, arguments, run_study
from heads import settings

CURVES = Path(__file__).resolve().parents[1] / "results" / "attention" / "learning_curves.json"
RECIPE = {"epochs": 16, "batch_size": 16, "lr": 8e-3, "lr_schedule": "cosine", "weight_decay": 0.05, "patience": 16}
HYBRID_RECIPE = {**RECIPE, "lr": 5e-3}
WITHOUT_RELATIVE = {"relative_bias": False}
VARIANTS = {
    "no positions": Variant("transformer", {**WITHOUT_RELATIVE, "positions": "none"}, RECIPE),
    "1-D positions": Variant("transformer", {**WITHOUT_RELATIVE, "positions": "1d"}, RECIPE),
    "row + column positions": Variant("transformer", {**WITHOUT_RELATIVE, "positions": "rows_columns"}, RECIPE),
    "relative scores": Variant("transformer", {}, RECIPE),
    "gated PixelCNN, 6 blocks": Variant("gated_pixelcnn", {"channels": 32, "blocks": 6, "dropout": 0.2},
                                        HYBRID_RECIPE),
    "hybrid": Variant("transformer_hybrid", {}, HYBRID_RECIPE),
    "gated PixelCNN, 8 blocks": Variant("gated_pixelcnn", {"channels": 32, "blocks": 8, "dropout": 0.2},
                                        HYBRID_RECIPE),
}


def main() -> None:
    args = arguments(__doc__.split("\n")[0], VARIANTS, CURVES)
    run_study(VARIANTS, args, "benchmarks/attention.py",
              f"Recipe: {settings(RECIPE)} (learning rate {HYBRID_RECIPE['lr']} for the gated PixelCNNs and the "
              "hybrid).")


if __name__ == "__main__":
    main()
