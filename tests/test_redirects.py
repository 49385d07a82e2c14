"""content/redirects.yml: old addresses that nothing owns, built as redirect pages; every
mistake named with its line."""

from __future__ import annotations

import functools
import html
import re
from urllib.parse import quote

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.errors import ContentError, Problem

from helpers import post, run_sitegen
from import_support import EXPORTS, import_into, new_site, read

REDIRECTS = "content/redirects.yml"


@pytest.fixture
def site(make_site):
    return make_site({
        "sitegen.toml": 'base_url = "https://example.org"\n',
        "content/posts/2010-08-31-hello.md": post("Hello", tags="[Pão]"),
    })


def test_each_old_address_becomes_a_redirect_page(site):
    site.write(REDIRECTS, """
        # Blogger's label pages, now tag pages.
        /search/label/Pão: /tags/pao/
        /feeds/index.html: /archive/
    """)
    site.build()
    page = site.page("/search/label/Pão/")  # a folder, which a static host serves for it
    assert '<meta http-equiv="refresh" content="0; url=/tags/pao/">' in page
    assert '<link rel="canonical" href="https://example.org/tags/pao/">' in page
    assert "<title>/tags/pao/</title>" in page
    assert '<a href="/tags/pao/">/tags/pao/</a>' in page
    assert "url=/archive/" in site.page("/feeds/index.html")


def test_an_empty_file_redirects_nothing(site):
    site.build()
    site.write(REDIRECTS, "# nothing yet\n")
    report = site.build()
    assert (report.written, report.deleted) == ((), ())


def test_every_bad_entry_is_named_with_its_line(site, monkeypatch):
    site.write(REDIRECTS, """
        search/label/Bread: /tags/bread/
        /?p=12: /2010/08/31/hello/
        /old/: https://elsewhere.example/
        /twice: /tags/pao/
        /twice/: /archive/
        /ok/: /tags/pao/
    """)
    monkeypatch.chdir(site.root)
    with pytest.raises(ContentError) as caught:
        site.build()
    assert [str(problem) for problem in caught.value.problems] == [
        f"{REDIRECTS}:1: 'search/label/Bread' is not an old address: write a path such as "
        "/search/label/Bread",
        f"{REDIRECTS}:2: '/?p=12' cannot be a file on a static host; an address with a query "
        "(/?p=123) belongs in the 'aliases' of the post it leads to",
        f"{REDIRECTS}:3: '/old/' must lead to a path of this site, such as /tags/bread/, not "
        "'https://elsewhere.example/'",
        f"{REDIRECTS}:5: redirects '/twice/' again (first at line 4)",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("- /a/\n", "1: must be a mapping of old addresses to new ones, such as "
                "'/search/label/Bread: /tags/bread/'"),
    ("/a/: [/b/\n", "2: not valid YAML: did not find expected ',' or ']'"),
])
def test_a_file_that_is_not_a_mapping_is_an_error_with_its_line(site, text, message):
    site.write(REDIRECTS, text)
    result = run_sitegen("build", cwd=site.root)
    assert (result.returncode, result.stderr) == (1, f"error: {REDIRECTS}:{message}\n")


def test_a_redirect_cannot_take_the_address_of_a_page(site):
    site.build()
    before = site.files()
    site.write(REDIRECTS, "/2010/08/31/hello/: /tags/pao/\n/tags/: /archive/\n")
    result = run_sitegen("build", cwd=site.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {REDIRECTS}:1: /2010/08/31/hello/ is also the address of "
        "content/posts/2010-08-31-hello.md",
        f"error: {REDIRECTS}:2: /tags/ is also the address of sitegen's own /tags/ page",
    ]
    assert site.files() == before


# Aliases and redirects are compared as the host sees them, after normalising.

HELLO = "content/posts/2020-01-02-hello.md"


@pytest.fixture
def hello(make_site):
    """A built site with one post at /2020/01/02/hello/, tagged bread."""
    site = make_site({
        "sitegen.toml": 'base_url = "https://example.org"\n',
        HELLO: post("Hello", date="2020-01-02", tags="[bread]"),
    })
    site.build()
    return site


@pytest.mark.parametrize(("alias", "message"), [
    ("/./", "/./ is /, also the address of sitegen's own / page"),
    ("/tags/./", "/tags/./ is /tags/, also the address of sitegen's own /tags/ page"),
    ("/.//feed.xml", "/.//feed.xml is /feed.xml, also the address of sitegen's own /feed.xml "
                     "page"),
    ("/tags//bread", "/tags//bread is /tags/bread/, also the address of sitegen's own "
                     "/tags/bread/ page"),
    ("/2020//01/02/hello/", f"/2020//01/02/hello/ is /2020/01/02/hello/, also the address of "
                            f"{HELLO} itself"),
])
def test_an_alias_that_lands_on_a_page_once_normalised_is_refused(hello, alias, message):
    before = hello.files()
    hello.write(HELLO, post("Hello", date="2020-01-02", tags="[bread]", aliases=f"['{alias}']"))
    result = run_sitegen("build", cwd=hello.root)
    assert (result.returncode, result.stderr) == (1, f"error: {HELLO}:5: {message}\n")
    assert hello.files() == before


