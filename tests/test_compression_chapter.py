"""Chapter 12's result file, results/12_compression.md, holds the sizes the chapter printed, and the
README's "Compression" section shows the same table and machine."""
import re

from armlib import ladder

RESULT = ladder.COMMITTED_RESULTS / "12_compression.md"
README = ladder.README


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def bits(lines: list[str], name: str) -> float:
    """The bits per image of the row whose first cell starts with ``name``."""
    (row,) = [line for line in lines if line.startswith(f"| {name}")]
    return float(re.split(r"(?<!\\)\|", row)[2])  # a cell may hold an escaped pipe, \|


def compression_section() -> str:
    text = README.read_text()
    start = text.index("\n## Compression\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def test_the_readme_shows_the_table_and_machine_the_chapter_wrote():
    result = RESULT.read_text()
    section = compression_section()
    assert "\n".join(table_lines(result)) in section, "run chapter 12 and copy its table into the README"
    (machine,) = re.findall(r"Measured on: (.+?)\.?$", result, re.M)
    assert machine in section


def test_the_recorded_sizes_meet_the_issues_bounds():
    lines = table_lines(RESULT.read_text())
    stream = bits(lines, "ARM, chapter 07's model given the label: the stream")
    ideal = bits(lines, "ARM, chapter 07's model: ideal")
    assert ideal <= stream <= 1.01 * ideal + 8 * 32 / 447  # payload within 1%, plus the 32-byte header
    best_generic = min(bits(lines, name) for name in ("zlib", "bz2", "lzma"))
    assert best_generic / stream >= 1.5
    assert abs(bits(lines, "uniform code") - 261.6) < 0.05


def test_the_chapters_table_lists_chapter_12():
    assert "| 12 | [compression](notebooks/12_compression.ipynb) |" in README.read_text()
