"""Blogger exports in both forms, imported and built for real."""

from __future__ import annotations

import pytest
import yaml

from sitegen.importers.model import ExportError
from sitegen.private import store_of

from helpers import links
from import_support import EXPORTS, import_into, new_site, read, thread_ids


@pytest.fixture
def classic(make_site):
    site = new_site(make_site)
    report = import_into(site, "blogger", "blogger-classic.xml")
    return site, report


def test_classic_posts_pages_and_drafts_are_written(classic):
    site, report = classic
    assert sorted(p.path.relative_to(site.root).as_posix() for p in report.files) == [
        "content/comments/2010-08-31-pao-de-lo.yml",
        "content/pages/sobre.md",
        "content/posts/2010-08-31-pao-de-lo.md",
        "content/posts/2010-10-03-half-written-thoughts-on-rye.md",
        "content/redirects.yml",
    ]
    assert read(site, "content/posts/2010-08-31-pao-de-lo.md").startswith(
        "---\ntitle: Pão de Ló à moda de Ovar\ndate: 2010-08-31 23:30:00-07:00\n"
        "tags: [Pão, receitas]\naliases: [/2010/08/pao-de-lo.html]\n---\n\n"
        "A soft sponge, **barely** baked.\n\n<!--more-->\n\n")
    assert read(site, "content/posts/2010-10-03-half-written-thoughts-on-rye.md") == (
        "---\ntitle: Half-written thoughts on rye\ndate: 2010-10-03 08:00:00+01:00\n"
        "draft: true\n---\n\nNot ready yet.\n")
    assert read(site, "content/pages/sobre.md") == (
        "---\ntitle: Sobre mim\nmenu: true\naliases: [/p/sobre.html]\n---\n\nI bake, I walk.\n")


def test_label_pages_lead_to_their_tag_pages(classic):
    site, _ = classic
    assert read(site, "content/redirects.yml") == (
        "# Old addresses, each leading to a page of this site (old: new).\n"
        "# The build writes a redirect page at each old address.\n"
        "/search/label/Pão/: /tags/pao/\n"
        "/search/label/receitas/: /tags/receitas/\n")
    site.build()
    assert 'url=/tags/pao/"' in site.page("/search/label/Pão/")
    assert (site.output / "tags/pao/index.html").is_file()


def test_classic_summary_counts_everything(classic):
    _, report = classic
    assert report.summary() == (
        "imported 1 post, 1 draft, 1 page and 3 comments from 10 entries\n"
        "old label, tag and category pages redirected: 2 (content/redirects.yml)\n"
        "left out:\n"
        "  blog settings entries: 1\n"
        "  blog template entries: 1\n"
        "  comments on pages (sitegen pages have no comments): 1\n"
        "  deleted comments: 1"
    )


def test_classic_comments_keep_replies_from_related_links(classic):
    site, _ = classic
    thread = yaml.safe_load(read(site, "content/comments/2010-08-31-pao-de-lo.yml"))
    assert [(c["id"], c.get("replyto")) for c in thread] == [
        ("blogger-2001", None), ("blogger-2002", "blogger-2001"),
        ("blogger-2003", "blogger-2002")]
    assert "email" not in thread[0] and "email" not in thread[1]
    store = store_of(site.root)
    assert store.email_of("blogger-2001") == "ana@example.com"
    assert store.email_of("blogger-2002") is None
    assert thread[0]["body"] == "Looks *great*!<br>\nWhich flour? &lt;script&gt;alert(1)" \
                                "&lt;/script&gt;\n"
    site.build()
    page = site.page("/2010/08/31/pao-de-lo/")
    assert thread_ids(page) == [(1, "blogger-2001"), (2, "blogger-2002"), (3, "blogger-2003")]
    assert "Obrigada! Ελληνικά too 🍞" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page and 'alert("x")' not in page


