"""Build the book as a static web site from the committed notebooks, without executing them.

    python3 book.py site [--clean] [SPHINX OPTIONS]   (or: .venv/bin/python -m website.build ...)

Sphinx with myst-nb and sphinx-book-theme (configuration: website/conf.py). The build reads a
staged copy of the book in _site/source/, written here:

- index.md: the README, the landing page, with a hidden table of contents of the ten chapters (and
  of the solutions notebooks, where notebooks/solutions/*.ipynb exist); its links to other files of
  the repository become links to copies of those files;
- notebooks/*.ipynb: the chapters as committed, except that a progress bar saved as an ipywidget is
  drawn as static HTML from the widget state saved in the notebook (its last value, its colour), so
  no widget JavaScript and nothing from a CDN is needed, and stream text keeps what follows a
  carriage return, as notebook viewers show it;
- notebooks/solutions/*.ipynb: the same (conf.py folds each exercise's answer into a <details>).

Output: _site/html/index.html (git-ignored). Staged files are rewritten only when they change, so a
second build re-reads only what changed.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "website"
BUILD = ROOT / "_site"
SOURCE = BUILD / "source"
HTML = BUILD / "html"
DOCTREES = BUILD / "doctrees"
INDEX = HTML / "index.html"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")
# Sphinx as `python -m sphinx` starts it, less one import: myst-nb reads notebooks with nbformat, whose
# jsonschema loads rfc3987_syntax when it is installed and compiles some forty grammars (seconds of
# CPU) for IRI format checks that reading a notebook never makes. The pages come out the same.
SPHINX = ("import sys; sys.modules['rfc3987_syntax'] = None; "
          "from sphinx.cmd.build import main; sys.exit(main(sys.argv[1:]))")


def chapters() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def solutions() -> list[Path]:
    return sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


# --- widgets: saved state -> static HTML ------------------------------------------------------------

def _model_id(reference: str) -> str:
    return reference.removeprefix("IPY_MODEL_")


def widget_html(model_id: str, state: dict) -> str | None:
    """Static HTML for a saved ipywidget view (boxes, HTML, labels, progress bars); None for others."""
    model = state.get(model_id)
    if model is None:
        return None
    name, values = model.get("model_name", ""), model.get("state", {})
    if name in ("HBoxModel", "VBoxModel", "BoxModel"):
        children = [widget_html(_model_id(child), state) for child in values.get("children", [])]
        if any(child is None for child in children):
            return None
        kind = "widget-hbox" if name == "HBoxModel" else "widget-vbox"
        return f'<div class="widget-box {kind} static-widget">{"".join(children)}</div>'
    if name == "HTMLModel":  # an HTML widget's value is HTML (tqdm escapes what it puts there)
        return f'<div class="widget-html">{values.get("value", "")}</div>'
    if name == "LabelModel":
        return f'<div class="widget-label">{html.escape(str(values.get("value", "")))}</div>'
    if name in ("FloatProgressModel", "IntProgressModel"):
        low, high, value = values.get("min", 0), values.get("max", 100), values.get("value", 0)
        fraction = 0.0 if high == low else min(max((value - low) / (high - low), 0.0), 1.0)
        style = values.get("bar_style") or ""
        style_classes = f" progress-bar-{style} mod-{style}" if style else ""
        return (
            f'<div class="widget-progress progress" role="progressbar" aria-valuemin="{low}" '
            f'aria-valuemax="{high}" aria-valuenow="{value}" data-bar-style="{html.escape(style)}">'
            f'<div class="progress-bar{style_classes}" style="width: {100 * fraction:.1f}%"></div></div>'
        )
    return None


def render_widgets(notebook: dict) -> dict:
    """Replace each widget view by static HTML drawn from the notebook's saved widget state."""
    saved = notebook.get("metadata", {}).pop("widgets", {})
    state = saved.get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            drawn = widget_html(data.pop(WIDGET_VIEW).get("model_id", ""), state)
            if drawn is not None:
                data["text/html"] = drawn
            # else: the view's text/plain (what viewers without widget state show) stays
    return notebook


