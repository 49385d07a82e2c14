"""Posts: front matter, dates and permalinks, slugs, Markdown, drafts, scheduled posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sitegen.config import BuildOptions
from sitegen.errors import ContentError

from conftest import NOW
from helpers import model, post


def load(site, **options):
    return model(site.paths, BuildOptions(now=NOW, **options))


def errors(site, monkeypatch) -> list[str]:
    monkeypatch.chdir(site.root)
    with pytest.raises(ContentError) as caught:
        load(site)
    return [str(problem) for problem in caught.value.problems]


def test_permalink_uses_the_date_as_written(make_site):
    site = make_site({
        "content/posts/late.md": post("Late", "2010-08-31T23:30:00-05:00"),
        "content/posts/naive.md": post("Naive", "2010-08-31 23:30"),
        "content/posts/day.md": post("Day only", "2010-08-31"),
    })
    urls = {p.stem: p.url for p in load(site).posts}
    assert urls == {
        "late": "/2010/08/31/late/",
        "naive": "/2010/08/31/naive/",
        "day": "/2010/08/31/day/",
    }


def test_naive_dates_are_in_the_site_timezone(make_site):
    site = make_site({
        "sitegen.toml": 'timezone = "Europe/Lisbon"\n',
        "content/posts/a.md": post("A", "2010-08-31 09:15"),
    })
    [loaded] = load(site).posts
    assert loaded.date.utcoffset() == timedelta(hours=1)
    assert loaded.date.astimezone(UTC) == datetime(2010, 8, 31, 8, 15, tzinfo=UTC)


def test_date_and_slug_from_the_file_name(make_site):
    site = make_site({"content/posts/2010-08-31-My Post, Again.md": post("T", date=None)})
    [loaded] = load(site).posts
    assert loaded.date.date().isoformat() == "2010-08-31"
    assert loaded.url == "/2010/08/31/my-post-again/"


def test_explicit_slug_and_unicode_titles(make_site):
    site = make_site({
        "content/posts/2019-05-18-zopf.md": post("Zopf", date=None, slug="Café in Zürich"),
    })
    assert load(site).posts[0].url == "/2019/05/18/cafe-in-zurich/"


def test_custom_permalink_pattern(make_site):
    site = make_site({
        "sitegen.toml": 'permalink = "/{year}/{month}/{slug}.html"\n',
        "content/posts/2010-08-31-hello.md": post("Hello"),
    })
    site.build()
    assert (site.output / "2010/08/hello.html").is_file()


def test_posts_are_newest_first_with_tags(make_site):
    site = make_site({
        "content/posts/a.md": post("Old", "2009-01-01", tags="[bread, Travel]"),
        "content/posts/b.md": post("New", "2010-01-01", tags="bread, code"),
    })
    model = load(site)
    assert [p.title for p in model.posts] == ["New", "Old"]
    assert model.posts[0].tags == ("bread", "code")
    assert [(t.name, t.slug, len(t.posts)) for t in model.tags] == [
        ("bread", "bread", 2), ("code", "code", 1), ("Travel", "travel", 1)
    ]


def test_drafts_are_left_out_unless_asked(make_site):
    site = make_site({
        "content/posts/a.md": post("Published"),
        "content/posts/b.md": post("Draft", draft="true"),
    })
    assert [p.title for p in load(site).posts] == ["Published"]
    assert {p.title for p in load(site, drafts=True).posts} == {"Published", "Draft"}


def test_scheduled_posts_are_left_out_unless_asked(make_site):
    tomorrow = (NOW + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    site = make_site({
        "content/posts/a.md": post("Now"),
        "content/posts/b.md": post("Later", tomorrow),
    })
    assert [p.title for p in load(site).posts] == ["Now"]
    assert {p.title for p in load(site, future=True).posts} == {"Now", "Later"}


def test_summary_from_front_matter_more_marker_or_first_paragraph(make_site):
    body = "First *para*.\n\nSecond para.\n\n<!--more-->\n\nThe rest."
    site = make_site({
        "content/posts/a.md": post("Given", "2010-01-03", summary="'A *given* summary.'"),
        "content/posts/b.md": post("Marker", "2010-01-02", body=body),
        "content/posts/c.md": post("First", "2010-01-01", body="Only *this*.\n\nNot this."),
        "content/posts/d.md": post("Short", "2009-01-01", body="All there is."),
    })
    by_title = {p.title: p for p in load(site).posts}
    assert by_title["Given"].summary_html == "<p>A <em>given</em> summary.</p>"
    assert by_title["Marker"].summary_html == "<p>First <em>para</em>.</p>\n<p>Second para.</p>"
    assert by_title["First"].summary_html == "<p>Only <em>this</em>.</p>"
    assert by_title["First"].has_more and by_title["Marker"].has_more
    assert not by_title["Short"].has_more


def test_markdown_features(make_site):
    body = (
        "[TOC]\n\n## Setup\n\n```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "A note[^1].\n\n[^1]: The footnote.\n\n<figure><figcaption>Raw HTML</figcaption></figure>\n"
    )
    site = make_site({"content/posts/a.md": post("Features", body=body, toc="true")})
    [loaded] = load(site).posts
    html = loaded.body_html
    assert '<div class="highlight"><pre>' in html and '<span class="nb">print</span>' in html
    assert "<table>" in html and "<td>2</td>" in html
    assert 'class="footnote"' in html and "The footnote." in html
    assert '<h2 id="setup">Setup</h2>' in html
    assert '<div class="toc">' in html and 'href="#setup"' in html
    assert loaded.show_toc and 'href="#setup"' in loaded.toc_html
    assert "<figure><figcaption>Raw HTML</figcaption></figure>" in html


def test_summary_carries_no_ids_or_footnote_links(make_site):
    site = make_site({"content/posts/a.md": post("F", body="Claim[^1].\n\n[^1]: Source.")})
    assert load(site).posts[0].summary_html == "<p>Claim.</p>"


def test_a_summary_before_the_marker_carries_no_heading_ids(make_site):
    body = "## Why\n\nBecause[^1].\n\n<!--more-->\n\n## Why\n\nThe rest.\n\n[^1]: Reasons."
    site = make_site({"content/posts/a.md": post("Ids", body=body)})
    [loaded] = load(site).posts
    assert loaded.summary_html == "<h2>Why</h2>\n<p>Because.</p>"
    assert '<h2 id="why_1">' in loaded.body_html  # the page's own ids stay


def test_comments_closed(make_site):
    site = make_site({
        "content/posts/a.md": post("Closed", comments="closed"),
        "content/posts/b.md": post("Open", "2010-09-01"),
    })
    assert {p.title: p.comments_open for p in load(site).posts} == {"Closed": False, "Open": True}


def test_static_pages(make_site):
    site = make_site({
        "content/pages/about.md": "---\ntitle: About me\nmenu: true\n---\nHi.\n",
        "content/pages/colophon.md": "---\ntitle: Colophon\nslug: how-its-made\n---\nMade.\n",
    })
    pages = {p.title: (p.url, p.menu) for p in load(site).pages}
    assert pages == {"About me": ("/about/", True), "Colophon": ("/how-its-made/", False)}


@pytest.mark.parametrize(("text", "expected"), [
    ("---\ntitle: [unclosed\n---\nx\n",
     "content/posts/bad.md:3: front matter is not valid YAML: did not find expected ',' or ']'"),
    ("---\ndate: 2010-08-31\n---\nNo title.\n",
     "content/posts/bad.md: missing 'title' in front matter"),
    ("---\ntitle: T\ntags: [a]\ndate: 31/08/2010\n---\nx\n",
     "content/posts/bad.md:4: bad date '31/08/2010': use YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 "
     "with an offset"),
    ("---\ntitle: T\n---\nx\n",
     "content/posts/bad.md: no 'date' in front matter and no YYYY-MM-DD- prefix in the file name"),
    ("No front matter at all.\n",
     "content/posts/bad.md:1: no front matter: start the file with a '---' line"),
    ("---\ntitle: T\ndate: 2010-01-01\ntags: 3\n---\nx\n",
     "content/posts/bad.md:4: 'tags' must be a list such as [bread, travel]"),
    ("---\ntitle: T\ndate: 2010-01-01\ndraft: maybe\n---\nx\n",
     "content/posts/bad.md:4: 'draft' must be true or false, not 'maybe'"),
    ("---\n- a list\n---\nx\n",
     "content/posts/bad.md:2: front matter must be 'key: value' lines"),
    (b"---\ntitle: caf\xe9\n---\n",
     "content/posts/bad.md:2: not UTF-8 text; save it as UTF-8"),
])
def test_broken_posts_get_one_line_naming_file_and_line(make_site, monkeypatch, text, expected):
    site = make_site({"content/posts/bad.md": text})
    assert errors(site, monkeypatch) == [expected]


def test_every_broken_file_is_reported_at_once(make_site, monkeypatch):
    site = make_site({
        "content/posts/a.md": "---\ndate: 2010-01-01\n---\n",
        "content/posts/b.md": "---\ntitle: B\ndate: soon\n---\n",
        "content/posts/c.md": post("Fine"),
    })
    assert errors(site, monkeypatch) == [
        "content/posts/a.md: missing 'title' in front matter",
        "content/posts/b.md:3: bad date 'soon': use YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 "
        "with an offset",
    ]


def test_metadata_is_read_without_converting_markdown(tmp_path, monkeypatch):
    from sitegen.config import Config
    from sitegen.posts import read_meta

    def never(*args, **kwargs):
        raise AssertionError("Markdown was converted")

    monkeypatch.setattr("markdown.Markdown.convert", never)
    path = tmp_path / "2010-08-31-hello.md"
    data = post("Hello", date="2010-08-31 09:15", body="*Hi*", draft=True).encode()
    meta = read_meta(path, data, Config())
    assert (meta.stem, meta.title, meta.slug, meta.url, meta.draft) == (
        "2010-08-31-hello", "Hello", "hello", "/2010/08/31/hello/", True)
    with pytest.raises(ContentError, match="'draft' must be true or false"):
        read_meta(path, post("Hello", draft="maybe").encode(), Config())


@pytest.mark.parametrize(("draft", "days", "options", "published"), [
    (False, -1, {}, True),
    (True, -1, {}, False),
    (True, -1, {"drafts": True}, True),
    (False, 1, {}, False),
    (False, 1, {"future": True}, True),
    (False, 0, {}, True),  # dated this very moment: shown
])
def test_one_rule_says_which_posts_are_published(tmp_path, draft, days, options, published):
    from sitegen.config import Config
    from sitegen.posts import is_published, read_meta

    when = NOW + timedelta(days=days)
    data = post("A", date=when.isoformat(), draft=draft).encode()
    meta = read_meta(tmp_path / "a.md", data, Config())
    assert is_published(meta, BuildOptions(now=NOW, **options)) is published
