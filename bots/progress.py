"""Progress of long work: a bar on a terminal, plain log lines everywhere else.

A person at a terminal wants to see how far an upload of 5,000 files is; a job
on Toolforge (or CI) writes to a log, where a bar would be noise. The command
line decides once, from its error stream, and hands the choice down; the work
itself only says how much there is and when a piece is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm


class Bar:
    """One piece of long work; without a terminal it shows nothing (the log lines do)."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more pieces are done."""


class _TerminalBar(Bar):
    def __init__(self, bar: tqdm) -> None:
        self.bar = bar

    def advance(self, steps: int = 1) -> None:
        self.bar.update(steps)


class Bars:
    """Makes progress bars, on a terminal only."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.terminal = bool(stream is not None and stream.isatty())

    @contextmanager
    def bar(self, what: str, total: int | None, unit: str = "file") -> Iterator[Bar]:
        """A bar for ``total`` pieces of ``what``; log lines meanwhile go above it."""
        if not self.terminal:
            yield Bar()
            return
        with (
            logging_redirect_tqdm(),
            tqdm(
                total=total, desc=what, unit=f" {unit}", file=self.stream, dynamic_ncols=True
            ) as bar,
        ):
            yield _TerminalBar(bar)