@pytest.mark.parametrize(("alias", "reason"), [
    ('"/\\\\evil.example/"', "alias '/\\evil.example/' has a backslash, which browsers read "
                             "as '/'"),
    ('"/\\t/evil.example/"', "alias '/\\t/evil.example/' has the invisible character U+0009, "
                             "which browsers drop or misread"),
    ('"/tags/\\0/"', "alias '/tags/\\x00/' has the invisible character U+0000, which browsers "
                     "drop or misread"),
    ("/../up/", "alias '/../up/' goes above the site's root ('..')"),
    ("/.sitegen-output", "alias '/.sitegen-output' names a hidden file or folder "
                         "('.sitegen-output'); names starting with '.' are the output "
                         "folder's own"),
    ("/static/style.css", "/static/style.css is in /static/, where the theme's files are copied"),
])
def test_an_alias_that_cannot_be_a_page_of_the_site_is_refused(hello, alias, reason):
    before = hello.files()
    hello.write(HELLO, post("Hello", date="2020-01-02", tags="[bread]", aliases=f"[{alias}]"))
    result = run_sitegen("build", cwd=hello.root)
    assert (result.returncode, result.stderr) == (1, f"error: {HELLO}:5: {reason}\n")
    assert hello.files() == before


def test_two_old_addresses_on_one_place_are_refused_naming_both(hello):
    hello.write("content/posts/2020-02-03-other.md",
                post("Other", date="2020-02-03", aliases="['/old/hello.html', '/old//bye/']"))
    hello.write(HELLO, post("Hello", date="2020-01-02", aliases="['/old/./hello.html']"))
    hello.write(REDIRECTS, "/old/bye: /tags/bread/\n")
    result = run_sitegen("build", cwd=hello.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: content/posts/2020-02-03-other.md:4: /old/hello.html is also the address of "
        f"the old address /old/./hello.html in {HELLO}:4",
        f"error: {REDIRECTS}:1: /old/bye is /old/bye/, also the address of the old address "
        "/old//bye/ in content/posts/2020-02-03-other.md:4",
    ]


def test_a_redirect_that_lands_on_a_page_once_normalised_is_refused(hello):
    before = hello.files()
    hello.write(REDIRECTS, "/tags/./: /archive/\n/.//feed.xml: /archive/\n")
    result = run_sitegen("build", cwd=hello.root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {REDIRECTS}:1: /tags/./ is /tags/, also the address of sitegen's own /tags/ "
        "page",
        f"error: {REDIRECTS}:2: /.//feed.xml is /feed.xml, also the address of sitegen's own "
        "/feed.xml page",
    ]
    assert hello.files() == before


# Where a redirect leads: a path of this site, as the browser will read it.

OFF_SITE = [  # (as written in redirects.yml, what the error says it is)
    ("/\\evil.example/", "'/\\evil.example/': it has a backslash, which browsers read as '/'"),
    ('"/\\t/evil.example/"', "'/\\t/evil.example/': it has the invisible character U+0009, "
                             "which browsers drop or misread"),
    ('"/\\n/evil.example/"', "'/\\n/evil.example/': it has the invisible character U+000A, "
                             "which browsers drop or misread"),
    ("//evil.example/", "'//evil.example/'"),
    ("javascript:alert(1)", "'javascript:alert(1)'"),
]


@pytest.mark.parametrize(("target", "said"), OFF_SITE)
def test_a_redirect_to_anywhere_but_a_path_of_this_site_is_refused(hello, target, said):
    before = hello.files()
    hello.write(REDIRECTS, f"/old/: {target}\n")
    result = run_sitegen("build", cwd=hello.root)
    assert (result.returncode, result.stderr) == (
        1, f"error: {REDIRECTS}:1: '/old/' must lead to a path of this site, such as "
           f"/tags/bread/, not {said}\n")
    assert hello.files() == before


def test_a_redirect_page_leads_to_the_canonical_path(hello):
    hello.write(REDIRECTS, "/a/: /.//2020//01/02/hello/\n/b/: /tags/./bread/#top\n")
    hello.build()
    assert '<meta http-equiv="refresh" content="0; url=/2020/01/02/hello/">' in hello.page("/a/")
    assert '<meta http-equiv="refresh" content="0; url=/tags/bread/#top">' in hello.page("/b/")


# Imports: an old address that would take a page of the site is dropped, saying so.

