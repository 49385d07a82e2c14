"""Blogger's Atom export ("Back up content") -> posts, pages and comment threads.

Blogger has written two forms. The classic one says what an entry is with a category term
(…/kind#post, #comment, #page, #settings, #template), marks drafts with <app:draft>, links a
comment to its post with <thr:in-reply-to ref> and to the comment it answers with a
`related` link. The newer one says it with <blogger:type>, <blogger:status>,
<blogger:parent>, <blogger:inReplyTo> and <blogger:filename>, and gives dates in UTC. Each
entry is read in whichever form it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from slugify import slugify

from ..config import Config
from ..errors import Problem
from ..progress import Report
from .convert import comment_markdown, to_markdown
from .model import (
    Export,
    ExportError,
    ImportedComment,
    ImportedItem,
    Where,
    attach_threads,
    comment_id,
    old_address,
    quoted,
    redirect_tag,
    unique_tags,
)
from .timestamps import atom_time
from .xmlstream import Located, read_elements

ATOM = "{http://www.w3.org/2005/Atom}"
BLOGGER = "{http://schemas.google.com/blogger/2018}"
THREAD = "{http://purl.org/syndication/thread/1.0}"
APP = "{http://purl.org/atom/app#}"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
GD = "{http://schemas.google.com/g/2005}"
NO_EMAIL = "noreply@blogger.com"
TRAILING_NUMBER = re.compile(r"(\d+)\D*$")
STATUS_SKIPS = {
    "soft_trashed": "trashed", "trashed": "trashed", "deleted": "deleted",
    "emptied": "deleted", "spam": "spam",
}


@dataclass(frozen=True)
class _Entry:
    """One export entry, the same whichever form it was written in."""

    located: Located
    kind: str  # post, page, comment, settings, template, or '' when unknown
    status: str  # live, draft, scheduled, pending, or a STATUS_SKIPS key
    post: str | None  # a comment's post
    parent: str | None  # the comment a comment answers
    path: str | None  # the old address
    where: Where  # to name the entry in warnings

    @property
    def element(self) -> Element:
        return self.located.element


def read(path: Path, config: Config, progress: Report | None = None) -> Export:
    """Everything in a Blogger export; ExportError for a file that is not one, or with
    entries that have no date (all of them named, with their lines)."""
    export = Export()
    items: dict[str, ImportedItem] = {}
    threads: dict[str, list[ImportedComment]] = {}
    parent_of: dict[str, str | None] = {}
    problems: list[Problem] = []
    known = 0
    for located in read_elements(path, 1, ("feed",), "a Blogger export (an Atom <feed>)",
                                 progress):
        if located.element.tag != f"{ATOM}entry":
            continue
        export.entries += 1
        entry = _entry(located, export, path)
        known += bool(entry.kind)
        date = _date(entry.element, config)
        if date is None and entry.kind in ("post", "page", "comment"):
            problems.append(Problem(f"the {entry.kind} entry has no date (<published>)",
                                    path, located.line))
        elif entry.kind == "comment":
            _comment(entry, date, export, threads, parent_of)
        elif entry.kind in ("post", "page"):
            item = _item(entry, date, export)
            if item is not None:
                items[item.key] = item
        else:
            export.skip(f"blog {entry.kind} entries" if entry.kind else "entries of no known kind")
    if problems:
        raise ExportError(*problems)
    if export.entries and not known:
        raise ExportError(Problem("not a Blogger export: no entry has a Blogger kind "
                                  "(category …/kind#post) or <blogger:type>", path))
    attach_threads(export, items, threads, parent_of)
    for item in items.values():
        if item.kind == "post" and not item.draft:
            for label in item.tags:
                redirect_tag(export, "search/label", label, label)
    return export


def _entry(located: Located, export: Export, path: Path) -> _Entry:
    element = located.element
    kind, status, post, parent, address = (
        _newer(element) if _text(element, f"{BLOGGER}type") is not None else _classic(element))
    if kind == "comment":
        what = f"comment {_comment_id(_text(element, f'{ATOM}id') or str(located.line))}"
    else:
        what = f"{kind or 'entry'} {quoted(_text(element, f'{ATOM}title') or 'Untitled')}"
    where = Where(export, what, path, located.line)
    return _Entry(located, kind, status, post, parent,
                  old_address(where.url(address, "its old address")), where)


def _newer(element: Element) -> tuple[str, str, str | None, str | None, str | None]:
    """(kind, status, post, parent, old address) of an entry in the newer form."""
    status = (_text(element, f"{BLOGGER}status") or "live").lower()
    if _text(element, f"{BLOGGER}trashed"):
        status = "trashed"
    return ((_text(element, f"{BLOGGER}type") or "").lower(), status,
            _text(element, f"{BLOGGER}parent"), _text(element, f"{BLOGGER}inReplyTo"),
            _text(element, f"{BLOGGER}filename"))


def _classic(element: Element) -> tuple[str, str, str | None, str | None, str | None]:
    """(kind, status, post, parent, old address) of an entry in the classic form."""
    kinds = [c.get("term", "") for c in element.iter(f"{ATOM}category")
             if c.get("scheme") == KIND_SCHEME]
    draft = (_text(element, f"{APP}control/{APP}draft") or "").lower() == "yes"
    reply = element.find(f"{THREAD}in-reply-to")
    related = [link.get("href") for link in element.iter(f"{ATOM}link")
               if link.get("rel") == "related" and "/comments/" in link.get("href", "")]
    return (kinds[0].rpartition("#")[2] if kinds else "",
            "draft" if draft else _classic_status(element),
            reply.get("ref") if reply is not None else None,
            related[0] if related else None, _alternate(element))


def _classic_status(element: Element) -> str:
    removed = [p for p in element.iter(f"{GD}extendedProperty")
               if p.get("name") == "blogger.contentRemoved" and p.get("value") == "true"]
    return "deleted" if removed else "live"


def _alternate(element: Element) -> str | None:
    for link in element.iter(f"{ATOM}link"):
        if link.get("rel") == "alternate" and link.get("type", "text/html") == "text/html":
            return link.get("href")
    return None


def _item(entry: _Entry, date, export: Export) -> ImportedItem | None:
    if entry.status in STATUS_SKIPS:
        export.skip(f"{STATUS_SKIPS[entry.status]} {entry.kind}s")
        return None
    draft = entry.status not in ("live", "scheduled")
    if entry.status == "scheduled":
        export.notes["scheduled posts (the build shows them from their date)"] += 1
    element = entry.element
    title = " ".join((_text(element, f"{ATOM}title") or "").split())
    if not title:
        export.notes["posts without a title, titled 'Untitled'"] += 1
    labels = unique_tags(c.get("term", "") for c in element.iter(f"{ATOM}category")
                         if c.get("scheme") != KIND_SCHEME)
    body = to_markdown(_text(element, f"{ATOM}content") or "")
    entry.where.warn(*body.changes)
    return ImportedItem(
        key=_text(element, f"{ATOM}id") or str(entry.located.line),
        kind=entry.kind,
        title=title or "Untitled",
        date=date,
        slug=_slug(entry, title),
        body=body.markdown,
        tags=labels,
        draft=draft,
        aliases=(entry.path,) if entry.path and not draft else (),
        menu=entry.kind == "page",
    )


def _slug(entry: _Entry, title: str) -> str:
    name = (entry.path or "").rstrip("/").rpartition("/")[2]
    if slug := slugify(name.removesuffix(".html")):
        return slug
    number = TRAILING_NUMBER.search(_text(entry.element, f"{ATOM}id") or "")
    return slugify(title) or f"post-{number[1] if number else entry.located.line}"


def _comment(entry: _Entry, date, export: Export, threads: dict, parent_of: dict) -> None:
    element = entry.element
    cid = _comment_id(_text(element, f"{ATOM}id") or str(entry.located.line))
    parent = _comment_id(entry.parent) if entry.parent else None
    parent_of[cid] = parent
    author = element.find(f"{ATOM}author")
    name = _text(author, f"{ATOM}name") if author is not None else None
    email = _text(author, f"{ATOM}email") if author is not None else None
    body = comment_markdown(_text(element, f"{ATOM}content") or "")
    entry.where.warn(*body.changes)
    comment = ImportedComment(
        id=cid,
        author=" ".join((name or "").split()) or "Anonymous",
        date=date,
        body=body.markdown,
        email=email if email and email != NO_EMAIL else None,
        url=entry.where.url(_text(author, f"{ATOM}uri"), "its author's website"),
        replyto=parent,
    )
    if entry.status == "live" and comment.body:
        threads.setdefault(entry.post or "", []).append(comment)
    elif entry.status == "pending":
        export.pending.append((entry.post or "", comment))
    elif entry.status == "live":
        export.skip("empty comments")
    else:
        export.skip(f"{STATUS_SKIPS.get(entry.status, entry.status)} comments")


def _comment_id(raw: str) -> str:
    """Blogger's comment ids end in a number, whether given whole (tag:…post-123) or
    as the last part of a link (…/comments/default/123)."""
    number = TRAILING_NUMBER.search(raw)
    return comment_id("blogger", number[1] if number else raw)


def _date(element: Element, config: Config):
    return atom_time(_text(element, f"{ATOM}published") or _text(element, f"{BLOGGER}created"),
                     config.tz)


def _text(element: Element | None, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    if found is None:
        return None
    return "".join(found.itertext()).strip() or None
