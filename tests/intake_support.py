"""Real parts for the comment-intake tests: the app on waitress over loopback, an HTTP client
that shows exactly what the server answered, and a small site with posts to comment on."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import yaml
from browser import QuietHandler, static_server

from sitegen.comments_server.app import create_app
from sitegen.comments_server.host import make_server, server_url, stop
from sitegen.config import load_config

from helpers import post, thread

OPEN = "2010-08-31-hello"
CLOSED = "2011-01-02-closed"
DRAFT = "2012-03-04-draft"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {**FORM, "Accept": "application/json"}


def comment_site(make_site, settings: str = "rate_limit = 0"):
    """A site with an open post (with one comment), a closed post and a draft."""
    return make_site({
        "sitegen.toml": f'base_url = "https://example.org"\n[comments]\n{settings}\n',
        f"content/posts/{OPEN}.md": post("Hello", body="Say something."),
        f"content/posts/{CLOSED}.md": post("Closed", date="2011-01-02 10:00",
                                            comments="closed"),
        f"content/posts/{DRAFT}.md": post("Draft", date="2012-03-04 10:00", draft="true"),
        f"content/comments/{OPEN}.yml": thread(
            {"id": "first", "author": "Ana", "date": "2010-09-01 10:00", "body": "First!"}),
    })


@contextmanager
def running_intake(site, threads: int = 4, notify_policy=None) -> Iterator[str]:
    """The site's intake on waitress on a free loopback port; yields the endpoint URL."""
    with serving(create_app(site.paths, load_config(site.paths), notify_policy),
                 threads) as url:
        yield url


@contextmanager
def serving(app, threads: int = 4) -> Iterator[str]:
    """`app` (an intake made by create_app) on waitress on a free loopback port; yields the
    endpoint URL, and closes the app at the end."""
    server = make_server(app, "127.0.0.1", 0, threads=threads)
    worker = threading.Thread(target=server.run, daemon=True)
    worker.start()
    try:
        yield server_url(server, app.endpoint)
    finally:
        stop(server)
        worker.join(timeout=10)
        app.close()
        assert not worker.is_alive(), "the intake server did not stop"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def send(url: str, fields: dict | bytes | None = None, headers: dict | None = None,
         method: str = "POST", timeout: float = 30) -> Reply:
    """One request on a fresh connection; redirects are not followed."""
    parts = urlsplit(url)
    body = fields if isinstance(fields, bytes) or fields is None else urlencode(fields).encode()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path, body=body, headers=FORM if headers is None
                           else headers)
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                     response.read())
    finally:
        connection.close()


def comment(**fields: str) -> dict[str, str]:
    """A valid form for the open post, with `fields` changed."""
    return {"post": OPEN, "author": "Bea", "email": "", "url": "", "body": "Nice post.",
            "replyto": "", "homepage": "", **fields}


def pending(site) -> dict[str, dict]:
    """Every pending comment by id, as stored."""
    folder = site.root / "content" / "comments" / "pending"
    if not folder.exists():
        return {}
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.yml"))}


class _Front(QuietHandler):
    """What nginx does in production: static files, and POST /comments passed to the
    intake with the reader's address in X-Forwarded-For."""

    intake: str = ""

    def do_POST(self) -> None:
        parts = urlsplit(self.intake)
        if self.path != parts.path:
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        headers = {name: self.headers[name] for name in ("Content-Type", "Accept", "Referer")
                   if self.headers[name]}
        headers["X-Forwarded-For"] = self.client_address[0]
        upstream = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            upstream.request("POST", parts.path, self.rfile.read(length), headers)
            answer = upstream.getresponse()
            body = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("connection", "server", "date", "transfer-encoding"):
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        finally:
            upstream.close()


@contextmanager
def front_server(folder: Path, intake_url: str) -> Iterator[str]:
    """The built site and the intake behind one loopback origin; yields its base URL."""
    with static_server(folder, type("Front", (_Front,), {"intake": intake_url})) as base:
        yield base
