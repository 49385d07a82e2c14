"""What an importer reads out of an export, as plain data, before any file is planned.

Each importer (blogger, wordpress, disqus) turns its export into one `Export`: the posts and
pages with their comments, comments for posts already in the site, and a count of what it
left out and why. Everything after that (file names, front matter, writing) is shared.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from slugify import slugify

from ..entries import ThreadEntry
from ..errors import Problem, SitegenError
from ..urls import AddressError, tag_address, url_address

SAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


class ExportError(SitegenError):
    """The export cannot be read: not well-formed, not the format asked for, or an entry
    that lacks what every entry needs (a date)."""


@dataclass(frozen=True)
class ImportedComment(ThreadEntry):
    """A reader's comment as the thread file keeps it (`body` is Markdown, `date` a
    datetime, `owner` set for the blog's author signed in), with the reader's address,
    which goes to the private store."""

    email: str | None = None


@dataclass(frozen=True)
class ImportedItem:
    """A post or a page. `key` is the export's own id, which comments point at."""

    key: str
    kind: str  # "post" or "page"
    title: str
    date: datetime
    slug: str
    body: str
    tags: tuple[str, ...] = ()
    draft: bool = False
    aliases: tuple[str, ...] = ()
    comments_open: bool = True
    menu: bool = False
    comments: tuple[ImportedComment, ...] = ()


@dataclass
class Export:
    """Everything one export holds that sitegen can use, and what it could not.

    `pending` keeps comments awaiting moderation, with the key of their item: they go to
    the moderation queue.
    `merges` maps the stem of a post already in the site to comments to add to its thread.
    `skipped` counts what was left out by reason; `notes` counts what was kept differently
    from the export (a private post kept as a draft, say). `redirects` maps the old
    addresses of label, tag and category pages to the tag pages that replace them."""

    entries: int = 0
    items: list[ImportedItem] = field(default_factory=list)
    merges: dict[str, list[ImportedComment]] = field(default_factory=dict)
    pending: list[tuple[str, ImportedComment]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count


@dataclass(frozen=True)
class Where:
    """An entry of the export (`what`: "post 'Hello'", "comment wp-12") and its place, to
    name it in the warnings about what its import changed."""

    export: Export
    what: str
    path: Path
    line: int

    def warn(self, *messages: str) -> None:
        self.export.warnings += [Problem(f"{self.what}: {message}", self.path, self.line)
                                 for message in messages]

    def url(self, url: str | None, role: str) -> str | None:
        """`url` (`role` says what it is: "its website"), or None, with a warning, if it
        does not parse: each later step that reads it would fail."""
        if url is None or valid_url(url):
            return url
        self.warn(f"left out {role} {quoted(url)}, which is not a valid URL")
        return None


def valid_url(url: str) -> bool:
    """Whether `url` parses as an address, port included ('http://[::1' does not)."""
    try:
        urlsplit(url).port  # noqa: B018 (reading the port is what checks it)
    except ValueError:
        return False
    return True


def quoted(text: str | None, limit: int = 80) -> str:
    """Text from an export as a message quotes it: on one line, and cut short if long."""
    text = text or ""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def comment_id(prefix: str, raw: str) -> str:
    """A thread id (letters, digits, - and _) from an export's own comment id."""
    return f"{prefix}-{SAFE_ID.sub('-', raw.strip()).strip('-') or 'x'}"


def unique_tags(names: Iterable[str]) -> tuple[str, ...]:
    """Tag names without repeats, "Markup" and "markup" being one tag as the site sees it."""
    found: dict[str, str] = {}
    for name in (" ".join(name.split()) for name in names):
        if slug := slugify(name):
            found.setdefault(slug, name)
    return tuple(found.values())


def redirect_tag(export: Export, folder: str, segment: str, name: str) -> None:
    """Send the old blog's page of a label, tag or category (/<folder>/<segment>/) to the
    page of the tag `name` here; a segment that cannot be one folder is left alone."""
    segment = unquote(segment).strip()
    if (slug := slugify(name)) and segment and not any(c in segment for c in "/?#\\"):
        export.redirects.setdefault(f"/{folder}/{segment}/", tag_address(slug))


def old_address(url: str | None) -> str | None:
    """The path and query of an old URL, to keep as an alias: '/2010/08/post.html',
    '/?p=123'. Planning the files makes it canonical, or drops it saying why."""
    if not url or not url.strip():
        return None
    try:
        return url_address(url)
    except AddressError:
        return url.strip()  # kept as it is, for planning to drop with the reason


def reattach(comments: list[ImportedComment], parent_of: dict[str, str | None]
             ) -> list[ImportedComment]:
    """Point each reply at its nearest ancestor that was kept, or at none.

    `parent_of` knows the parent of every comment in the export, kept or not, so a reply
    to a spam or deleted comment moves up to that comment's own parent instead of ending
    up as a reply to nothing."""
    kept = {comment.id for comment in comments}
    result = []
    for comment in comments:
        parent, seen = comment.replyto, {comment.id}
        while parent is not None and parent not in kept and parent not in seen:
            seen.add(parent)
            parent = parent_of.get(parent)
        if parent in seen:
            parent = None
        result.append(_with_parent(comment, parent))
    return result


def _with_parent(comment: ImportedComment, parent: str | None) -> ImportedComment:
    if parent == comment.replyto:
        return comment
    return ImportedComment(**{**comment.__dict__, "replyto": parent})


def attach_threads(export: Export, items: dict[str, ImportedItem],
                   threads: dict[str, list[ImportedComment]],
                   parent_of: dict[str, str | None]) -> None:
    """Give each item its comments, in date order with replies re-pointed past any left-out
    parent, and add it to the export; comments whose item was not imported are counted."""
    for key, item in items.items():
        comments = threads.pop(key, [])
        if comments and item.kind == "page" and not item.draft:
            export.skip("comments on pages (sitegen pages have no comments)", len(comments))
            comments = []
        ordered = reattach(sorted(comments, key=lambda c: c.date), parent_of)
        export.items.append(ImportedItem(**{**item.__dict__, "comments": tuple(ordered)}))
    for comments in threads.values():
        export.skip("comments on posts that were not imported", len(comments))
