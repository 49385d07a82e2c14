"""The Markdown engines that make the HTML of the owner's posts and pages, and which one a site
uses: `markdown` in sitegen.toml names it ("python-markdown", the default, or "commonmark").

Each engine converts one document at a time into its HTML and its table of contents. The
loaders ask an `Engines` for the one the configuration names; a process makes each engine
once, when it is first asked for, so a site never pays for setting up the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .commonmark import CommonMarkEngine
from .config import COMMONMARK, PYTHON_MARKDOWN, Config
from .pythonmarkdown import MarkdownRenderer


class Engine(Protocol):
    def convert(self, text: str) -> tuple[str, str]:
        """(body HTML, table-of-contents HTML, "" when the document has no headings)."""
        ...


MAKERS: dict[str, Callable[[], Engine]] = {
    PYTHON_MARKDOWN: MarkdownRenderer,
    COMMONMARK: CommonMarkEngine,
}


class Engines:
    """The engine each configuration asks for, made on first use and kept."""

    def __init__(self) -> None:
        self._made: dict[str, Engine] = {}

    def for_config(self, config: Config) -> Engine:
        engine = self._made.get(config.markdown)
        if engine is None:
            engine = self._made[config.markdown] = MAKERS[config.markdown]()
        return engine
