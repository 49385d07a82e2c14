"""Real parts for end-to-end tests: a static file server on loopback, headless Chromium."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class StaticHost(QuietHandler):
    """Files as they are; a missing one gets 404.html with status 404, as GitHub Pages and
    Netlify answer: a project site's own (`/blog/404.html`), else the domain's."""

    def send_error(self, code, message=None, explain=None):
        page = self._not_found_page()
        if code != 404 or page is None:
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def _not_found_page(self) -> Path | None:
        root = Path(self.directory)
        first = urlsplit(self.path).path.strip("/").split("/", 1)[0]
        candidates = [root / first / "404.html"] if first else []
        return next((page for page in [*candidates, root / "404.html"] if page.is_file()), None)


@contextmanager
def static_server(folder: Path, handler: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """Serve `folder` on a free loopback port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("needs the playwright package (pip install -e '.[test]')")


def require_axe() -> None:
    if not AXE.exists():
        pytest.skip("needs axe-core in tests/node_modules (npm ci --prefix tests)")


def require_java() -> None:
    if shutil.which("java") is None:
        pytest.skip("the Nu Html Checker needs Java (apt-get install default-jre-headless)")


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
