"""The training progress bar: tqdm's text bar, in a terminal and in a notebook alike.

In a notebook the bar is one plain-text output that each update replaces (an IPython display
handle), not a widget: a saved notebook keeps the bar's last state, which every viewer shows as
it was (JupyterLab, GitHub, the book's site), and a run that stopped early ends on a full bar.
"""
import sys

from tqdm.std import tqdm


class _NotebookLine:
    """A file for tqdm to write to: each status line replaces the previous one in one output."""

    encoding = "utf-8"  # tells tqdm it may draw the bar with block characters

    def __init__(self):
        self.handle = None

    def write(self, text: str) -> int:
        from IPython.display import display

        line = text.rsplit("\r", 1)[-1].strip()  # tqdm writes "\r" + the whole status each time
        if line:
            bundle = {"text/plain": line}
            if self.handle is None:
                self.handle = display(bundle, raw=True, display_id=True)
            else:
                self.handle.update(bundle, raw=True)
        return len(text)

    def flush(self) -> None:
        pass


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class EpochBar:
    """Epochs done out of at most ``total``; ``finish`` marks the end, early stop included."""

    def __init__(self, done: int, total: int, enabled: bool = True):
        self.bar = tqdm(total=total, initial=done, desc="epochs", disable=not enabled, leave=True,
                        file=_NotebookLine() if enabled and _in_notebook() else None)

    def update(self, **postfix: str) -> None:
        """One more epoch done; ``postfix`` shows its numbers beside the bar."""
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.update(1)

    def finish(self, reason: str | None = None) -> None:
        """Close the bar. A run that ends before ``total`` (early stopping) ends on a full bar of the
        epochs it ran, with ``reason`` beside it."""
        if self.bar.n < self.bar.total:
            self.bar.total = self.bar.n
            if reason:
                self.bar.set_postfix_str(f"{self.bar.postfix}, {reason}" if self.bar.postfix else reason,
                                         refresh=False)
        self.bar.close()
