"""LOAD a comment thread: validate it, number it, put replies after their parents, sanitise
bodies.

Everything in a thread file was written by a reader and is untrusted. Bodies become HTML
here, once, through commentmarkup (Markdown, then the nh3 allow-list), and only http(s)
links to authors' sites survive. Templates print the result as it is.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from markupsafe import Markup

from . import __version__
from .commentmarkup import CommentRenderer, engine
from .config import Config
from .dates import parse_when
from .entries import check_entry, entry_id, read_entries, shown_id
from .errors import ContentError, Problem


@dataclass(frozen=True)
class Comment:
    """One reader's comment, safe to print: `body_html` is sanitised, `url` is http(s)."""

    id: str
    number: int
    author: str
    url: str | None
    date: datetime
    body_html: Markup
    replyto: str | None
    # Written by the blog's owner, for the theme to mark. Only the thread file can say so
    # (`sitegen comments reply`, or an import of the author's signed-in WordPress comments):
    # the intake never writes the key, whatever a reader's form holds.
    owner: bool = False
    # A placeholder left by `sitegen comments remove` where a comment with replies was:
    # no author, no text, only its place in the tree, so that its replies keep theirs.
    removed: bool = False


@dataclass(frozen=True)
class CommentNode:
    """A comment with the replies that answer it, for rendering the thread as a tree."""

    comment: Comment
    replies: tuple[CommentNode, ...]


@dataclass(frozen=True)
class ThreadRow:
    """A comment in reading order: after the comment it answers (`parent`) and that
    comment's earlier replies, `depth` replies down from the top level (0)."""

    comment: Comment
    parent: Comment | None
    depth: int


@dataclass(frozen=True)
class Thread:
    """A post's comments: flat in date order (`comments`), and in reading order with the
    depth of each reply (`rows`), which holds a reply chain of any length without a tree
    that code or templates would walk by recursion."""

    source_digest: str
    stem: str
    source: Path | None
    comments: tuple[Comment, ...]
    rows: tuple[ThreadRow, ...]
    warnings: tuple[Problem, ...] = ()
    # Whether an entry has an `email` key: readers' addresses belong in the private store.
    holds_emails: bool = False

    @functools.cached_property
    def roots(self) -> tuple[CommentNode, ...]:
        """The reply tree, for themes that nest by recursion (as deep as Python recurses);
        built from the deepest rows up, without recursing."""
        replies: dict[str | None, list[CommentNode]] = {}
        for row in reversed(self.rows):
            node = CommentNode(row.comment, tuple(reversed(replies.pop(row.comment.id, ()))))
            replies.setdefault(row.parent.id if row.parent else None, []).append(node)
        return tuple(reversed(replies.get(None, ())))

    @functools.cached_property
    def count(self) -> int:
        """How many comments the thread shows; placeholders of removed ones do not count
        (counted once: planning asks for it on every page that shows the post)."""
        return sum(not comment.removed for comment in self.comments)

    @property
    def latest(self) -> datetime | None:
        """When the newest comment was written."""
        return self.comments[-1].date if self.comments else None


def empty_thread(stem: str) -> Thread:
    return Thread(source_digest="", stem=stem, source=None, comments=(), rows=())


def safe_url(value: object) -> str | None:
    """The author's site if it is an http(s) URL; anything else is dropped."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return None if re.search(r"[\s<>\"']", url) else url


def _split(url: str) -> SplitResult | None:
    """The URL's parts; None for one that does not parse ('http://[::1')."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def thread_digest(data: bytes, path: Path, config: Config) -> str:
    """What a loaded thread depends on: its bytes, its path (which it holds), the time zone,
    our code and the libraries that make its HTML."""
    key = hashlib.blake2b(data, digest_size=16)
    key.update(repr((str(path), config.timezone, __version__, engine())).encode())
    return key.hexdigest()


