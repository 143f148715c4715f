"""Sphinx configuration of the book's web site; website/build.py stages the sources and runs Sphinx.

Everything the pages load comes from the build folder: MathJax 3 from the sphinx-mathjax-offline
package (its static files, copied into _static/mathjax), no widget JavaScript (build.py draws saved
progress bars as static HTML), no remote fonts. tests/test_site.py fails on any request that leaves
the local server.
"""
import importlib.util
import re
from pathlib import Path

from docutils import nodes

HERE = Path(__file__).resolve().parent
MATHJAX_PACKAGE = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent

project = "armlib"
author = "the armlib authors"
copyright = "the armlib authors"
html_title = "armlib: autoregressive models"

extensions = [
    "myst_nb",  # notebooks (and MyST Markdown, through myst_parser)
    "sphinx.ext.mathjax",
]
root_doc = "index"
exclude_patterns = ["_files/**", "**/.ipynb_checkpoints"]

# --- notebooks: rendered as committed, never executed
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no require.js / html-manager from a CDN; build.py draws saved widgets statically
nb_render_markdown_format = "myst"  # text/markdown outputs: tables, fenced code, $maths$
nb_merge_streams = True  # one block per cell for stdout (and one for stderr)
nb_output_stderr = "show"

# --- MyST Markdown
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "smartquotes"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# --- maths: MathJax 3, bundled (no CDN)
html_static_path = [str(MATHJAX_PACKAGE / "static"), str(HERE / "static")]  # -> _static/mathjax/...
mathjax_path = "mathjax/tex-chtml.js"
# (mathjax3_config: myst-parser sets the classes MathJax processes; tex-chtml.js finds its fonts
# beside itself, in _static/mathjax/output/chtml/fonts)

# --- look
html_theme = "sphinx_book_theme"
html_css_files = ["book.css"]
html_favicon = str(HERE / "static" / "favicon.svg")  # (browsers ask for /favicon.ico without one)
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
    "show_prev_next": True,
}
html_context = {"default_mode": "light"}  # the figures are drawn for a white page
html_show_sphinx = False
html_last_updated_fmt = None
pygments_style = "sphinx"
suppress_warnings = ["mystnb.unknown_mime_type"]


# --- solutions: each exercise's answer folded, so a reader can try first ---------------------------
# A solutions notebook (notebooks/solutions/NN_name_solutions.ipynb) answers each exercise under a
# heading "## Exercise k"; the chapters link to its anchor #exercise-k. The answer under that heading
# (everything after the restated exercise) goes into an HTML <details> element: closed until the
# reader opens it, with no JavaScript.
SOLUTIONS = "notebooks/solutions/"
EXERCISE = re.compile(r"Exercise\s+\d+\b")


class solution(nodes.General, nodes.Element):
    """The folded answer to one exercise."""


def visit_solution(translator, node):
    translator.body.append('<details class="solution">\n<summary>Show the solution</summary>\n')


def depart_solution(translator, node):
    translator.body.append("</details>\n")


def fold_solutions(app, doctree, docname):
    """Fold the answer under each "Exercise k" heading of a solutions page into a <details>.

    The exercise restated under the heading (its first paragraph, which opens with the exercise's
    bold title, "**The row above.** Train ...") stays outside, so the reader sees the question."""
    if not docname.startswith(SOLUTIONS):
        return
    for section in list(doctree.findall(nodes.section)):
        if not (section.children and isinstance(section[0], nodes.title) and EXERCISE.match(section[0].astext())):
            continue
        opening = section[1] if len(section.children) > 1 and isinstance(section[1], nodes.paragraph) else None
        # (MyST starts a paragraph with an empty Text node before its first inline markup)
        first = opening and next((c for c in opening.children if not (isinstance(c, nodes.Text) and not c.strip())), None)
        restated = isinstance(first, nodes.strong)
        answer = section.children[2:] if restated else section.children[1:]
        if not answer:
            continue
        folded = solution()
        for child in list(answer):
            section.remove(child)
            folded.append(child)
        section.append(folded)


def setup(app):
    app.add_node(solution, html=(visit_solution, depart_solution))
    app.connect("doctree-resolved", fold_solutions)
