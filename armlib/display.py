"""Show the library's own code inside a notebook, so a chapter never keeps a private copy."""
import inspect

from IPython.display import Code


def show_source(obj) -> Code:
    """The source of a function, class or method, syntax-highlighted in a notebook."""
    try:
        source = inspect.getsource(obj)
    except TypeError as error:
        raise TypeError(f"show_source expects a function, class or method, got {type(obj).__name__}") from error
    return Code(inspect.cleandoc(source) if source.startswith(" ") else source, language="python")
