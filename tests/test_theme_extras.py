"""The default theme: the menu marks the section of tag and archive pages, wide tables
scroll in their own box on a phone, and the home page's newest comments can leave out the
owner's replies."""

from __future__ import annotations

import pytest
from browser import AXE, require_axe, static_server
from bs4 import BeautifulSoup

from sitegen.config import ThemeConfig, load_config
from sitegen.errors import ConfigError
from sitegen.layout import SitePaths

from helpers import post, thread

WIDE = "| " + " | ".join(f"Column {n}" for n in range(1, 9)) + " |\n" + \
    "|---" * 8 + "|\n" + "| " + " | ".join(["a rather long cell of text"] * 8) + " |\n"


def current(site, url: str) -> list[tuple[str, str]]:
    nav = BeautifulSoup(site.page(url), "html.parser").select_one("nav.site-nav")
    return [(a.get_text(strip=True), a["aria-current"]) for a in nav.select("a[aria-current]")]


@pytest.fixture
def blog(make_site):
    site = make_site({
        "content/posts/2017-09-23-trail.md": post("Trail", date=None, tags="[hiking]",
                                                  body="Intro.\n\n" + WIDE),
        "content/posts/2018-01-01-other.md": post("Other", date=None, tags="[hiking]"),
        "sitegen.toml": 'base_url = "https://example.org"\nposts_per_page = 1\n',
    })
    site.build()
    return site


def test_the_menu_marks_the_section_of_tag_and_archive_pages(blog):
    assert current(blog, "/tags/hiking/") == [("Tags", "true")]
    assert current(blog, "/tags/hiking/page/2/") == [("Tags", "true")]
    assert current(blog, "/tags/") == [("Tags", "page")]
    assert current(blog, "/2017/") == [("Archive", "true")]
    assert current(blog, "/2017/09/") == [("Archive", "true")]
    assert current(blog, "/archive/") == [("Archive", "page")]
    assert current(blog, "/page/2/") == [("Home", "true")]
    assert current(blog, "/") == [("Home", "page")]
    assert current(blog, "/2017/09/23/trail/") == []


def test_a_wide_table_scrolls_in_its_box_on_a_phone(browser, blog):
    require_axe()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    with static_server(blog.output) as base:
        page.goto(base + "/2017/09/23/trail/")
        box = page.locator(".entry-content .table-scroll")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        sizes = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] > sizes[1] + 100  # the table is wider than its box ...
        assert box.bounding_box()["width"] <= 390  # ... and the box fits the page
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.querySelector('.table-scroll').scrollLeft > 0")
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")] \
        == []


OWNER = {"author": "Me", "owner": True}
COMMENTS = [
    {"id": f"c{n}", "author": f"Reader {n}", "date": f"2018-01-0{n} 10:00", "body": f"Hi {n}"}
    for n in range(1, 7)
] + [{"id": "r1", "date": "2018-01-09 10:00", "body": "Thanks all.", "replyto": "c6", **OWNER}]


@pytest.mark.parametrize(("option", "authors"), [
    ("", ["Me", "Reader 6", "Reader 5", "Reader 4", "Reader 3"]),
    ("[theme]\nrecent_comments_include_owner = false\n",
     ["Reader 6", "Reader 5", "Reader 4", "Reader 3", "Reader 2"]),
])
def test_the_newest_comments_can_leave_out_the_owners_replies(make_site, option, authors):
    site = make_site({
        "content/posts/2018-01-01-other.md": post("Other", date=None),
        "content/comments/2018-01-01-other.yml": thread(*COMMENTS),
        "sitegen.toml": 'base_url = "https://example.org"\n' + option,
    })
    site.build()
    home = BeautifulSoup(site.page("/"), "html.parser")
    shown = [a.get_text(strip=True) for a in home.select(".recent-comments .recent-author")]
    assert shown == authors
    assert "Thanks all." in site.page("/comments/feed.xml")  # the feed keeps every comment


def test_the_theme_table_holds_the_name_and_the_options(make_site, monkeypatch):
    site = make_site({"sitegen.toml": '[theme]\nname = "default"\n'
                                      "recent_comments_include_owner = false\n"})
    config = load_config(SitePaths.at(site.root))
    assert config.theme == ThemeConfig("default", recent_comments_include_owner=False)
    assert load_config(SitePaths.at(make_site({"sitegen.toml": 'theme = "mine"\n'}).root)
                       ).theme == ThemeConfig("mine")
    site.write("sitegen.toml", '[theme]\nname = 3\nrecent_coments = false\n'
                               'recent_comments_include_owner = "no"\n')
    monkeypatch.chdir(site.root)
    with pytest.raises(ConfigError) as caught:
        load_config(SitePaths.at(site.root))
    assert [str(problem) for problem in caught.value.problems] == [
        "sitegen.toml: 'theme.name' must be a string, not a number",
        "sitegen.toml: unknown key 'theme.recent_coments' "
        "(did you mean 'theme.recent_comments_include_owner'?)",
        "sitegen.toml: 'theme.recent_comments_include_owner' must be true or false, "
        "not a string",
    ]
