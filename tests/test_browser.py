"""The sample blog in a real headless Chromium: the thread as a reader sees it, and axe-core
accessibility checks in light and dark colour schemes."""

from __future__ import annotations

import pytest
from browser import AXE, require_axe, static_server

PAGES = ["/", "/2010/08/31/a-first-loaf/", "/archive/", "/tags/bread/"]


@pytest.fixture(scope="module")
def served(sample_blog):
    with static_server(sample_blog.output) as base_url:
        yield base_url


def test_post_page_shows_the_threaded_comments(browser, served):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served}/2010/08/31/a-first-loaf/")
    assert page.locator("h1").inner_text() == "A first loaf, and a first post"
    assert page.get_by_text("6 comments").first.is_visible()
    nested = page.locator("li#comment-c1 li#comment-c2 li#comment-c3 li#comment-c4")
    assert nested.count() == 1 and nested.is_visible()
    assert page.locator("li[id^=comment-]").count() == 6
    # The honeypot is there for bots but out of sight and out of the accessibility tree.
    honeypot = page.locator("input[name=homepage]")
    box = honeypot.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0 or box["width"] * box["height"] <= 1
    assert honeypot.evaluate("el => el.closest('[aria-hidden=true]') !== null")
    assert page.locator("textarea[name=body]").is_visible()
    assert errors == []
    page.close()


def test_reply_link_sets_the_parent(browser, served):
    page = browser.new_page()
    page.goto(f"{served}/2010/08/31/a-first-loaf/")
    page.locator("#comment-c2 a", has_text="Reply").first.click()
    assert page.locator("input[name=replyto]").input_value() == "c2"
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", PAGES)
def test_no_serious_accessibility_violations(browser, served, url, scheme):
    require_axe()
    page = browser.new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(served + url)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    page.close()


def test_the_built_site_opens_straight_from_disk(browser, sample_blog):
    """Links are relative to each page, so output/index.html opened as a file is the whole,
    styled blog, and its links lead to the pages."""
    page = browser.new_page()
    page.goto((sample_blog.output / "index.html").as_uri())
    # Unstyled, a page has a transparent background; the theme's stylesheet gives it one.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.locator("main a", has_text="Serra da Estrela in October").first.click()
    page.wait_for_load_state()
    post = sample_blog.output / "2025/10/05/serra-da-estrela-in-october/index.html"
    assert page.url == post.as_uri()
    assert page.locator("h1").inner_text() == "Serra da Estrela in October"
    page.locator("nav a", has_text="Archive").click()
    page.wait_for_load_state()
    assert page.url == (sample_blog.output / "archive/index.html").as_uri()
    page.close()
