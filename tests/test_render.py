"""The renderer's own helpers: links made relative to a page or rooted under the site's
path, and the first image of a page for link previews."""

from __future__ import annotations

import pytest

from sitegen.render import first_image, relative_links, rooted_links

PAGE = "https://example.org/blog/2010/08/31/post/"


@pytest.mark.parametrize(("html", "image"), [
    ('<p><img alt="a" src="/static/loaf.jpg" /></p>', "https://example.org/static/loaf.jpg"),
    ('<img src="crumb.png"><img src="/second.png">', f"{PAGE}crumb.png"),
    ('<img\nclass="x" src="https://cdn.example/a.jpg?w=1&amp;h=2">',
     "https://cdn.example/a.jpg?w=1&h=2"),
    ('<p>No picture, only <a href="/img.png">a link</a>.</p>', ""),
])
def test_the_first_image_is_found_and_made_absolute(html, image):
    assert first_image(html, PAGE) == image


def test_site_links_become_relative_to_the_page_or_rooted_under_the_sites_path():
    html = '<a href="/">home</a> <link href="/static/s.css"> <a href="//cdn.example/x">x</a>'
    assert relative_links(html, "2010/08/31/post/index.html") == (
        '<a href="../../../../">home</a> <link href="../../../../static/s.css"> '
        '<a href="//cdn.example/x">x</a>')
    assert relative_links(html, "index.html") == (
        '<a href="./">home</a> <link href="static/s.css"> <a href="//cdn.example/x">x</a>')
    assert rooted_links(html, "/blog/") == (
        '<a href="/blog/">home</a> <link href="/blog/static/s.css"> '
        '<a href="//cdn.example/x">x</a>')
    assert rooted_links(html, "/") == html
