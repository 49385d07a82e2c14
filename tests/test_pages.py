"""pages.py: the plan, every output file of a site as data, before anything is rendered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sitegen.config import BuildOptions
from sitegen.errors import ContentError
from sitegen.pages import PlannedFile, plan

from helpers import model, post

NOW = datetime(2011, 1, 1, tzinfo=UTC)


def planned(make_site, files: dict) -> dict[str, PlannedFile]:
    site = make_site(files)
    return {page.path: page for page in plan(model(site.paths, BuildOptions(now=NOW)))}


def test_a_small_site_plans_every_address_it_has(make_site):
    pages = planned(make_site, {
        "content/posts/2010-08-31-hello.md": post("Hello", tags="[Bread]"),
        "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
    })
    assert set(pages) == {
        "2010/08/31/hello/index.html", "about/index.html", "index.html",
        "archive/index.html", "2010/index.html", "2010/08/index.html",
        "tags/index.html", "tags/bread/index.html", "tags/bread/feed.xml", "feed.xml",
        "comments/feed.xml", "404.html", "sitemap.xml", "robots.txt",
    }
    hello = pages["2010/08/31/hello/index.html"]
    assert (hello.template, hello.context["post"].title) == ("post.html", "Hello")
    assert hello.sources[0].name == "2010-08-31-hello.md"


def test_a_page_digest_follows_what_it_shows(make_site):
    page = PlannedFile("/a/", "page.html", {"title": "A"})
    assert page.path == "a/index.html"
    assert page.digest == PlannedFile("/a/", "page.html", {"title": "A"}).digest
    assert page.digest != PlannedFile("/a/", "page.html", {"title": "B"}).digest
    assert page.digest != PlannedFile("/a/", "post.html", {"title": "A"}).digest


def test_two_pages_claiming_one_path_are_an_error(make_site):
    site = make_site({"content/pages/tags.md": "---\ntitle: Tags\n---\nMine.\n"})
    with pytest.raises(ContentError, match="/tags/"):
        plan(model(site.paths, BuildOptions(now=NOW)))


def test_listings_are_paginated(make_site):
    files = {f"content/posts/2010-01-{n:02d}-p{n}.md": post(f"P{n}", date=None)
             for n in range(1, 13)}
    pages = planned(make_site, {**files, "sitegen.toml": "posts_per_page = 5\n"})
    assert {"index.html", "page/2/index.html", "page/3/index.html"} <= set(pages)
    assert "page/4/index.html" not in pages
