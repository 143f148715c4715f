"""The book's citations and its one bibliography, ``references.bib``.

    python -m tools.references 04_causal_conv1d           print the chapter's References section
    python -m tools.references --write 04_causal_conv1d   write it as the chapter's last markdown cell
    python -m tools.references --write                    ... for every chapter

A chapter cites in its prose as ``Tomczak (2022)``, ``Wiggers & Hoogeboom (2020)``,
``van den Oord et al. (2016c)`` or ``(Salimans et al., 2017; Bai et al., 2018)``. A citation's key is
the first author's surname in lower case without spaces, then the year with its letter:
``vandenoord2016c``. ``--write`` changes the References cell of the ``.py`` and of the executed
``.ipynb`` alike and leaves every output as it is (the cell is markdown).
"""
import re
import sys
import unicodedata
from pathlib import Path

import jupytext
import nbformat
from pybtex.database import Entry, parse_file
from pybtex.plugin import find_plugin
from pybtex.richtext import Text

ROOT = Path(__file__).resolve().parents[1]
BIBLIOGRAPHY = ROOT / "references.bib"
NOTEBOOKS = ROOT / "notebooks"
HEADING = "## References"
PLAIN_TEXT = find_plugin("pybtex.backends", "text")()  # looked up once: render_as scans the plugins every call
MAX_AUTHORS = 7  # longer author lists show the first six, then "et al."

_SURNAME = r"(?:van den |van |de )?[A-Z][\w\-]+"
_NAMES = rf"{_SURNAME}(?: et al\.| (?:&|and) {_SURNAME})?"
_YEAR = r"\d{4}[a-z]?"
NARRATIVE = re.compile(rf"(?<![\w.])({_NAMES})(?:'s)? \(({_YEAR})\)")
PARENTHETICAL = re.compile(rf"\(((?:{_NAMES}, {_YEAR})(?:; {_NAMES}, {_YEAR})*)\)")
ONE_PARENTHETICAL = re.compile(rf"({_NAMES}), ({_YEAR})")


def key(names: str, year: str) -> str:
    """The bibliography key of a citation: ``key("van den Oord et al.", "2016c") == "vandenoord2016c"``."""
    first = re.split(r" et al\.| & | and ", names)[0]
    ascii_name = unicodedata.normalize("NFKD", text(first)).encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", "").replace("-", "") + year


def text(latex: str) -> str:
    """A BibTeX field as text: ``text('Merri{\\"e}nboer') == 'Merriënboer'``, ``--`` an en dash."""
    return Text.from_latex(latex).render(PLAIN_TEXT)


def citations(prose_text: str) -> set[str]:
    """The keys of every citation in ``prose_text``."""
    found = {key(names, year) for names, year in NARRATIVE.findall(prose_text)}
    for group in PARENTHETICAL.findall(prose_text):
        found |= {key(names, year) for names, year in ONE_PARENTHETICAL.findall(group)}
    return found


def bibliography() -> dict[str, Entry]:
    return dict(parse_file(str(BIBLIOGRAPHY), bib_format="bibtex").entries)


def entry_key(entry: Entry) -> str:
    """The key an entry must have: its first author's surname and its year (the letter aside)."""
    first = entry.persons["author"][0]
    return key(" ".join(first.prelast_names + first.last_names), entry.fields["year"])


def markdown(key_: str, entry: Entry) -> str:
    """One entry as a line of the References section, in author (year) style."""
    authors = [f"{text(' '.join(p.prelast_names + p.last_names))}, "
               f"{' '.join(text(name)[0] + '.' for name in p.first_names + p.middle_names)}"
               for p in entry.persons["author"]]
    if len(authors) > MAX_AUTHORS:
        authors = authors[:6] + ["et al."]
    names = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + (
        ", " + authors[-1] if authors[-1] == "et al." else ", & " + authors[-1])
    fields = {name: text(value) for name, value in entry.fields.items()}
    year = key_[len(key_.rstrip("abcdefghijklmnopqrstuvwxyz")):]  # the letter the book cites
    title = f"*{fields['title']}*" if entry.type == "book" else fields["title"]
    parts = [f"{names} ({fields['year']}{year}). {title}."]
    if "chapter" in fields:
        parts.append(f"Chapter {fields['chapter']}.")
    venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher") or fields.get("howpublished")
    details = [f"{fields['volume']}({fields['number']})" if "number" in fields and "volume" in fields
               else fields.get("volume", ""), fields.get("pages", "").replace("--", "-")]
    parts.append(", ".join([f"*{venue}*" if entry.type != "book" else venue] + [d for d in details if d]) + ".")
    if "note" in fields:
        parts.append(f"{fields['note']}.")
    if "doi" in fields:
        parts.append(f"https://doi.org/{fields['doi']}")
    return "- " + " ".join(parts)


def chapters() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def prose(notebook) -> str:
    """The chapter's markdown, without its References section."""
    return "\n".join(cell.source for cell in notebook.cells
                     if cell.cell_type == "markdown" and not cell.source.startswith(HEADING))


def section(notebook, entries: dict[str, Entry] | None = None) -> str:
    """The References section the chapter's citations call for (sorted by key: by first author, year)."""
    entries = bibliography() if entries is None else entries
    cited = citations(prose(notebook))
    missing = sorted(cited - entries.keys())
    if missing:
        raise KeyError(f"cited but not in {BIBLIOGRAPHY.name}: {', '.join(missing)}")
    return "\n".join([HEADING, ""] + [markdown(k, entries[k]) for k in sorted(cited)])


def write(source: Path) -> None:
    """Make the References section the last cell of the chapter's .py and .ipynb (outputs untouched).

    An existing References cell keeps its id, so re-writing it changes only its text."""
    for path in (source, source.with_suffix(".ipynb")):
        notebook = jupytext.read(path)
        text = section(notebook)
        old = [cell for cell in notebook.cells if cell.cell_type == "markdown" and cell.source.startswith(HEADING)]
        cell = old[0] if old else nbformat.v4.new_markdown_cell()
        cell.source = text
        notebook.cells = [c for c in notebook.cells if c not in old] + [cell]
        jupytext.write(notebook, path)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    writing = "--write" in arguments
    stems = [a for a in arguments if a != "--write"]
    chosen = [p for p in chapters() if not stems or p.stem in stems]
    if stems and len(chosen) != len(stems):
        raise SystemExit(f"no chapter named {sorted(set(stems) - {p.stem for p in chosen})}; "
                         f"chapters: {[p.stem for p in chapters()]}")
    for source in chosen:
        if writing:
            write(source)
            print(f"{source.stem}: References written")
        else:
            print(section(jupytext.read(source)))
