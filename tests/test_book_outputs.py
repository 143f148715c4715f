"""The committed chapters read like a book, in every viewer: listings are valid Python in fenced
code, figures are crisp and numbered with a caption, progress bars finished, no test plumbing and no
raw Markdown tables in the text the reader sees."""
import ast
import base64
import re
from pathlib import Path

import jupytext
import pytest

import armlib

from armlib.book.display import _png_size, show_source

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + sorted(NOTEBOOKS.glob("solutions/[0-9][0-9]_*.ipynb"))
FENCED_PYTHON = re.compile(r"^(`{3,})python\n(.*?)^\1$", re.S | re.M)
PROGRESS = re.compile(r"(\d+)%\|.*?\| (\d+)/(\d+)")
CAPTION = re.compile(r"\*\*Figure (S?\d+)\.(\d+)\.\*\* \S")
WIDGET = "application/vnd.jupyter.widget-view+json"


def code_cells(path):
    return [cell for cell in jupytext.read(path).cells if cell.cell_type == "code"]


def text(output) -> str:
    if output.output_type == "stream":
        return output.text
    return "\n".join(str(value) for key, value in output.get("data", {}).items() if key.startswith("text/"))


def test_show_source_gives_valid_python_for_methods_and_selected_methods():
    from armlib.models.gated_pixelcnn import GatedPixelCNN
    from armlib.heads.logistic import LogisticMixtureHead

    method = show_source(LogisticMixtureHead.initial_bias)
    ast.parse(method.source)  # a method's body keeps its indentation relative to its def
    assert method.source.startswith("def initial_bias(")
    listing = show_source(GatedPixelCNN, methods=["forward"])
    ast.parse(listing.source)
    assert "def forward(" in listing.source and "def __init__(" not in listing.source
    assert "# not shown here: __init__" in listing.source
    assert listing._repr_markdown_().count("```") == 2
    assert "from `armlib/arm.py`" in show_source(armlib.ARM.sample_from_noise)._repr_markdown_()  # decorated
    with pytest.raises(ValueError, match="defines no method"):
        show_source(GatedPixelCNN, methods=["step"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_listing_is_fenced_valid_python(path):
    listings = 0
    for cell in code_cells(path):
        if "show_source(" not in cell.source:
            continue
        for output in cell.outputs:
            assert "text/html" not in output.get("data", {}), f"{path.name}: a listing still rendered as HTML"
            for _, source in FENCED_PYTHON.findall(output.get("data", {}).get("text/markdown", "")):
                ast.parse(source)
                listings += 1
    assert listings == sum(cell.source.count("show_source(") for cell in code_cells(path))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_progress_bar_is_finished_and_plain_text(path):
    for cell in code_cells(path):
        for output in cell.outputs:
            assert WIDGET not in output.get("data", {}), f"{path.name}: a widget progress bar (not shown by most viewers)"
            for percent, done, total in PROGRESS.findall(text(output)):
                assert percent == "100" and done == total, f"{path.name}: a progress bar left at {done}/{total}"
    assert "widgets" not in jupytext.read(path).metadata, f"{path.name} saved widget state"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_is_crisp_numbered_and_captioned(path):
    chapter = ("S" if path.parent.name == "solutions" else "") + str(int(path.stem[:2]))
    numbers = []
    for cell in code_cells(path):
        for index, output in enumerate(cell.outputs):
            png = output.get("data", {}).get("image/png")
            if png is None:
                continue
            width, _ = _png_size(base64.b64decode(png))
            shown = output.get("metadata", {}).get("image/png", {}).get("width")
            assert shown and width >= 1.5 * shown, f"{path.name}: a figure below 150 dpi ({width} px shown at {shown})"
            following = cell.outputs[index + 1] if index + 1 < len(cell.outputs) else {}
            caption = CAPTION.match(following.get("data", {}).get("text/markdown", ""))
            assert caption, f"{path.name}: a figure without a caption under it (use armlib.show_figure)"
            numbers.append((caption[1], int(caption[2])))
    assert numbers == [(chapter, k) for k in range(1, len(numbers) + 1)], f"{path.name}: figures numbered {numbers}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_readers_see_no_test_plumbing_and_no_raw_tables(path):
    for cell in code_cells(path):
        assert "NBVAL" not in cell.source, f"{path.name}: nbval markers belong in cell tags (nbval-check-output)"
        for output in cell.outputs:
            if output.output_type == "stream" or "text/markdown" not in output.get("data", {}):
                shown = text(output)
                assert not re.search(r"^\s*\|.*\|\s*$", shown, re.M), f"{path.name}: a pipe table printed as text"
                assert not re.search(r"\{'[^']*': ", shown), f"{path.name}: a raw dict printed to the reader"
