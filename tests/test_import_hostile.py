"""Exports as an attacker or bad luck would write them (issue 14): each import finishes, or
stops with one line naming the file, and what it writes builds."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from import_support import EXPORTS, import_into, new_site

BAD = "http://[::1"


def altered(tmp_path: Path, name: str, *changes: tuple[str, str]) -> Path:
    """A copy of the fixture export `name` with each (old, new) text replaced once."""
    text = (EXPORTS / name).read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path

# The export's Archive page lived at /archive/, which is the site's own archive page.
ARCHIVE_ALIAS = (None, "the old address '/archive/' is an address of the site's own pages: "
                       "not kept as an alias")


def written(site) -> str:
    """Every file the import wrote under content/, as one text."""
    return "".join(path.read_text(encoding="utf-8")
                   for path in sorted((site.root / "content").rglob("*")) if path.is_file())


def test_wordpress_urls_that_do_not_parse_are_left_out_with_a_warning(make_site, tmp_path):
    site = new_site(make_site)
    export = altered(
        tmp_path, "wordpress.xml",
        ("<link>http://old.example/2012/03/hello-world/</link>", f"<link>{BAD}</link>"),
        ("https://ana.example</wp:comment_author_url>", f"{BAD}</wp:comment_author_url>"),
        ("First line of the loaf post", f'<a href="{BAD}">First line</a> of the loaf post '
                                        f'<img src="{BAD}/x.jpg" alt="a loaf">'),
        ("Is it <b>sourdough</b>?", f'Is it <a href="{BAD}">sourdough</a>?'),
    )
    report = import_into(site, "wordpress", export)
    assert [(w.line, w.message) for w in report.export.warnings] == [
        (20, f"comment wp-100: left out the link to '{BAD}', which is not a valid URL, keeping "
             "its text"),
        (20, f"comment wp-100: left out its author's website '{BAD}', which is not a valid URL"),
        (20, f"post 'Hello, wörld — a first loaf': left out its old address '{BAD}', which "
             "is not a valid URL"),
        (20, f"post 'Hello, wörld — a first loaf': left out the link to '{BAD}', which is not "
             "a valid URL, keeping its text"),
        (20, f"post 'Hello, wörld — a first loaf': left out the image to '{BAD}/x.jpg', which "
             "is not a valid URL, keeping its text"),
        ARCHIVE_ALIAS,
    ]
    assert "[::1" not in written(site)
    assert "First line of the loaf post a loaf" in written(site)
    assert site.build().posts == 2  # and one scheduled


def test_an_attachment_whose_address_does_not_parse_is_left_out(make_site, tmp_path):
    site = new_site(make_site)
    export = altered(tmp_path, "wordpress-media.xml",
                     ("http://old.example/wp-content/uploads/hill.jpg", f"{BAD}/hill.jpg"))
    report = import_into(site, "wordpress", export)
    assert [(w.line, w.message) for w in report.export.warnings] == [
        (35, f"attachment 'The hill': left out its address '{BAD}/hill.jpg', which is not a "
             "valid URL")]
    site.build()
    assert "river.png" in written(site) and "hill" not in written(site)


def test_blogger_urls_that_do_not_parse_are_left_out_with_a_warning(make_site, tmp_path):
    site = new_site(make_site)
    export = altered(
        tmp_path, "blogger-classic.xml",
        ('href="https://paoecaminhos.blogspot.com/2010/08/pao-de-lo.html" title="Pão',
         f'href="{BAD}" title="Pão'),
        ("<uri>https://ana.example</uri>", f"<uri>{BAD}</uri>"),
    )
    report = import_into(site, "blogger", export)
    assert [(w.line, w.message) for w in report.export.warnings] == [
        (22, f"post 'Pão de Ló à moda de Ovar': left out its old address '{BAD}', which is "
             "not a valid URL"),
        (36, f"comment blogger-2001: left out its author's website '{BAD}', which is not a "
             "valid URL"),
    ]
    assert "[::1" not in written(site)
    assert site.build().posts == 1


def test_disqus_thread_addresses_that_do_not_parse_are_left_out(make_site, tmp_path):
    site = new_site(make_site)
    import_into(site, "wordpress", "wordpress.xml")
    export = altered(tmp_path, "disqus.xml", ("<link>https://example.org/2019/05/18/blocks-ete/",
                                              f"<link>{BAD}"))
    report = import_into(site, "disqus", export)
    assert [(w.line, w.message) for w in report.export.warnings][:2] == [
        (22, f"thread '2': left out the address '{BAD}', which is not a valid URL"),
        (22, "the thread has no address to find its post by, so its 1 comment(s) were left out")]
    assert report.skipped()["comments on threads with no post at their address"] == 2
    assert site.build().posts == 2


def test_bodies_nested_5000_deep_are_imported_with_a_warning(make_site, tmp_path):
    site = new_site(make_site)
    deep = "<div>" * 5000 + "{} survives" + "</div>" * 5000
    export = altered(tmp_path, "wordpress.xml",
                     ("First line of the loaf post", deep.format("The post")),
                     ("Is it <b>sourdough</b>?", deep.format("The comment")))
    report = import_into(site, "wordpress", export)
    assert [(w.line, w.message) for w in report.export.warnings] == [
        (20, "comment wp-100: its HTML is nested 5000 levels deep; below level 100 only the "
             "text is kept"),
        (20, "post 'Hello, wörld — a first loaf': its HTML is nested 5000 levels deep; below "
             "level 100 only the text is kept"),
        ARCHIVE_ALIAS,
    ]
    site.build()
    page = site.page("/2012/03/14/hello-world/")
    assert "The post survives" in page and "The comment survives" in page


def test_nested_lists_are_built_as_nested_lists(make_site, tmp_path):
    site = new_site(make_site)
    nested = "<ol><li>ordered item<ul><li>unordered</li><li>unordered</li></ul></li></ol>"
    export = altered(tmp_path, "wordpress.xml", ("First line of the loaf post", nested),
                     ("Is it <b>sourdough</b>?", nested))
    import_into(site, "wordpress", export)
    site.build()
    page = site.page("/2012/03/14/hello-world/")
    # The post's (Python-Markdown) and the comment's (cmark-gfm, which makes it a loose list).
    nested = BeautifulSoup(page, "html.parser").select("ol > li > ul > li")
    assert [item.get_text() for item in nested] == ["unordered"] * 4
    assert "ordered item - unordered" not in page


def test_a_comments_table_is_built_as_rows_of_text(make_site, tmp_path):
    site = new_site(make_site)
    table = "<table><tr><th>Flour</th><th>g</th></tr><tr><td>rye</td><td>200</td></tr></table>"
    export = altered(tmp_path, "wordpress.xml", ("Is it <b>sourdough</b>?", table))
    import_into(site, "wordpress", export)
    site.build()
    page = site.page("/2012/03/14/hello-world/")
    assert "<p>Flour | g<br>\nrye | 200</p>" in page
    assert "| --- |" not in page
