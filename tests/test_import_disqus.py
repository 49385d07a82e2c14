"""A Disqus export merged into the threads of posts already imported, and built."""

from __future__ import annotations

import pytest
import yaml

from sitegen.errors import ContentError
from sitegen.importers.model import ExportError
from sitegen.private import store_of

from import_support import import_into, new_site, read, thread_ids

HELLO = "content/comments/2012-03-14-hello-world.yml"


@pytest.fixture
def merged(make_site):
    """The WordPress fixture imported first, so that its posts and old addresses exist."""
    site = new_site(make_site)
    import_into(site, "wordpress", "wordpress.xml")
    before = (site.root / HELLO).read_bytes()
    report = import_into(site, "disqus", "disqus.xml")
    return site, report, before


def test_summary_and_unmatched_threads(merged):
    _, report, _ = merged
    assert report.summary() == (
        "imported 0 posts, 0 drafts, 0 pages and 6 comments from 14 entries\n"
        "left out:\n"
        "  comments on threads with no post at their address: 1\n"
        "  comments whose thread is not in the export: 1\n"
        "  deleted comments: 1\n"
        "  spam comments: 1"
    )
    (warning,) = report.export.warnings
    assert warning.line == 46
    assert warning.message == (
        "no post has the address http://old.example/2099/01/nowhere/, so its 1 comment(s) "
        "were left out; add the address to that post's aliases and import again")


def test_comments_are_added_after_the_thread_keeping_it_byte_for_byte(merged):
    site, _, before = merged
    after = (site.root / HELLO).read_bytes()
    assert after.startswith(before)
    thread = yaml.safe_load(after)
    assert [(c["id"], c.get("replyto")) for c in thread][5:] == [
        ("disqus-11", None), ("disqus-12", "disqus-11"), ("disqus-13", "disqus-12"),
        ("disqus-15", None)]
    assert thread[5] == {"id": "disqus-11", "author": "Guest", "date": thread[5]["date"],
                         "body": "Disqus days! &lt;b&gt;not bold&lt;/b&gt;"}
    assert thread[5]["date"].isoformat() == "2013-01-10T12:00:00+00:00"
    assert "email" not in thread[6]
    assert store_of(site.root).email_of(thread[6]["id"]) == "reader@example.com"


def test_threads_match_by_permalink_and_by_identifier(merged):
    site, _, _ = merged
    thread = yaml.safe_load(read(site, "content/comments/2019-05-18-blocks-ete.yml"))
    assert [(c["id"], c["body"]) for c in thread] == [
        ("disqus-17", "On the block post"), ("disqus-18", "Found by its identifier")]


def test_built_thread_nests_and_sanitises(merged):
    site, _, _ = merged
    site.build()
    page = site.page("/2012/03/14/hello-world/")
    assert thread_ids(page)[5:] == [(1, "disqus-11"), (2, "disqus-12"), (3, "disqus-13"),
                                    (1, "disqus-15")]
    assert "<script" not in page and "alert('d')" not in page
    assert "Disqus days! &lt;b&gt;not bold&lt;/b&gt;" in page
    assert "<p>Two levels <em>down</em></p>\n<p>second paragraph</p>" in page


def test_importing_again_adds_nothing(merged):
    site, _, _ = merged
    first = (site.root / HELLO).read_bytes()
    again = import_into(site, "disqus", "disqus.xml")
    assert (site.root / HELLO).read_bytes() == first
    assert again.imported()["comments"] == 0
    assert again.skipped()["comments already in their thread"] == 6


def test_a_thread_written_as_a_flow_list_is_refused_before_anything_is_written(merged):
    site, _, _ = merged
    flow = "[{id: x1, author: A, date: 2019-06-01, body: hi}]\n"
    (site.root / "content/comments/2019-05-18-blocks-ete.yml").write_text(flow)
    (site.root / HELLO).write_text("")
    with pytest.raises(ExportError) as caught:
        import_into(site, "disqus", "disqus.xml")
    assert caught.value.problems[0].message == (
        "cannot append a comment: the file does not end with a plain YAML list "
        "('- id: …' items)")
    assert (site.root / HELLO).read_text() == ""


def test_a_site_that_does_not_load_is_reported_before_anything_is_written(merged):
    site, _, _ = merged
    (site.root / "content/comments/2019-05-18-blocks-ete.yml").write_text("id: 1\n")
    (site.root / HELLO).write_text("")
    with pytest.raises(ContentError) as caught:
        import_into(site, "disqus", "disqus.xml")
    assert "a comment file must be a YAML list of comments" in str(caught.value)
    assert (site.root / HELLO).read_text() == ""


def test_a_site_with_no_posts_matches_nothing(make_site):
    site = new_site(make_site)
    report = import_into(site, "disqus", "disqus.xml")
    assert report.files == ()
    assert report.skipped()["comments on threads with no post at their address"] == 7
    assert len(report.export.warnings) == 4
