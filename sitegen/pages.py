"""PLAN: every file the build writes, as data: output path, template, context, digest.

A page's context holds exactly what it shows, in small view objects (a listing holds titles,
dates and links, not whole posts), so its `digest` changes exactly when what it shows does.
That digest is what lets a build skip pages that are already current.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from markupsafe import Markup

from .comments import Comment, Thread
from .config import Config
from .errors import ContentError, Problem, display_path
from .posts import Post, StaticPage
from .site import Site, Tag, Year

FEED_LENGTH = 20


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    date: date | None = None


@dataclass(frozen=True)
class Teaser:
    """A post as a listing shows it: enough to tempt, with a link to the rest."""

    title: str
    url: str
    date: date
    summary_html: Markup
    has_more: bool
    tags: tuple[str, ...]
    comment_count: int


@dataclass(frozen=True)
class TagCount:
    name: str
    url: str
    count: int


@dataclass(frozen=True)
class ArchiveMonth:
    year: int
    month: int
    url: str
    posts: tuple[Link, ...]

    @property
    def name(self) -> str:
        return date(self.year, self.month, 1).strftime("%B")


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    url: str
    months: tuple[ArchiveMonth, ...]

    @property
    def count(self) -> int:
        return sum(len(month.posts) for month in self.months)


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    newer_url: str | None
    older_url: str | None


@dataclass(frozen=True)
class SiteInfo:
    """What every page says about the site: its name, menu and feeds."""

    title: str
    description: str
    author: str
    language: str
    base_url: str
    menu: tuple[Link, ...]
    feed_url: str = "/feed.xml"
    comments_feed_url: str = "/comments/feed.xml"


@dataclass(frozen=True)
class RecentComment:
    comment: Comment
    post: Link


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, how it is rendered, and what it was made from."""

    url: str
    template: str
    context: dict
    sources: tuple[Path, ...] = ()

    @property
    def path(self) -> str:
        """The output file, relative to the output folder."""
        return output_path(self.url)

    @cached_property
    def digest(self) -> str:
        return fingerprint((self.url, self.template, self.context))


def output_path(url: str) -> str:
    path = url.split("?", 1)[0].lstrip("/")
    return path + "index.html" if not path or path.endswith("/") else path


def plan(site: Site) -> list[Page]:
    """Every page of the site; ContentError if two of them claim one output path."""
    info = _site_info(site)
    pages = [*_post_pages(site, info), *_static_pages(site, info)]
    pages += _listing(site, info, "/", site.posts, "index.html", None)
    pages += [_archive(info, "/archive/", site.years, "Archive", "all")]
    for year in site.years:
        pages.append(_archive(info, year.url, (year,), str(year.year), "year"))
        pages += [
            _archive(info, month.url, (Year(year.year, (month,)),), "", "month")
            for month in year.months
        ]
    tags = tuple(TagCount(tag.name, tag.url, len(tag.posts)) for tag in site.tags)
    pages.append(Page("/tags/", "tags.html", _html(info, "Tags", tags=tags)))
    for tag in site.tags:
        pages += _listing(site, info, tag.url, tag.posts, "tag.html", tag.name)
        pages.append(_feed(site, info, f"{tag.url}feed.xml", tag.posts, tag))
    pages.append(_feed(site, info, info.feed_url, site.posts, None))
    pages.append(_comments_feed(site, info))
    pages.append(Page("/404.html", "404.html", _html(info, "Page not found")))
    pages.append(_sitemap(site, pages))
    pages.append(Page("/robots.txt", "robots.txt", {"site": info}))
    pages += _redirects(site, info)
    _refuse_collisions(pages)
    return pages


def _site_info(site: Site) -> SiteInfo:
    config: Config = site.config
    menu = tuple(Link(page.title, page.url) for page in site.pages if page.menu)
    return SiteInfo(config.title, config.description, config.author, config.language,
                    config.base_url, menu)


def _html(info: SiteInfo, title: str | None, **context) -> dict:
    return {"site": info, "page_title": title, **context}


def _link(post: Post) -> Link:
    return Link(post.title, post.url, post.date)


def _post_pages(site: Site, info: SiteInfo) -> list[Page]:
    pages = []
    for index, post in enumerate(site.posts):
        older, newer = site.neighbours(index)
        thread: Thread = site.thread(post)
        context = _html(
            info, post.title, post=post, thread=thread,
            older=older and _link(older), newer=newer and _link(newer),
            comments_enabled=site.config.comments.enabled,
            comment_endpoint=site.config.comments.endpoint,
        )
        sources = (post.source,) if thread.source is None else (post.source, thread.source)
        pages.append(Page(post.url, "post.html", context, sources))
    return pages


def _static_pages(site: Site, info: SiteInfo) -> list[Page]:
    return [
        Page(page.url, "page.html", _html(info, page.title, page=page), (page.source,))
        for page in site.pages
    ]


