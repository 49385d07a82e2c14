"""The `commonmark` engine for posts and pages: cmark-gfm, GitHub's C implementation of
CommonMark, with GitHub's tables, footnotes, strikethrough, autolinks and task lists, and raw
HTML kept (a post is its owner's; comments never come here). What Python-Markdown's
extensions add, sitegen adds to cmark's HTML: code blocks highlighted by Pygments with the
classes the default engine gives them, and heading ids and the table of contents
(headings.py).

cmark is called through cmark.py, the one wrapper that frees what each conversion
allocates (`cmarkgfm`'s helpers never free the tree or the HTML they return: 260 KB lost
for every 4 KB post, a quarter of a gigabyte for a cold build of 1,000 posts).
"""

from __future__ import annotations

import html
import re

import pygments
from cmarkgfm.cmark import CMARK_VERSION, Options
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .cmark import to_html
from .headings import add_heading_ids

# What the HTML depends on besides the text (the wheel has no version of its own to ask).
LIBRARY_VERSION = f"cmark-gfm {CMARK_VERSION}"
OPTIONS = (Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
           | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES)
EXTENSIONS = ("table", "strikethrough", "autolink", "tasklist")
# cmark writes every code block so; its text is escaped, so "</code>" ends it.
CODE_BLOCK = re.compile(r'<pre><code(?: class="language-([^"]*)")?>(.*?)</code></pre>', re.DOTALL)
# A table cell's alignment, to which Python-Markdown adds a ";": tables come out alike.
ALIGNED = re.compile(r'( style="text-align: (?:left|center|right))"')



class CommonMarkEngine:
    """cmark-gfm for the owner's posts and pages, with Pygments and heading ids after it."""

    def __init__(self) -> None:
        # The same formatter as the codehilite extension's in the default engine (posts.py).
        self._formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
        self._lexers: dict[str, Lexer] = {}

    def convert(self, text: str) -> tuple[str, str]:
        """(body HTML, table-of-contents HTML) for one document."""
        body = to_html(text, OPTIONS, EXTENSIONS)
        if "<pre><code" in body:
            body = CODE_BLOCK.sub(self._highlighted, body)
        if ' style="text-align: ' in body:
            body = ALIGNED.sub(r'\1;"', body)
        return add_heading_ids(body.strip())

    def _highlighted(self, match: re.Match[str]) -> str:
        """A code block as the codehilite extension writes it: Pygments' HTML for the
        block's language, plain text when it names none or one Pygments does not know."""
        code = html.unescape(match[2]).strip("\n")
        return pygments.highlight(code, self._lexer(html.unescape(match[1] or "")),
                                  self._formatter)

    def _lexer(self, language: str) -> Lexer:
        lexer = self._lexers.get(language)
        if lexer is None:
            try:
                lexer = get_lexer_by_name(language or "text")
            except ClassNotFound:
                lexer = get_lexer_by_name("text")
            self._lexers[language] = lexer
        return lexer

