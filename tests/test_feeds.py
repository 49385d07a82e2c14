"""Atom feeds under hostile input: well-formed XML with every text escaped, read by a strict
XML parser as well as by feedparser, and no reader's markup arriving live in a feed reader."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup

from helpers import read_feed, thread

CONFIG = """\
title = "Tom & Jerry's <blog>"
author = "A & B <x>"
description = "Fish & chips <b>"
base_url = "https://example.org"
"""
# HTML entities XML does not know, void elements written the HTML way, raw HTML blocks,
# and a form feed (a character XML allows in no form) in the body and the title.
POST = """\
---
title: "Hello & <goodbye> \\x0c\\"quoted\\""
tags: ["salt & pepper", "<c>"]
---
Some&nbsp;text &copy; 2020<br>line two\x0c.

<div>raw <hr> html</div>
"""
ATOM = "{http://www.w3.org/2005/Atom}"
PAYLOAD = "<img src=x onerror=alert(1)>"
COMMENT = {"id": "c1", "author": "Eve & <Mallory>", "date": "2020-01-03 10:00",
           "url": "https://e.example/?a=1&b=2",
           "body": f"line one  \nline two\u00a0after a no-break space, and `{PAYLOAD}` as code"}


def hostile_site(make_site):
    site = make_site({
        "sitegen.toml": CONFIG,
        "content/posts/2020-01-02-hello.md": POST,
        "content/comments/2020-01-02-hello.yml": thread(COMMENT),
    })
    site.build()
    return site


def test_every_feed_of_a_hostile_site_is_strict_xml_with_escaped_text(make_site):
    site = hostile_site(make_site)
    for path in site.output.rglob("*.xml"):  # the sitemap too
        ET.fromstring(path.read_bytes())
    feeds = sorted(str(path.relative_to(site.output)) for path in site.output.rglob("*.xml")
                   if path.name == "feed.xml")
    assert feeds == ["comments/feed.xml", "feed.xml", "tags/c/feed.xml",
                     "tags/salt-pepper/feed.xml"]
    for name in feeds:
        parsed = read_feed((site.output / name).read_bytes())
        assert parsed.feed.author == "A & B <x>", name
        assert parsed.feed.title.startswith("Tom & Jerry's <blog>"), name
    for name in ("feed.xml", "tags/c/feed.xml", "tags/salt-pepper/feed.xml"):
        (entry,) = read_feed((site.output / name).read_bytes()).entries
        assert entry.title == 'Hello & <goodbye> "quoted"'
        assert entry.summary.startswith("<p>Some&nbsp;text &copy; 2020<br")
        body = BeautifulSoup(entry.content[0].value, "html.parser")
        assert body.get_text().startswith("Some\u00a0text © 2020line two.")
        assert [tag.name for tag in body.find_all(True)] == ["p", "br", "div", "hr"]


def test_a_comments_code_reaches_the_feed_as_text_never_as_an_element(make_site):
    site = hostile_site(make_site)
    (entry,) = read_feed(site.page("/comments/feed.xml")).entries
    assert entry.author == "Eve & <Mallory>"
    assert entry.title == "Eve & <Mallory> on “Hello & <goodbye> \"quoted\"”"
    assert entry.author_detail.href == "https://e.example/?a=1&b=2"
    content = ET.fromstring(site.page("/comments/feed.xml")).find(f"{ATOM}entry/{ATOM}content")
    # The HTML a reader shows: the element's text as a strict XML parser decodes it, and
    # as feedparser does.
    for html in ("".join(content.itertext()), entry.content[0].value):
        assert "<code>&lt;img src=x onerror=alert(1)&gt;</code>" in html
        body = BeautifulSoup(html, "html.parser")
        assert body.find("img") is None
        assert body.code.get_text() == PAYLOAD
        assert body.find("br") is not None  # the hard line break
        assert "line two\u00a0after" in body.get_text()