def _wordpress_export(tmp_path, link: str, slug: str = "hello-world"):
    """The WordPress fixture with the first post's <link> and slug changed."""
    text = (EXPORTS / "wordpress.xml").read_text(encoding="utf-8")
    text = text.replace("<link>http://old.example/2012/03/hello-world/</link>",
                        f"<link>{link}</link>")
    text = text.replace("<wp:post_name><![CDATA[hello-world]]>",
                        f"<wp:post_name><![CDATA[{slug}]]>")
    export = tmp_path / "export.xml"
    export.write_text(text, encoding="utf-8")
    return export


def test_an_imported_alias_that_would_take_the_home_page_is_dropped_with_a_warning(
        make_site, tmp_path):
    site = new_site(make_site)
    report = import_into(site, "wordpress", _wordpress_export(tmp_path, "http://old.example/./"))
    hello = site.root / "content/posts/2012-03-14-hello-world.md"
    assert Problem("the old address '/./' is / here, an address of the site's own pages: not "
                   "kept as an alias", hello) in report.export.warnings
    assert "aliases: ['/?p=10']\n" in read(site, "content/posts/2012-03-14-hello-world.md")
    site.build()
    assert 'http-equiv="refresh"' not in site.page("/")
    assert "Hello, wörld" in site.page("/")


def test_imported_aliases_are_canonical_and_none_takes_another_posts_address(make_site,
                                                                             tmp_path):
    site = new_site(make_site)
    export = _wordpress_export(tmp_path, "http://old.example/2019//05/./18/blocks-ete")
    report = import_into(site, "wordpress", export)
    hello = site.root / "content/posts/2012-03-14-hello-world.md"
    assert "aliases: ['/?p=10']\n" in read(site, "content/posts/2012-03-14-hello-world.md")
    assert Problem("the old address '/2019//05/./18/blocks-ete' is /2019/05/18/blocks-ete/ "
                   "here, the address of content/posts/2019-05-18-blocks-ete.md: not kept as "
                   "an alias",
                   hello) in report.export.warnings
    site.build()
    assert "<h1>Blocks: a newer post</h1>" in site.page("/2019/05/18/blocks-ete/")


def test_a_long_permalink_of_wide_letters_imports_into_a_site_that_builds(make_site, tmp_path):
    """140 letters of two bytes each: a 280-byte folder name no file system can hold."""
    name = quote("é" * 140).lower()
    export = _wordpress_export(tmp_path, f"http://old.example/2012/03/{name}/", name)
    site = new_site(make_site)
    report = import_into(site, "wordpress", export)
    (post_file,) = (site.root / "content/posts").glob("2012-03-14-*.md")
    assert post_file.name == f"2012-03-14-{'e' * 100}.md"
    assert report.export.notes["slugs shortened to 100 characters"] == 1
    assert Problem(f"the old address '/2012/03/{'é' * 50}…' has a part longer than 200 bytes, "
                   "more than a file name can hold: not kept as an alias",
                   post_file) in report.export.warnings
    result = run_sitegen("build", cwd=site.root)
    assert (result.returncode, result.stderr) == (0, "")
    assert "Hello, wörld" in site.page(f"/2012/03/14/{'e' * 100}/")


# Fuzzing: whatever the aliases and redirects say, a build succeeds or says what is wrong in
# one line per problem, and a failed build leaves the published site as it was.

ADDRESS_PIECES = st.sampled_from(["/", "//", ".", "..", "%2e", "\\", "\t", "\n", " ", "\0",
                                  "?", "#", ":", "tags", "bread", "feed.xml", "index.html",
                                  "2020", "01", "02", "hello", "static", "é", "javascript:"])
ADDRESSES = st.lists(ADDRESS_PIECES, max_size=10).map("".join)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(aliases=st.lists(ADDRESSES, max_size=3),
       redirects=st.lists(st.tuples(ADDRESSES, ADDRESSES), max_size=3))
def test_any_aliases_and_redirects_build_or_fail_in_one_line_each(hello, aliases, redirects):
    dump = functools.partial(yaml.safe_dump, allow_unicode=True, default_flow_style=True)
    hello.write(HELLO, post("Hello", date="2020-01-02", tags="[bread]",
                            aliases=dump(aliases).strip()))
    hello.write(REDIRECTS, dump(dict(redirects)) if redirects else "")
    before = hello.files()
    try:
        hello.build()
    except ContentError as error:
        assert all("\n" not in str(problem) for problem in error.problems)
        assert hello.files() == before
        return
    for page in hello.output.rglob("*.html"):
        for target in re.findall(r'http-equiv="refresh" content="0; url=([^"]*)"',
                                 page.read_text(encoding="utf-8")):
            assert target.startswith("/") and not target.startswith("//")
            assert not set(html.unescape(target)) & set("\\\t\n\r\0")