def load_thread(path: Path, data: bytes, config: Config, renderer: CommentRenderer,
                digest: str | None = None) -> Thread:
    """The thread in `content/comments/<stem>.yml`; raises ContentError naming every bad
    comment, and keeps replies whose parent is missing at the top level, with a warning.
    `digest`: its `thread_digest`, when the caller has taken it already."""
    entries = read_entries(path, data)
    item_lines = _item_lines(data)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    checked: list[tuple[datetime, dict]] = []  # each good entry with its date
    id_lines: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        line = item_lines[index] if index < len(item_lines) else None
        label, faults = check_entry(index, entry, config.tz, id_lines)
        problems.extend(Problem(f"{label} {fault}", path, line) for fault in faults)
        if not faults:
            id_lines[entry_id(entry)] = line
            checked.append((parse_when(entry["date"], config.tz), entry))
            if isinstance(entry.get("url"), str) and _split(entry["url"].strip()) is None:
                warnings.append(Problem(f"{label} has a 'url' that is not a web address; "
                                        "left out", path, line))
    if problems:
        raise ContentError(*problems)
    # Numbered in date order, placeholders of removed comments left out; each comment is
    # made once, with its number.
    numbered: list[Comment] = []
    number = 0
    for when, entry in sorted(checked, key=lambda pair: pair[0]):
        removed = entry.get("removed") is True
        number += not removed
        numbered.append(_comment(entry, when, 0 if removed else number, renderer))
    rows, tree_warnings = _rows(path, numbered, id_lines)
    digest = digest or thread_digest(data, path, config)
    holds_emails = any(isinstance(entry, dict) and "email" in entry for entry in entries)
    return Thread(digest, path.stem, path, tuple(numbered), rows, (*warnings, *tree_warnings),
                  holds_emails)


def _comment(entry: dict, when: datetime, number: int, renderer: CommentRenderer) -> Comment:
    """A checked entry as a Comment, written `when`, with its `number` in the thread."""
    replyto = entry.get("replyto")
    removed = entry.get("removed") is True
    return Comment(
        id=entry_id(entry),
        number=number,
        author="" if removed else " ".join(str(entry["author"]).split()),
        url=None if removed else safe_url(entry.get("url")),
        date=when,
        body_html=Markup("") if removed else renderer.convert(str(entry["body"])),
        replyto=str(replyto).strip() if replyto not in (None, "") else None,
        owner=entry.get("owner") is True and not removed,
        removed=removed,
    )


def _rows(path, comments, lines) -> tuple[tuple[ThreadRow, ...], tuple[Problem, ...]]:
    """Each reply after its parent; a reply to a missing (or its own) comment, or one caught
    in a cycle, stays at the top level with a warning, so no comment is ever lost. Loops,
    not recursion: a reply chain may be thousands deep."""
    ids = {c.id for c in comments}
    parent_of = {c.id: c.replyto for c in comments if c.replyto in ids and c.replyto != c.id}
    warnings = [Problem(f"comment '{c.id}' replies to '{shown_id(c.replyto)}', which is not in the "
                        "thread; shown at the top level", path, lines.get(c.id))
                for c in comments if c.replyto is not None and c.id not in parent_of]
    for cid in _break_cycles([c.id for c in comments], parent_of):
        warnings.append(Problem(f"comment '{cid}' is part of a reply cycle; shown at the "
                                "top level", path, lines.get(cid)))
    children: dict[str | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(parent_of.get(comment.id), []).append(comment)
    rows: list[ThreadRow] = []
    stack = [ThreadRow(c, None, 0) for c in reversed(children.get(None, ()))]
    while stack:
        rows.append(row := stack.pop())
        stack.extend(ThreadRow(c, row.comment, row.depth + 1)
                     for c in reversed(children.get(row.comment.id, ())))
    return tuple(rows), tuple(warnings)


def _break_cycles(order: list[str], parent_of: dict[str, str]) -> list[str]:
    """Take the first comment (in `order`) of each reply cycle out of `parent_of`, and
    return those, in order. Each comment is walked through once."""
    position = {cid: n for n, cid in enumerate(order)}
    settled: set[str] = set()
    broken = []
    for start in order:
        path: dict[str, int] = {}  # the walk up from `start`, each id with its step
        current: str | None = start
        while current is not None and current not in settled:
            if current in path:
                cycle = list(path)[path[current]:]
                broken.append(first := min(cycle, key=position.__getitem__))
                del parent_of[first]
                break
            path[current] = len(path)
            current = parent_of.get(current)
        settled.update(path)
    return sorted(broken, key=position.__getitem__)


def _item_lines(data: bytes) -> list[int]:
    """The file line where each top-level list item starts: "-", then whitespace or the
    line's end (a test of two bytes per line, three times as fast as a pattern's match)."""
    return [number for number, line in enumerate(data.split(b"\n"), start=1)
            if line[:1] == b"-" and (len(line) == 1 or line[1:2].isspace())]
