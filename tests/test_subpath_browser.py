"""A blog hosted under a path of its domain (`base_url = "https://example.org/blog/"`, as a
GitHub Pages project site is), followed in headless Chromium against a real static server
that answers a missing file with the site's own 404.html, as GitHub Pages does."""

from __future__ import annotations

import pytest
from browser import StaticHost, static_server

from sitegen.build import build
from sitegen.config import BuildOptions
from sitegen.layout import SitePaths

from conftest import NOW
from helpers import post, thread

MY_POST = "/blog/2010/08/31/my-post/"


@pytest.fixture
def served(make_site, tmp_path):
    """The site built into host/blog/, and the host's address."""
    site = make_site({
        "sitegen.toml": 'title = "Sub"\nbase_url = "https://example.org/blog/"\n',
        "content/posts/2010-08-31-my-post.md": post(
            "My post", tags="[bread]", aliases="['/2010/08/my-post.html', '/?p=7']"),
        "content/posts/2011-01-02-later.md": post("Later", date="2011-01-02"),
        "content/comments/2010-08-31-my-post.yml": thread(
            {"id": "a", "author": "Ann", "date": "2010-09-01 10:00", "body": "First!"}),
    })
    host = tmp_path / "host"
    build(SitePaths.at(site.root, host / "blog"), BuildOptions(now=NOW))
    with static_server(host, StaticHost) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.failed = []
    page.on("response", lambda response: response.status >= 400 and response.request
            .resource_type != "document" and page.failed.append(response.url))
    yield page
    context.close()


def site_links(page) -> list[str]:
    """Where every link and stylesheet of the page leads, as the browser resolves them."""
    return page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")


def test_pages_under_the_path_link_within_it_and_load_their_styles(served, page):
    for address in ("/blog/", MY_POST, "/blog/archive/", "/blog/tags/bread/"):
        response = page.goto(served + address)
        assert response.status == 200, address
        inside = [link for link in site_links(page) if link.startswith(served)]
        assert inside and all(link.startswith(served + "/blog/") for link in inside), address
    assert page.failed == []


def test_the_404_page_at_any_depth_links_within_the_path_and_is_styled(served, page):
    response = page.goto(served + "/blog/no/such/page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    inside = [link for link in site_links(page) if link.startswith(served)]
    assert served + "/blog/static/style.css" in inside
    assert all(link.startswith(served + "/blog/") for link in inside)
    assert page.failed == []
    rules = page.evaluate("[...document.styleSheets].filter(sheet => sheet.href"
                          " && sheet.href.endsWith('/blog/static/style.css'))"
                          ".map(sheet => sheet.cssRules.length)")
    assert len(rules) == 1 and rules[0] > 10


def test_old_addresses_lead_to_the_post_under_the_path(served, page):
    page.goto(served + "/blog/2010/08/my-post.html")
    page.wait_for_url(served + MY_POST)
    assert page.locator("h1").inner_text() == "My post"
    page.goto(served + "/blog/?p=7")
    page.wait_for_url(served + MY_POST)
    assert page.locator("h1").inner_text() == "My post"


def test_the_comment_form_posts_under_the_path(served, page):
    page.goto(served + MY_POST)
    assert page.eval_on_selector("#comment-form", "form => form.action") == \
        served + "/blog/comments"
