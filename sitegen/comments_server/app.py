"""The comment intake: a standard WSGI application that takes the comment form of every post
page and queues each comment for moderation as a file.

Any WSGI server can host it: `sitegen comments serve` runs it on waitress, and the preview
server mounts it at the comments endpoint. Requests pass, in order: the route, the size
(refused before reading), the client's address (blocked, rate limited), the form, the
honeypot, the fields (submission.py); only then is anything written.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from ..config import CommentsConfig, Config, load_config
from ..errors import Problem, SitegenError
from ..layout import SitePaths
from ..threadfile import ThreadWriter
from .abuse import AddressHasher, RateLimiter, client_address, is_blocked, networks, rate_key
from .blocks import BlockList
from .form import FIELDS, MAX_AUTHOR, MAX_URL, Checker, Refusal, Target, form_pairs, status_line
from .gitpublish import PUBLISH_GIT, publish_threads
from .links import LINK_PATH, LinkApp, ModerationLinks
from .notify import Notifier, notice_for
from .outbox import Entry, Policy
from .page import ModerationPage
from .queue import (
    PendingComment,
    Queue,
    keep_emails,
    new_id,
    thread_lock,
)
from .reader_mail import REPLIES_PATH, ReplyLinks
from .rebuild import RebuildCommand
from .reply_pages import ReplyPages
from .subscriptions import PostFacts, Published, announce, ask_from_form

log = logging.getLogger("sitegen.comments_server.app")
FORM_TYPE = "application/x-www-form-urlencoded"
PENDING_NOTICE = "Thank you! Your comment awaits moderation and will appear once approved."
PUBLISHED_NOTICE = "Thank you! Your comment is published and will appear shortly."
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy",
     "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
     "frame-ancestors 'none'"),
)
ID_ATTEMPTS = 5
StartResponse = Callable[..., object]


def request_limit(settings: CommentsConfig) -> int:
    """The largest request body worth reading: every character of every field at its most
    expensive (4 UTF-8 bytes, each percent-encoded), plus room for the field names."""
    characters = settings.max_length + MAX_AUTHOR + MAX_URL + 1024
    return 12 * characters


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class IntakeApp:
    """The WSGI callable. Shared by the server's threads; all its state is thread-safe."""

    def __init__(self, paths: SitePaths, config: Config, notify_policy: Policy | None = None,
                 open_moderation: bool = False) -> None:
        self.paths = paths
        self.config = config
        settings = config.comments
        # An endpoint on another origin (comments.example.org) sends readers back to the
        # site by absolute URL, and lets the site's pages post to it from a script. One on
        # the site is where the pages' relative form actions land: under base_url's path.
        self.cross_origin = bool(urlsplit(settings.endpoint).netloc)
        endpoint = urlsplit(settings.endpoint).path or "/"
        self.endpoint = endpoint if self.cross_origin else config.site_path(endpoint)
        self.max_request = request_limit(settings)
        self.trusted = networks(settings.trusted_proxies)
        self.blocked = networks(settings.blocked_ips)
        self.limiter = RateLimiter(settings.rate_limit)
        self.hasher = AddressHasher(paths)
        # Knows the threads it wrote, so that publishing into a long thread stays quick: the
        # one writer of the server, whichever way a comment is published (at once, from a
        # moderation link, from the moderation page, or as the owner's reply there).
        self.threads = ThreadWriter()
        self.checker = Checker(paths, config, self.threads)
        self.queue = Queue(paths, config, self.threads)
        # Every approval runs the rebuild: automatic ones, and those from a moderation link
        # or the moderation page; with publish = "git", each commits and pushes the threads
        # first, in the same single worker.
        publish = (partial(publish_threads, paths, config)
                   if settings.publish == PUBLISH_GIT else None)
        self.rebuilder = (RebuildCommand(settings.rebuild_command, paths, publish)
                          if settings.rebuild_command or publish else None)
        self.links = LinkApp(ModerationLinks(paths, config),
                             config, self.queue, self.checker.find, self._approved,
                             self.endpoint + LINK_PATH)
        self.notifier = (Notifier(paths, config, notify_policy)
                         if config.notify.channels else None)
        self.moderation = ModerationPage(
            paths, config, self.endpoint.rstrip("/") + "/moderate", self.queue,
            trusted=self.trusted, hasher=self.hasher, rebuilder=self.rebuilder,
            link=self._link, open_access=open_moderation)
        self.blocked_senders = BlockList(self.moderation.store)
        # Mounted even when mail is off now: links in emails already sent must still work.
        self.replies = ReplyPages(ReplyLinks(paths, config), self.endpoint + REPLIES_PATH)

    def takes(self, method: str, path: str) -> bool:
        """Whether a request for `path` is this app's: a comment, the moderation page, a
        one-click moderation link, or a reader's link about replies."""
        return ((method == "POST" and path == self.endpoint) or path == self.moderation.path
                or path.startswith((self.links.prefix, self.replies.prefix)))

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if path.startswith(self.links.prefix):
            return self.links(environ, start_response)
        if path == self.moderation.path:
            return self.moderation(environ, start_response)
        if path.startswith(self.replies.prefix):
            return self.replies(environ, start_response)
        json_wanted = wants_json(environ.get("HTTP_ACCEPT", ""))
        try:
            response = self._handle(environ, json_wanted)
        except Refusal as refusal:
            log.info("refused with %d: %s", refusal.status, refusal.message)
            response = refused(refusal, json_wanted)
        except SitegenError as error:
            log.error("cannot store a comment: %s", error)
            response = refused(Refusal(500, "The comment could not be stored; please try "
                                            "again later."), json_wanted)
        headers = [*response.headers, *SECURITY_HEADERS]
        if self.cross_origin:
            headers.append(("Access-Control-Allow-Origin", self._site_origin()))
        start_response(status_line(response.status),
                       [*headers, ("Content-Length", str(len(response.body)))])
        return [response.body]

    def _site_origin(self) -> str:
        site = urlsplit(self.config.base_url)
        return f"{site.scheme}://{site.netloc}"

    def _back_to(self, target: Target | None) -> str:
        return self._link(target.url if target else "/")

    def _link(self, url: str) -> str:
        """A page of the site as this server links to it: by path on the site's origin."""
        return self.config.absolute(url) if self.cross_origin else self.config.site_path(url)

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.close()
        if self.rebuilder is not None:
            self.rebuilder.close()

    def _approved(self) -> None:
        if self.rebuilder is not None:
            self.rebuilder.request()

    def _handle(self, environ: dict, json_wanted: bool) -> Response:
        if environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") != self.endpoint:
            raise Refusal(404, "Nothing here: comments are posted to " + self.endpoint)
        if environ.get("REQUEST_METHOD") != "POST":
            raise Refusal(405, "Comments are sent with POST.", headers=(("Allow", "POST"),))
        if not self.config.comments.enabled:
            raise Refusal(403, "This site does not take comments.")
        length = self._content_length(environ)
        client = client_address(environ.get("REMOTE_ADDR", ""),
                                environ.get("HTTP_X_FORWARDED_FOR"), self.trusted)
        if is_blocked(client, self.blocked) or self.hasher(client) in self.blocked_senders:
            raise Refusal(403, "Comments from your address are not accepted.")
        if not self.limiter.allow(rate_key(client)):
            wait = self.limiter.retry_after(rate_key(client))
            raise Refusal(429, f"Too many comments from you; please wait {wait} seconds.",
                          headers=(("Retry-After", str(wait)),))
        form = read_form(environ, length)
        if form.get("homepage", "").strip():
            # A bot filled in the trap field: answer as if all went well, and keep nothing.
            log.info("honeypot caught a submission from %s", self.hasher(client)[:8])
            back = self._back_to(self.checker.find(form.get("post", "")))
            return accepted(new_id(), back, json_wanted, published=False)
        comment, target = self.checker.check(form, self.hasher(client),
                                             environ.get("HTTP_REFERER", ""))
        comment, published = self._store(comment)
        log.info("%s comment %s on %s", "published" if published else "queued", comment.id,
                 comment.post)
        if self.notifier is not None:
            self.notifier.announce(notice_for(comment, target, self.paths, self.config,
                                              published))
        if form.get("notify") and comment.email and self.config.notify.reader_mail:
            facts = PostFacts(target.title or comment.post, self.config.absolute(target.url))
            self._hand_over([ask_from_form(self.paths, comment.id, comment.email, facts)])
        return accepted(comment.id, self._back_to(target), json_wanted, published)

    def _hand_over(self, entries: list[Entry | None]) -> None:
        """Give reader emails just put in the outbox to its worker, to go out at once."""
        for entry in entries:
            if entry is not None and self.notifier is not None:
                self.notifier.send_soon(entry)

    def _content_length(self, environ: dict) -> int:
        """The declared size, checked before a byte of the body is read."""
        declared = environ.get("CONTENT_LENGTH", "")
        if not declared:
            raise Refusal(411, "The request must say its length (Content-Length).")
        if not declared.isdigit():
            raise Refusal(400, "The request's Content-Length is not a number.")
        if int(declared) > self.max_request:
            raise Refusal(413, f"The comment is too large: at most {self.max_request:,} bytes.")
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != FORM_TYPE:
            raise Refusal(415, f"Comments are sent as {FORM_TYPE}.")
        return int(declared)

    def _store(self, comment: PendingComment) -> tuple[PendingComment, bool]:
        """Queue the comment, or with auto_approve put it straight into its thread; says
        whether it was published. A clash of ids (two in one second, 1 in 4 billion) only
        costs a new id: nothing is ever replaced."""
        if self.config.comments.auto_approve:
            thread = self.paths.thread(comment.post)
            with thread_lock(self.paths, comment.post):
                keep_emails(self.paths, [comment])
                self.threads.append(thread, [comment.thread_entry()])
            self._hand_over(announce(self.paths, self.config, comment.post,
                                     [Published.of(comment.thread_entry(), comment.email)]))
            if self.rebuilder is not None:
                self.rebuilder.request()
            return comment, True
        for _ in range(ID_ATTEMPTS):
            try:
                self.queue.add(comment)
                return comment, False
            except FileExistsError:
                comment = dataclasses.replace(comment, id=new_id())
        raise SitegenError(Problem("no free comment id after several tries", self.queue.pending))


