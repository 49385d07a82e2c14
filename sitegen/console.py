"""What the commands say to the person at the terminal: messages honouring --quiet and
--verbose, and the progress line of long work, erased before each message."""

from __future__ import annotations

import logging
import sys

from .errors import Problem
from .progress import ProgressLine


class Console:
    """Where messages go, honouring --quiet and --verbose; on a terminal, long work also
    shows one updating line of progress, erased before each message."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.progress = ProgressLine.for_stream(sys.stderr, quiet=verbosity < 0)

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._say(message, sys.stdout)

    def detail(self, message: str) -> None:
        if self.verbosity > 0:
            self._say(message, sys.stdout)

    def warn(self, problem: Problem) -> None:
        if self.verbosity >= 0:
            self._say(f"warning: {problem}", sys.stderr)

    def error(self, problem: Problem | str) -> None:
        self._say(f"error: {problem}", sys.stderr)

    def follow_logging(self) -> None:
        """Show what the servers log (each comment queued, each refusal) as they do it."""
        logging.basicConfig(level=logging.INFO if self.verbosity >= 0 else logging.WARNING,
                            format="%(asctime)s %(levelname)s %(message)s")

    def _say(self, message: str, stream) -> None:
        if self.progress:
            self.progress.clear()
        print(message, file=stream, flush=True)
