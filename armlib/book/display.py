"""How a chapter shows things to its reader: the library's own code, numbered figures and tables.

Each returns (or displays) Markdown, so the output reads the same in JupyterLab, on GitHub and on
the book's web site: code in monospace with highlighting, tables as tables, a caption under each
figure. A chapter never keeps a private copy of the library's code: it shows the code itself.
"""
import ast
import base64
import inspect
import io
import re
import textwrap
from pathlib import Path

from IPython.display import Markdown, display

PACKAGE = Path(__file__).resolve().parents[1]  # armlib/
FIGURE_NUMBER = re.compile(r"S?\d+\.\d+")  # "4.2": chapter 4's second figure; "S4.2": its solutions' second
FIGURE_DPI = 200  # pixels per inch of the PNG; shown at half that size, so every figure stays crisp


class MarkdownText(Markdown):
    """Markdown whose plain-text form (for viewers that show only ``text/plain``) is the Markdown."""

    def __repr__(self) -> str:
        return self.data


class Listing:
    """Python source shown as a fenced, highlighted Markdown code block (``text/markdown``), with the
    plain source as its ``text/plain`` fallback."""

    def __init__(self, source: str, origin: str):
        self.source, self.origin = source, origin

    def _repr_markdown_(self) -> str:
        fence = "````" if "```" in self.source else "```"
        return f"{self.origin}\n\n{fence}python\n{self.source}{fence}\n"

    def __repr__(self) -> str:
        return self.source


def show_source(obj, methods: tuple[str, ...] | list[str] | None = None) -> Listing:
    """The source of a function, class or method, as the reader's listing.

    ``methods`` picks the methods of a class to show (its docstring and class attributes are always
    shown); the others are named in a comment, so a chapter shows the maths it teaches and not the
    parts a later chapter explains. The listing is valid Python either way.
    """
    obj = inspect.unwrap(obj)  # a decorated function (torch.no_grad) lives in its own file, not the decorator's
    try:
        source = textwrap.dedent(inspect.getsource(obj))
        path = Path(inspect.getsourcefile(obj)).resolve()
    except TypeError as error:
        raise TypeError(f"show_source expects a function, class or method, got {type(obj).__name__}") from error
    if methods is not None:
        if not inspect.isclass(obj):
            raise TypeError(f"methods= selects methods of a class; {obj.__qualname__} is not a class")
        source = _select_methods(source, obj.__qualname__, list(methods))
    where = path.relative_to(PACKAGE.parent).as_posix() if path.is_relative_to(PACKAGE) else path.name
    return Listing(source, f"`{obj.__qualname__}`, from `{where}`:")


def _select_methods(source: str, name: str, methods: list[str]) -> str:
    """``source`` of a class with only the named methods kept, and a comment naming the rest."""
    lines = source.splitlines(keepends=True)
    (cls,) = ast.parse(source).body
    functions = {node.name: node for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    unknown = [method for method in methods if method not in functions]
    if unknown:
        raise ValueError(f"{name} defines no method {unknown}; it defines {list(functions)}")
    kept, hidden, end = [lines[: cls.body[0].lineno - 1]], [], cls.body[0].lineno - 1
    for node in cls.body:  # each statement with the blank lines and comments above it
        start, end = end, node.end_lineno
        if node in functions.values() and node.name not in methods:
            hidden.append(node.name)
        else:
            kept.append(lines[start:end])
    listing = "".join(line for block in kept for line in block)
    indent = " " * cls.body[0].col_offset
    return listing + (f"\n{indent}# not shown here: {', '.join(hidden)}\n" if hidden else "")


def show_figure(number: str, caption: str, fig=None) -> None:
    """Display ``fig`` (by default the current matplotlib figure) as a crisp PNG with its numbered
    caption under it, for example ``show_figure("4.2", "The receptive field ...")``, then close it."""
    import matplotlib.pyplot as plt

    if not FIGURE_NUMBER.fullmatch(number):
        raise ValueError(f"a figure number is chapter.figure, like '4.2' (or 'S4.2' in chapter 4's solutions); "
                         f"got {number!r}")
    if not caption.strip():
        raise ValueError("every figure needs a one-line caption")
    fig = plt.gcf() if fig is None else fig
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(fig)
    width, height = _png_size(png.getvalue())
    scale = fig.dpi / FIGURE_DPI  # shown at the figure's own size; the extra pixels make it sharp
    display({"image/png": base64.b64encode(png.getvalue()).decode("ascii"),
             "text/plain": f"<Figure {number}: {width}x{height} px>"},
            metadata={"image/png": {"width": round(width * scale), "height": round(height * scale)}}, raw=True)
    display(MarkdownText(f"**Figure {number}.** {caption.strip()}"))


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def table(header: list[str], rows: list[list], caption: str | None = None, align: str | None = None) -> MarkdownText:
    """A Markdown table: ``header`` names the columns, each row gives one value per column (numbers
    already formatted as the text should show them). ``align`` gives one letter per column, ``l``
    or ``r`` (default: numbers right, text left)."""
    if any(len(row) != len(header) for row in rows):
        raise ValueError(f"every row needs {len(header)} values, one per column of {header}")
    if align is None:
        align = "".join("r" if rows and all(_is_number(row[i]) for row in rows) else "l" for i in range(len(header)))
    if len(align) != len(header) or set(align) - {"l", "r"}:
        raise ValueError(f"align needs one letter, l or r, per column; got {align!r} for {len(header)} columns")
    cells = lambda values: "| " + " | ".join(str(value).replace("|", "\\|") for value in values) + " |"
    lines = [cells(header), "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|",
             *(cells(row) for row in rows)]
    return MarkdownText((f"{caption}\n\n" if caption else "") + "\n".join(lines))


def _is_number(value) -> bool:
    return re.fullmatch(r"[-+−]?[\d,]*\.?\d+(e[-+]?\d+)?\s*%?[x×]?", str(value).strip()) is not None
