"""One updating line for long work on a terminal, such as `rendering 3,120/7,107 pages`.

Work that can take a while (a first build, an import, a deploy) says how far it is through
a `Report` callback: a stage, a count done and a total (0 when it is not known). A
`ProgressLine` draws it on a terminal once the work has run for about a second, redraws it
at most ten times a second, and erases it before anything else is printed, so that a quick
command, a log file or a pipe sees nothing of it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

# (stage, done, total): ("rendering pages", 3120, 7107); total 0 when not known.
Report = Callable[[str, int, int], None]

# Seconds of work before the line appears: a command that ends sooner shows none.
DELAY = 1.0
# Seconds between two redraws; drawing every page would cost more than rendering it.
INTERVAL = 0.1
CLEAR = "\r\x1b[K"


def describe(stage: str, done: int, total: int) -> str:
    """'rendering pages', 3120, 7107 -> 'rendering 3,120/7,107 pages'; without a total,
    'uploading files: 12', or the stage alone while nothing is counted."""
    if not total:
        return f"{stage}: {done:,}" if done else stage
    verb, _, noun = stage.partition(" ")
    return f"{verb} {done:,}/{total:,} {noun}".rstrip()


class ProgressLine:
    """The line on a terminal (use `for_stream`, which gives none elsewhere)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False
        self.stage = ""

    @classmethod
    def for_stream(cls, stream: TextIO, quiet: bool = False) -> ProgressLine | None:
        """A line on `stream` if it is a terminal and the user did not ask for quiet."""
        return None if quiet or not stream.isatty() else cls(stream)

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < DELAY:
            return
        # A new stage and the end of one are always drawn, to be seen for what they are.
        if now - self.drawn < INTERVAL and stage == self.stage and done != total:
            return
        self.drawn, self.stage = now, stage
        width = shutil.get_terminal_size().columns - 1
        # Cut to the terminal's width: a line that wraps cannot be drawn over.
        self.stream.write(CLEAR + describe(stage, done, total)[:width])
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the line, so that the next message starts a clean line."""
        if self.shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self.shown = False
