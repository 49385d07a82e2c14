"""The moderation page, `<endpoint>/moderate`: a WSGI app the comment intake mounts, where
the owner approves, rejects, answers and blocks from any browser, a phone's included,
without JavaScript.

It is off (404) until `sitegen comments password` sets a password. Logging in gives a
session cookie (HttpOnly, SameSite=Strict, Secure over https, scoped to this page's path);
every form carries a CSRF token tied to the session; failed logins are limited per client
(moderation_auth.py). The preview mounts it with `open_access` on a loopback address: no
password, but still CSRF tokens, so that no other site can act through the owner's browser.
Every approval asks the rebuilder to publish the site.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, quote, urlencode

from ..config import Config
from ..entries import COMMENT_ID
from ..errors import ContentError, Problem
from ..layout import SitePaths
from ..private import PrivateStore
from .abuse import client_address, rate_key
from .abuse import is_blocked as is_within
from .auth import SESSION_IDLE, LoginLimit, Sessions, stored_password, verify_password
from .blocks import block_sender
from .form import Refusal, form_pairs, reason, status_line
from .queue import Queue, owner_reply
from .rebuild import RebuildCommand
from .view import QueueView, Screen, render

SESSION_COOKIE = "sitegen_moderation"
LOGIN_COOKIE = "sitegen_moderation_login"
LOGIN_SECONDS = 3600
# Without a session the CSRF token is tied to this: still secret, as the store's key is.
OPEN_BINDING = "open-access"
MAX_FORM = 256 * 1024
HEADERS = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy",
     "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
     "frame-ancestors 'none'"),
)
DONE = {"approve": "Approved {id}.", "reject": "Rejected {id}.",
        "reply": "Approved {id} and published your reply.",
        "block": "Blocked the sender of {id} and rejected their pending comments."}
StartResponse = Callable[..., object]


@dataclass(frozen=True)
class Request:
    """What the page reads of one HTTP request."""

    method: str
    form: dict[str, str]
    query: dict[str, str]
    cookies: dict[str, str]
    https: bool
    client: str
    cross_site: bool


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


class ModerationPage:
    """The WSGI app at `path`; shared by the server's threads, its state is in the store."""

    def __init__(self, paths: SitePaths, config: Config, path: str, queue: Queue, *,
                 trusted: tuple, hasher: Callable[[str], str],
                 rebuilder: RebuildCommand | None, link: Callable[[str], str],
                 open_access: bool = False) -> None:
        self.paths = paths
        self.config = config
        self.path = path
        self.trusted = trusted
        self.hasher = hasher
        self.rebuilder = rebuilder
        self.open_access = open_access
        self.store = PrivateStore(paths)
        self.sessions = Sessions(self.store)
        self.limit = LoginLimit(self.store)
        self.queue = queue
        self.view = QueueView(paths, config, link)

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        try:
            answer = self._answer(environ)
        except Refusal as refusal:
            answer = self._message(refusal.status, refusal.message, refusal.headers,
                                   back=refusal.status not in (404, 405))
        start_response(status_line(answer.status),
                       [*answer.headers, *HEADERS, ("Content-Length", str(len(answer.body)))])
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else answer.body]

    def _answer(self, environ: dict) -> Answer:
        if not self.open_access and stored_password(self.store) is None:
            raise Refusal(404, "Nothing here.")
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD", "POST"):
            raise Refusal(405, "Only GET and POST are answered here.",
                          headers=(("Allow", "GET, HEAD, POST"),))
        request = self._request(environ, method)
        if self.open_access:
            return self._act(request, OPEN_BINDING) if method == "POST" else \
                self._queue_page(request, OPEN_BINDING)
        if method == "POST" and request.form.get("do") == "login":
            return self._login(request)
        token = request.cookies.get(SESSION_COOKIE, "")
        if not self.sessions.alive(token, time.time()):
            if method == "POST":
                raise Refusal(403, "Your session has ended: log in again.")
            return self._login_page(request)
        if method == "POST":
            return self._act(request, token)
        page = self._queue_page(request, token)
        # Each visit keeps the session a week longer, in the browser as in the store.
        return Answer(page.status, page.body,
                      (self._cookie(request, SESSION_COOKIE, token, SESSION_IDLE),))

    def _request(self, environ: dict, method: str) -> Request:
        client = client_address(environ.get("REMOTE_ADDR", ""),
                                environ.get("HTTP_X_FORWARDED_FOR"), self.trusted)
        return Request(
            method=method,
            form=_read_form(environ) if method == "POST" else {},
            query=dict(parse_qsl(environ.get("QUERY_STRING", ""))),
            cookies=_cookies(environ.get("HTTP_COOKIE", "")),
            https=came_over_https(environ, self.trusted),
            client=self.hasher(rate_key(client)),
            cross_site=environ.get("HTTP_SEC_FETCH_SITE") == "cross-site",
        )

    # Logging in and out

    def _login_page(self, request: Request, status: int = 200, problem: str = "") -> Answer:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        screen = Screen(self.path, self.sessions.csrf(nonce), problems=(problem,) if problem
                        else (), refresh=request.cross_site and request.method == "GET")
        return Answer(status, render("moderate_login.html", screen, **self._extra()),
                      (self._cookie(request, LOGIN_COOKIE, nonce, LOGIN_SECONDS),))

    def _login(self, request: Request) -> Answer:
        if not self.sessions.csrf_ok(request.cookies.get(LOGIN_COOKIE, ""),
                                     request.form.get("csrf", "")):
            return self._login_page(request, 403, "The login form had expired: try again.")
        now = time.time()
        wait = self.limit.attempt(request.client, now)
        if wait is not None:
            raise Refusal(429, f"Too many failed logins: try again in {wait // 60 + 1} "
                               "minutes.", headers=(("Retry-After", str(wait)),))
        stored = stored_password(self.store) or ""
        if not verify_password(request.form.get("password", ""), stored):
            return self._login_page(request, 403, "Wrong password.")
        self.limit.succeeded(request.client, now)
        token = self.sessions.start(now)
        return Answer(303, headers=(
            ("Location", self.path),
            self._cookie(request, SESSION_COOKIE, token, SESSION_IDLE),
            self._cookie(request, LOGIN_COOKIE, "", 0),
        ))

    def _logout(self, request: Request, token: str) -> Answer:
        self.sessions.end(token)
        return Answer(303, headers=(("Location", self.path),
                                    self._cookie(request, SESSION_COOKIE, "", 0)))

    def _cookie(self, request: Request, name: str, value: str, seconds: int) -> tuple[str, str]:
        """A cookie only this page's path gets, never a script, nor a request from another
        site; Secure when the page was asked for over https."""
        secure = "; Secure" if request.https else ""
        return ("Set-Cookie", f"{name}={value}; Path={self.path}; Max-Age={seconds}; "
                              f"HttpOnly; SameSite=Strict{secure}")

    # The queue and the actions on it

    def _queue_page(self, request: Request, bound: str, status: int = 200,
                    problems: Iterable[Problem] = ()) -> Answer:
        views, unreadable = self.view.pending()
        shown = [*problems, *unreadable]
        screen = Screen(self.path, self.sessions.csrf(bound), notice=self._notice(request),
                        problems=tuple(map(_shown, shown)),
                        pending=tuple(views), can_log_out=not self.open_access)
        return Answer(status, render("moderate_queue.html", screen, **self._extra()))

    def _notice(self, request: Request) -> str:
        done, cid = request.query.get("done", ""), request.query.get("id", "")
        if done not in DONE or not COMMENT_ID.match(cid):
            return ""
        published = done in ("approve", "reply") and self.rebuilder is not None
        return DONE[done].format(id=cid) + (" The site is being rebuilt." if published else "")

    def _act(self, request: Request, bound: str) -> Answer:
        form = request.form
        if not self.sessions.csrf_ok(bound, form.get("csrf", "")):
            raise Refusal(403, "This form did not come from the moderation page, or it is "
                               "out of date: open the page again.")
        do, cid = form.get("do", ""), form.get("id", "")
        if do == "logout" and not self.open_access:
            return self._logout(request, bound)
        act = {"approve": self._approve, "reject": self._reject, "reply": self._reply,
               "block": self._block}.get(do)
        if act is None:
            raise Refusal(400, "Unknown action.")
        try:
            act(cid, form)
        except ContentError as error:
            return self._queue_page(request, bound, 409, error.problems)
        return Answer(303, headers=(("Location", f"{self.path}?"
                                     + urlencode({"done": do, "id": cid}, quote_via=quote)),))

    def _approve(self, cid: str, form: dict[str, str]) -> None:
        _checked(self.queue.approve([cid]))
        self._publish()

    def _reject(self, cid: str, form: dict[str, str]) -> None:
        _checked(self.queue.reject([cid]))

    def _reply(self, cid: str, form: dict[str, str]) -> None:
        text = form.get("reply", "").replace("\r\n", "\n")
        if not text.strip():
            raise ContentError(Problem("Write your reply in the box first."))
        if not self.config.author.strip():
            raise ContentError(Problem("Set 'author' in sitegen.toml to reply from this page: "
                                       "it is the name your replies show."))
        post = self.queue.get(cid).post
        _checked(self.queue.approve([cid]))
        owner_reply(self.paths, self.config, post, text, replyto=cid,
                    threads=self.queue.threads)
        self._publish()

    def _block(self, cid: str, form: dict[str, str]) -> None:
        _, _, problems = block_sender(self.paths, self.store, self.queue.get(cid))
        if problems:
            raise ContentError(*problems)

    def _publish(self) -> None:
        if self.rebuilder is not None:
            self.rebuilder.request()

    def _message(self, status: int, message: str, headers: Iterable[tuple[str, str]],
                 back: bool) -> Answer:
        screen = Screen(self.path, "", status_text=reason(status))
        body = render("moderate_message.html", screen, message=message, back=back,
                      **self._extra())
        return Answer(status, body, tuple(headers))

    def _extra(self) -> dict[str, object]:
        return {"site_title": self.config.title}


