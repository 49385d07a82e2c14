"""LOAD a comment thread: validate it, number it, build the reply tree, sanitise bodies.

Everything in a thread file was written by a reader and is untrusted. This module is the one
place where reader text becomes HTML: bodies go through Markdown and then the nh3 allow-list,
and only http(s) links to authors' sites survive. Templates print the result as it is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import nh3
import pymdownx
import yaml
from markupsafe import Markup

from . import __version__, extras
from .config import Config
from .dates import DATE_HELP, parse_when
from .errors import ContentError, Problem
from .posts import YAML_LOADER, decode, markdown_extensions, yaml_problem

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote",
                "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
COMMENT_ID = re.compile(r"^[A-Za-z0-9_-]+$")
REQUIRED = ("author", "date", "body")


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
class Thread:
    """A post's comments: flat in date order (`comments`) and as a reply tree (`roots`)."""

    source_digest: str
    stem: str
    source: Path | None
    comments: tuple[Comment, ...]
    roots: tuple[CommentNode, ...]
    warnings: tuple[Problem, ...] = ()

    @property
    def count(self) -> int:
        """How many comments the thread shows; placeholders of removed ones do not count."""
        return sum(not comment.removed for comment in self.comments)

    @property
    def latest(self) -> datetime | None:
        """When the newest comment was written."""
        return self.comments[-1].date if self.comments else None


def empty_thread(stem: str) -> Thread:
    return Thread(source_digest="", stem=stem, source=None, comments=(), roots=())


class CommentRenderer:
    """Markdown without the owner's extras, then the allow-list: the only way reader text
    becomes markup."""

    # As in posts, ~~struck~~ text and bare links, each used where it may change something
    # (see `extras`); no math, no task lists.
    EXTRAS = frozenset({extras.STRIKE, extras.LINKS})

    def __init__(self) -> None:
        self._made: dict[frozenset[str], markdown.Markdown] = {}

    def convert(self, text: str) -> Markup:
        wanted = extras.needed(text) & self.EXTRAS
        md = self._made.get(wanted)
        if md is None:
            md = self._made[wanted] = markdown.Markdown(extensions=[
                *markdown_extensions(["fenced_code", "sane_lists"]), *extras.extensions(wanted)])
        md.reset()
        return Markup(sanitise(md.convert(text)))


def sanitise(html: str) -> str:
    """Reader HTML cut down to the allow-list; links get rel="nofollow ugc"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc",
    )


def safe_url(value: object) -> str | None:
    """The author's site if it is an http(s) URL; anything else is dropped."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    parts = urlsplit(url)
    ok = parts.scheme in ("http", "https") and parts.netloc and not re.search(r"[\s<>\"']", url)
    return url if ok else None


def thread_digest(data: bytes, path: Path, config: Config) -> str:
    """What a loaded thread depends on: its bytes, its path (which it holds), the time zone,
    our code and the libraries that make its HTML."""
    key = hashlib.blake2b(data, digest_size=16)
    key.update(repr((str(path), config.timezone, __version__, markdown.__version__,
                     nh3.__version__, pymdownx.__version__)).encode())
    return key.hexdigest()


def load_thread(path: Path, data: bytes, config: Config, renderer: CommentRenderer) -> Thread:
    """The thread in `content/comments/<stem>.yml`; raises ContentError naming every bad
    comment, and keeps replies whose parent is missing at the top level, with a warning."""
    entries = read_entries(path, data)
    item_lines = _item_lines(data)
    problems: list[Problem] = []
    comments: list[Comment] = []
    id_lines: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        line = item_lines[index] if index < len(item_lines) else None
        label, faults = _check_entry(index, entry, config, id_lines)
        problems.extend(Problem(f"{label} {fault}", path, line) for fault in faults)
        if not faults:
            id_lines[_entry_id(entry)] = line
            comments.append(_comment(entry, config, renderer))
    if problems:
        raise ContentError(*problems)
    ordered = sorted(comments, key=lambda c: c.date)
    shown = [c for c in ordered if not c.removed]
    numbers = {c.id: n for n, c in enumerate(shown, start=1)}
    numbered = [_with_number(c, numbers.get(c.id, 0)) for c in ordered]
    roots, warnings = _tree(path, numbered, id_lines)
    digest = thread_digest(data, path, config)
    return Thread(digest, path.stem, path, tuple(numbered), roots, warnings)


