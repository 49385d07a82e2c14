"""Old addresses of imported posts, followed in headless Chromium against a real static
server that, like GitHub Pages or Netlify, ignores query strings and answers a missing file
with 404.html."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser import chromium

from helpers import post
from import_support import import_into, new_site

HELLO = "/2012/03/14/hello-world/"
MY_POST = "/2010/08/31/my-post/"


class StaticHost(SimpleHTTPRequestHandler):
    """Files as they are; a missing one gets 404.html with status 404."""

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def served(make_site):
    """The WordPress fixture imported, plus a post with an old Blogger-style address and an
    old query address under a folder the new site does not have; built and served."""
    site = new_site(make_site, **{"content/posts/2010-08-31-my-post.md": post(
        "My post", aliases="['/2010/08/my-post.html', '/old/?p=7']")})
    import_into(site, "wordpress", "wordpress.xml")
    site.build()
    handler = functools.partial(StaticHost, directory=str(site.output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_an_old_file_address_redirects_with_meta_refresh(served, page):
    page.goto(served + "/2010/08/my-post.html")
    page.wait_for_url(served + MY_POST)
    assert page.locator("h1").inner_text() == "My post"


def test_query_addresses_on_the_home_page_go_to_their_post_or_page(served, page):
    page.goto(served + "/?p=10")
    page.wait_for_url(served + HELLO)
    assert page.locator("h1").inner_text() == "Hello, wörld — a first loaf"
    page.goto(served + "/?page_id=20&replytocom=3#top")
    page.wait_for_url(served + "/about/#top")
    page.goto(served + "/index.html?p=16")
    page.wait_for_url(served + "/2019/05/18/blocks-ete/")


def test_a_query_address_under_a_missing_folder_is_sent_on_by_the_404_page(served, page):
    response = page.goto(served + "/old/?p=7")
    assert response.status == 404
    page.wait_for_url(served + MY_POST)


def test_unknown_ids_and_plain_visits_stay_put_and_plain_visits_fetch_nothing(served, page):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(served + "/")
    page.wait_for_load_state("networkidle")
    assert not any("query-redirects" in url for url in fetched)
    page.goto(served + "/?p=99999")
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/query-redirects.json") for url in fetched)
    assert page.url == served + "/?p=99999"
    assert page.locator("article.teaser").count() == 3
