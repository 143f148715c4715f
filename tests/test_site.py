"""The book as a web site, checked in a real browser.

Builds the site (`website/build.py`, what `python3 book.py site` runs) into _site/, serves it from
127.0.0.1 and opens every page in headless Chromium (Debian's `chromium`, driven by Playwright; no
browser is downloaded). Per page: no console errors, no failed request and none to another host,
every image loaded, every formula rendered by the bundled MathJax, no NBVAL text, no pipe-table
text, no progress bar in a danger state or short of done, every internal link and #anchor resolves,
monospace code. A full-page screenshot of each page goes to _site/screenshots/.
"""
from __future__ import annotations

import base64
import functools
import importlib.util
import html.parser
import json
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from website import build as site

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = [f"notebooks/{path.stem}.html" for path in site.chapters()]
SOLUTIONS = [f"notebooks/solutions/{path.stem}.html" for path in site.solutions()]
PAGES = ["index.html", *CHAPTERS, *SOLUTIONS, "search.html", "genindex.html"]
SCREENSHOTS = site.BUILD / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
INSTALL_HINT = "Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu) to run the browser test"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# --- what the browser reads from a page -------------------------------------------------------

PAGE_REPORT_JS = r"""
async () => {
  await Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  // prose: the text outside code and rendered formulas (search results quote the pages' text with
  // its TeX source, as Sphinx's search does on any site, so they do not count as prose)
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, #search-results';
  const prose = document.body.cloneNode(true);
  prose.querySelectorAll(skip).forEach(el => el.remove());
  const all = document.body.cloneNode(true);
  all.querySelectorAll('script, style').forEach(el => el.remove());
  const nav = sel => Array.from(document.querySelectorAll(sel)).map(a => a.getAttribute('href'));
  const pre = Array.from(document.querySelectorAll('div.highlight pre'));
  return {
    images_not_loaded: Array.from(document.images)
      .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.getAttribute('src')),
    math_rendered: document.querySelectorAll('mjx-container').length,
    math_unrendered: Array.from(document.querySelectorAll('.math'))
      .filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 80)),
    math_errors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error], .MathJax_Error, .katex-error'))
      .map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 80)),
    prose_text: prose.textContent,
    all_text: all.textContent,
    visible_text: document.body.innerText + '\n' + Array.from(document.querySelectorAll('pre')).map(p => p.textContent).join('\n'),
    danger_bars: new Set(Array.from(document.querySelectorAll('.progress-bar-danger, .mod-danger, [data-bar-style="danger"], .widget-progress .danger'))
      .map(el => el.closest('.widget-progress, .progress') || el)).size,
    short_bars: Array.from(document.querySelectorAll('[role="progressbar"][aria-valuenow]'))
      .filter(el => Number(el.getAttribute('aria-valuenow')) < Number(el.getAttribute('aria-valuemax')))
      .map(el => `${el.getAttribute('aria-valuenow')}/${el.getAttribute('aria-valuemax')}`),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    code_fonts: pre.slice(0, 20).map(p => getComputedStyle(p).fontFamily),
    exercises_not_folded: Array.from(document.querySelectorAll('section'))
      .filter(s => /^Exercise\s+\d+/.test((s.querySelector(':scope > h2, :scope > h3') || {}).textContent || ''))
      .filter(s => !s.querySelector(':scope > details.solution:not([open])')).map(s => s.id),
    sidebar: nav('nav.bd-docs-nav a.reference'),
    prev: nav('a.left-prev'),
    next: nav('a.right-next'),
  };
}
"""

RAW_MATH = [re.compile(r"\$[^$\n]+\$"), re.compile(r"\\\("), re.compile(r"\\\[")]
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TEXT_BAR = re.compile(r"(?P<percent>\d{1,3})%\|[^|\n]*\|\s*(?P<done>[\d.]+)(?:[kMG])?/(?P<total>[\d.]+)")


class _Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


@functools.cache
def anchors(path: Path) -> frozenset[str]:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def page_has_maths(page: str) -> bool:
    """Whether the page's source has maths in its prose ($...$, $$...$$ or an equation environment)."""
    if page == "index.html":
        source = (ROOT / "README.md").read_text(encoding="utf-8")
    elif page.startswith("notebooks/"):
        notebook = json.loads((ROOT / page.replace(".html", ".ipynb")).read_text(encoding="utf-8"))
        source = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    else:
        return False
    return bool(re.search(r"\$[^$\n]+\$|\\begin\{", source))


