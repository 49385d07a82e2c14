"""Old addresses of imported posts, followed in headless Chromium against a real static
server that, like GitHub Pages or Netlify, ignores query strings and answers a missing file
with 404.html."""

from __future__ import annotations

import pytest
from browser import StaticHost, static_server

from helpers import post
from import_support import import_into, new_site

HELLO = "/2012/03/14/hello-world/"
MY_POST = "/2010/08/31/my-post/"


@pytest.fixture
def served(make_site):
    """The WordPress fixture imported, plus a post with an old Blogger-style address and an
    old query address under a folder the new site does not have; built and served."""
    site = new_site(make_site, **{"content/posts/2010-08-31-my-post.md": post(
        "My post", aliases="['/2010/08/my-post.html', '/old/?p=7']")})
    import_into(site, "wordpress", "wordpress.xml")
    site.build()
    with static_server(site.output, StaticHost) as url:
        yield url


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
