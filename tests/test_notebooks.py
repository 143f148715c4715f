"""The notebooks as files: every chapter is a jupytext pair whose .ipynb holds the .py's cells,
executed top to bottom."""
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")) + sorted(NOTEBOOKS.glob("solutions/[0-9][0-9]_*.py"))


def cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_there_are_chapters():
    assert SOURCES, f"no chapter sources in {NOTEBOOKS}"


def test_every_notebook_has_its_source_and_every_source_its_notebook():
    notebooks = [*NOTEBOOKS.glob("*.ipynb"), *NOTEBOOKS.glob("solutions/*.ipynb")]
    assert {p.with_suffix("") for p in notebooks} == {p.with_suffix("") for p in SOURCES}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_pair_holds_the_same_cells(source):
    py, ipynb = jupytext.read(source), jupytext.read(source.with_suffix(".ipynb"))
    assert cells(ipynb) == cells(py), f"{source.name} and its .ipynb differ: run `python3 book.py execute {source.stem}`"
    assert ipynb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_outputs_come_from_one_run_top_to_bottom(source):
    code = [cell for cell in jupytext.read(source.with_suffix(".ipynb")).cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), (
        f"{source.name}: the .ipynb was not executed top to bottom in one fresh kernel")
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"{source.name}: a committed cell output is an error"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_notebook_downloads_anything(source):
    text = source.read_text()
    for word in ("urlopen", "requests.get", "urlretrieve", "download=True", "wget ", "curl "):
        assert word not in text, f"{source.name} mentions {word!r}: chapters must not download"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_cell_records_when_it_ran(source):
    cells = jupytext.read(source.with_suffix(".ipynb")).cells
    stamped = [index for index, cell in enumerate(cells) if "execution" in cell.metadata]
    assert not stamped, f"{source.name}: cells {stamped} carry execution timestamps; re-execute with book.py execute"


def test_re_executing_keeps_the_ids_of_unchanged_and_edited_cells(tmp_path):
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from tools.execute_notebooks import keep_cell_ids

    before = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1"), new_code_cell("y = 2")])
    jupytext.write(before, tmp_path / "chapter.ipynb")
    after = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1"), new_code_cell("y = 3"),
                                new_code_cell("z = 4")])
    keep_cell_ids(after, tmp_path / "chapter.ipynb")
    assert [cell.id for cell in after.cells[:3]] == [cell.id for cell in before.cells]  # y = 2 edited in place
    assert after.cells[3].id not in {cell.id for cell in before.cells}  # an inserted cell is a new cell
