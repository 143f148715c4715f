"""Every work the book cites is in references.bib, every entry there is cited, and every chapter
ends with the References section its citations call for."""
import jupytext
import pytest

from tools import references

SOURCES = references.chapters()


def test_citations_are_parsed_in_every_form_the_book_uses():
    prose = ("Tomczak (2022) and Tomczak's (2022) network; van den Oord et al. (2016c) and "
             "Wiggers & Hoogeboom (2020); PixelCNN++ (Salimans et al., 2017), gates "
             "(van den Oord et al., 2016b; Chung et al., 2014). Not a citation: chapter 04 (2022), x (1).")
    assert references.citations(prose) == {"tomczak2022", "vandenoord2016c", "wiggers2020", "salimans2017",
                                           "vandenoord2016b", "chung2014"}


def test_every_entry_is_keyed_by_its_first_author_and_year():
    for key, entry in references.bibliography().items():
        assert key in (references.entry_key(entry), references.entry_key(entry) + key[-1]), (
            f"{key}: the key must be the first author's surname and the year (with a letter), "
            f"here {references.entry_key(entry)}")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_citation_has_an_entry(source):
    cited = references.citations(references.prose(jupytext.read(source)))
    missing = cited - references.bibliography().keys()
    assert not missing, f"{source.name} cites works that references.bib lacks: {sorted(missing)}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_chapter_ends_with_its_references(source):
    for path in (source, source.with_suffix(".ipynb")):
        notebook = jupytext.read(path)
        last = notebook.cells[-1]
        assert last.cell_type == "markdown" and last.source.strip() == references.section(notebook), (
            f"{path.name}: its last cell must be the References section its citations call for: "
            f"run `.venv/bin/python -m tools.references --write {source.stem}`")


def test_every_entry_is_cited_somewhere():
    cited = set().union(*(references.citations(references.prose(jupytext.read(s))) for s in SOURCES))
    uncited = references.bibliography().keys() - cited
    assert not uncited, f"references.bib holds works no chapter cites: {sorted(uncited)}"
