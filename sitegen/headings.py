"""Heading ids and the table of contents, made on HTML from an engine that makes neither
(cmark-gfm, the `commonmark` engine): the ids Python-Markdown's toc extension gives the
default engine, by its own rules (`slugify`, `unique`, `strip_tags`), so that a link to a
heading survives switching engines, and the same table of contents, byte for byte.

It works on the engine's HTML, whose headings are bare `<hN>` tags: a heading the owner
wrote as raw HTML without attributes gets an id too (Python-Markdown leaves those alone).
"""

from __future__ import annotations

import html
import re

from markdown.extensions.toc import nest_toc_tokens, slugify, strip_tags, unique

HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
# From the literal 'id="' on, so that the regex engine skips to each one ("\sid=" first
# was tried at every space of the highlighted code: 38 µs a post, against 3.5).
ANY_ID = re.compile(r'id="(?<=\sid=")([^"]*)"')
# A footnote reference, as cmark-gfm writes it: not part of the heading's name.
FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
# The paragraph Python-Markdown replaces with the table of contents (it keeps the newline).
TOC_MARKER = "<p>[TOC]</p>\n"
SEPARATOR = "-"


def add_heading_ids(body: str) -> tuple[str, str]:
    """(`body` with an id on every heading and the table of contents in place of a `[TOC]`
    paragraph, the table of contents, or "" when there is no heading)."""
    used = set(ANY_ID.findall(body))
    tokens: list[dict] = []

    def with_id(match: re.Match[str]) -> str:
        level, inner = match[1], match[2]
        name = strip_tags(FOOTNOTE_REF.sub("", inner))
        ident = unique(slugify(html.unescape(name), SEPARATOR), used)
        # The toc extension shows the name as it serialises text: only &, < and > escaped.
        tokens.append({"level": int(level), "id": ident,
                       "name": html.escape(html.unescape(name), quote=False)})
        return f'<h{level} id="{ident}">{inner}</h{level}>'

    if "<h" in body:
        body = HEADING.sub(with_id, body)
    toc = toc_html(tokens)
    if TOC_MARKER in body:
        body = body.replace(TOC_MARKER, toc)
    return body, toc if tokens else ""


def toc_html(tokens: list[dict]) -> str:
    """The table of contents of headings in document order, nested by level, as the toc
    extension writes it (an empty list when there are none)."""
    return f'<div class="toc">\n{_list(nest_toc_tokens(list(tokens)))}</div>\n'


def _list(items: list[dict]) -> str:
    entries = "".join(
        f'<li><a href="#{item["id"]}">{item["name"]}</a>'
        f'{_list(item["children"]) if item["children"] else ""}</li>\n'
        for item in items
    )
    return f"<ul>\n{entries}</ul>\n" if entries else "<ul></ul>\n"