def _foreign(url: str) -> bool:
    """A request that leaves this machine (data:, blob: and file: URLs stay)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


def screenshot(page, path: Path) -> None:
    """A full-page PNG. Chromium's fast PNG encoder through CDP (about half the time of
    page.screenshot on pages 20,000 pixels tall); page.screenshot where that is not available."""
    try:
        session = page.context.new_cdp_session(page)
        size = session.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = session.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))
        session.detach()
    except PlaywrightError:
        page.screenshot(path=str(path), full_page=True, timeout=120_000)


def link_problems(link: str) -> str | None:
    """None if an internal link resolves (file, and #anchor on it); a description if not."""
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        return None  # external (or mailto:, javascript:): not this test's business
    path = unquote(parts.path).lstrip("/")
    target = site.HTML / path
    if not path or path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"{path or '/'}: no such file"
    if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in anchors(target):
        return f"{path}#{parts.fragment}: no such anchor"
    return None


# --- fixtures: build, serve, browse -----------------------------------------------------------

@pytest.fixture(scope="module")
def built() -> Path:
    return site.build()


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(_QuietHandler, directory=str(site.HTML))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(server):
    executable = chromium()
    if executable is None:
        pytest.skip(INSTALL_HINT)
    with sync_playwright() as playwright:
        chrome = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield chrome
        finally:
            chrome.close()


@pytest.fixture(scope="module")
def reports(browser, server) -> dict[str, dict]:
    """Every page opened once: what it requested, logged and shows; a screenshot of each."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    found: dict[str, dict] = {}
    try:
        for page_name in PAGES:
            report = {"console_errors": [], "failed_requests": [], "foreign_requests": []}
            page = context.new_page()
            page.on("request", lambda request, report=report: _foreign(request.url)
                    and report["foreign_requests"].append(request.url))
            page.on("console", lambda message, report=report: message.type == "error"
                    and report["console_errors"].append(message.text))
            page.on("pageerror", lambda error, report=report: report["console_errors"].append(str(error)))
            page.on("requestfailed", lambda request, report=report: report["failed_requests"].append(
                f"{request.url} ({request.failure})"))
            page.on("response", lambda response, report=report: response.status >= 400
                    and report["failed_requests"].append(f"{response.url} (HTTP {response.status})"))
            try:
                if page_name == "search.html":  # a search for a word every chapter after 04 uses
                    page.goto(server + "search.html?q=PixelCNN", wait_until="load", timeout=60_000)
                    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
                    report["search_results"] = page.locator("#search-results ul.search li").count()
                else:
                    page.goto(server + page_name, wait_until="load", timeout=60_000)
                report.update(page.evaluate(PAGE_REPORT_JS))
                screenshot(page, SCREENSHOTS / (page_name.replace("/", "__").removesuffix(".html") + ".png"))
            except PlaywrightError as error:
                report["load_error"] = str(error).splitlines()[0]
            finally:
                page.close()
            found[page_name] = report
    finally:
        context.close()
    return found


def problems(page: str, report: dict) -> dict[str, list]:
    """Every failed check of one page, by check."""
    if "load_error" in report:
        return {"page did not load": [report["load_error"]]}
    found: dict[str, list] = {}
    found["console errors"] = report["console_errors"]
    found["failed requests"] = report["failed_requests"]
    found["requests to other hosts"] = report["foreign_requests"]
    found["images not loaded"] = report["images_not_loaded"]
    found["maths not rendered"] = report["math_unrendered"]
    found["maths errors"] = report["math_errors"]
    found["raw maths in prose"] = sorted({m.group(0)[:60] for p in RAW_MATH for m in p.finditer(report["prose_text"])})
    if page_has_maths(page) and report["math_rendered"] == 0:
        found["maths not rendered"].append("the source has maths, the page shows no rendered formula")
    found["NBVAL text"] = [line.strip()[:100] for line in report["all_text"].splitlines() if "NBVAL" in line]
    lines = report["visible_text"].splitlines()
    found["pipe-table text"] = list(dict.fromkeys(  # a |---| line under a | row |
        f"{lines[i - 1].strip()[:60]} / {line.strip()[:40]}" for i, line in enumerate(lines)
        if i and TABLE_SEPARATOR.match(line) and TABLE_ROW.match(lines[i - 1])
    ))
    found["progress bar in a danger state"] = [f"{report['danger_bars']} bar(s)"] if report["danger_bars"] else []
    found["progress bar short of done"] = report["short_bars"] + [
        m.group(0) for m in TEXT_BAR.finditer(report["visible_text"])
        if int(m.group("percent")) < 100 or float(m.group("done")) < float(m.group("total"))
    ]
    found["broken internal links"] = sorted({p for link in report["links"] if (p := link_problems(link))})
    if page in SOLUTIONS:
        found["exercise whose solution is not folded"] = report["exercises_not_folded"]
    found["code not monospace"] = [font for font in report["code_fonts"] if "monospace" not in font.lower()]
    return {check: items for check, items in found.items() if items}


# --- tests ------------------------------------------------------------------------------------

def test_site_builds_every_page(built):
    assert built == site.INDEX and built.is_file()
    pages = sorted(str(path.relative_to(site.HTML)) for path in site.HTML.rglob("*.html")
                   if not path.relative_to(site.HTML).parts[0].startswith("_"))
    assert pages == sorted(PAGES), "the browser test opens PAGES: every page the build writes"


def test_site_loads_nothing_from_the_network(built):
    """No page refers to another host for a script, a style sheet, a font or an image."""
    remote = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)
    for path in site.HTML.rglob("*.html"):
        assert not remote.search(path.read_text(encoding="utf-8")), f"{path}: loads a remote resource"
    remote_css = re.compile(r"""(?:url\(|@import)\s*["']?(?:https?:)?//""", re.I)
    for path in site.HTML.rglob("*.css"):
        assert not remote_css.search(path.read_text(encoding="utf-8", errors="replace")), f"{path}: a remote font or style"
    assert (site.HTML / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax is bundled"


@pytest.mark.parametrize("page", PAGES)
def test_page_in_the_browser(reports, page):
    found = problems(page, reports[page])
    assert not found, f"{page}: " + "; ".join(f"{check}: {items[:5]} ({len(items)})" for check, items in found.items())


def test_table_of_contents_and_previous_next_links(reports):
    order = ["index.html", *CHAPTERS, *SOLUTIONS]
    assert [href for href in reports["index.html"]["sidebar"] if href.startswith("notebooks/")] == order[1:]
    for previous, page, following in zip([None, *order], order, [*order[1:], None]):
        here = Path(page).parent

        def resolved(hrefs):
            return [str(Path((site.HTML / here / href.split("#")[0]).resolve()).relative_to(site.HTML.resolve())) for href in hrefs]

        assert resolved(reports[page]["prev"]) == ([previous] if previous else []), page
        if following:
            assert resolved(reports[page]["next"]) == [following], page


def test_the_landing_page_links_every_chapter(reports, server):
    linked = {urlsplit(link).path.lstrip("/") for link in reports["index.html"]["links"]}
    assert set(CHAPTERS) <= linked


def test_the_link_checker_catches_a_missing_page_and_a_missing_anchor(built):
    base = "http://127.0.0.1:8000/"
    assert link_problems(base + "index.html#quick-start") is None
    assert link_problems(base + CHAPTERS[0]) is None
    assert "no such file" in link_problems(base + "notebooks/no_such_chapter.html")
    assert "no such anchor" in link_problems(base + "index.html#no-such-section")
    assert link_problems("https://example.org/missing.html") is None  # another host: not checked here


def test_search_finds_the_chapters(reports):
    assert "load_error" not in reports["search.html"], reports["search.html"].get("load_error")
    assert reports["search.html"]["search_results"] >= 3


def test_code_is_monospace_and_maths_is_rendered_on_a_chapter(reports):
    report = reports[CHAPTERS[0]]
    assert report["code_fonts"] and all("monospace" in font for font in report["code_fonts"])
    assert report["math_rendered"] > 10


def test_the_checks_catch_what_they_are_for():
    """problems() on a made-up page report that has one of each fault."""
    clean = {"console_errors": [], "failed_requests": [], "foreign_requests": [], "images_not_loaded": [],
             "math_unrendered": [], "math_errors": [], "math_rendered": 3, "prose_text": "p(x)", "all_text": "",
             "visible_text": "| a | b |\n| 1 | 2 |", "danger_bars": 0, "short_bars": [], "links": [], "code_fonts": ["monospace"]}
    assert problems("genindex.html", clean) == {}
    faulty = {**clean, "prose_text": "the joint $p(x)$ and \\(y\\)", "all_text": "# NBVAL_CHECK_OUTPUT",
              "visible_text": "| a | b |\n|---|---:|\n| 1 | 2 |\nepochs:  17%|#      | 17/100 [00:01<00:05]",
              "danger_bars": 1, "short_bars": ["17/100"], "code_fonts": ["Georgia, serif"]}
    assert set(problems("genindex.html", faulty)) == {
        "raw maths in prose", "NBVAL text", "pipe-table text", "progress bar in a danger state",
        "progress bar short of done", "code not monospace"}


# --- the staging step, without a browser ------------------------------------------------------

def _progress_notebook(value: float, maximum: float, style: str) -> dict:
    state = {
        "box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"]}},
        "left": {"model_name": "HTMLModel", "state": {"value": "epochs: "}},
        "bar": {"model_name": "FloatProgressModel", "state": {"value": value, "max": maximum, "min": 0, "bar_style": style}},
        "right": {"model_name": "HTMLModel", "state": {"value": f"{value:g}/{maximum:g}"}},
    }
    view = {"model_id": "box", "version_major": 2, "version_minor": 0}
    return {
        "metadata": {"widgets": {site.WIDGET_STATE: {"state": state}}},
        "cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [
            {"output_type": "display_data", "metadata": {}, "data": {site.WIDGET_VIEW: view, "text/plain": "epochs: 0%"}}]}],
    }