def _listing(site: Site, info: SiteInfo, base: str, posts, template: str, tag: str | None):
    """A paginated list of teasers at `base`, `base`page/2/, …; `tag` names a tag's list."""
    per_page = site.config.posts_per_page
    count = max(1, math.ceil(len(posts) / per_page))

    def url(number: int) -> str:
        return base if number == 1 else f"{base}page/{number}/"

    pages = []
    for number in range(1, count + 1):
        chunk = posts[(number - 1) * per_page : number * per_page]
        teasers = tuple(_teaser(site, post) for post in chunk)
        pagination = Pagination(
            number, count,
            newer_url=url(number - 1) if number > 1 else None,
            older_url=url(number + 1) if number < count else None,
        )
        title = tag or (None if number == 1 else info.title)
        context = _html(info, title, posts=teasers, pagination=pagination, tag=tag)
        pages.append(Page(url(number), template, context))
    return pages


def _teaser(site: Site, post: Post) -> Teaser:
    return Teaser(post.title, post.url, post.date, post.summary_html, post.has_more,
                  post.tags, site.thread(post).count)


def _archive(info: SiteInfo, url: str, years: tuple[Year, ...], title: str, scope: str) -> Page:
    groups = tuple(
        ArchiveYear(year.year, year.url, tuple(
            ArchiveMonth(year.year, month.month, month.url, tuple(map(_link, month.posts)))
            for month in year.months))
        for year in years
    )
    if scope == "month":
        title = date(years[0].year, years[0].months[0].month, 1).strftime("%B %Y")
    return Page(url, "archive.html", _html(info, title, years=groups, scope=scope))


def _feed(site: Site, info: SiteInfo, url: str, posts, tag: Tag | None) -> Page:
    title = f"{info.title}: {tag.name}" if tag else info.title
    alternate = tag.url if tag else "/"
    context = {"site": info, "feed_title": title, "feed_url": url, "alternate_url": alternate,
               "posts": tuple(posts[:FEED_LENGTH])}
    return Page(url, "atom.xml", context)


def _comments_feed(site: Site, info: SiteInfo) -> Page:
    recent = sorted(
        (RecentComment(comment, _link(post)) for post in site.posts
         for comment in site.thread(post).comments),
        key=lambda entry: entry.comment.date, reverse=True,
    )
    context = {"site": info, "feed_title": f"{info.title}: comments",
               "feed_url": info.comments_feed_url, "alternate_url": "/",
               "entries": tuple(recent[:FEED_LENGTH])}
    return Page(info.comments_feed_url, "comments_atom.xml", context)


def _sitemap(site: Site, pages: list[Page]) -> Page:
    updated = {post.url: post.updated for post in site.posts}
    urls = tuple(
        (page.url, updated.get(page.url))
        for page in pages
        if page.path.endswith(".html") and page.template not in ("404.html", "redirect.html")
    )
    return Page("/sitemap.xml", "sitemap.xml", {"urls": urls})


def _redirects(site: Site, info: SiteInfo) -> list[Page]:
    items: list[Post | StaticPage] = [*site.posts, *site.pages]
    return [
        Page(alias, "redirect.html", {"site": info, "target": item.url, "title": item.title},
             (item.source,))
        for item in items for alias in item.aliases
    ]


def _refuse_collisions(pages: list[Page]) -> None:
    """Two pages on one output path is an error naming both, never an overwrite."""
    claimed: dict[str, Page] = {}
    problems = []
    for page in pages:
        first = claimed.setdefault(page.path, page)
        if first is page:
            continue
        # Report at the file a person can rename, naming the other in a stable order.
        kept, moved = sorted((first, page), key=lambda p: (bool(p.sources), p.sources))
        other = display_path(kept.sources[0]) if kept.sources else f"sitegen's own {kept.url} page"
        where = moved.sources[0] if moved.sources else None
        problems.append(Problem(f"{moved.url} is also the address of {other}", where))
    if problems:
        raise ContentError(*problems)


def fingerprint(value: object) -> str:
    """A digest of a page's inputs. Loaded items stand for themselves by `source_digest`."""
    digest = hashlib.blake2b(digest_size=16)
    _feed_digest(digest, value)
    return digest.hexdigest()


def _feed_digest(digest, value: object) -> None:
    source = getattr(value, "source_digest", None)
    if source is not None:
        digest.update(b"@" + source.encode())
    elif isinstance(value, str | int | float | bool | date) or value is None:
        text = value if isinstance(value, str) else repr(value)
        digest.update(b"%d:" % len(text) + text.encode())
    elif isinstance(value, tuple | list):
        digest.update(b"[%d" % len(value))
        for item in value:
            _feed_digest(digest, item)
    elif isinstance(value, dict):
        digest.update(b"{%d" % len(value))
        for key in sorted(value):
            _feed_digest(digest, key)
            _feed_digest(digest, value[key])
    elif is_dataclass(value):
        digest.update(type(value).__name__.encode())
        for item in fields(value):
            _feed_digest(digest, getattr(value, item.name))
    else:
        raise TypeError(f"cannot fingerprint {type(value).__name__} in a page context")
