"""Re-execute chapters from their jupytext sources and write the paired .ipynb with fresh outputs.

    python -m tools.execute_notebooks              every chapter, in order, then every solutions notebook
    python -m tools.execute_notebooks 04 05_pixel  chapters whose file name starts with these
    python -m tools.execute_notebooks 04_causal_conv1d_solutions solutions notebooks (all: solutions)

The .py file is the source of truth: it is read, executed top to bottom in a fresh kernel whose
working directory is its own folder, and written to the .ipynb beside it with its outputs. Each
runs on one thread, and at most one per core runs at a time on a machine (lock files), so timings
printed in a chapter are not disturbed by executions competing for a core.
"""
import difflib
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import jupytext
from nbconvert.preprocessors import ExecutePreprocessor

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
PAIRING = {"formats": "ipynb,py:percent"}


def chapters(prefixes: list[str]) -> list[Path]:
    """The notebooks named by ``prefixes`` (all of them when none is given): a prefix picks the
    chapters whose names start with it; solutions notebooks (notebooks/solutions/) are picked by a
    prefix that says "solutions" ("04_causal_conv1d_solutions", or "solutions" for all of them)."""
    sources = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")) + sorted((NOTEBOOKS / "solutions").glob("[0-9][0-9]_*.py"))

    def picks(prefix: str, path: Path) -> bool:
        if prefix == "solutions":
            return path.parent.name == "solutions"
        return path.stem.startswith(prefix) and ("solutions" in prefix) == (path.parent.name == "solutions")

    chosen = [path for path in sources if not prefixes or any(picks(prefix, path) for prefix in prefixes)]
    if prefixes and not chosen:
        raise SystemExit(f"no chapter matches {prefixes}; chapters: {[p.stem for p in sources]}")
    return chosen


@contextmanager
def core_slot():
    """Hold one of as many machine-wide slots as there are cores (lock files in /tmp; POSIX), so that
    at most that many one-thread executions run at once and none shares a core; elsewhere just run."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    locks = [Path("/tmp") / ("armlib-execute.lock" if k == 0 else f"armlib-execute-{k + 1}.lock")
             for k in range(os.cpu_count() or 1)]
    while True:
        for path in locks:
            with open(path, "w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                yield
                return
        time.sleep(1)


def keep_cell_ids(notebook, previous: Path) -> None:
    """Give every cell the id its twin had in the ``previous`` .ipynb, so that re-executing a chapter
    changes only what the run changed. Twins are found by aligning the two lists of cells (type and
    source): unchanged cells keep their ids, and so do edited cells (paired in order within a run of
    changed cells); cells beyond the old run's length are new and keep their new ids."""
    if not previous.exists():
        return
    old = jupytext.read(previous).cells
    key = lambda cell: (cell.cell_type, cell.source)
    matcher = difflib.SequenceMatcher(None, [key(c) for c in old], [key(c) for c in notebook.cells], autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for before, after in zip(old[old_start:old_end], notebook.cells[new_start:new_end]):
                if before.cell_type == after.cell_type:
                    after.id = before.id


def execute(source: Path) -> float:
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = KERNELSPEC
    notebook.metadata["jupytext"] = PAIRING
    keep_cell_ids(notebook, source.with_suffix(".ipynb"))
    start = time.perf_counter()
    # no per-cell timestamps in the committed notebook: a diff shows the reader's changes only
    ExecutePreprocessor(timeout=1800, kernel_name=KERNELSPEC["name"], record_timing=False).preprocess(
        notebook, {"metadata": {"path": str(source.parent)}})
    jupytext.write(notebook, source.with_suffix(".ipynb"))
    return time.perf_counter() - start


def main(prefixes: list[str]) -> None:
    for source in chapters(prefixes):
        with core_slot():
            print(f"executing {source.name} ...", flush=True)
            print(f"  {source.with_suffix('.ipynb').name}: {execute(source):.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
