"""What a reader may send as a comment: the form's fields checked one by one.

Everything here is untrusted input. This module only decides whether a comment may be
queued and cleans its text (line ends, control characters); turning the body into HTML,
and sanitising that, happens once at build time in comments.py.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

from ..comments import safe_url
from ..config import BuildOptions, Config
from ..entries import COMMENT_ID, entry_ids, read_entries
from ..errors import ContentError, SitegenError
from ..layout import SitePaths
from ..posts import PostMeta, is_published, read_meta
from ..threadfile import ThreadWriter
from .abuse import WordFilter, count_links
from .queue import POST_STEM, PendingComment, new_id

FIELDS = ("post", "author", "email", "url", "body", "replyto", "homepage", "notify")
MAX_AUTHOR = 100
MAX_EMAIL = 254
MAX_URL = 300
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
# C0 and C1 controls other than tab and line feed, and the bidirectional overrides that
# can make a name read backwards.
UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Refusal(Exception):
    """A request we will not act on: the HTTP status, and a message for the reader."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers


def form_pairs(body: bytes, max_fields: int) -> list[tuple[str, str]]:
    """The (name, value) pairs of an URL-encoded form body, blank values kept; Refusal
    unless it is ASCII, its escapes UTF-8, and it has at most `max_fields` fields."""
    try:
        return parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8",
                         errors="strict", max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, "The form is not valid URL-encoded UTF-8.") from None


def reason(status: int) -> str:
    """The phrase of an HTTP status: the standard library's, but RFC 9110's for 413
    (Python before 3.13 still says "Request Entity Too Large")."""
    return "Content Too Large" if status == 413 else HTTPStatus(status).phrase


def status_line(status: int) -> str:
    return f"{status} {reason(status)}"


@dataclass(frozen=True)
class Target:
    """The post a comment is for, as far as the intake needs to know it."""

    stem: str
    url: str
    open: bool
    title: str = ""


class PostIndex:
    """Posts and their threads' comment ids, read from disk and cached until a file changes;
    safe to share between the server's threads. The ids of a thread that `threads` wrote
    last are taken from it, without reading the thread as YAML again."""

    def __init__(self, paths: SitePaths, config: Config,
                 threads: ThreadWriter | None = None) -> None:
        self.paths = paths
        self.config = config
        self.threads = threads
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[tuple, object]] = {}

    def post(self, stem: str, now: datetime) -> Target | None:
        """The published post with this file stem, or None (no such file, a draft, not yet
        due, or a file the build would refuse)."""
        post = self._cached(self.paths.posts / f"{stem}.md", self._read_meta)
        if not isinstance(post, PostMeta) or not is_published(post, BuildOptions(now=now)):
            return None
        return Target(post.stem, post.url, post.comments_open, post.title)

    def comment_ids(self, stem: str) -> frozenset[str]:
        path = self.paths.thread(stem)
        if self.threads and (known := self.threads.known_ids(path)) is not None:
            return known
        ids = self._cached(path, _thread_ids)
        return ids if isinstance(ids, frozenset) else frozenset()

    def _cached(self, path: Path, load):
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            hit = self._cache.get(path)
            if hit is None or hit[0] != key:
                hit = (key, load(path))
                self._cache[path] = hit
            return hit[1]

    def _read_meta(self, path: Path) -> PostMeta | None:
        try:
            return read_meta(path, path.read_bytes(), self.config)
        except (OSError, SitegenError):
            return None


def _thread_ids(path: Path) -> frozenset[str]:
    """The ids in a thread file; none when it cannot be read (the build will say why)."""
    try:
        return frozenset(entry_ids(read_entries(path, path.read_bytes())))
    except (OSError, ContentError):
        return frozenset()