def create_app(paths: SitePaths, config: Config | None = None,
               notify_policy: Policy | None = None,
               open_moderation: bool = False) -> IntakeApp:
    """The intake for the site at `paths`; reads sitegen.toml unless given its config.
    `notify_policy` changes how long notifications wait (tests); `open_moderation`: the
    moderation page needs no password (the preview on loopback)."""
    return IntakeApp(paths, config or load_config(paths), notify_policy, open_moderation)


def read_form(environ: dict, length: int) -> dict[str, str]:
    """The form's known fields; each must come once, as UTF-8."""
    body = environ["wsgi.input"].read(length) if length else b""
    if len(body) != length:
        raise Refusal(400, "The request ended before its body did.")
    form: dict[str, str] = {}
    for name, value in form_pairs(body, max_fields=len(FIELDS) * 2):
        if name in FIELDS:
            if name in form:
                raise Refusal(400, f"The field '{name}' was sent twice.", name)
            form[name] = value
    return form


def wants_json(accept: str) -> bool:
    """Whether the client prefers JSON to HTML, by the Accept header's q-values."""
    quality: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media.lower()] = q

    def q_of(media: str) -> float:
        kind = media.split("/")[0] + "/*"
        return quality.get(media, quality.get(kind, quality.get("*/*", 0.0)))

    return q_of("application/json") > q_of("text/html")


