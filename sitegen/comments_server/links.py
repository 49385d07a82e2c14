"""One-click moderation links, as notification emails carry them: making them, and the
comment server's pages at `<endpoint>/moderate/link/<token>`.

A link names one comment and one action (approve or reject), is signed with the secret
`links` of the private store, expires after 14 days and works once. Opening it never acts,
since mail scanners and link previews open every link: GET shows the comment, sanitised as
the build shows it, and one button that POSTs the action. A changed, expired or used link
gets a 403 page that says which.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from urllib.parse import urlsplit

from ..comments import CommentRenderer, safe_url
from ..config import Config
from ..entries import authors_by_id, read_entries
from ..errors import ContentError
from ..layout import SitePaths
from ..private import PrivateStore
from ..signing import BadToken, Signer
from .form import Target, status_line
from .queue import PendingComment, Queue

log = logging.getLogger("sitegen.comments_server.app")
LIFETIME = 14 * 24 * 3600
PURPOSE = "moderation"
ACTIONS = {"approve": "Approve", "reject": "Reject"}
LINK_PATH = "/moderate/link/"
STYLE = ("body{font:1.05rem/1.5 system-ui,sans-serif;max-width:40rem;margin:1rem auto;"
         "padding:0 1rem}blockquote{border-left:3px solid #888;margin:1rem 0;padding:0 1rem}"
         "button{font-size:1.1rem;padding:.6rem 1.6rem}dt{font-weight:bold}dd{margin:0 0 .4rem}")
HEADERS = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    # The token in the address must not follow a click on the post or the author's site.
    ("Referrer-Policy", "no-referrer"),
    ("X-Robots-Tag", "noindex"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
)
StartResponse = Callable[..., object]


def public_endpoint(config: Config) -> str:
    """The comment endpoint as an absolute URL, for links that leave the site (emails)."""
    endpoint = config.comments.endpoint
    return endpoint if urlsplit(endpoint).netloc else config.absolute(endpoint)


class SignedLinks:
    """Links in emails of one kind (`purpose`), signed with the site's secret, under `base`:
    the private store holds the secret, so it is opened only when a link is made or read."""

    purpose: str

    def __init__(self, paths: SitePaths, base: str) -> None:
        self.paths = paths
        self.base = base

    @cached_property
    def store(self) -> PrivateStore:
        return PrivateStore(self.paths)

    @cached_property
    def signer(self) -> Signer:
        return Signer(self.store.secret("links"), self.purpose)


class ModerationLinks(SignedLinks):
    """Signs and checks the moderation links of one site."""

    purpose = PURPOSE

    def __init__(self, paths: SitePaths, config: Config) -> None:
        super().__init__(paths, public_endpoint(config).rstrip("/"))

    def for_comment(self, cid: str, pending: bool, now: float) -> dict[str, str]:
        """The links to act on comment `cid`: approve and reject while it is pending, and
        the moderation page in any case."""
        links = {action: f"{self.base}{LINK_PATH}"
                         f"{self.signer.sign((action, cid), int(now) + LIFETIME)}"
                 for action in ACTIONS if pending}
        return {**links, "moderate": f"{self.base}/moderate"}

    def check(self, token: str, now: float) -> tuple[str, str]:
        """The action and comment a token names; BadToken if it must not be acted on."""
        fields = self.signer.verify(token, now)
        if len(fields) != 2 or fields[0] not in ACTIONS:
            raise BadToken("tampered")
        if self.store.token_used(token):
            raise BadToken("used")
        return fields[0], fields[1]


def reply_author(paths: SitePaths, post: str, replyto: str | None) -> str | None:
    """The name of the author of comment `replyto` in the thread of `post`, if found (and
    it has one: a removed comment has none)."""
    thread = paths.thread(post)
    if replyto is None or not thread.is_file():
        return None
    try:
        entries = read_entries(thread, thread.read_bytes())
    except (OSError, ContentError):
        return None
    return authors_by_id(entries).get(replyto) or None


@dataclass(frozen=True)
class Page:
    status: int
    title: str
    content: str


class TokenPages:
    """A WSGI app behind `<prefix><token>` links sent in emails: GET (or HEAD) shows what the
    link would do, POST does it; `_page` answers for one token."""

    prefix: str

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        headers = list(HEADERS)
        if method not in ("GET", "HEAD", "POST"):
            page = Page(405, "Not allowed", "<p>These links are opened (GET) and their "
                                            "button sends a POST.</p>")
            headers.append(("Allow", "GET, HEAD, POST"))
        else:
            page = self._page(method, path.removeprefix(self.prefix))
        body = document(page)
        start_response(status_line(page.status),
                       [*headers, ("Content-Length", str(len(body)))])
        return [b"" if method == "HEAD" else body]

    def _page(self, method: str, token: str) -> Page:
        raise NotImplementedError


class LinkApp(TokenPages):
    """The WSGI app behind `<prefix><token>`: GET shows, POST acts. `on_approved` is
    called after each approval (the comment server's rebuild)."""

    def __init__(self, links: ModerationLinks, config: Config, queue: Queue,
                 find_post: Callable[[str], Target | None], on_approved: Callable[[], None],
                 prefix: str, clock: Callable[[], float] = time.time) -> None:
        self.links, self.config, self.queue = links, config, queue
        self.find_post, self.on_approved = find_post, on_approved
        self.prefix, self.clock = prefix, clock
        self._renderer = CommentRenderer()
        self._rendering = threading.Lock()

    def _page(self, method: str, token: str) -> Page:
        try:
            action, cid = self.links.check(token, self.clock())
        except BadToken as refusal:
            return _refused(refusal)
        try:
            comment = self.queue.get(cid)
        except ContentError as error:
            if cid in self.queue.ids():  # there, but not readable: say why
                said = "; ".join(problem.message for problem in error.problems)
                return Page(500, "Cannot be read", f"<p>The comment's file {cid}.yml in "
                            f"content/comments/pending/ {html.escape(said)}.</p>")
            return Page(409, "Already moderated", "<p>This comment is no longer awaiting "
                        "moderation: it was approved or rejected already.</p>"
                        + self._to_all())
        if method == "POST":
            return self._act(action, comment, token)
        return self._show(action, comment)

    def _show(self, action: str, comment: PendingComment) -> Page:
        verb = ACTIONS[action]
        with self._rendering:
            body = self._renderer.convert(comment.body)
        content = (f"{self._facts(comment)}<blockquote>{body}</blockquote>"
                   f'<form method="post"><button type="submit">{verb}</button></form>'
                   + self._to_all())
        return Page(200, f"{verb} this comment?", content)

    def _act(self, action: str, comment: PendingComment, token: str) -> Page:
        if not self.links.store.use_token(token, self.clock()):
            return _refused(BadToken("used"))
        decide = self.queue.approve if action == "approve" else self.queue.reject
        done, problems = decide([comment.id])
        if comment.id not in done:
            log.error("could not %s comment %s: %s", action, comment.id,
                      "; ".join(str(problem) for problem in problems))
            return Page(500, "Not done", f"<p>The comment could not be {action}d: "
                        f"{html.escape(str(problems[0].message if problems else ''))}</p>")
        log.info("%sd comment %s by a link", action, comment.id)
        if action == "reject":
            return Page(200, "Rejected", "<p>The comment was moved to "
                        "<code>content/comments/rejected/</code>.</p>" + self._to_all())
        self.on_approved()
        return Page(200, "Approved", f"<p>The comment is in the thread of "
                    f"{self._post_link(comment.post)}; it appears once the site is built "
                    "again.</p>" + self._to_all())

    def _facts(self, comment: PendingComment) -> str:
        """Where the comment is, who wrote it and when, as a definition list."""
        rows = [("Post", self._post_link(comment.post)), ("Author", html.escape(comment.author))]
        if website := safe_url(comment.url):
            rows.append(("Website", f'<a href="{html.escape(website)}" rel="nofollow ugc '
                                    f'noreferrer">{html.escape(website)}</a>'))
        rows.append(("Date", html.escape(comment.date)))
        if comment.replyto:
            name = reply_author(self.queue.paths, comment.post, comment.replyto)
            rows.append(("In reply to", html.escape(name or comment.replyto)))
        return "<dl>" + "".join(f"<dt>{key}</dt><dd>{value}</dd>" for key, value in rows) + "</dl>"

    def _post_link(self, stem: str) -> str:
        target = self.find_post(stem)
        if target is None:
            return f"<code>{html.escape(stem)}</code>"
        title = html.escape(target.title or stem)
        return f'<a href="{html.escape(self.config.absolute(target.url))}">{title}</a>'

    def _to_all(self) -> str:
        return (f'<p><a href="{html.escape(self.links.base)}/moderate">All comments '
                "awaiting moderation</a></p>")


def _refused(refusal: BadToken) -> Page:
    if refusal.reason == "expired" and refusal.expires is not None:
        day = datetime.fromtimestamp(refusal.expires, UTC).strftime("%Y-%m-%d %H:%M UTC")
        why = (f"This link expired on {day}: the links in notification emails work for "
               "14 days.")
    elif refusal.reason == "used":
        why = "This link was used already: each link works once."
    else:
        why = ("This link is not one this site made, or it was changed on the way (some mail "
               "programs cut long links).")
    return Page(403, "This link cannot be used", f"<p>{why}</p><p>Moderate from the "
                "moderation page, or with <code>sitegen comments list</code>.</p>")


def document(page: Page) -> bytes:
    """A link page as a whole HTML document, in the comment server's own plain style."""
    title = html.escape(page.title)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><title>{title}</title>'
            f"<style>{STYLE}</style></head>\n<body><main><h1>{title}</h1>{page.content}"
            "</main></body></html>\n").encode()

