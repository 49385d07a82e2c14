"""The Markdown extras that only some documents use: ~~strikethrough~~ (pymdown-extensions'
tilde), bare links (magiclink), task lists (tasklist, with labelled checkboxes) and math.

Each looks for its syntax in every piece of text Python-Markdown hands it, which costs up to
a millisecond a post (magiclink and math each added a quarter to converting a typical post)
even when there is none; and pymdown-extensions' shared module imports urllib.request, and
with it ssl and email, 20-90 ms at the start of a process. So a document is converted
without the extras it cannot use, told by a quick search of its text that errs only
towards using an extra.
"""

from __future__ import annotations

import re

from markdown import Extension

from .tasklabels import TaskLabels

MATH = "math"
LINKS = "links"
TASKS = "tasks"
STRIKE = "strike"
_EMAIL = re.compile(r"[\w.+-]@[\w-]+\.\w")
# "[text](" just before an address, and the address's end: see _plain_link_target.
_LINK_OPENING = re.compile(r"(?:^|(?<=[^\\]))\[[^\[\]\n\\]*\]\($", re.MULTILINE)
_TARGET_END = re.compile(r"[^\s()<>\\]*\)")
_SCHEME_CHARACTER = re.compile(r"[A-Za-z0-9+.-]")


def needed(text: str) -> frozenset[str]:
    """The extras that could change how `text` is converted (in all, 0.04 ms for a post
    of 700 words, where a regular expression for bare links took 0.4 ms)."""
    found = set()
    if "~~" in text or "\\~" in text:  # the tilde extension also reads "\~" as "~"
        found.add(STRIKE)
    if "$" in text or "\\(" in text or "\\[" in text:
        found.add(MATH)
    if "[ ]" in text or "[x]" in text or "[X]" in text:
        found.add(TASKS)
    if bare_link(text):
        found.add(LINKS)
    return frozenset(found)


def bare_link(text: str) -> bool:
    """Whether `text` may hold an address that is not a Markdown link's target ("](…"): a
    URL, a www. or ftp. name, or an email address."""
    lowered = text.lower()
    for marker in ("://", "www.", "ftp.", "@"):
        at = lowered.find(marker)
        while at != -1:
            if _bare_at(text, lowered, at, marker):
                return True
            at = lowered.find(marker, at + 1)
    return False


def _bare_at(text: str, lowered: str, at: int, marker: str) -> bool:
    if marker == "@":
        return _EMAIL.match(text, max(0, at - 1)) is not None
    start = at
    if marker == "://":
        # An autolink, which magiclink reads its own way: "<", then a scheme as
        # Python-Markdown reads one (letters, digits, "+", "." and "-": "<x.org+https://>").
        scheme = at
        while scheme > 0 and _SCHEME_CHARACTER.match(text, scheme - 1):
            scheme -= 1
        if text[scheme - 1:scheme] == "<":
            return True
        while start > 0 and lowered[start - 1].isalpha():
            start -= 1
        if lowered[start:at] not in ("http", "https", "ftp"):
            return False
    elif start > 0 and lowered[start - 1].isalnum():
        return False
    # No exception for an address in <…>: magiclink reads those too, in its own way.
    return text[max(0, start - 2):start] != "](" or not _plain_link_target(text, start)


def _plain_link_target(text: str, start: int) -> bool:
    """Whether the address at `start` is the target of a Markdown link in its plainest
    form, "[text](address)" on one line: the text without brackets or backslashes, the "["
    not escaped. Python-Markdown reads that as a link whatever the extras; anything less
    plain ("](" with no "[", a backslash, no ")") may be text, and counts as bare."""
    line = text.rfind("\n", 0, start) + 1
    return (_LINK_OPENING.search(text, line, start) is not None
            and _TARGET_END.match(text, start) is not None)


def extensions(names: frozenset[str]) -> list[Extension]:
    """The Python-Markdown extensions of these extras, but math's (whose errors its caller
    reads, so it makes its own)."""
    found: list[Extension] = []
    if STRIKE in names:
        from pymdownx import tilde

        # ~~struck~~ only: "~" alone stays a tilde, as in "~/bin" or "~5 km".
        found.append(tilde.makeExtension(subscript=False))
    if LINKS in names:
        from pymdownx import magiclink

        found.append(magiclink.makeExtension())
    if TASKS in names:
        from pymdownx import tasklist

        found += [tasklist.makeExtension(), TaskLabels()]
    return found