def read_entries(path: Path, data: bytes) -> list:
    """The list of comments a thread file holds; ContentError, with the line, if it holds
    anything else."""
    text = decode(path, data)
    try:
        entries = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        raise ContentError(yaml_problem(error, path)) from None
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ContentError(Problem("a comment file must be a YAML list of comments ('- id: …')",
                                   path, 1))
    return entries


def _entry_id(entry: dict) -> str:
    raw = entry.get("id")
    return str(raw).strip() if isinstance(raw, str | int) else ""


def _check_entry(index: int, entry: object, config: Config, id_lines: dict) -> tuple[str, list]:
    """How to name the entry in a message, and everything wrong with it."""
    if not isinstance(entry, dict):
        return f"comment #{index + 1}", ["is not a mapping of keys such as 'author: Ana'"]
    cid = _entry_id(entry)
    faults = []
    if not COMMENT_ID.match(cid):
        faults.append("needs an 'id' of letters, digits, '-' or '_'")
    elif cid in id_lines:
        faults.append(f"has the same id as the comment at line {id_lines[cid]}")
    required = ("date",) if entry.get("removed") is True else REQUIRED
    faults.extend(f"has no '{key}'" for key in required if entry.get(key) in (None, ""))
    date = entry.get("date")
    if date not in (None, "") and parse_when(date, config.tz) is None:
        faults.append(f"has a bad date '{date}': {DATE_HELP}")
    for key in ("author", "body"):
        if entry.get(key) is not None and not isinstance(entry[key], str | int | float):
            faults.append(f"has a '{key}' that is not text")
    if not isinstance(entry.get("owner", False), bool):
        faults.append("has an 'owner' that is not true or false")
    if not isinstance(entry.get("removed", False), bool):
        faults.append("has a 'removed' that is not true or false")
    return (f"comment '{cid}'" if cid else f"comment #{index + 1}"), faults


def _comment(entry: dict, config: Config, renderer: CommentRenderer) -> Comment:
    """A checked entry as a Comment; numbered later, once the thread is in date order."""
    replyto = entry.get("replyto")
    removed = entry.get("removed") is True
    return Comment(
        id=_entry_id(entry),
        number=0,
        author="" if removed else " ".join(str(entry["author"]).split()),
        url=None if removed else safe_url(entry.get("url")),
        date=parse_when(entry["date"], config.tz),
        body_html=Markup("") if removed else renderer.convert(str(entry["body"])),
        replyto=str(replyto).strip() if replyto not in (None, "") else None,
        owner=entry.get("owner") is True and not removed,
        removed=removed,
    )


def _with_number(comment: Comment, number: int) -> Comment:
    return Comment(**{**comment.__dict__, "number": number})


def _tree(path, comments, lines) -> tuple[tuple[CommentNode, ...], tuple[Problem, ...]]:
    """Nest each reply under its parent; a reply to a missing (or its own) comment, or one
    caught in a cycle, stays at the top level with a warning, so no comment is ever lost."""
    ids = {c.id for c in comments}
    parent_of = {c.id: c.replyto for c in comments if c.replyto in ids and c.replyto != c.id}
    warnings = []
    for comment in comments:
        if comment.replyto is not None and comment.id not in parent_of:
            warnings.append(Problem(
                f"comment '{comment.id}' replies to '{comment.replyto}', which is not in the "
                "thread; shown at the top level", path, lines.get(comment.id)))
    for cid in list(parent_of):
        if _in_cycle(cid, parent_of):
            del parent_of[cid]
            warnings.append(Problem(f"comment '{cid}' is part of a reply cycle; shown at the "
                                    "top level", path, lines.get(cid)))
    children: dict[str | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(parent_of.get(comment.id), []).append(comment)

    def node(comment: Comment) -> CommentNode:
        return CommentNode(comment, tuple(node(c) for c in children.get(comment.id, ())))

    return tuple(node(c) for c in children.get(None, ())), tuple(warnings)


def _in_cycle(start: str, parent_of: dict[str, str]) -> bool:
    """Whether following replies up from `start` comes back to it."""
    seen, current = set(), parent_of.get(start)
    while current is not None and current not in seen:
        if current == start:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def _item_lines(data: bytes) -> list[int]:
    """The file line where each top-level list item starts."""
    lines = data.split(b"\n")
    return [n for n, line in enumerate(lines, start=1) if re.match(rb"-(\s|$)", line)]
