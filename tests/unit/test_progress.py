"""Progress: a bar on a terminal, nothing drawn (plain log lines) elsewhere."""

from __future__ import annotations

import io
import logging

from bots.progress import Bars


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_with_the_count() -> None:
    screen = Terminal()
    with Bars(screen).bar("Demo: uploading", 4) as bar:
        for _ in range(4):
            bar.advance()
    drawn = screen.getvalue()
    assert "Demo: uploading" in drawn and "4/4" in drawn and "100%" in drawn


def test_log_lines_go_above_the_bar_on_a_terminal() -> None:
    screen = Terminal()
    handler = logging.StreamHandler(screen)
    logger = logging.getLogger()
    logger.addHandler(handler)
    try:
        with Bars(screen).bar("work", 2) as bar:
            logging.getLogger("hubbot").warning("record R1: uploaded")
            bar.advance()
    finally:
        logger.removeHandler(handler)
    assert "record R1: uploaded" in screen.getvalue()


def test_no_terminal_no_bar() -> None:
    log = io.StringIO()
    bars = Bars(log)
    assert not bars.terminal
    with bars.bar("work", 3) as bar:
        bar.advance(3)
    assert log.getvalue() == ""
    assert not Bars().terminal
