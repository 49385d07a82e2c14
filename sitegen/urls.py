"""Addresses of the site: every path a reader's browser asks the host for, in one canonical
form, and the file a static host serves for it.

Each address the site has (a post's permalink, a page's, an alias, an entry of
content/redirects.yml and where it leads) goes through `site_address` once, where it is
loaded. Two spellings of one place (/tags/./, /tags//, /tags) are then one address, so
that two pages claiming it are seen to collide; and a text that a browser would take to
another host (//evil.example, /\\evil.example, "/\\t/evil.example") is refused, never
written into a page.

This module also owns the scheme: every address the build gives a page (a post's permalink
from the config's pattern, pages, tags, year and month archives, feeds, the pages of a long
listing, the sitemap, the 404 page), and so the addresses an old one may not take.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from datetime import datetime
from urllib.parse import unquote, urlsplit

from slugify import slugify

from .errors import shown

# File names are at most 255 bytes on the usual file systems, and the writers add the
# prefix and suffix of a temporary name to them: a segment of an address (a file or folder
# name in the output) may be 200 bytes. A whole address is bounded too, well within the
# 4,096 bytes of a path that also holds the output folder's own.
MAX_SEGMENT_BYTES = 200
MAX_ADDRESS_BYTES = 1000
# Hidden names (.name) are the output's own (its marker, temporary files); /.well-known/
# is the one hidden folder the web reserves for a site's root files (RFC 8615).
PUBLIC_HIDDEN = frozenset({".well-known"})
# What the URL standard reads as "this folder" and "the folder above" in a path.
DOT_SEGMENTS = frozenset({".", "%2e"})
DOUBLE_DOT_SEGMENTS = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})
# The folder of the theme's static files, copied as they are and never planned as pages.
STATIC_FOLDER = "/static/"
# The addresses of the build's own pages that do not depend on the content.
HOME = "/"
ARCHIVE = "/archive/"
TAGS = "/tags/"
FEED = "/feed.xml"
COMMENTS_FEED = "/comments/feed.xml"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
NOT_FOUND = "/404.html"
# The search page, with `search = true`; not among OWN_FOLDERS, since Blogger's old
# /search/label/... addresses may still be redirected.
SEARCH = "/search/"
# The table that sends old query-string addresses (/?p=123) on to their permalinks.
QUERY_TABLE = "/query-redirects.json"
# A listing's own feed is this file in its folder; its later pages are <listing>page/2/...
FEED_FILE = "feed.xml"
PAGINATION = "page/"
# Addresses the build gives its own pages: an old address among them cannot become a
# redirect. Whole folders: the archive, tags, the home page's later pages, the comments
# feed's folder and the theme's files; and the year (/2024/) and month (/2024/05/) archives.
OWN_FOLDERS = (ARCHIVE, TAGS, HOME + PAGINATION, posixpath.dirname(COMMENTS_FEED) + "/",
               STATIC_FOLDER)
OWN_FILES = frozenset({HOME, HOME + "index.html", FEED, COMMENTS_FEED, SITEMAP, ROBOTS,
                       NOT_FOUND, QUERY_TABLE})
ARCHIVE_ADDRESS = re.compile(r"^/\d{4}/(?:\d{2}/)?$")

class AddressError(ValueError):
    """Why a text is not an address of this site; says it as the end of a sentence that
    begins with the text ("'/a/../..' goes above the site's root")."""


def site_address(text: str, query: bool = False, fragment: bool = False) -> str:
    """`text` as the canonical address it names: '/' then segments without '.', '..' or
    empty ones, ending in '/' unless its last segment has a file extension (a static host
    serves the folder's index.html for it). `query` allows a '?query' and `fragment` a
    '#part' after the path, kept as written. AddressError if it is not a path of this
    site, could not be a file, or is spelt so that a browser might read it otherwise."""
    _refuse_tricks(text)
    path, rest = _split(text, query, fragment)
    segments = _resolved(path)
    address = "/" + "/".join(segments)
    if segments and (path.endswith("/") or _is_dot(path.rpartition("/")[2])
                     or not posixpath.splitext(segments[-1])[1]):
        address += "/"
    if len(address.encode()) > MAX_ADDRESS_BYTES:
        raise AddressError(f"is longer than {MAX_ADDRESS_BYTES:,} bytes")
    return address + rest


def _refuse_tricks(text: str) -> None:
    """Refuse what browsers read differently from a file path: a scheme or a host, a
    backslash (read as '/'), and characters they drop or that cannot be seen."""
    if not isinstance(text, str) or not text.startswith("/"):
        raise AddressError("is not a path of this site: write one that starts with '/', "
                           "such as /2010/08/post.html")
    if text.startswith("//"):
        raise AddressError("names another host ('//' at its start); a path of this site "
                           "starts with a single '/'")
    if "\\" in text:
        raise AddressError("has a backslash, which browsers read as '/'")
    for char in text:
        if char != " " and unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            raise AddressError(f"has the invisible character U+{ord(char):04X}, which "
                               "browsers drop or misread")
    if text != text.rstrip():
        raise AddressError("ends in a space, which browsers drop")


def _split(text: str, query: bool, fragment: bool) -> tuple[str, str]:
    """(path, '?query#fragment') of `text`, refusing the parts not allowed."""
    cut = min((at for at in (text.find("?"), text.find("#")) if at >= 0), default=len(text))
    path, rest = text[:cut], text[cut:]
    if "#" in rest and not fragment:
        raise AddressError("has a '#' part, which browsers never send to the host")
    if rest.startswith("?") and not query:
        raise AddressError("has a query ('?'), which a static host cannot serve as a file")
    return path, rest


def _resolved(path: str) -> list[str]:
    """The segments of `path` once '.' and empty ones are dropped and '..' resolved."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "" or segment.lower() in DOT_SEGMENTS:
            continue
        if segment.lower() in DOUBLE_DOT_SEGMENTS:
            if not segments:
                raise AddressError("goes above the site's root ('..')")
            segments.pop()
            continue
        if segment.startswith(".") and segment not in PUBLIC_HIDDEN:
            raise AddressError(f"names a hidden file or folder ('{shown(segment)}'); names "
                               "starting with '.' are the output folder's own")
        if len(segment.encode()) > MAX_SEGMENT_BYTES:
            raise AddressError(f"has a part longer than {MAX_SEGMENT_BYTES} bytes, more than "
                               "a file name can hold")
        segments.append(segment)
    return segments


def _is_dot(segment: str) -> bool:
    return segment.lower() in DOT_SEGMENTS or segment.lower() in DOUBLE_DOT_SEGMENTS


def url_address(url: str) -> str:
    """The path and query of a URL (an old blog's link, absolute or not) as the text of an
    address, escapes decoded since hosts decode them to find the file; not yet checked,
    which `site_address` does. AddressError if it cannot be read as a URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:  # such as an unclosed IPv6 host: http://[::1
        raise AddressError(f"cannot be read as a URL ({error})") from None
    path = unquote(parts.path) or "/"
    return f"{path}?{parts.query}" if parts.query else path


def permalink(pattern: str, date: datetime, slug: str) -> str:
    """A post's address from the configured pattern, using the date as written;
    AddressError if the pattern makes it something that is not an address."""
    return site_address(pattern.format(
        year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}", slug=slug
    ))


def page_address(slug: str) -> str:
    """A standalone page's address, such as /about/."""
    return site_address(f"/{slug}/")


def thread_feed_address(post_address: str) -> str:
    """The Atom feed of a post's comments: comments.xml in the post's folder
    (/2010/08/31/slug/comments.xml), or beside a post that is a file (/2010/slug.comments.xml)."""
    if post_address.endswith("/"):
        return post_address + "comments.xml"
    return posixpath.splitext(post_address)[0] + ".comments.xml"


def tag_address(slug: str) -> str:
    """The listing of a tag's posts, such as /tags/bread/."""
    return f"{TAGS}{slug}/"


@functools.lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    """The slug of a tag named `name` as a post writes it ("Sourdough bread"): tags whose
    names differ only in case or punctuation are one tag. (Remembered: the model groups
    and relates posts by it, and every teaser links its tags; slugify takes 10 µs a name.)"""
    return slugify(name)


def named_tag_address(name: str) -> str:
    """The listing of the tag named `name` as a post writes it."""
    return tag_address(tag_slug(name))


def year_address(year: int) -> str:
    """The archive of one year, such as /2024/."""
    return f"/{year:04d}/"


def month_address(year: int, month: int) -> str:
    """The archive of one month, such as /2024/05/."""
    return f"{year_address(year)}{month:02d}/"


def feed_address(listing: str) -> str:
    """The feed of a listing (a tag's), beside it: /tags/bread/feed.xml."""
    return f"{listing}{FEED_FILE}"


def listing_page(listing: str, number: int) -> str:
    """Page `number` (from 1) of a long listing: the listing itself, then
    <listing>page/2/ and so on."""
    return listing if number == 1 else f"{listing}{PAGINATION}{number}/"


def output_path(address: str) -> str:
    """The file a static host serves for `address`, relative to the output folder; a query
    is not part of it."""
    path = address.split("?", 1)[0].lstrip("/")
    return path + "index.html" if not path or path.endswith("/") else path


def reserved(address: str) -> bool:
    """Whether the build may give `address` (canonical) to one of its own pages."""
    return (address in OWN_FILES or address.startswith(OWN_FOLDERS)
            or ARCHIVE_ADDRESS.match(address) is not None)
