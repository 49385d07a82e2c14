"""Problems found in a site's input, and the exception that carries them to the edge.

Loaders raise or collect `Problem`s; a stage that found any raises one `SitegenError`
holding all of them, so the user sees every mistake at once. Only the CLI and the preview
server turn them into text for people.
"""

from __future__ import annotations

import os
import reprlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) at one place in the input."""

    message: str
    path: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        """One line, whatever the message quotes from a file: a line break or a control
        character in it is escaped (as \\n), so that each problem prints as one line."""
        message = _escaped(self.message)
        if self.path is None:
            return message
        where = _escaped(display_path(self.path))
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {message}"


def display_path(path: Path) -> str:
    """The path as a person typed it: relative to the working folder when inside it."""
    absolute = Path(os.path.abspath(path))
    here = Path.cwd()
    return str(absolute.relative_to(here)) if absolute.is_relative_to(here) else str(absolute)


def os_problem(error: OSError) -> Problem:
    """A failure of the file system (a file that cannot be read or written, a full disk)
    as one problem naming the file."""
    message = error.strerror or str(error)
    if isinstance(error.filename2, str | bytes):
        message += f" (and {display_path(Path(os.fsdecode(error.filename2)))})"
    path = Path(os.fsdecode(error.filename)) if isinstance(error.filename, str | bytes) else None
    return Problem(message, path)


def shown(value: object, limit: int = 60) -> str:
    """A value from a file, fit to quote in a one-line message: control characters escaped
    (a line break as \\n), and cut short when long, however big the value."""
    text = value if isinstance(value, str) else reprlib.repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _escaped(text)


def _escaped(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else repr(char)[1:-1]
                   for char in text)


class SitegenError(Exception):
    """A stage failed; `problems` says everything it found wrong."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems: tuple[Problem, ...] = problems


class ConfigError(SitegenError):
    """sitegen.toml is unreadable or holds a bad key or value."""


class ContentError(SitegenError):
    """A post, page or comment thread cannot be used as written."""


class ThemeError(SitegenError):
    """A template is missing or does not compile or render."""