def came_over_https(environ: dict, trusted: tuple) -> bool:
    """Whether the browser used https: to this server, or to a trusted proxy that says so
    in X-Forwarded-Proto (the last value, which the nearest proxy set)."""
    if environ.get("wsgi.url_scheme") == "https":
        return True
    if not is_within(environ.get("REMOTE_ADDR", ""), trusted):
        return False
    proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1]
    return proto.strip().lower() == "https"


def _shown(problem: Problem) -> str:
    """A problem as the page says it: with the file's name, never the server's paths."""
    path = problem.path
    if path is None or path.is_dir():
        return problem.message
    return f"{path.name}{f':{problem.line}' if problem.line else ''}: {problem.message}"


def _checked(outcome: tuple[dict, list[Problem]]) -> None:
    """Raise the problems of a queue decision, if it had any."""
    if outcome[1]:
        raise ContentError(*outcome[1])


def _cookies(header: str) -> dict[str, str]:
    cookies = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in cookies.items()}


def _read_form(environ: dict) -> dict[str, str]:
    declared = environ.get("CONTENT_LENGTH", "") or "0"
    if not declared.isdigit():
        raise Refusal(400, "The request's Content-Length is not a number.")
    if int(declared) > MAX_FORM:
        raise Refusal(413, "The form is too large.")
    body = environ["wsgi.input"].read(int(declared)) if int(declared) else b""
    return dict(form_pairs(body, max_fields=20))
