"""The preview over HTTP: the built site's files, the live-reload event stream, and the
script that reloads the page or lays the build's errors over it.

This module knows HTTP and nothing of builds: the rebuild loop (loop.py) tells the
`LiveReload` (live.py) what happened, and every open page hears it over server-sent events.
The script is added to HTML as it is served, never to the files, so `sitegen build` output
is clean.
Paths are resolved so that no request can read outside the output folder.
"""

from __future__ import annotations

import contextlib
import errno
import html
import mimetypes
import os
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from ..errors import Problem, SitegenError
from .live import LiveReload

LIVE_PREFIX = "/__sitegen/"
SCRIPT_URL = LIVE_PREFIX + "livereload.js"
EVENTS_URL = LIVE_PREFIX + "events"
SCRIPT = Path(__file__).with_name("livereload.js")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
TEXT = CONTENT_TYPES[".txt"]
# A preview must never show a page older than the last build, so nothing is cached.
NO_STORE = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
FALLBACK_404 = (b"<!doctype html><html><head><meta charset=utf-8><title>Not found</title></head>"
                b"<body><h1>Not found</h1><p>Nothing was built at this address.</p></body></html>")
# How long a request waits for the output folder while a build swaps it in.
SWAP_WAIT = 1.0


def locate(output: Path, path_info: str) -> tuple[str, Path | None]:
    """("file", path), ("folder", None) for a folder asked without its trailing slash, or
    ("missing", None). Nothing outside `output` is ever found: not by '..' (already decoded
    from %2e%2e by the server), encoded slashes, absolute paths, NUL bytes or symlinks."""
    try:
        decoded = path_info.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return "missing", None
    parts = [part for part in decoded.split("/") if part]
    if any(part.startswith(".") or "\\" in part or "\0" in part for part in parts):
        return "missing", None
    try:
        return _find(Path(os.path.realpath(output)), parts, decoded.endswith("/"))
    except OSError:  # a name too long for the file system: nothing can be there
        return "missing", None


def _find(root: Path, parts: list[str], folder: bool) -> tuple[str, Path | None]:
    found = Path(os.path.realpath(root.joinpath(*parts)))
    if not found.is_relative_to(root):
        return "missing", None
    if found.is_dir():
        if not folder:
            return "folder", None
        found = Path(os.path.realpath(found / "index.html"))
    if found.is_relative_to(root) and found.is_file():
        return "file", found
    return "missing", None


def within(root: str, path: str) -> str | None:
    """The site's own path ("/tags/") of a requested one ("/blog/tags/") when the site is
    served under `root`; None for a path outside it."""
    if root == "/":
        return path
    return "/" + path[len(root):] if path.startswith(root) else None


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def inject(html: bytes, tag: bytes) -> bytes:
    """`tag` just before the page's last </body>, or at the end when it has none."""
    at = html.lower().rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


StartResponse = Callable[..., object]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


class Intake(Protocol):
    """A WSGI app taking the comment form's posts, and the moderation page
    (sitegen.comments_server.app)."""

    def takes(self, method: str, path: str) -> bool: ...

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]: ...


class SiteState(Protocol):
    """What the server asks of whoever builds the site, at each request."""

    @property
    def intake(self) -> Intake | None:
        """Where comments posted to the preview go, once the configuration was read."""

    @property
    def building(self) -> bool:
        """A build is running, so the output folder may be between its two renames."""

    @property
    def root(self) -> str:
        """The path the site is served under, as in production: base_url's ("/blog/")."""


