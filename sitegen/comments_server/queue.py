"""The moderation queue: pending comments as files, and approving them into their threads.

Each comment waiting for the owner is one file, `content/comments/pending/<id>.yml`, written
whole or not at all. Approving appends the comment to `content/comments/<post>.yml`, keeping
every byte already there, under a lock so that two approvals never lose one another;
rejecting moves the file to `content/comments/rejected/`. The build reads neither folder.
The owner's own replies skip the queue and go straight into the thread, marked as theirs.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from ..atomic import move_new, write_new
from ..config import Config, load_config
from ..dates import DATE_HELP, parse_when
from ..entries import (
    COMMENT_ID,
    REQUIRED,
    ThreadEntry,
    entry_ids,
    read_entries,
    shown_id,
)
from ..errors import ConfigError, ContentError, Problem
from ..layout import SitePaths, lock, queue_folder
from ..private import PrivateStore
from ..sourcefile import YAML_LOADER, decode, yaml_problem
from ..threadfile import ThreadWriter, dump_yaml
from .subscriptions import Published, announce

log = logging.getLogger("sitegen.comments_server.queue")
POST_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class PendingComment:
    """A reader's comment as it waits in the queue; the file holds these keys in this order."""

    id: str
    post: str
    author: str
    date: str
    body: str
    email: str | None = None
    url: str | None = None
    replyto: str | None = None
    ip_hash: str | None = None
    source: str | None = None

    def as_mapping(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def thread_entry(self) -> ThreadEntry:
        """What goes into the thread: no IP hash, no source, no email (the reader's address
        goes to the private store, which git never sees)."""
        return ThreadEntry(id=self.id, author=self.author, date=self.date, body=self.body,
                           url=self.url, replyto=self.replyto)


def new_id(now: datetime | None = None) -> str:
    """Unique and sortable by time: 20261126T131740Z-3f9a1c2b."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{when:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


@contextlib.contextmanager
def thread_lock(paths: SitePaths, post: str) -> Iterator[None]:
    """Hold the lock that every writer of `content/comments/<post>.yml` takes."""
    with lock(paths, f"thread-{post}"):
        yield


class Queue:
    """The pending and rejected folders of one site."""

    def __init__(self, paths: SitePaths, config: Config | None = None,
                 threads: ThreadWriter | None = None) -> None:
        """`threads`: the process's thread writer, if it has one (the comment server)."""
        self.paths = paths
        self.config = config  # read from sitegen.toml when needed, if not given
        self.pending = paths.pending
        self.rejected = paths.rejected
        self.threads = threads if threads is not None else ThreadWriter()

    def add(self, comment: PendingComment) -> Path:
        """Store a new comment; FileExistsError if its id is taken (nothing is replaced)."""
        path = queue_folder(self.pending) / f"{comment.id}.yml"
        write_new(path, dump_yaml(comment.as_mapping()).encode("utf-8"))
        return path

    def ids(self) -> list[str]:
        """Pending ids, oldest first."""
        if not self.pending.is_dir():
            return []
        return sorted(p.stem for p in self.pending.glob("*.yml") if not p.name.startswith("."))

    def get(self, cid: str) -> PendingComment:
        return read_pending(self._path(cid))

    def approve(self, ids: Iterable[str]) -> tuple[dict[str, Path], list[Problem]]:
        """Append each comment to its thread and take it out of the queue, writing each
        thread once however many comments it gets; returns where each comment went, and
        what could not be approved."""
        problems: list[Problem] = []
        by_post: dict[str, list[tuple[Path, PendingComment]]] = {}
        for cid in ids:
            try:
                path = self._path(cid)
                comment = read_pending(path)
            except ContentError as error:
                problems.extend(error.problems)
                continue
            by_post.setdefault(comment.post, []).append((path, comment))
        done: dict[str, Path] = {}
        for post, items in by_post.items():
            thread = self.paths.thread(post)
            try:
                with thread_lock(self.paths, post):
                    keep_emails(self.paths, [comment for _, comment in items])
                    self.threads.append(thread, [comment.thread_entry() for _, comment in items])
                    for path, _ in items:
                        path.unlink(missing_ok=True)
            except ContentError as error:
                problems.extend(error.problems)
                continue
            done.update((comment.id, thread) for _, comment in items)
            self._announce(post, [comment for _, comment in items])
        return done, problems

    def _announce(self, post: str, comments: list[PendingComment]) -> None:
        """Queue the reply notifications of comments just published."""
        try:
            config = self.config or load_config(self.paths)
        except ConfigError as error:
            log.error("no reply notifications for the comments approved: %s", error)
            return
        announce(self.paths, config, post,
                 [Published.of(comment.thread_entry(), comment.email) for comment in comments])

    def reject(self, ids: Iterable[str]) -> tuple[dict[str, Path], list[Problem]]:
        """Move each comment to rejected/, where it stays until the owner deletes it."""
        problems: list[Problem] = []
        done: dict[str, Path] = {}
        for cid in ids:
            try:
                path = self._path(cid)
                read_pending(path)
                move_new(path, queue_folder(self.rejected) / path.name)
            except ContentError as error:
                problems.extend(error.problems)
            except FileExistsError:
                problems.append(Problem(f"{path.name} is already in rejected/; remove one",
                                        path))
            else:
                done[cid] = self.rejected / path.name
        return done, problems

    def _path(self, cid: str) -> Path:
        if not COMMENT_ID.match(cid):
            raise ContentError(Problem(f"'{shown_id(cid)}' is not a comment id (see `sitegen "
                                       "comments list`)"))
        path = self.pending / f"{cid}.yml"
        if not path.is_file():
            raise ContentError(Problem(f"no pending comment '{cid}'", self.pending))
        return path


def owner_reply(paths: SitePaths, config: Config, post: str, body: str, *,
                replyto: str | None = None, author: str | None = None,
                now: datetime | None = None,
                threads: ThreadWriter | None = None) -> tuple[str, Path]:
    """The owner's own comment on `post`, answering the comment `replyto` or else the post:
    appended to the thread at once (by `threads`, the process's thread writer if it has
    one), with `owner: true` for the theme to mark it. Returns its id and the thread file;
    nothing is written when the post, the comment answered, the author's name or the text
    is missing."""
    name = " ".join((author if author is not None else config.author).split())
    text = body.strip("\n")
    problems = []
    if not POST_STEM.match(post) or not (paths.posts / f"{post}.md").is_file():
        problems.append(Problem(f"no post '{post}' in content/posts/ (give its file name "
                                "without .md)"))
    if not name:
        problems.append(Problem("who is replying? Set 'author' in sitegen.toml or pass --as "
                                "NAME", paths.config_file))
    if not text.strip():
        problems.append(Problem("the reply is empty"))
    if problems:
        raise ContentError(*problems)
    when = (now or datetime.now(UTC)).astimezone(config.tz)
    entry = ThreadEntry(id=new_id(now), author=name, date=when.isoformat(timespec="seconds"),
                        body=text, replyto=replyto, owner=True)
    thread = paths.thread(post)
    with thread_lock(paths, post):
        if replyto is not None:
            _check_answerable(paths, thread, replyto)
        (threads if threads is not None else ThreadWriter()).append(thread, [entry])
    announce(paths, config, post, [Published.of(entry, None)])
    return entry.id, thread


def _check_answerable(paths: SitePaths, thread: Path, replyto: str) -> None:
    entries = read_entries(thread, thread.read_bytes()) if thread.exists() else []
    if replyto in entry_ids(entries):
        return
    if COMMENT_ID.match(replyto) and (Queue(paths).pending / f"{replyto}.yml").is_file():
        raise ContentError(Problem(f"comment '{replyto}' is awaiting moderation: approve it "
                                   f"first (`sitegen comments approve {replyto}`)"))
    raise ContentError(Problem(f"no comment '{shown_id(replyto)}' in this thread", thread))


def read_pending(path: Path) -> PendingComment:
    """A pending file as written by the intake or an importer; ContentError if it is not."""
    try:
        data = yaml.load(decode(path, path.read_bytes()), Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        problem = yaml_problem(error, path, "a pending comment is")
        raise ContentError(Problem(f"not a readable comment: {problem.message}", path,
                                   problem.line)) from None
    known = {f.name for f in fields(PendingComment)}
    if not isinstance(data, dict):
        raise ContentError(Problem("must be a mapping of keys such as 'author: Ana'", path))
    faults = [f"unknown key '{key}'" for key in data if key not in known]
    faults += [f"has no '{key}'" for key in ("id", "post", *REQUIRED)
               if data.get(key) in (None, "")]
    # Only single values are read: a list made by YAML aliases can print as gigabytes.
    scalars = {key: value for key, value in data.items()
               if key in known and isinstance(value, str | int | float | date | None)}
    faults += [f"has a '{key}' that is not text" for key in data
               if key in known and key not in scalars]
    values = {key: _text(value) for key, value in scalars.items()}
    if values.get("id") and values["id"] != path.stem:
        faults.append(f"has id '{values['id']}' but the file is named {path.name}")
    if values.get("post") and not POST_STEM.match(values["post"]):
        faults.append(f"has a 'post' that is not a post's file name: '{values['post']}'")
    if values.get("date") and parse_when(values["date"], UTC) is None:
        faults.append(f"has a bad date '{values['date']}': {DATE_HELP}")
    if faults:
        raise ContentError(*(Problem(fault, path) for fault in faults))
    return PendingComment(**values)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def keep_emails(paths: SitePaths, comments: list[PendingComment]) -> None:
    """Keep the readers' addresses of comments about to be published in the private store,
    before their pending files go."""
    if not (emails := [(comment.id, comment.email) for comment in comments if comment.email]):
        return
    store = PrivateStore(paths)
    try:
        store.set_emails(emails)
    except sqlite3.Error as error:
        raise ContentError(Problem(f"cannot keep the readers' addresses in the private store: "
                                   f"{error}", store.path)) from None
