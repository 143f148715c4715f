"""The likelihood ladder: every model of the book, one table, one metric.

Each model chapter writes its rows to ``results/<chapter>.json``; the README's table is built from
those files (``python -m tools.update_ladder`` rewrites it) and a test fails when the two disagree.
A chapter whose trained model a later notebook studies keeps its weights beside its rows,
``results/<name>.pt`` (``save_weights``, ``load_weights``); a test checks that each file still
scores what its chapter printed.
"""
import json
import os
from pathlib import Path

import torch
from torch import nn

from ..data import DIGIT_LENGTH, NUM_VALS
from ..metrics import bits_per_dim, uniform_nats

REPOSITORY = Path(__file__).resolve().parents[2]
RESULTS = Path(os.environ.get("ARMLIB_RESULTS_DIR") or REPOSITORY / "results")
"""Where chapters write their rows: the repository's results/, unless ARMLIB_RESULTS_DIR says
otherwise (the test command points it at a scratch folder, so running the notebooks as tests never
rewrites the committed results)."""
COMMITTED_RESULTS = REPOSITORY / "results"
README = REPOSITORY / "README.md"
START, END = "<!-- ladder:start -->", "<!-- ladder:end -->"


def entry(name: str, model, score, history) -> dict:
    """One row: the model's name, its test score, its size and what training it cost. Bits per
    dimension keep six decimals, so the table's three are rounded once, as the chapters print them."""
    return {"model": name, "test_nats": round(score.nats, 2), "test_bpd": round(score.bpd, 6),
            "params": sum(p.numel() for p in model.parameters()),
            "train_seconds": round(history.seconds[-1], 1), "epochs": history.epochs}


def record(chapter: str, rows: list[dict], results: Path = RESULTS) -> Path:
    """Write a chapter's rows to ``results/<chapter>.json`` (replacing what it wrote before)."""
    path = results / f"{chapter}.json"
    path.write_text(json.dumps(rows, indent=2) + "\n")
    return path


def rows(results: Path = RESULTS, through: str | None = None) -> list[dict]:
    """Uniform first, then every chapter's rows in chapter order; with ``through``, only the
    chapters up to and including that one (a chapter shows the ladder so far, not rows from
    chapters the reader has not reached)."""
    uniform = uniform_nats(DIGIT_LENGTH, NUM_VALS)
    table = [{"chapter": "-", "model": "uniform over 17 values", "test_nats": round(uniform, 2),
              "test_bpd": round(bits_per_dim(uniform, DIGIT_LENGTH), 6), "params": 0,
              "train_seconds": 0.0, "epochs": 0}]
    for path in sorted(results.glob("*.json")):
        if through is not None and path.stem > through:
            break
        table += [{"chapter": path.stem, **row} for row in json.loads(path.read_text())]
    return table


def find(chapter: str, model: str, results: Path = COMMITTED_RESULTS) -> dict:
    """The row named ``model`` that ``chapter`` recorded: how a later chapter quotes an earlier one.

    Reads the committed results by default, so a chapter's comparison does not depend on which
    notebooks happened to run before it."""
    path = results / f"{chapter}.json"
    if not path.exists():
        raise KeyError(f"no results for chapter {chapter!r} in {results}")
    found = json.loads(path.read_text())
    for row in found:
        if row["model"] == model:
            return row
    raise KeyError(f"chapter {chapter!r} has no row {model!r}; its rows: {[row['model'] for row in found]}")


def save_weights(name: str, model: nn.Module, results: Path = RESULTS) -> None:
    """Keep ``model``'s trained weights as ``results/<name>.pt``, so that later notebooks can study
    the model instead of training it again."""
    torch.save(model.state_dict(), results / f"{name}.pt")


def load_weights(name: str, model: nn.Module, results: Path = COMMITTED_RESULTS) -> nn.Module:
    """``model`` (built untrained, with the saving chapter's settings) with the weights of
    ``results/<name>.pt``. Reads the committed results by default, like ``find``."""
    path = results / f"{name}.pt"
    if not path.exists():
        raise FileNotFoundError(f"no weights {name!r} in {results}: the chapter that saves them writes {path.name}")
    model.load_state_dict(torch.load(path, weights_only=True))
    return model


def markdown(results: Path = RESULTS, through: str | None = None) -> str:
    """The ladder as a Markdown table (``through``: as in ``rows``).

    A chapter's view of the ladder so far (``through`` given) leaves out the training times: those
    of earlier chapters change with every run of them, and the README's full table shows them."""
    columns = ["chapter", "model", "test NLL [nats/image]", "bits/dim", "parameters", "training [s]", "epochs"]
    if through is not None:
        columns.remove("training [s]")
    lines = ["| " + " | ".join(columns) + " |", "|---|---|" + "---:|" * (len(columns) - 2)]
    for row in rows(results, through):
        cells = {"chapter": row["chapter"], "model": row["model"], "test NLL [nats/image]": f"{row['test_nats']:.2f}",
                 "bits/dim": f"{row['test_bpd']:.3f}", "parameters": f"{row['params']:,}",
                 "training [s]": f"{row['train_seconds']:.0f}", "epochs": str(row["epochs"])}
        lines.append("| " + " | ".join(cells[column] for column in columns) + " |")
    return "\n".join(lines)


def readme_with_ladder(readme: str, results: Path = COMMITTED_RESULTS) -> str:
    """``readme`` with the text between the ladder markers replaced by the current table."""
    head, found, rest = readme.partition(START)
    if not found or END not in rest:
        raise ValueError(f"the README has no {START} ... {END} section for the ladder")
    return f"{head}{START}\n{markdown(results)}\n{END}{rest.partition(END)[2]}"
