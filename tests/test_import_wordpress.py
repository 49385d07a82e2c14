"""A WordPress export (WXR) imported and built for real: statuses, threads, old addresses."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from sitegen.comments_server.queue import Queue
from sitegen.importers.model import ExportError
from sitegen.private import store_of

from import_support import EXPORTS, import_into, new_site, read, thread_ids


@pytest.fixture
def imported(make_site):
    site = new_site(make_site)
    report = import_into(site, "wordpress", "wordpress.xml")
    return site, report


def test_summary_counts_what_was_imported_and_what_was_left_out(imported):
    _, report = imported
    assert report.summary() == (
        "imported 3 posts, 3 drafts, 2 pages and 5 comments from 24 entries\n"
        "queued for moderation: 1 comment (see `sitegen comments list`)\n"
        "old label, tag and category pages redirected: 3 (content/redirects.yml)\n"
        "kept differently:\n"
        "  old addresses the site uses for its own pages, not redirected: 1\n"
        "  password-protected posts, kept as drafts: 1\n"
        "  private posts, kept as drafts: 1\n"
        "  scheduled posts (the build shows them from their date): 1\n"
        "left out:\n"
        "  attachments: 1\n"
        "  automatic drafts: 1\n"
        "  comments on pages (sitegen pages have no comments): 1\n"
        "  comments trashed with their post: 1\n"
        "  menu items: 1\n"
        "  pingbacks: 1\n"
        "  spam comments: 1\n"
        "  trackbacks: 1\n"
        "  trashed comments: 1\n"
        "  trashed posts: 1"
    )


def test_a_published_post_keeps_offset_tags_old_addresses_and_body(imported):
    site, _ = imported
    loaf = "http://old.example/wp-content/uploads/loaf"
    assert read(site, "content/posts/2012-03-14-hello-world.md") == (
        "---\ntitle: Hello, wörld — a first loaf\ndate: 2012-03-14 23:30:00+01:00\n"
        "tags: [Bread, Pão]\naliases: [/2012/03/hello-world/, '/?p=10']\n---\n\n"
        "First line of the loaf post  \nand its second line.\n\n"
        f"[![A loaf]({loaf}-300x200.jpg)]({loaf}.jpg) The first loaf\n\n"
        "<!--more-->\n\n"
        "```python\nwater = 340\nsalt = 10\n```\n\n"
        "<https://www.youtube.com/watch?v=abc123>\n\n"
        "Ingredients, *roughly*:\n\n- 500 g flour\n- 340 g water\n"
    )


def test_drafts_private_and_protected_posts_are_drafts_without_old_addresses(imported):
    site, _ = imported
    for name in ("2012-04-01-rye-someday", "2012-04-02-private-notes", "2012-04-03-locked"):
        text = read(site, f"content/posts/{name}.md")
        assert "\ndraft: true\n" in text and "aliases" not in text, name
    rye = read(site, "content/posts/2012-04-01-rye-someday.md")
    assert "date: 2012-04-01 10:00:00+01:00" in rye
    site.build()
    assert "Secret." not in "".join(
        p.read_text() for p in site.output.rglob("*.html")), "protected text is not published"


def test_pages_menu_and_reserved_addresses(imported):
    site, report = imported
    assert read(site, "content/pages/about.md") == (
        "---\ntitle: About\nmenu: true\naliases: ['/?page_id=20']\n---\n\nI bake bread.\n")
    assert read(site, "content/pages/archive-page.md").startswith(
        "---\ntitle: Archive\naliases: ['/?page_id=21']\n---\n")
    assert report.export.notes[
        "old addresses the site uses for its own pages, not redirected"] == 1
    site.build()
    assert "Old archive page." in site.page("/archive-page/")


def test_block_editor_posts_keep_embeds_tables_and_closed_comments(imported):
    site, _ = imported
    text = read(site, "content/posts/2019-05-18-blocks-ete.md")
    assert text.startswith("---\ntitle: 'Blocks: a newer post'\ndate: 2019-05-18 08:00:00+02:00\n"
                           "comments: closed\naliases: [/2019/05/blocks/, '/?p=16']\n---\n")
    assert "<https://vimeo.com/123>" in text
    assert '<table><tbody><tr><td colspan="2">merged</td>' in text


def test_threads_keep_nesting_and_replies_to_left_out_comments_move_up(imported):
    site, _ = imported
    thread = yaml.safe_load(read(site, "content/comments/2012-03-14-hello-world.yml"))
    assert [(c["id"], c.get("replyto")) for c in thread] == [
        ("wp-100", None), ("wp-101", "wp-100"), ("wp-102", "wp-101"), ("wp-103", "wp-102"),
        ("wp-105", None)]
    assert thread[0] == {
        "id": "wp-100", "author": "Ana Ribeiro", "date": thread[0]["date"],
        "url": "https://ana.example", "body": "Lovely crumb!<br>\nIs it **sourdough**?\n"}
    assert store_of(site.root).email_of("wp-100") == "ana@example.com"
    assert thread[0]["date"].isoformat() == "2012-03-15T09:00:00+01:00"
    site.build()
    page = site.page("/2012/03/14/hello-world/")
    assert thread_ids(page) == [(1, "wp-100"), (2, "wp-101"), (3, "wp-102"), (4, "wp-103"),
                                (1, "wp-105")]
    assert "Yes — Γειά σου 👋" in page  # noqa: RUF001 (Greek is the point)


def test_the_post_authors_signed_in_comments_are_the_owners_and_a_name_is_not(imported):
    site, _ = imported
    thread = yaml.safe_load(read(site, "content/comments/2012-03-14-hello-world.yml"))
    by_id = {comment["id"]: comment for comment in thread}
    # wp-101 and wp-103 are both signed "Inês"; only wp-101 came from her account (user 1).
    assert by_id["wp-101"]["author"] == by_id["wp-103"]["author"] == "Inês"
    assert [cid for cid, comment in by_id.items() if comment.get("owner")] == ["wp-101"]
    assert by_id["wp-101"]["owner"] is True


def test_html_in_comments_is_sanitised_by_the_build(imported):
    site, _ = imported
    site.build()
    page = site.page("/2012/03/14/hello-world/")
    assert "<script" not in page and "alert('xss')" not in page
    assert "javascript:" not in page
    assert "&lt;script&gt;shown as text&lt;/script&gt;" in page
    # The link lost its javascript: address, so it is its text: an <a rel> without an
    # href is not valid HTML.
    assert "<p>click &amp; " in page and '<a rel="nofollow ugc">' not in page


def test_pending_comments_wait_in_the_moderation_queue(imported):
    site, _ = imported
    queue = Queue(site.paths)
    assert queue.ids() == ["wp-106"]
    pending = queue.get("wp-106")
    assert (pending.post, pending.author, pending.email, pending.body, pending.source) == (
        "2012-03-14-hello-world", "Stranger", "s@example.com", "Is this thing on?\n", "import")
    site.build()
    assert "Is this thing on?" not in site.page("/2012/03/14/hello-world/")
    queue.approve(["wp-106"])
    site.build()
    assert "Is this thing on?" in site.page("/2012/03/14/hello-world/")


def test_old_addresses_redirect_and_query_addresses_go_in_one_table(imported):
    site, _ = imported
    site.build()
    assert 'url=/2012/03/14/hello-world/"' in site.page("/2012/03/hello-world/")
    table = json.loads((site.output / "query-redirects.json").read_text())
    assert table == {"/": {"p=10": "/2012/03/14/hello-world/", "p=16": "/2019/05/18/blocks-ete/",
                           "page_id=20": "/about/", "page_id=21": "/archive-page/"}}
    home = site.page("/")
    assert re.search(r'\}\)\(\["p", "page_id"\], "/query-redirects.json", "/"\);\s*</script>\s*'
                     r"</head>", home)
    others = [p for p in site.output.rglob("*.html") if p != site.output / "index.html"]
    assert others and not any("query-redirects" in p.read_text() for p in others)


def test_a_truncated_export_writes_nothing(make_site, tmp_path):
    text = (EXPORTS / "wordpress.xml").read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("<title><![CDATA[Private notes")])
    site = new_site(make_site)
    with pytest.raises(ExportError) as caught:
        import_into(site, "wordpress", cut)
    (problem,) = caught.value.problems
    assert problem.message.startswith("the file ends before the XML does")
    assert problem.line == len(cut.read_text().splitlines())
    assert not (site.root / "content").exists()


def test_a_post_without_a_date_is_named_by_line(make_site, tmp_path):
    text = (EXPORTS / "wordpress.xml").read_text()
    broken = tmp_path / "nodate.xml"
    start = text.index("<wp:post_date><![CDATA[2019-05-18 08:00:00]]>")
    end = text.index("<wp:comment_status>", start)
    broken.write_text(text[:start] + text[end:])
    site = new_site(make_site)
    with pytest.raises(ExportError) as caught:
        import_into(site, "wordpress", broken)
    (problem,) = caught.value.problems
    item_line = text[:text.rindex("<item>", 0, start)].count("\n") + 1
    assert (problem.message, problem.line) == ("the post has no date (<wp:post_date>)", item_line)
    assert not (site.root / "content").exists()


def test_a_plain_rss_feed_is_not_a_wordpress_export(make_site, tmp_path):
    feed = tmp_path / "rss.xml"
    feed.write_text("<rss><channel><title>x</title>\n<item><title>a</title></item></channel></rss>")
    with pytest.raises(ExportError) as caught:
        import_into(new_site(make_site), "wordpress", feed)
    assert str(caught.value).endswith("rss.xml:2: not a WordPress export: an <item> comes "
                                      "before any <wp:wxr_version>, so this is a plain RSS feed")
