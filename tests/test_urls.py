"""sitegen/urls.py: every spelling of an address made one canonical address, and every text
that a browser would take off the site (or that could not be a file) refused."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen.urls import (
    AddressError,
    feed_address,
    listing_page,
    month_address,
    named_tag_address,
    output_path,
    page_address,
    permalink,
    reserved,
    site_address,
    tag_address,
    url_address,
    year_address,
)


@pytest.mark.parametrize(("text", "canonical"), [
    ("/", "/"),
    ("/./", "/"),
    ("/.", "/"),
    ("/tags/./", "/tags/"),
    ("/tags/.", "/tags/"),
    ("/tags//", "/tags/"),
    ("/tags", "/tags/"),
    ("/.//feed.xml", "/feed.xml"),
    ("/2020//01/02/hello/", "/2020/01/02/hello/"),
    ("/2020/01/../01/02/hello", "/2020/01/02/hello/"),
    ("/a/%2e/b/%2E%2e/c/", "/a/c/"),  # what the URL standard reads as . and ..
    ("/a/b/..", "/a/"),
    ("/2010/08/post.html", "/2010/08/post.html"),
    ("/search/label/Pão", "/search/label/Pão/"),
    ("/search/label/Sourdough bread", "/search/label/Sourdough bread/"),
    ("/.well-known/security.txt", "/.well-known/security.txt"),
])
def test_every_spelling_of_an_address_is_one_canonical_address(text, canonical):
    assert site_address(text) == canonical
    assert site_address(canonical) == canonical


def test_a_query_or_a_fragment_is_kept_only_where_asked_for():
    assert site_address("/./?p=123", query=True) == "/?p=123"
    assert site_address("/index.html?p=16", query=True) == "/index.html?p=16"
    assert site_address("/tags//pao/#top", fragment=True) == "/tags/pao/#top"
    with pytest.raises(AddressError, match="query"):
        site_address("/?p=123")
    with pytest.raises(AddressError, match="'#' part"):
        site_address("/about/#top", query=True)


@pytest.mark.parametrize(("text", "reason"), [
    ("", "is not a path of this site"),
    ("tags/", "is not a path of this site"),
    ("javascript:alert(1)", "is not a path of this site"),
    ("https://evil.example/", "is not a path of this site"),
    ("//evil.example/", "names another host"),
    ("///evil.example/", "names another host"),
    ("/\\evil.example/", "has a backslash"),
    ("\\/evil.example/", "is not a path of this site"),
    ("/\t/evil.example/", "U+0009"),
    ("/\n/evil.example/", "U+000A"),
    ("/\r/evil.example/", "U+000D"),
    ("/tags/\0/", "U+0000"),
    ("/\u200b/evil.example/", "U+200B"),
    ("/\u00a0/x/", "U+00A0"),
    ("/tags/ ", "ends in a space"),
    ("/../etc/passwd", "goes above the site's root"),
    ("/a/../../b/", "goes above the site's root"),
    ("/%2e%2e/", "goes above the site's root"),
    ("/.sitegen-output", "hidden file"),
    ("/tags/.htaccess", "hidden file"),
    ("/" + "a" * 201 + "/", "longer than 200 bytes"),
    ("/" + "é" * 101 + "/", "longer than 200 bytes"),
    ("/a" * 501 + "/", "longer than 1,000 bytes"),
])
def test_what_is_not_a_path_of_this_site_is_refused_saying_why(text, reason):
    with pytest.raises(AddressError, match=re.escape(reason)):
        site_address(text, query=True, fragment=True)


def test_the_file_a_host_serves_for_an_address():
    assert output_path("/") == "index.html"
    assert output_path("/tags/") == "tags/index.html"
    assert output_path("/feed.xml") == "feed.xml"
    assert output_path("/index.html?p=16") == "index.html"


def test_an_old_url_gives_its_path_and_query_with_escapes_decoded():
    assert url_address("http://old.example/./") == "/./"
    assert url_address("https://old.example/search/label/P%C3%A3o?max=20#x") == \
        "/search/label/Pão?max=20"
    assert url_address("http://old.example") == "/"
    with pytest.raises(AddressError, match="cannot be read as a URL"):
        url_address("http://[::1")


def test_a_permalink_pattern_makes_canonical_addresses():
    when = datetime(2020, 1, 2)
    assert permalink("/{year}/{month}/{day}/{slug}/", when, "hello") == "/2020/01/02/hello/"
    assert permalink("/{year}//{slug}", when, "hello") == "/2020/hello/"
    assert permalink("/blog/{slug}.html", when, "hello") == "/blog/hello.html"
    with pytest.raises(AddressError, match="root"):
        permalink("/../{slug}/", when, "hello")


def test_the_sites_own_addresses_are_reserved_for_imports():
    for address in ("/", "/index.html", "/tags/", "/tags/bread/", "/feed.xml", "/2020/",
                    "/2020/01/", "/archive/", "/static/style.css", "/comments/feed.xml"):
        assert reserved(address), address
    for address in ("/2020/01/02/hello/", "/about/", "/?p=1", "/search/label/Bread/"):
        assert not reserved(address), address


def test_the_scheme_gives_tags_archives_feeds_and_later_pages_their_addresses():
    assert tag_address("bread") == "/tags/bread/"
    assert named_tag_address("Sourdough Bread") == "/tags/sourdough-bread/"
    assert year_address(2024) == "/2024/"
    assert year_address(987) == "/0987/"
    assert month_address(2024, 5) == "/2024/05/"
    assert feed_address(tag_address("bread")) == "/tags/bread/feed.xml"
    assert listing_page("/", 1) == "/"
    assert listing_page("/", 2) == "/page/2/"
    assert listing_page("/tags/bread/", 3) == "/tags/bread/page/3/"
    assert page_address("about") == "/about/"


def test_every_address_of_the_scheme_is_canonical_and_reserved_but_posts_and_pages():
    own = [tag_address("bread"), month_address(2024, 5), year_address(2024),
           feed_address(tag_address("bread")), listing_page("/", 2),
           listing_page(tag_address("bread"), 2)]
    for address in own:
        assert site_address(address) == address
        assert reserved(address), address
    assert not reserved(page_address("about"))
    assert not reserved(permalink("/{year}/{month}/{day}/{slug}/", datetime(2024, 5, 1), "a"))


def test_every_file_a_build_writes_is_at_a_reserved_address_but_posts_and_pages(make_site):
    post = "---\ntitle: {n}\ndate: 2024-0{n}-01\ntags: [Bread, Sourdough loaf]\n---\nBody\n"
    site = make_site({
        "sitegen.toml": 'title = "T"\nbase_url = "https://example.org/"\nposts_per_page = 1\n',
        **{f"content/posts/2024-0{n}-01-p{n}.md": post.format(n=n) for n in (1, 2)},
        "content/pages/about.md": "---\ntitle: About\n---\nHi\n",
    })
    site.build()
    mine = {"/about/", "/2024/01/01/p1/", "/2024/02/01/p2/"}
    addresses = {"/" + path.removesuffix("index.html") for path in site.files()}
    assert mine < addresses
    assert {"/page/2/", "/tags/sourdough-loaf/page/2/", "/2024/02/"} < addresses
    assert [address for address in addresses - mine if not reserved(address)] == []


# Texts that mix what makes an address tricky: separators, dots, escapes, hosts, schemes.
PIECES = st.sampled_from(["/", "//", ".", "..", "%2e", "%2E%2e", "\\", "\t", "\n", " ", "\0",
                          "?", "#", ":", "@", "evil.example", "tags", "feed.xml", "a",
                          "\u200b", "é", "javascript:", "http:", "%2f", "%5c"])
TEXTS = st.lists(PIECES, max_size=12).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("/\t/evil.example/")
@example("/\\evil.example/")
@example("/.//evil.example/")
def test_any_text_is_refused_or_a_canonical_path_of_this_site(text):
    try:
        address = site_address(text, query=True, fragment=True)
    except AddressError as error:
        assert "\n" not in str(error)
        return
    assert site_address(address, query=True, fragment=True) == address  # canonical
    path = address.split("?", 1)[0].split("#", 1)[0]
    assert path.startswith("/") and "//" not in path and "\\" not in path
    assert not {".", ".."} & set(path.split("/"))
    assert not any(ord(char) < 0x20 or ord(char) == 0x7F for char in address)
    # Wherever a page of the site links to it, it stays on the site.
    for page in ("https://site.invalid/", "https://site.invalid/a/b/c.html"):
        assert urlsplit(urljoin(page, address)).netloc == "site.invalid"