class PreviewApp:
    """The preview as a WSGI app: files from the output folder, and the live-reload
    script and events when `live` is given."""

    def __init__(self, output: Path, live: LiveReload | None, site: SiteState) -> None:
        self.output = output
        self.live = live
        self.site = site

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO") or "/"
        intake = self.site.intake
        if intake is not None and intake.takes(method, path):
            return intake(environ, start_response)
        if method not in ("GET", "HEAD"):
            return _respond(start_response, method, "405 Method Not Allowed", TEXT,
                            b"only GET and HEAD are served here\n", [("Allow", "GET, HEAD")])
        if self.live and path == EVENTS_URL:
            return self._events(environ, start_response)
        if self.live and path == SCRIPT_URL:
            return _respond(start_response, method, "200 OK", CONTENT_TYPES[".js"],
                            SCRIPT.read_bytes())
        return self._file(path, environ, start_response)

    def _file(self, path: str, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        query = environ.get("QUERY_STRING")
        root = self.site.root
        # Read the build id before the file: a page newer than its id only reloads once more.
        build = self.live.build_id if self.live else None
        inside = within(root, path)
        if inside is None and (path == "/" or path + "/" == root):
            return _respond(start_response, method, "302 Found", TEXT, b"",
                            [("Location", root + (f"?{query}" if query else ""))])
        kind, body, found = self._read(inside) if inside is not None else ("missing", b"", None)
        if kind == "folder":
            location = path + "/" + (f"?{query}" if query else "")
            return _respond(start_response, method, "301 Moved Permanently", TEXT, b"",
                            [("Location", location)])
        status = "200 OK"
        if kind == "missing":
            status = "404 Not Found"
            kind, body, found = self._read("/404.html")
            if found is None:
                body, found = FALLBACK_404, Path("404.html")
        assert found is not None
        type_ = content_type(found)
        if build is not None and type_.startswith("text/html"):
            body = inject(body, self._script_tag(build, root + self._relative(found)))
        return _respond(start_response, method, status, type_, body)

    def _read(self, path: str) -> tuple[str, bytes, Path | None]:
        """Look the path up and read it, riding out a build swapping the output folder
        in: between its two renames there is no output folder at all."""
        for attempt in range(2):
            kind, found = locate(self.output, path)
            if kind == "missing" and attempt == 0 and self._swapping():
                _wait_for_folder(self.output, SWAP_WAIT)
                continue
            if kind != "file" or found is None:
                return kind, b"", None
            try:
                return kind, found.read_bytes(), found
            except OSError:  # renamed away while we read: look again in the new output
                continue
        return "missing", b"", None

    def _swapping(self) -> bool:
        return self.site.building and not self.output.is_dir()

    def _relative(self, found: Path) -> str:
        """The output file's path as builds report what they wrote (2010/08/31/post/index.html)."""
        output = Path(os.path.realpath(self.output))
        return found.relative_to(output).as_posix() if found.is_relative_to(output) else found.name

    def _script_tag(self, build: str, shown: str) -> bytes:
        """The live-reload script, told which build and which file the page shows."""
        return (f'<script src="{SCRIPT_URL}" data-build="{build}" '
                f'data-path="{html.escape(shown)}"></script>').encode()

    def _events(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        assert self.live is not None
        build = parse_qs(environ.get("QUERY_STRING", "")).get("build", [""])[0]
        start_response("200 OK", [("Content-Type", "text/event-stream"), *NO_STORE])
        if environ["REQUEST_METHOD"] == "HEAD":
            return [b""]
        return self.live.stream(build)


def _wait_for_folder(folder: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not folder.is_dir() and time.monotonic() < deadline:
        time.sleep(0.01)


def _respond(start_response: StartResponse, method: str, status: str, type_: str,
             body: bytes, headers: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    start_response(status, [("Content-Type", type_), ("Content-Length", str(len(body))),
                            *NO_STORE, *headers])
    return [b"" if method == "HEAD" else body]


class _QuietHandler(WSGIRequestHandler):
    # The terminal is for build results; a line per request would bury them.
    def log_message(self, format: str, *args: object) -> None:
        pass


class PreviewServer(socketserver.ThreadingMixIn, WSGIServer):
    """The standard library's WSGI server with a thread per request, which can stop with
    every thread joined even while browsers hold connections open."""

    def __init__(self, address: tuple[str, int], app: WSGIApp) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _QuietHandler)
        self.set_app(app)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        # A browser closing a connection mid-request is routine, not worth a traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def close(self) -> None:
        """Stop serving, cut idle connections (a browser keeps some open in case it needs
        them) and join every request thread."""
        self.shutdown()
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()


def bind(host: str, port: int, app: WSGIApp) -> PreviewServer:
    """A server listening on host:port; SitegenError naming a free port when it is taken."""
    try:
        return PreviewServer((host, port), app)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise SitegenError(Problem(
                f"port {port} on {host} is in use; try --port {free_port(host, port)}"
            )) from None
        raise SitegenError(Problem(f"cannot listen on {host}:{port}: "
                                   f"{error.strerror or error}")) from None


def free_port(host: str, near: int) -> int:
    """A port that is free on `host` now: the first after `near`, else any."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for port in [*range(near + 1, min(near + 20, 65536)), 0]:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise SitegenError(Problem(f"no free port on {host}"))
