"""Disqus's XML export -> comments added to the threads of posts already in the site.

Disqus knows a post only by the address it had, so each Disqus thread is matched to the post
whose permalink or one of whose `aliases` is that address (import the posts first, and
their old addresses come with them). Replies keep their parent through <parent>; deleted
and spam comments are left out and counted, and a reply to one of them moves up to the
nearest comment that was kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from ..config import Config
from ..errors import ContentError, Problem
from ..layout import SitePaths
from ..load import load
from ..progress import Report
from ..urls import AddressError, output_path, site_address, url_address
from .convert import comment_markdown
from .model import (
    Export,
    ExportError,
    ImportedComment,
    Where,
    comment_id,
    quoted,
    reattach,
)
from .timestamps import atom_time
from .xmlstream import Located, local, read_elements

DISQUS = "{http://disqus.com}"
INTERNALS = "{http://disqus.com/disqus-internals}id"


@dataclass(frozen=True)
class _Thread:
    addresses: tuple[str, ...]
    line: int


def site_addresses(paths: SitePaths, config: Config) -> dict[str, str]:
    """Every address a post of the site answers to (its permalink and its aliases, drafts
    and scheduled posts included) -> the post's file stem."""
    loaded = load(paths, config)
    if loaded.problems:
        raise ContentError(*loaded.problems)
    found: dict[str, str] = {}
    # Newest first, as the site lists them: of two posts claiming an address, the newer.
    for post in sorted(loaded.posts, key=lambda post: (post.date, post.stem), reverse=True):
        for address in (post.url, *(alias.address for alias in post.aliases)):
            found.setdefault(_key(address), post.stem)
    return found


def address_key(url: str) -> str | None:
    """The lookup key of the address a URL names (None if it names none): the file a host
    serves for it, so /a, /a/ and /a/index.html are one key; a query (/?p=12) is kept."""
    try:
        return _key(site_address(url_address(url), query=True))
    except AddressError:
        return None


def _key(address: str) -> str:
    path, mark, query = address.partition("?")
    return output_path(path) + mark + query


def read(path: Path, config: Config, addresses: dict[str, str],
         progress: Report | None = None) -> Export:
    """The comments of a Disqus export, grouped by the stem of the post they belong to."""
    export = Export()
    threads: dict[str, _Thread] = {}
    posts: list[Located] = []
    for located in read_elements(path, 1, ("disqus",), "a Disqus export (a <disqus> file)",
                                 progress):
        kind = local(located.element.tag)
        if kind == "thread":
            export.entries += 1
            threads[located.element.get(INTERNALS, "")] = _thread(located, export, path)
        elif kind == "post":
            export.entries += 1
            posts.append(located)
    comments, parent_of = _comments(path, config, posts, export)
    unmatched: dict[str, int] = {}
    for thread_id, comment in comments:
        thread = threads.get(thread_id)
        stem = _match(thread, addresses) if thread else None
        if thread is None:
            export.skip("comments whose thread is not in the export")
        elif stem is None:
            export.skip("comments on threads with no post at their address")
            unmatched[thread_id] = unmatched.get(thread_id, 0) + 1
        else:
            export.merges.setdefault(stem, []).append(comment)
    for stem, found in export.merges.items():
        export.merges[stem] = reattach(sorted(found, key=lambda c: c.date), parent_of)
    export.warnings += [_unmatched(path, threads[tid], count) for tid, count in unmatched.items()]
    return export


def _thread(located: Located, export: Export, path: Path) -> _Thread:
    element = located.element
    where = Where(export, f"thread {quoted(element.get(INTERNALS, ''))}", path, located.line)
    candidates = [_text(element, "link"), *(_text(element, "id") or "").split()]
    addresses = tuple(c for c in candidates if c and c.startswith(("http://", "https://", "/"))
                      and where.url(c, "the address"))
    return _Thread(addresses, located.line)


def _match(thread: _Thread, addresses: dict[str, str]) -> str | None:
    for address in thread.addresses:
        key = address_key(address)
        if key is not None and (stem := addresses.get(key)
                                or addresses.get(key.partition("?")[0])) is not None:
            return stem
    return None


def _unmatched(path: Path, thread: _Thread, count: int) -> Problem:
    if not thread.addresses:
        return Problem(f"the thread has no address to find its post by, so its {count} "
                       "comment(s) were left out", path, thread.line)
    return Problem(f"no post has the address {thread.addresses[0]}, so its {count} comment(s) "
                   "were left out; add the address to that post's aliases and import again",
                   path, thread.line)


def _comments(path: Path, config: Config, posts: list[Located], export: Export
              ) -> tuple[list[tuple[str, ImportedComment]], dict[str, str | None]]:
    """(thread id, comment) for every comment kept, and the parent of every comment."""
    kept: list[tuple[str, ImportedComment]] = []
    parent_of: dict[str, str | None] = {}
    problems: list[Problem] = []
    for located in posts:
        element = located.element
        cid = comment_id("disqus", element.get(INTERNALS, str(located.line)))
        parent = element.find(f"{DISQUS}parent")
        parent_of[cid] = (comment_id("disqus", parent.get(INTERNALS, ""))
                          if parent is not None else None)
        date = atom_time(_text(element, "createdAt"), config.tz)
        if _flag(element, "isDeleted"):
            export.skip("deleted comments")
        elif _flag(element, "isSpam"):
            export.skip("spam comments")
        elif date is None:
            problems.append(Problem(f"comment {cid} has no date (<createdAt>)", path,
                                    located.line))
        elif not (comment := _comment(Where(export, f"comment {cid}", path, located.line),
                                      element, cid, date, parent_of[cid])).body:
            export.skip("empty comments")
        else:
            thread = element.find(f"{DISQUS}thread")
            kept.append((thread.get(INTERNALS, "") if thread is not None else "", comment))
    if problems:
        raise ExportError(*problems)
    return kept, parent_of


def _comment(where: Where, element: Element, cid: str, date, parent: str | None
             ) -> ImportedComment:
    author = element.find(f"{DISQUS}author")
    name = (_text(author, "name") or _text(author, "username")) if author is not None else None
    email = _text(author, "email") if author is not None else None
    body = comment_markdown(_text(element, "message") or "")
    where.warn(*body.changes)
    return ImportedComment(
        id=cid,
        author=" ".join((name or "").split()) or "Anonymous",
        date=date,
        body=body.markdown,
        email=email,
        replyto=parent,
    )


def _flag(element: Element, name: str) -> bool:
    return (_text(element, name) or "").lower() == "true"


def _text(element: Element | None, name: str) -> str | None:
    found = element.find(f"{DISQUS}{name}") if element is not None else None
    return (found.text or "").strip() or None if found is not None else None
