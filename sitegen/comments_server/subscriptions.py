"""Reply notifications: a reader asking for them with the comment form, and who is told
when a reply is published.

Double opt-in: ticking "Email me when someone replies" records the wish in the private
store and queues one confirmation email, at most one per address a day, so the form cannot
be used to mail a stranger again and again. Nothing else goes to an address until it is
confirmed. Once it is, each comment published below one of its comments (a direct reply or
deeper), by whatever route, queues one email to it, unless the reply is its own.

Everything is put in the outbox (channel "reader") before the caller goes on; the comment
server's worker sends it (reader_mail.py says how).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass

from ..config import Config
from ..entries import ThreadEntry, authors_by_id, read_entries
from ..errors import ContentError, SitegenError
from ..layout import SitePaths
from ..posts import read_meta
from ..private import PrivateStore, Subscriber
from .outbox import Entry, Outbox

log = logging.getLogger("sitegen.replies")
CHANNEL = "reader"
CONFIRM_INTERVAL = 24 * 3600.0  # at most one confirmation email per address in this time


@dataclass(frozen=True)
class Published:
    """A comment just published in a thread, as reply notifications tell of it."""

    id: str
    author: str
    body: str
    email: str | None = None
    owner: bool = False

    @classmethod
    def of(cls, entry: ThreadEntry, email: str | None) -> Published:
        """A thread entry as written, and its writer's address if known."""
        return cls(entry.id, entry.author, entry.body, email, entry.owner)


@dataclass(frozen=True)
class PostFacts:
    title: str
    url: str


def reader_outbox(paths: SitePaths) -> Outbox:
    return Outbox(paths.private.outbox)


def request(store: PrivateStore, outbox: Outbox, comment_id: str, email: str,
            post: PostFacts, now: float) -> Entry | None:
    """Record that the writer of `comment_id` wants replies at `email`; the confirmation
    email queued, or None when none is due (confirmed already, or one was sent today)."""
    subscriber = store.subscribe(comment_id, email)
    if subscriber.confirmed or not store.ask(subscriber.key, now, CONFIRM_INTERVAL):
        return None
    item = {"kind": "confirm", "key": subscriber.key, "title": post.title, "url": post.url}
    return outbox.put(item, (CHANNEL,))


def ask_from_form(paths: SitePaths, comment_id: str, email: str, post: PostFacts
                  ) -> Entry | None:
    """`request`, for the comment server: a failure is logged, the comment kept anyway."""
    try:
        return request(PrivateStore(paths), reader_outbox(paths), comment_id, email, post,
                       time.time())
    except (OSError, sqlite3.Error) as error:
        log.error("could not record the reply subscription of comment %s: %s", comment_id,
                  error)
        return None


def announce(paths: SitePaths, config: Config, post: str,
             comments: list[Published]) -> list[Entry]:
    """Queue one email to each confirmed subscriber above each comment just published on
    `post`; returns the entries. A failure is logged: the comments are published anyway."""
    if not config.notify.reader_mail or not comments:
        return []
    try:
        return _announce(paths, config, post, comments)
    except (OSError, sqlite3.Error, SitegenError) as error:
        log.error("could not queue the reply notifications of %s: %s",
                  ", ".join(comment.id for comment in comments), error)
        return []


def _announce(paths: SitePaths, config: Config, post: str,
              comments: list[Published]) -> list[Entry]:
    thread = paths.thread(post)
    entries = [entry for entry in read_entries(thread, thread.read_bytes())
               if isinstance(entry, dict) and entry.get("id") is not None]
    parents = {str(entry["id"]): str(entry.get("replyto") or "") for entry in entries}
    authors = authors_by_id(entries)
    told = _recipients(PrivateStore(paths), comments, parents)
    if not told:  # the usual case: the post is not read
        return []
    facts, outbox = post_facts(paths, config, post), reader_outbox(paths)
    return [outbox.put({"kind": "reply", "key": subscriber.key, "title": facts.title,
                        "url": facts.url, "id": comment.id, "author": comment.author,
                        "body": comment.body, "owner": comment.owner,
                        "parent": authors.get(parent, ""), "direct": direct}, (CHANNEL,))
            for comment, subscriber, parent, direct in told]


def _recipients(store: PrivateStore, comments: list[Published], parents: dict[str, str]
                ) -> list[tuple[Published, Subscriber, str, bool]]:
    """(comment, whom to tell, the comment's parent, whether it is theirs) for each
    confirmed subscriber above each comment, but the comment's own writer."""
    told = []
    for comment in comments:
        above = _ancestors(comment.id, parents)
        if not above:
            continue
        direct = {subscriber.key for subscriber in store.confirmed_subscribers(above[:1])}
        told += [(comment, subscriber, above[0], subscriber.key in direct)
                 for subscriber in _told(store.confirmed_subscribers(above), comment)]
    return told


def _ancestors(cid: str, parents: dict[str, str]) -> list[str]:
    """The comments `cid` is below, its parent first; a reply cycle ends the walk."""
    found: list[str] = []
    current = parents.get(cid, "")
    while current and current in parents and current not in found and current != cid:
        found.append(current)
        current = parents[current]
    return found


def _told(subscribers: list[Subscriber], comment: Published) -> list[Subscriber]:
    """Everyone but the reply's own writer."""
    own = (comment.email or "").strip().lower()
    return [subscriber for subscriber in subscribers if subscriber.email != own]


def post_facts(paths: SitePaths, config: Config, stem: str) -> PostFacts:
    """The title and absolute address of the post `stem`; its file name when it cannot be
    read (the mail still goes out)."""
    path = paths.posts / f"{stem}.md"
    try:
        post = read_meta(path, path.read_bytes(), config)
    except (OSError, ContentError):
        return PostFacts(stem, config.absolute("/"))
    return PostFacts(post.title, config.absolute(post.url))

