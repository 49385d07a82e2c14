"""Python-Markdown set up for the owner's posts and pages: the extensions sitegen has always
used, each left out of a document that cannot use it, and the extras (math, bare links, task
lists, strikethrough) only where a document has their syntax.
"""

from __future__ import annotations

import re
from typing import ClassVar

import markdown

from . import extras
from .mathml import MathError, MathExtension
from .sourcefile import markdown_extensions


class MarkdownRenderer:
    """Python-Markdown set up for the owner's posts; one per process (one per set of the
    extras a document needs, see `extras`), reset per document."""

    EXTENSIONS = (
        "fenced_code", "tables", "footnotes", "toc", "codehilite",
        "attr_list", "def_list", "abbr", "md_in_html", "sane_lists",
    )
    CONFIGS: ClassVar[dict[str, dict]] = {
        "codehilite": {"css_class": "highlight", "guess_lang": False}}

    def __init__(self) -> None:
        # One converter for each set of extensions left out (see UNUSED) and of extras used
        # (see `extras`), made on first use, with its math extension if it has one.
        self._made: dict[tuple[frozenset[str], frozenset[str]],
                         tuple[markdown.Markdown, MathExtension | None]] = {}

    def convert(self, text: str) -> tuple[str, str]:
        """(body HTML, table-of-contents HTML) for one document; MathError if it holds TeX
        that cannot be shown."""
        md, math = self._converter(unused_extensions(text), extras.needed(text))
        md.reset()
        html = md.convert(text)
        if math is not None and math.bad:
            raise MathError(math.bad)
        toc = md.toc if getattr(md, "toc_tokens", None) else ""
        return html, toc

    def _converter(self, unused: frozenset[str], wanted: frozenset[str],
                   ) -> tuple[markdown.Markdown, MathExtension | None]:
        made = self._made.get((unused, wanted))
        if made is None:
            math = MathExtension() if extras.MATH in wanted else None
            names = [name for name in self.EXTENSIONS if name not in unused]
            md = markdown.Markdown(extensions=[
                *markdown_extensions(names, self.CONFIGS),
                *extras.extensions(wanted), *([math] if math else [])])
            made = self._made[(unused, wanted)] = (md, math)
        return made


# Extensions that cost time on every document but act only where their syntax is: each is
# left out of a document in which its pattern does not occur (a post of the bench corpus then
# takes 2.9 ms of CPU instead of 3.2). The patterns are looser than the syntax, so that
# leaving an extension out never changes a byte: a footnote needs "[^" (and a div of class
# "footnote" made with md_in_html is taken for theirs), an abbreviation "*[", a definition a
# colon followed by a space or tab (tabs become spaces), and an indented block is a definition
# only inside a dl or dd element, which may also be written in HTML with markdown="1".
UNUSED = {
    "footnotes": re.compile(r"\[\^|footnote", re.IGNORECASE),
    "abbr": re.compile(r"\*\["),
    "def_list": re.compile(r":[ \t]|<d[dl]", re.IGNORECASE),
}


def unused_extensions(text: str) -> frozenset[str]:
    """The extensions of UNUSED whose syntax cannot occur in `text`."""
    return frozenset(name for name, pattern in UNUSED.items() if not pattern.search(text))
