"""The live preview in a real headless Chromium: a page reloads by itself after a save,
shows a broken file's error over the page, recovers after the fix, and swaps its
stylesheet without reloading when only CSS changed; the comment form posts through it."""

from __future__ import annotations

import pytest
from preview_helpers import previewing, wait_until

from helpers import post

POST = "content/posts/2010-08-31-hello.md"
POST_URL = "/2010/08/31/hello/"
WAIT_MS = 15_000


@pytest.fixture
def site(make_site):
    return make_site({
        "sitegen.toml": 'base_url = "https://example.org"\n',
        POST: post("Hello", body="The first version."),
        "static/style.css": "h1 { color: rgb(1, 2, 3); }\n",
    })


@pytest.fixture
def preview(site):
    with previewing(site) as (running, _):
        yield running


@pytest.fixture
def page(browser, preview):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(preview.url.rstrip("/") + POST_URL)
    # A mark that a reload wipes out and a stylesheet swap keeps.
    page.evaluate("window.sitegenTestMark = true")
    yield page
    page.close()
    assert errors == []


def reloaded(page) -> bool:
    return page.evaluate("window.sitegenTestMark === undefined")


def test_a_saved_post_reloads_the_page_by_itself(site, page):
    assert "The first version." in page.locator("main").inner_text()
    site.write(POST, post("Hello", body="The second version."))
    page.get_by_text("The second version.").wait_for(timeout=WAIT_MS)
    assert reloaded(page)


def test_a_page_the_build_did_not_rewrite_stays_but_drops_the_error(site, page, preview,
                                                                      browser):
    other = browser.new_page()
    other.goto(preview.url.rstrip("/") + "/tags/")
    other.evaluate("window.sitegenTestMark = true")
    site.write(POST, post("Hello", body="The second version."))
    page.get_by_text("The second version.").wait_for(timeout=WAIT_MS)
    assert reloaded(page) and not reloaded(other)

    site.write(POST, "---\ntitle: Hello\ndate: [2010-08-31\n---\nBroken.\n")
    other.locator("#sitegen-problems section").wait_for(timeout=WAIT_MS)
    site.write(POST, post("Hello", body="The third version."))
    other.locator("#sitegen-problems").wait_for(state="detached", timeout=WAIT_MS)
    assert not reloaded(other)
    other.close()


def test_a_broken_post_shows_the_error_over_the_page_until_it_is_fixed(site, page):
    site.write(POST, "---\ntitle: Hello\ndate: [2010-08-31\n---\nBroken.\n")
    overlay = page.locator("#sitegen-problems section")
    overlay.wait_for(timeout=WAIT_MS)
    text = overlay.inner_text()
    assert "the last change did not build" in text
    assert f"{POST}:4" in text
    assert "front matter is not valid YAML" in text
    # The page under the overlay is still the last good build.
    assert "The first version." in page.locator("main").inner_text()
    assert not reloaded(page)

    site.write(POST, post("Hello", body="Fixed now."))
    page.get_by_text("Fixed now.").wait_for(timeout=WAIT_MS)
    assert page.locator("#sitegen-problems").count() == 0
    assert reloaded(page)


def test_a_page_opened_while_the_build_is_broken_shows_the_error(site, preview, browser):
    site.write(POST, "---\ntitle: Hello\ndate: [2010-08-31\n---\nBroken.\n")
    wait_until(lambda: preview.live.failing)
    page = browser.new_page()
    page.goto(preview.url)
    overlay = page.locator("#sitegen-problems section")
    overlay.wait_for(timeout=WAIT_MS)
    assert f"{POST}:4" in overlay.inner_text()
    page.close()


def test_a_css_change_swaps_the_stylesheet_without_reloading(site, page):
    heading = page.locator("h1").first
    assert heading.evaluate("h => getComputedStyle(h).color") == "rgb(1, 2, 3)"
    site.write("static/style.css", "h1 { color: rgb(4, 5, 6); }\n")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('h1')).color === 'rgb(4, 5, 6)'",
        timeout=WAIT_MS,
    )
    assert not reloaded(page)
    assert page.locator('link[href*="style.css"]').count() == 1


def test_the_comment_form_posts_through_the_preview(site, page):
    page.fill("#comment-author", "Ana")
    page.fill("#comment-body", "Posted from the preview.")
    page.click("#comment-form [type=submit]")
    # (This site's own style.css replaces the theme's, so the notice's class tells.)
    page.locator("#comment-pending.is-shown").wait_for(timeout=WAIT_MS)
    (pending,) = (site.root / "content/comments/pending").glob("*.yml")
    assert "Posted from the preview." in pending.read_text()