class Checker:
    """Turns a form into a PendingComment, or raises Refusal with a message that says what
    to change."""

    def __init__(self, paths: SitePaths, config: Config,
                 threads: ThreadWriter | None = None) -> None:
        self.config = config
        self.settings = config.comments
        self.index = PostIndex(paths, config, threads)
        self.words = WordFilter(self.settings.blocked_words)

    def find(self, stem: str) -> Target | None:
        """The published post with this file stem, if there is one."""
        return self.index.post(stem, datetime.now(UTC)) if POST_STEM.match(stem) else None

    def check(self, form: dict[str, str], ip_hash: str,
              referer: str = "") -> tuple[PendingComment, Target]:
        """The comment to store, or a Refusal. `referer` is the page the form was on."""
        now = datetime.now(UTC)
        target = self._target(form.get("post", ""))
        author = " ".join(clean(form.get("author", "")).split())
        body = clean(form.get("body", "")).strip("\n")
        email = clean(form.get("email", "")).strip()
        url = clean(form.get("url", "")).strip()
        replyto = form.get("replyto", "").strip() or self._reply_in_address(referer, target)
        self._check_author(author)
        self._check_body(body)
        self._check_contact(email, url)
        if form.get("notify") and not email and self.config.notify.reader_mail:
            raise Refusal(400, "To be emailed about replies, give your email address.",
                          "email")
        if replyto and (not COMMENT_ID.match(replyto)
                        or replyto not in self.index.comment_ids(target.stem)):
            raise Refusal(400, "The comment you are replying to is not in this thread.",
                          "replyto")
        if word := self.words.first_match(author, body, email, url):
            raise Refusal(403, f"This site does not accept comments containing “{word}”.")
        comment = PendingComment(
            id=new_id(now), post=target.stem, author=author,
            date=now.astimezone(self.config.tz).isoformat(timespec="seconds"), body=body,
            email=email or None, url=url or None, replyto=replyto or None,
            ip_hash=ip_hash, source="web",
        )
        return comment, target

    def _reply_in_address(self, referer: str, target: Target) -> str:
        """Without JavaScript a static page cannot fill in `replyto`, so a comment's "Reply"
        link puts it in the page's address (?replyto=c2#comment-form), which the browser
        sends back as the Referer. Only an id of this thread is taken from there; anything
        else makes an ordinary comment rather than a refusal the reader cannot fix."""
        try:
            hint = parse_qs(urlsplit(referer).query).get("replyto", [""])[0].strip()
        except ValueError:  # an address that does not parse ('http://[::1') names no reply
            return ""
        known = COMMENT_ID.match(hint) and hint in self.index.comment_ids(target.stem)
        return hint if known else ""

    def _target(self, stem: str) -> Target:
        target = self.find(stem)
        if target is None:
            raise Refusal(404, "There is no such post to comment on.", "post")
        if not target.open:
            raise Refusal(403, "Comments on this post are closed.", "post")
        return target

    def _check_author(self, author: str) -> None:
        if not author:
            raise Refusal(400, "Please give your name.", "author")
        if len(author) > MAX_AUTHOR:
            raise Refusal(400, f"Your name is too long: at most {MAX_AUTHOR} characters.",
                          "author")

    def _check_body(self, body: str) -> None:
        if not body.strip():
            raise Refusal(400, "Please write a comment.", "body")
        limit = self.settings.max_length
        if len(body) > limit:
            raise Refusal(400, f"Your comment is too long: {len(body):,} characters, and at "
                               f"most {limit:,} are allowed.", "body")
        links, most = count_links(body), self.settings.max_links
        if links > most:
            raise Refusal(400, f"Your comment has {links} links, and at most {most} are "
                               "allowed.", "body")

    def _check_contact(self, email: str, url: str) -> None:
        if email and (len(email) > MAX_EMAIL or not EMAIL.match(email)):
            raise Refusal(400, "That email address does not look right (name@example.org).",
                          "email")
        if url and (len(url) > MAX_URL or safe_url(url) != url):
            raise Refusal(400, "Your website must be an http:// or https:// address of at "
                               f"most {MAX_URL} characters.", "url")


def clean(text: str) -> str:
    """One kind of line end, and no control characters that could hide or reorder text."""
    return UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
