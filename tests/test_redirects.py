"""content/redirects.yml: old addresses that nothing owns, built as redirect pages; every
mistake named with its line."""

from __future__ import annotations

import pytest

from sitegen.errors import ContentError

from helpers import post, run_sitegen

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
        f"error: {REDIRECTS}: /2010/08/31/hello/ is also the address of "
        "content/posts/2010-08-31-hello.md",
        f"error: {REDIRECTS}: /tags/ is also the address of sitegen's own /tags/ page",
    ]
    assert site.files() == before