def accepted(cid: str, post_url: str, json_wanted: bool, published: bool) -> Response:
    """Success: JSON for scripts, otherwise 303 back to the post, at the notice."""
    notice = PUBLISHED_NOTICE if published else PENDING_NOTICE
    status = "published" if published else "pending"
    location = f"{post_url}#comment-{status}"
    if json_wanted:
        payload = {"status": status, "id": cid, "message": notice,
                   "location": location}
        return json_response(201 if published else 202, payload)
    page = html_page("Comment received", f"<p>{html.escape(notice)}</p>"
                     f'<p><a href="{html.escape(location)}">Back to the post</a></p>')
    return Response(303, page, (("Location", location),
                                ("Content-Type", "text/html; charset=utf-8")))


def refused(refusal: Refusal, json_wanted: bool) -> Response:
    if json_wanted:
        payload = {"error": refusal.message, "field": refusal.field}
        response = json_response(refusal.status, payload)
    else:
        body = html_page("Your comment was not sent", f"<p>{html.escape(refusal.message)}</p>"
                         "<p>Go back to the post to change it and send it again.</p>")
        response = Response(refusal.status, body,
                            (("Content-Type", "text/html; charset=utf-8"),))
    return Response(response.status, response.body, (*refusal.headers, *response.headers))


def json_response(status: int, payload: dict) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, (("Content-Type", "application/json; charset=utf-8"),))


def html_page(title: str, content: str) -> bytes:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title></head>\n<body><main><h1>{html.escape(title)}"
            f"</h1>{content}</main></body></html>\n").encode()
