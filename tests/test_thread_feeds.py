"""Each post with comments gets the Atom feed of its comments, linked from its page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from helpers import post, read_feed, thread

HELLO = "content/posts/2010-08-31-hello.md"
QUIET = "content/posts/2010-09-01-quiet.md"
COMMENTS = [
    {"id": "c1", "author": "Ana", "date": "2010-09-01 10:00", "url": "https://ana.example/",
     "body": "First, with <b>markup</b> & *emphasis*."},
    {"id": "c2", "author": "Rui", "date": "2010-09-02 10:00", "body": "A reply.",
     "replyto": "c1"},
    {"id": "c3", "author": "Bea", "date": "2010-09-01 12:00", "body": "In between."},
]


def blog(make_site, settings: str = ""):
    return make_site({
        "sitegen.toml": f'base_url = "https://example.org"\n{settings}',
        HELLO: post("Hello & welcome"),
        QUIET: post("Quiet", date="2010-09-01 09:00"),
        "content/comments/2010-08-31-hello.yml": thread(*COMMENTS),
    })


def test_the_feed_parses_and_holds_the_comments_newest_first_escaped(make_site):
    site = blog(make_site)
    site.build()
    document = (site.output / "2010/08/31/hello/comments.xml").read_bytes()
    feed = read_feed(document)  # feedparser, ElementTree and minidom, strictly
    assert feed.feed.title == "Comments on “Hello & welcome”"
    assert feed.feed.id == "https://example.org/2010/08/31/hello/comments.xml"
    assert feed.feed.link == "https://example.org/2010/08/31/hello/#comments"
    assert feed.feed.updated == "2010-09-02T10:00:00+00:00"
    assert [entry.link for entry in feed.entries] == [
        f"https://example.org/2010/08/31/hello/#comment-{cid}" for cid in ("c2", "c3", "c1")]
    ana = feed.entries[-1]
    assert (ana.title, ana.author_detail.name, ana.author_detail.href) == (
        "Ana on “Hello & welcome”", "Ana", "https://ana.example/")
    # Sanitised at load (<b> is not allowed), then escaped as the text of <content>.
    assert ana.content[0].value == "<p>First, with markup &amp; <em>emphasis</em>.</p>"
    assert b"<b>" not in document and b"&lt;em&gt;emphasis&lt;/em&gt;" in document
    assert not (site.output / "2010/09/01/quiet/comments.xml").exists(), "no comments, no feed"


def test_the_post_page_links_its_feed_in_the_head_and_beside_the_count(make_site):
    site = blog(make_site)
    site.build()
    page = BeautifulSoup(site.page("/2010/08/31/hello/"), "html.parser")
    [alternate] = page.select('head link[rel=alternate][href$="comments.xml"]')
    assert (alternate["type"], alternate["title"]) == ("application/atom+xml",
                                                       "Comments on “Hello & welcome”")
    meta = page.select_one(".entry-meta")
    count = meta.find("a", href="#comments")
    visible = meta.find("a", type="application/atom+xml")
    assert count.get_text() == "3 comments"
    assert visible.get_text() == "feed of these comments"
    assert visible.find_previous("a") is count, "beside the comment count"
    assert alternate["href"] == visible["href"]
    assert alternate["href"].endswith("/2010/08/31/hello/comments.xml")
    quiet = BeautifulSoup(site.page("/2010/09/01/quiet/"), "html.parser")
    assert not quiet.select('a[type="application/atom+xml"][href$="comments.xml"]')


def test_it_is_incremental_and_follows_the_thread(make_site):
    site = blog(make_site)
    site.build()
    assert site.build().written == ()
    site.write("content/comments/2010-09-01-quiet.yml", thread(
        {"id": "q1", "author": "Zé", "date": "2010-09-03 10:00", "body": "Hi"}))
    written = set(site.build().written)
    assert "2010/09/01/quiet/comments.xml" in written
    assert "2010/08/31/hello/comments.xml" not in written
    (site.root / "content/comments/2010-09-01-quiet.yml").unlink()
    assert "2010/09/01/quiet/comments.xml" in site.build().deleted


@pytest.mark.parametrize(("settings", "feed"), [
    ('permalink = "/{year}/{slug}.html"\n', "2010/hello.comments.xml"),
    ("[comments]\nenabled = false\n", None),
])
def test_file_permalinks_and_sites_without_comments(make_site, settings, feed):
    site = blog(make_site, settings)
    site.build()
    feeds = sorted(path.relative_to(site.output).as_posix()
                   for path in site.output.rglob("*comments.xml"))
    assert feeds == ([feed] if feed else [])
