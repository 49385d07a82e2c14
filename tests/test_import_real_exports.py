"""The importers on real exports that no one here wrote (../shared/data/exports, read in
place, never copied here): counts as their README describes them, and sites that build.
Skipped where the folder is absent."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from helpers import post
from import_support import import_into, new_site, thread_ids


def _exports() -> Path | None:
    if os.environ.get("SITEGEN_EXPORTS"):
        return Path(os.environ["SITEGEN_EXPORTS"])
    here = Path(__file__).resolve()
    found = (parent / "shared" / "data" / "exports" for parent in here.parents)
    return next((folder for folder in found if folder.is_dir()), None)


EXPORTS = _exports()
pytestmark = pytest.mark.skipif(EXPORTS is None, reason="no ../shared/data/exports here")


def test_wordpress_theme_unit_test_data(make_site):
    site = new_site(make_site)
    report = import_into(site, "wordpress", EXPORTS / "themeunittestdata.wordpress.xml")
    assert report.imported() == {"posts": 56, "drafts": 2, "pages": 21, "comments": 23,
                                 "queued": 1}
    skipped = report.skipped()
    assert {reason: skipped[reason] for reason in (
        "attachments", "menu items", "pingbacks", "trackbacks",
        "comments on pages (sitegen pages have no comments)",
        "pending comments on pages (sitegen pages have no comments)")} == {
        "attachments": 37, "menu items": 70, "pingbacks": 2, "trackbacks": 2,
        "comments on pages (sitegen pages have no comments)": 3,
        "pending comments on pages (sitegen pages have no comments)": 2}
    built = site.build()
    assert built.posts == 55  # the scheduled post waits for its date
    redirects = yaml.safe_load((site.root / "content/redirects.yml").read_bytes())
    assert len(redirects) == sum(planned.redirects for planned in report.files) == 129
    missing = {old: new for old, new in redirects.items()
               if not (site.output / new.lstrip("/") / "index.html").is_file()}
    assert missing == {}
    assert 'url=/tags/block/"' in site.page("/category/block/")
    # Its 18 [gallery], 4 [video] and 3 [audio] shortcodes are images and players now.
    pages = [path.read_text(encoding="utf-8") for path in site.output.rglob("*.html")]
    assert not [p for p in pages if re.search(r"\[(gallery|video|audio)[ \]]", p)]
    gallery = site.page("/2010/09/10/post-format-gallery/")
    assert gallery.count('<img alt="canola" src="https://wpthemetestdata.files.wordpress.com/'
                         '2008/06/canola2.jpg" />') == 10
    assert "<audio controls" in site.page("/2010/07/02/post-format-audio/")
    page = site.page("/2012/01/03/template-comments/")
    assert max(depth for depth, _ in thread_ids(page)) == 10
    # This export gives authors no ids: the post author's account is known by its email,
    # which "Jane Doe", signed in to the same account id, does not have.
    (thread_file,) = (site.root / "content/comments").glob("*template-comments.yml")
    thread = yaml.safe_load(thread_file.read_bytes())
    assert [c["id"] for c in thread if c.get("owner")] == ["wp-903", "wp-910", "wp-915"]
    assert "John Γιάννης Doe Κάποιος" in page
    assert "<script" not in page
    lists = site.page("/2009/05/15/edge-case-nested-and-mixed-lists/")
    assert "<li>ordered item<ul>\n<li><strong>unordered</strong></li>\n" \
           "<li><strong>unordered</strong><ol>\n<li>ordered item</li>" in lists
    # The comment with the theme's markup test shows its table as rows of text.
    assert "Employee | Salary<br>" in page and "| --- |" not in page


def test_wordpress_utf8_challenges(make_site):
    site = new_site(make_site)
    report = import_into(site, "wordpress", EXPORTS / "wxr-utf-8-challenges.xml")
    assert report.imported() == {"posts": 1, "drafts": 0, "pages": 0, "comments": 0,
                                 "queued": 0}
    site.build()
    built = site.page("/2024/06/05/hello-world-utf8-test/")
    assert "السلام عليكم" in built and "🚀🌟💫" in built


def test_blogger_classic_sample(make_site):
    site = new_site(make_site)
    report = import_into(site, "blogger", EXPORTS / "blogger-sample2.xml")
    assert report.imported() == {"posts": 4, "drafts": 0, "pages": 0, "comments": 3,
                                 "queued": 0}
    assert report.skipped() == {"blog settings entries": 47, "blog template entries": 1}
    site.build()
    page = site.page("/2008/04/15/this-about-sums-up-my-life/")
    assert [cid for _, cid in thread_ids(page)] == ["blogger-7939092188512366396",
                                                    "blogger-1066271041639903470"]
    assert 'url=/2008/04/15/rolling-in-hawaii/"' in site.page(
        "/blogspot/jjsfavoritethings/2008/04/rolling-in-hawaii.html")


def test_disqus_isso_sample(make_site):
    site = new_site(make_site, **{"content/posts/2013-02-12-redacted.md": post(
        "Redacted", aliases="[/blog/2013/02/12/redacted/]")})
    report = import_into(site, "disqus", EXPORTS / "isso-disqus.xml")
    assert report.imported()["comments"] == 1
    assert report.skipped() == {"comments on threads with no post at their address": 3,
                                "comments whose thread is not in the export": 1,
                                "deleted comments": 1}
    site.build()
    assert "Message from thread with empty title and id" in site.page("/2010/08/31/redacted/")
