"""A reader in headless Chromium posts the form on a built post page, through a front server
standing in for nginx, to the intake on waitress; the owner approves and rebuilds."""

from __future__ import annotations

import re

import pytest
from browser import chromium
from intake_support import comment_site, front_server, pending, running_intake

from helpers import run_sitegen

PAGE = "/2010/08/31/hello/"
SETTINGS = 'rate_limit = 0\ntrusted_proxies = ["127.0.0.1"]'


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def served(make_site):
    """(site, base URL): the built site and its intake behind one loopback origin."""
    site = comment_site(make_site, SETTINGS)
    site.build()
    with running_intake(site) as intake, front_server(site.output, intake) as base:
        yield site, base


def _fill(page, author: str, body: str, url: str = "", email: str = "") -> None:
    page.fill("#comment-author", author)
    page.fill("#comment-email", email)
    page.fill("#comment-url", url)
    page.fill("#comment-body", body)


def test_without_javascript_the_form_posts_and_the_reader_sees_the_notice(browser, served):
    site, base = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + PAGE)
    assert not page.locator("#comment-pending").is_visible()
    _fill(page, "Carla", "Lovely *crumb*.\n\nSecond paragraph.", "https://carla.example/",
          "carla@example.org")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(r"#comment-pending$"))
    assert page.url == f"{base}{PAGE}#comment-pending"
    assert page.locator("#comment-pending").is_visible()
    assert "awaits moderation" in page.locator("#comment-pending").inner_text()
    assert not page.locator("#comment-published").is_visible()
    [(cid, stored)] = pending(site).items()
    assert stored["body"] == "Lovely *crumb*.\n\nSecond paragraph."
    assert stored["email"] == "carla@example.org"

    assert run_sitegen("comments", "approve", cid, "--site", str(site.root)).returncode == 0
    assert run_sitegen("build", "--site", str(site.root)).returncode == 0
    page.goto(base + PAGE)
    published = page.locator(f"#comment-{cid}")
    assert published.is_visible()
    assert published.locator(".comment-author a").inner_text() == "Carla"
    assert published.locator(".comment-body em").inner_text() == "crumb"
    assert "carla@example.org" not in page.content()
    context.close()


def test_with_javascript_the_form_posts_in_place(browser, served):
    site, base = served
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + PAGE)
    _fill(page, "Duarte", "Too many: https://a.test https://b.test https://c.test www.d.test")
    page.click("#comment-form button[type=submit]")
    alert = page.locator("#comment-form [role=alert]")
    alert.wait_for()
    assert "at most 3 are allowed" in alert.inner_text()
    assert pending(site) == {}

    page.fill("#comment-body", "Just one: https://a.test")
    page.click("#comment-form button[type=submit]")
    page.locator("#comment-pending").wait_for(state="visible")
    assert page.url == base + PAGE
    assert not alert.is_visible()
    assert page.input_value("#comment-body") == ""
    assert page.input_value("#comment-author") == "Duarte"
    [stored] = pending(site).values()
    assert stored["body"] == "Just one: https://a.test"
    assert errors == []