def test_saved_progress_bars_are_drawn_from_their_state():
    done = site.render_widgets(_progress_notebook(15, 15, "success"))
    data = done["cells"][0]["outputs"][0]["data"]
    assert site.WIDGET_VIEW not in data and "widgets" not in done["metadata"]
    assert 'aria-valuenow="15"' in data["text/html"] and "width: 100.0%" in data["text/html"]
    assert "progress-bar-success" in data["text/html"] and "15/15" in data["text/html"]
    stopped = site.render_widgets(_progress_notebook(4, 100, "danger"))["cells"][0]["outputs"][0]["data"]["text/html"]
    assert "progress-bar-danger" in stopped and "width: 4.0%" in stopped


def test_a_widget_without_saved_state_falls_back_to_its_text():
    notebook = _progress_notebook(1, 2, "")
    notebook["metadata"] = {}
    data = site.render_widgets(notebook)["cells"][0]["outputs"][0]["data"]
    assert data == {"text/plain": "epochs: 0%"}


def _conf():
    spec = importlib.util.spec_from_file_location("website_conf", site.CONF_DIR / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def _section(title: str, *paragraphs: str):
    from docutils import nodes
    section = nodes.section("", nodes.title(title, title))
    for text in paragraphs:
        section += nodes.paragraph(text, text)
    return section


def test_solutions_are_folded_under_their_exercise_headings():
    from docutils import nodes
    conf = _conf()
    document = nodes.section("", nodes.title("Solutions", "Solutions"), nodes.paragraph("Try first.", "Try first."),
                             _section("Exercise 1", "The answer.", "Why."), _section("Summary", "Not folded."))
    conf.fold_solutions(None, document, "notebooks/solutions/01_probability_rules_solutions")
    exercise, summary = document[2], document[3]
    assert [type(child) for child in exercise.children] == [nodes.title, conf.solution]
    assert exercise[1].astext() == "The answer.\n\nWhy."
    assert isinstance(document[1], nodes.paragraph) and len(summary.children) == 2
    chapter = _section("Exercise 1", "Stays open in a chapter.")
    conf.fold_solutions(None, chapter, "notebooks/01_probability_rules")
    assert len(chapter.children) == 2 and not isinstance(chapter[1], conf.solution)


def test_the_restated_exercise_stays_outside_the_fold():
    from docutils import nodes
    conf = _conf()
    question = nodes.paragraph("", "", nodes.Text(""), nodes.strong("The row above.", "The row above."),
                               nodes.Text(" Train the model."))  # MyST opens a paragraph with an empty Text
    exercise = _section("Exercise 2", "The answer.")
    exercise.insert(1, question)
    conf.fold_solutions(None, exercise, "notebooks/solutions/02_finite_memory_mlp_solutions")
    assert [type(child) for child in exercise.children] == [nodes.title, nodes.paragraph, conf.solution]
    assert exercise[1] is question and exercise[2].astext() == "The answer."


def test_the_table_of_contents_takes_solutions_when_they_exist(monkeypatch):
    monkeypatch.setattr(site, "solutions", lambda: [ROOT / "notebooks" / "solutions" / "01_probability_rules_solutions.ipynb"])
    index = site.index_page("# Book\n", set())
    assert ":caption: Solutions\n\nnotebooks/solutions/01_probability_rules_solutions\n" in index


def test_carriage_returns_start_a_line_over():
    notebook = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "stream", "name": "stderr", "text": "epochs:  50%|#  | 1/2\repochs: 100%|##| 2/2\nnext line\n"}]}]}
    assert site.apply_carriage_returns(notebook)["cells"][0]["outputs"][0]["text"] == "epochs: 100%|##| 2/2\nnext line\n"


def test_readme_links_become_pages_or_file_links():
    copied: set[str] = set()
    index = site.index_page("[one](notebooks/01_probability_rules.ipynb), [bib](references.bib), "
                            "[gone](no/such/file.py), [web](https://example.org)", copied)
    assert "[one](notebooks/01_probability_rules.ipynb)" in index
    assert "[bib](path:_files/references.bib)" in index and copied == {"references.bib"}
    assert "gone" in index and "no/such/file.py" not in index
    assert "[web](https://example.org)" in index
