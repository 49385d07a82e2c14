"""Reader text to HTML: a comment's Markdown through cmark-gfm, then the nh3 allow-list.

Readers write the Markdown they type on GitHub: strikethrough, bare addresses that become
links, task lists, lists nested by two spaces. cmark-gfm reads it in time linear in its
length (Python-Markdown took 9 s over 10,000 `[`). The engine passes a reader's raw HTML
on, as Python-Markdown did, so that the allow-list below stays the only gate: no engine
option decides what may reach a page. This is the one place where reader text becomes HTML.
"""

from __future__ import annotations

import functools
import html
import re

import nh3
from cmarkgfm.cmark import CMARK_VERSION, Options
from markupsafe import Markup

from . import cmark

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "del", "code", "pre", "ul", "ol", "li",
                "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                       url_schemes=URL_SCHEMES, link_rel="nofollow ugc")
# GitHub's own dialect, less its tables (the allow-list has no table to show them in, and
# the pipes stay readable as text) and its tag filter (the allow-list does that job).
GFM_EXTENSIONS = ("autolink", "strikethrough", "tasklist")
CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE
# Deeper than this, a body is shown as its plain text. No conversation nests so deep, but
# one `>` per level lets 10,000 characters nest 10,000 levels, which the sanitiser's HTML
# parser takes a quarter of a second to read and which browsers and feed readers refuse.
MAX_NESTING = 32
# Elements that hold no others, or that the HTML parser closes by itself when the next
# one starts: neither makes the tree deeper.
_FLAT = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td",
         "th", "thead", "tbody", "tfoot", "rt", "rp", "caption", "colgroup"}
# Lone surrogates, which "\\ud800" in a YAML file makes and UTF-8 cannot hold.
_SURROGATE = re.compile("[\ud800-\udfff]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
# cmark-gfm's task list boxes, shown as text: the allow-list has no form controls.
_TASK_BOXES = {'<input type="checkbox" disabled="" />': "\u2610",
               '<input type="checkbox" checked="" disabled="" />': "\u2611"}
_TASK_BOX = re.compile("|".join(map(re.escape, _TASK_BOXES)))
# In nh3's output an attribute value never holds '>' or '"' (both are escaped), and text
# never holds '<', so these find every link's start and end tag, and nothing else.
_LINK_TAG = re.compile(r"<a\b[^>]*>|</a>")


class CommentRenderer:
    """Markdown as on GitHub, then the allow-list: the only way reader text becomes
    markup."""

    def convert(self, text: str) -> Markup:
        text = _SURROGATE.sub("\ufffd", text)
        body = cmark.to_html(text, CMARK_OPTIONS, GFM_EXTENSIONS)
        if _too_deep(body):
            body = plain_html(text)
        return Markup(sanitise(_TASK_BOX.sub(lambda box: _TASK_BOXES[box[0]], body)))


@functools.cache
def engine() -> str:
    """What makes a comment's HTML, for the digest of every loaded thread: the version of
    the C library that converts it (not the wheel's, which importlib.metadata would take
    15 ms of every command's start to find)."""
    return f"cmark-gfm {CMARK_VERSION}, nh3 {nh3.__version__}, {MAX_NESTING}"


def sanitise(markup: str) -> str:
    """Reader HTML cut down to the allow-list; links get rel="nofollow ugc", and a link
    left without an address (`javascript:` removed) becomes its text."""
    clean = _CLEANER.clean(markup)
    return _unwrap_dead_links(clean) if "<a" in clean else clean


def plain_html(text: str) -> str:
    """The text as it was typed: paragraphs at blank lines, line breaks kept."""
    paragraphs = (html.escape(part.strip("\n")) for part in re.split(r"\n[ \t]*\n", text))
    return "".join("<p>" + part.replace("\n", "<br>") + "</p>"
                   for part in paragraphs if part.strip())


def _too_deep(markup: str) -> bool:
    """Whether the elements of `markup` nest deeper than MAX_NESTING, about as an HTML
    parser would build them."""
    if markup.count("<") <= MAX_NESTING:
        return False
    depth = 0
    for match in _TAG.finditer(markup):
        if match[2].lower() in _FLAT:
            continue
        depth = max(depth - 1, 0) if match[1] else depth + 1
        if depth > MAX_NESTING:
            return True
    return False


def _unwrap_dead_links(markup: str) -> str:
    """Each <a> without an href (the sanitiser removed its URL), or inside another link,
    replaced by its content: a `rel` on a link to nowhere, or a link in a link, is not
    valid HTML."""
    pieces: list[str] = []
    kept: list[bool] = []  # for each open <a>, whether its tags are kept
    at = inside = 0  # inside: how many of the open links are kept
    for match in _LINK_TAG.finditer(markup):
        pieces.append(markup[at:match.start()])
        at = match.end()
        if match[0] == "</a>":
            keep = bool(kept) and kept.pop()
            inside -= keep
        else:
            keep = ' href="' in match[0] and not inside
            kept.append(keep)
            inside += keep
        if keep:
            pieces.append(match[0])
    pieces.append(markup[at:])
    return "".join(pieces)