def apply_carriage_returns(notebook: dict) -> dict:
    """Stream text as a notebook viewer shows it: a carriage return starts its line over (text
    progress bars write one state after another on one line)."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and "\r" in "".join(output.get("text", "")):
                lines = "".join(output["text"]).split("\n")
                output["text"] = "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in lines)
    return notebook


# --- the landing page -------------------------------------------------------------------------------

def index_page(readme: str, copied: set[str]) -> str:
    """The README with links to other repository files pointed at copies of them (collected in
    `copied`), links to notebooks kept (they are pages of the site), and the table of contents."""

    def relink(match: re.Match) -> str:
        text, target = match.group("text"), match.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):  # external, mailto:, or an anchor on this page
            return match.group(0)
        path = target.split("#")[0]
        if path.startswith("notebooks/") and path.endswith(".ipynb") and (ROOT / path).is_file():
            return match.group(0)
        if (ROOT / path).is_file():
            copied.add(path)
            return f"[{text}](path:_files/{path})"  # a download link to a copy
        return text  # no such file: plain text, not a broken link

    toc = ["", "```{toctree}", ":hidden:", ":caption: Chapters", ""]
    toc += [f"notebooks/{path.stem}" for path in chapters()]
    toc += ["```", ""]
    if solutions():
        toc += ["```{toctree}", ":hidden:", ":caption: Solutions", ""]
        toc += [f"notebooks/solutions/{path.stem}" for path in solutions()]
        toc += ["```", ""]
    return LINK.sub(relink, readme).rstrip() + "\n" + "\n".join(toc)


# --- staging and building -----------------------------------------------------------------------

def _write(path: Path, content: str | bytes) -> None:
    """Write only when the content changes, so Sphinx re-reads only changed pages."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def stage() -> list[Path]:
    """Write the staged source tree; return the staged files. Anything else there is removed, and
    when that was a page, the built site too (Sphinx would keep the removed page's HTML)."""
    staged: list[Path] = []
    copied: set[str] = set()
    index = SOURCE / "index.md"
    _write(index, index_page((ROOT / "README.md").read_text(encoding="utf-8"), copied))
    staged.append(index)
    for folder, paths in (("notebooks", chapters()), ("notebooks/solutions", solutions())):
        for path in paths:
            notebook = apply_carriage_returns(render_widgets(json.loads(path.read_text(encoding="utf-8"))))
            target = SOURCE / folder / path.name
            _write(target, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
            staged.append(target)
    for name in sorted(copied):
        target = SOURCE / "_files" / name
        _write(target, (ROOT / name).read_bytes())
        staged.append(target)
    keep = set(staged)
    for path in sorted(SOURCE.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
            if path.suffix in (".md", ".ipynb") and "_files" not in path.relative_to(SOURCE).parts:
                shutil.rmtree(HTML, ignore_errors=True)
                shutil.rmtree(DOCTREES, ignore_errors=True)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return staged


def build(*sphinx_args: str) -> Path:
    """Stage the book and build the HTML site; return the index page. Raises on a failed build."""
    stage()
    command = [sys.executable, "-c", SPHINX, "-b", "html", "-c", str(CONF_DIR), "-d", str(DOCTREES),
               "--keep-going", "-q", *sphinx_args, str(SOURCE), str(HTML)]
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode != 0:
        raise RuntimeError(f"sphinx-build failed (exit {completed.returncode}): {' '.join(command)}")
    return INDEX


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if "--clean" in argv:  # build from nothing
        argv = [arg for arg in argv if arg != "--clean"]
        shutil.rmtree(BUILD, ignore_errors=True)
    try:
        index = build(*argv)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"The book as a web site (works offline): {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
