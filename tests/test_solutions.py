"""Every exercise of every chapter has a worked solution with the same number, one click away, and
every solution checks its claims with asserts."""
import re
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
ITEM = re.compile(r"^(\d+)\. ", re.M)
HEADING = re.compile(r"^## Exercise (\d+)$", re.M)


def exercises(chapter: Path) -> dict[int, str]:
    """Exercise number -> its text, from the chapter's "## Exercises" section (up to the next heading)."""
    (section,) = [part for cell in jupytext.read(chapter).cells if cell.cell_type == "markdown"
                  for part in re.split(r"^(?=## )", cell.source, flags=re.M) if part.startswith("## Exercises")]
    items = ITEM.split(section)[1:]
    return {int(number): text for number, text in zip(items[::2], items[1::2])}


def sections(solutions: Path) -> dict[int, list]:
    """Exercise number -> the cells of its solution (from its heading to the next one)."""
    found, current = {}, None
    for cell in jupytext.read(solutions).cells:
        heading = HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if heading:
            current = int(heading[1])
            assert current not in found, f"{solutions.name}: two solutions to exercise {current}"
            found[current] = []
        elif current is not None:
            found[current].append(cell)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_linked_asserted_solution_with_its_number(chapter):
    asked = exercises(chapter)
    assert list(asked) == list(range(1, len(asked) + 1)), f"{chapter.name}: exercises numbered {list(asked)}"
    solutions = NOTEBOOKS / "solutions" / f"{chapter.stem}_solutions.py"
    assert solutions.exists(), f"{chapter.name} has exercises but no {solutions.relative_to(NOTEBOOKS.parent)}"
    answered = sections(solutions)
    assert list(answered) == list(asked), f"{solutions.name} answers {list(answered)}, the chapter asks {list(asked)}"
    for number, text in asked.items():
        link = f"(solutions/{solutions.stem}.ipynb#exercise-{number})"
        assert link in text, f"{chapter.name}, exercise {number}: no link {link} to its solution"
        code = [cell.source for cell in answered[number] if cell.cell_type == "code"]
        assert any(re.search(r"^\s*assert ", source, re.M) for source in code), (
            f"{solutions.name}, exercise {number}: no cell asserts the answer")
    assert f"(../{chapter.stem}.ipynb)" in jupytext.read(solutions).cells[0].source, (
        f"{solutions.name} should open with a link back to its chapter")
