"""The package's layout keeps its promises: model code apart from the book's tooling and from
plotting, and no module that imports itself back through another."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "armlib"
NOT_FOR_MODELS = ("matplotlib", "IPython", "armlib.book")
"""What only the book's tooling (armlib/book/) and the progress bar may import."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The modules ``path`` imports, relative imports resolved to absolute names."""
    package = module_name(path).split(".") if path.name == "__init__.py" else module_name(path).split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}  # `from . import x` names a module
    return found


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def test_model_code_imports_no_plotting_and_no_book_tooling():
    for name, path in MODULES.items():
        if name.startswith("armlib.book") or name in ("armlib", "armlib.progress"):
            continue
        wrong = {module for module in imports(path) if module.startswith(NOT_FOR_MODELS)}
        assert not wrong, f"{name} imports {sorted(wrong)}"


def test_no_module_imports_itself_back():
    graph = {name: {m for m in imports(path) if m in MODULES and m != name and not name.startswith(m + ".")}
             for name, path in MODULES.items() if name != "armlib"}
    done, path = set(), []

    def visit(name):
        if name in path:
            raise AssertionError(f"import cycle: {' -> '.join(path[path.index(name):] + [name])}")
        if name in done:
            return
        path.append(name)
        for other in graph.get(name, ()):
            visit(other)
        path.pop()
        done.add(name)

    for name in graph:
        visit(name)
    assert len(done) == len(graph) > 30
