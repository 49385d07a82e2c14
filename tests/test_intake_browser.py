"""A reader in headless Chromium posts the form on a built post page, through a front server
standing in for nginx, to the intake on waitress; the owner approves and rebuilds."""

from __future__ import annotations

import re

import pytest
from browser import chromium, static_server
from intake_support import (
    JSON,
    OPEN,
    comment,
    comment_site,
    front_server,
    pending,
    running_intake,
    send,
)
from xss_payloads import PAYLOADS, URL_PAYLOADS

from sitegen.comments_server.queue import PendingComment, Queue, new_id

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


def test_without_javascript_a_reply_link_makes_a_reply(browser, served):
    site, base = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + PAGE)
    page.locator("#comment-first a", has_text="Reply").first.click()
    page.wait_for_url(re.compile(r"\?replyto=first#comment-form$"))
    _fill(page, "Dora", "Agreed!")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(r"#comment-pending$"))
    [(_, stored)] = pending(site).items()
    assert (stored["author"], stored["replyto"]) == ("Dora", "first")
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


# Every element the theme or the sanitiser's allow-list may put in a thread; anything else
# in the rendered comments came from a reader.
THREAD_TAGS = {"li", "ol", "ul", "article", "header", "a", "span", "time", "div", "p", "br",
               "em", "strong", "del", "code", "pre", "blockquote"}
FIND_DANGER = """tags => {
  const found = [];
  for (const el of document.querySelectorAll(".comment-list *")) {
    const tag = el.localName;
    if (!tags.includes(tag)) found.push("element <" + tag + ">");
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name) || ["style", "srcdoc", "formaction", "action"]
          .includes(attr.name.toLowerCase())) {
        found.push("attribute " + attr.name + " on <" + tag + ">");
      }
    }
    if (tag === "a" && el.hasAttribute("href")
        && !["http:", "https:", "mailto:"].includes(new URL(el.href).protocol)) {
      found.push("link to " + el.getAttribute("href"));
    }
  }
  return found;
}"""


def _post_payloads(site) -> int:
    """Each payload as author, website and body through the intake; the intake refuses a
    website that is not http(s), so those go again without it, and then straight into the
    queue as an importer might write them, for the build to defend against. Returns how
    many comments are queued."""
    with running_intake(site) as intake:
        for payload in PAYLOADS:
            form = comment(author=payload[:100], body=payload, url=payload)
            reply = send(intake, form, JSON)
            if reply.status == 400 and reply.json["field"] == "url":
                reply = send(intake, {**form, "url": ""}, JSON)
            assert reply.status == 202, (payload, reply.json)
        for payload in URL_PAYLOADS:
            reply = send(intake, comment(url=payload), JSON)
            assert reply.status == 400 and reply.json["field"] == "url", payload
    queue = Queue(site.paths)
    for number, payload in enumerate(URL_PAYLOADS):
        queue.add(PendingComment(id=new_id(), post=OPEN, author=f"url {number}",
                                 date="2026-01-01T10:00:00+00:00", body=f"URL {number}",
                                 url=payload))
    return len(queue.ids())


def test_xss_payloads_as_author_url_and_body_never_run(browser, make_site):
    assert len(PAYLOADS) >= 30
    site = comment_site(make_site, "rate_limit = 0\nmax_links = 50")
    queued = _post_payloads(site)
    assert queued == len(PAYLOADS) + len(URL_PAYLOADS)
    assert run_sitegen("comments", "approve", "--all", "--site", str(site.root)).returncode == 0
    assert run_sitegen("build", "--site", str(site.root)).returncode == 0

    with static_server(site.output) as base:
        page = browser.new_page()
        dialogs, canaries = [], []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: "xss-canary" in request.url
                and canaries.append(request.url))
        page.goto(base + PAGE)
        title = page.title()
        page.wait_for_timeout(300)
        assert (dialogs, canaries) == ([], []), "a payload ran as the page loaded"
        cards = page.locator(".comment-list .comment-card")
        for card in cards.all():
            card.hover(force=True)
        for link in page.locator(".comment-list a.reply-link").all()[:10]:
            link.click(force=True, timeout=2000)
            page.goto(base + PAGE)
        page.keyboard.press("Tab")
        page.wait_for_timeout(500)
        assert dialogs == []
        assert canaries == []
        assert page.evaluate("window.__xss") is None
        assert page.title() == title
        assert page.evaluate(FIND_DANGER, sorted(THREAD_TAGS)) == []
        assert cards.count() == 1 + queued
        authors = {text.strip() for text in
                   page.locator(".comment-list .comment-author").all_inner_texts()}
        # Escaped, not dropped: each hostile name is shown as the text the reader typed.
        for payload in PAYLOADS:
            assert " ".join(payload[:100].split()) in authors
        # The home page shows the newest comments too: as text, in the theme's own markup.
        page.goto(base + "/")
        page.wait_for_timeout(300)
        shown = page.evaluate("""() => [...document.querySelectorAll('.recent-comments *')]
            .flatMap(el => [el.localName, ...[...el.attributes].map(a => a.name)])""")
        assert set(shown) <= {"h2", "ol", "li", "a", "span", "time", "p", "href", "class",
                              "datetime", "id"}
        assert page.locator(".recent-comments li").count() == 5
        assert (dialogs, canaries) == ([], [])
        assert page.evaluate("window.__xss") is None
        page.close()