def test_classic_old_addresses_redirect_to_the_new_ones(classic):
    site, _ = classic
    site.build()
    redirect = site.page("/2010/08/pao-de-lo.html")
    assert '<link rel="canonical" href="https://example.org/2010/08/31/pao-de-lo/">' in redirect
    assert '<meta http-equiv="refresh" content="0; url=/2010/08/31/pao-de-lo/">' in redirect
    assert 'url=/sobre/"' in site.page("/p/sobre.html")
    assert not (site.output / "2010" / "10").exists(), "drafts are not built"
    built = site.page("/2010/08/31/pao-de-lo/")
    assert '<iframe allowfullscreen="" height="315" src="https://www.youtube.com/embed/abc123"' \
        in built
    assert links(built, "/2010/08/31/pao-de-lo/", "nav a") == {"/sobre/"}


@pytest.fixture
def modern(make_site):
    site = new_site(make_site)
    report = import_into(site, "blogger", "blogger-2018.xml")
    return site, report


def test_newer_form_dates_in_utc_move_to_the_site_zone(modern):
    site, _ = modern
    post = read(site, "content/posts/2021-07-01-serra-da-estrela-at-midnight.md")
    assert post.startswith("---\ntitle: Serra da Estrela at midnight\n"
                           "date: 2021-07-01 00:30:00+01:00\ntags: [walks, Serra]\n"
                           "aliases: [/2021/06/serra-da-estrela-at-midnight.html]\n---\n")
    site.build()
    assert "We started walking at 23:30 &amp; kept going." in \
        site.page("/2021/07/01/serra-da-estrela-at-midnight/")


def test_newer_form_statuses(modern):
    site, report = modern
    assert report.summary() == (
        "imported 2 posts, 1 draft, 1 page and 4 comments from 11 entries\n"
        "queued for moderation: 1 comment (see `sitegen comments list`)\n"
        "old label, tag and category pages redirected: 2 (content/redirects.yml)\n"
        "kept differently:\n"
        "  scheduled posts (the build shows them from their date): 1\n"
        "left out:\n"
        "  spam comments: 1\n"
        "  trashed posts: 1"
    )
    assert [c.author for _, c in report.export.pending] == ["Stranger"]
    assert "draft: true" in read(site, "content/posts/2021-08-01-draft-about-boots.md")
    assert "aliases" not in read(site, "content/posts/2021-08-01-draft-about-boots.md")
    scheduled = read(site, "content/posts/2031-01-01-coming-soon.md")
    assert "draft" not in scheduled and "date: 2031-01-01 10:00:00+00:00" in scheduled
    site.build()
    assert not (site.output / "2031").exists(), "scheduled posts wait for their date"
    assert "Write to me." in site.page("/contacto/")


def test_newer_form_replies_nest_by_in_reply_to(modern):
    site, _ = modern
    site.build()
    page = site.page("/2021/07/01/serra-da-estrela-at-midnight/")
    assert thread_ids(page) == [(1, "blogger-501"), (2, "blogger-502"), (3, "blogger-503"),
                                (4, "blogger-504")]
    assert '<a href="https://trails.example/t1" rel="nofollow ugc">T1</a>' in page


def test_an_entry_without_a_date_is_an_error_naming_its_line(make_site, tmp_path):
    text = (EXPORTS / "blogger-2018.xml").read_text()
    broken = tmp_path / "nodate.xml"
    broken.write_text(text.replace("<published>2021-07-01T07:00:00Z</published>", ""))
    site = new_site(make_site)
    with pytest.raises(ExportError) as caught:
        import_into(site, "blogger", broken)
    (problem,) = caught.value.problems
    assert (problem.message, problem.line) == ("the comment entry has no date (<published>)", 31)
    assert not (site.root / "content").exists()


def test_a_wordpress_file_is_not_a_blogger_export(make_site):
    site = new_site(make_site)
    with pytest.raises(ExportError) as caught:
        import_into(site, "blogger", "wordpress.xml")
    assert caught.value.problems[0].message == (
        "not a Blogger export (an Atom <feed>): the document is <rss>, not <feed>")


def test_an_atom_feed_that_blogger_did_not_write_is_refused(make_site, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id>'
                    "<published>2020-01-01T00:00:00Z</published></entry></feed>")
    with pytest.raises(ExportError) as caught:
        import_into(new_site(make_site), "blogger", feed)
    assert caught.value.problems[0].message == (
        "not a Blogger export: no entry has a Blogger kind (category …/kind#post) or "
        "<blogger:type>")
