"""PLAN: every file the build writes, as data: output path, template, context, digest.

A page's context holds exactly what it shows, in small view objects (a listing holds titles,
dates and links, not whole posts), so its `digest` changes exactly when what it shows does.
That digest is what lets a build skip pages that are already current.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs

from markupsafe import Markup

from .collisions import refuse_collisions
from .comments import Comment, Thread
from .config import Config
from .digest import fingerprint
from .errors import ContentError, Problem
from .i18n import Language
from .posts import Alias, Post, StaticPage
from .site import Site, Tag, Year
from .urls import (
    ARCHIVE,
    COMMENTS_FEED,
    FEED,
    HOME,
    NOT_FOUND,
    QUERY_TABLE,
    ROBOTS,
    SEARCH,
    SITEMAP,
    TAGS,
    feed_address,
    listing_page,
    output_path,
    thread_feed_address,
)

FEED_LENGTH = 20
HOME_COMMENTS = 5  # the newest comments, on the first page of the home page
# The context key of a page that sends old query-string addresses (/?p=123) on.
QUERY_REDIRECTS = "query_redirects"


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
    draft: bool = False  # shown only by `--drafts` builds, such as a preview
    reading_minutes: int = 1


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
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def name(self) -> str:
        """The month's name in English (themes in other languages format `first_day`)."""
        return self.first_day.strftime("%B")


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
    feed_url: str = FEED
    comments_feed_url: str = COMMENTS_FEED


@dataclass(frozen=True)
class RecentComment:
    comment: Comment
    post: Link


@dataclass(frozen=True)
class PlannedFile:
    """One output file: where it goes, how it is rendered, and what it was made from."""

    url: str
    template: str
    context: dict
    sources: tuple[Path, ...] = ()
    old: Alias | None = None  # a redirect page's old address, as its source writes it

    @cached_property
    def path(self) -> str:
        """The output file, relative to the output folder (asked for several times a page)."""
        return output_path(self.url)

    @cached_property
    def digest(self) -> str:
        return fingerprint((self.url, self.template, self.context))


class Words(Protocol):
    """The site's language, for the titles of pages (see `i18n.Language`)."""

    def gettext(self, message: str) -> str: ...

    def format_date(self, when: date, format: str) -> str: ...


def plan(site: Site, words: Words | None = None) -> list[PlannedFile]:
    """Every page of the site, titled in `words` (default: the site's language, with no
    catalogs: English); ContentError if two of them claim one output path."""
    words = words or Language(site.config.language, (), None)
    info = _site_info(site)
    # One link and one teaser per post, shared by every page that shows it (and hashed once).
    links = {id(post): _link(post) for post in site.posts}
    teasers = {id(post): _teaser(site, post) for post in site.posts}
    pages = [*_post_pages(site, info, links, words), *_static_pages(site, info)]
    recent = _recent_comments(site, links) if site.config.comments.enabled else ()
    pages += _listing(site, info, HOME, site.posts, teasers, "index.html", None, words,
                      {"recent_comments": _home_comments(site, links, recent)})
    archive = _archive_years(site.years, links)
    pages += [_archive(info, ARCHIVE, archive, words.gettext("Archive"), "all")]
    for year in archive:
        pages.append(_archive(info, year.url, (year,), str(year.year), "year"))
        pages += [
            _archive(info, month.url, (ArchiveYear(year.year, year.url, (month,)),),
                     words.format_date(month.first_day, "yMMMM"), "month")
            for month in year.months
        ]
    tags = tuple(TagCount(tag.name, tag.url, len(tag.posts)) for tag in site.tags)
    pages.append(PlannedFile(TAGS, "tags.html", _html(info, words.gettext("Tags"), tags=tags)))
    for tag in site.tags:
        pages += _listing(site, info, tag.url, tag.posts, teasers, "tag.html", tag.name, words)
        pages.append(_feed(site, info, feed_address(tag.url), tag.posts, tag))
    pages.append(_feed(site, info, info.feed_url, site.posts, None))
    if site.config.comments.enabled:
        pages.append(_comments_feed(info, recent, words))
    pages.append(PlannedFile(NOT_FOUND, "404.html", _html(info, words.gettext("Page not found"))))
    if site.config.search:
        pages.append(PlannedFile(SEARCH, "search.html", _html(info, words.gettext("Search"))))
    pages.append(_sitemap(site, pages))
    pages.append(PlannedFile(ROBOTS, "robots.txt", {"site": info}))
    pages += _redirects(site, info)
    pages = _with_query_redirects(site, pages)
    refuse_collisions(pages)
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


def _post_pages(site: Site, info: SiteInfo, links: dict[int, Link],
                words: Words) -> list[PlannedFile]:
    pages = []
    for index, post in enumerate(site.posts):
        older, newer = site.neighbours(index)
        thread: Thread = site.thread(post)
        feed = _thread_feed(info, post, thread, links[id(post)], words) \
            if thread.count and site.config.comments.enabled else None
        context = _html(
            info, post.title, post=post, thread=thread,
            older=older and links[id(older)], newer=newer and links[id(newer)],
            related=tuple(links[id(other)] for other in site.related(index)),
            comments_enabled=site.config.comments.enabled,
            comment_endpoint=site.config.comments.endpoint,
            thread_feed=feed and feed.url,
        )
        sources = (post.source,) if thread.source is None else (post.source, thread.source)
        pages.append(PlannedFile(post.url, "post.html", context, sources))
        pages += [feed] if feed else []
    return pages


def _static_pages(site: Site, info: SiteInfo) -> list[PlannedFile]:
    return [
        PlannedFile(page.url, "page.html", _html(info, page.title, page=page), (page.source,))
        for page in site.pages
    ]


def _listing(site: Site, info: SiteInfo, base: str, posts, teasers: dict[int, Teaser],
             template: str, tag: str | None, words: Words,
             front: dict | None = None) -> list[PlannedFile]:
    """A paginated list of teasers at `base`, `base`page/2/, …; `tag` names a tag's list;
    `front` is more for the first page to show (the other pages get it empty)."""
    per_page = site.config.posts_per_page
    count = max(1, math.ceil(len(posts) / per_page))

    pages = []
    for number in range(1, count + 1):
        chunk = posts[(number - 1) * per_page : number * per_page]
        shown = tuple(teasers[id(post)] for post in chunk)
        pagination = Pagination(
            number, count,
            newer_url=listing_page(base, number - 1) if number > 1 else None,
            older_url=listing_page(base, number + 1) if number < count else None,
        )
        title = words.gettext("Posts tagged “%(tag)s”") % {"tag": tag} if tag else None
        if number > 1:
            title = (words.gettext("%(title)s, page %(number)d") if title else words.gettext(
                "Page %(number)d")) % {"title": title, "number": number}
        more = {key: value if number == 1 else () for key, value in (front or {}).items()}
        context = _html(info, title, posts=shown, pagination=pagination, tag=tag, **more)
        pages.append(PlannedFile(listing_page(base, number), template, context))
    return pages


def _teaser(site: Site, post: Post) -> Teaser:
    return Teaser(post.title, post.url, post.date, post.summary_html, post.has_more,
                  post.tags, site.thread(post).count, post.draft, post.reading_minutes)


def _archive_years(years: tuple[Year, ...], links: dict[int, Link]) -> tuple[ArchiveYear, ...]:
    return tuple(
        ArchiveYear(year.year, year.url, tuple(
            ArchiveMonth(year.year, month.month, month.url,
                         tuple(links[id(post)] for post in month.posts))
            for month in year.months))
        for year in years
    )


def _archive(info: SiteInfo, url: str, groups: tuple[ArchiveYear, ...], title: str,
             scope: str) -> PlannedFile:
    return PlannedFile(url, "archive.html", _html(info, title, years=groups, scope=scope))


def _feed(site: Site, info: SiteInfo, url: str, posts, tag: Tag | None) -> PlannedFile:
    title = f"{info.title}: {tag.name}" if tag else info.title
    alternate = tag.url if tag else HOME
    context = {"site": info, "feed_title": title, "feed_url": url, "alternate_url": alternate,
               "posts": tuple(posts[:FEED_LENGTH])}
    return PlannedFile(url, "atom.xml", context)


def _recent_comments(site: Site, links: dict[int, Link],
                     readers_only: bool = False) -> tuple[RecentComment, ...]:
    """The FEED_LENGTH newest comments of the shown posts (or only readers' comments, not
    the owner's), newest first."""
    # nlargest is sorted(..., reverse=True)[:n], without making an entry for every comment.
    recent = heapq.nlargest(FEED_LENGTH, _feed_candidates(site, readers_only),
                            key=lambda pair: pair[0].date)
    return tuple(RecentComment(comment, links[id(post)]) for comment, post in recent)


def _home_comments(site: Site, links: dict[int, Link],
                   recent: tuple[RecentComment, ...]) -> tuple[RecentComment, ...]:
    """The newest comments the home page shows: the feed's, or readers' only if the theme's
    `recent_comments_include_owner` is false."""
    if recent and not site.config.theme.recent_comments_include_owner:
        recent = _recent_comments(site, links, readers_only=True)
    return recent[:HOME_COMMENTS]


def _comments_feed(info: SiteInfo, recent: tuple[RecentComment, ...],
                   words: Words) -> PlannedFile:
    title = words.gettext("%(site)s: comments") % {"site": info.title}
    context = {"site": info, "feed_title": title,
               "feed_url": info.comments_feed_url, "alternate_url": HOME, "entries": recent}
    return PlannedFile(info.comments_feed_url, "comments_atom.xml", context)


def _thread_feed(info: SiteInfo, post: Post, thread: Thread, link: Link,
                 words: Words) -> PlannedFile:
    """The feed of one post's comments, newest first. It holds the thread itself, which a
    digest takes by its file's digest: planning never unpacks a stored thread's comments."""
    url = thread_feed_address(post.url)
    title = words.gettext("Comments on “%(title)s”") % {"title": post.title}
    context = {"site": info, "feed_title": title, "feed_url": url,
               "alternate_url": f"{post.url}#comments", "thread": thread, "post": link,
               "length": FEED_LENGTH}
    return PlannedFile(url, "thread_atom.xml", context, (post.source,))


def _feed_candidates(site: Site, readers_only: bool = False) -> list[tuple[Comment, Post]]:
    """(comment, post) for every comment (readers' only, with `readers_only`) of the threads
    that can hold one of the newest FEED_LENGTH, in site order. Threads are taken newest
    first until the next one's newest comment is older than FEED_LENGTH comments already
    taken, so that only those threads' comments are looked at (a stored thread unpacks them
    when asked); no thread left out has a comment as new as any that makes the feed, so the
    feed is the same as from all."""
    threads = sorted(((site.thread(post).latest, index) for index, post in enumerate(site.posts)
                      if site.thread(post).count), key=lambda pair: pair[0], reverse=True)
    newest: list[datetime] = []  # a heap of the FEED_LENGTH newest dates taken so far
    chosen: set[int] = set()
    for latest, index in threads:
        if len(newest) == FEED_LENGTH and latest < newest[0]:
            break
        chosen.add(index)
        for comment in site.thread(site.posts[index]).comments:
            if comment.removed or (readers_only and comment.owner):
                continue
            if len(newest) < FEED_LENGTH:
                heapq.heappush(newest, comment.date)
            elif comment.date > newest[0]:
                heapq.heapreplace(newest, comment.date)
    return [(comment, post) for index, post in enumerate(site.posts) if index in chosen
            for comment in site.thread(post).comments
            if not (comment.removed or (readers_only and comment.owner))]


def _sitemap(site: Site, pages: list[PlannedFile]) -> PlannedFile:
    updated = {post.url: post.updated for post in site.posts}
    urls = tuple(
        (page.url, updated.get(page.url))
        for page in pages
        if page.path.endswith(".html")
        and page.template not in ("404.html", "redirect.html", "search.html")
    )
    return PlannedFile(SITEMAP, "sitemap.xml", {"urls": urls})


def _redirects(site: Site, info: SiteInfo) -> list[PlannedFile]:
    """A redirect page at each old address: posts' and pages' aliases, and the entries of
    content/redirects.yml (whose title is where they lead)."""
    items: list[Post | StaticPage] = [*site.posts, *site.pages]
    return [
        *(PlannedFile(alias.address, "redirect.html",
               {"site": info, "target": item.url, "title": item.title}, (item.source,), alias)
          for item in items for alias in item.aliases if "?" not in alias.address),
        *(PlannedFile(entry.old, "redirect.html", {"site": info, "target": entry.target,
                                            "title": entry.target}, (entry.source,),
               Alias(entry.old, entry.written, entry.line))
          for entry in site.redirects),
    ]


def _with_query_redirects(site: Site, pages: list[PlannedFile]) -> list[PlannedFile]:
    """Aliases with a query string (WordPress's /?p=123) cannot be files: the host serves
    the page at their path, or the 404 page when there is none. So that page, and only that
    page, gets a small script that, when the address has one of the query's names, looks
    the query up in one table of old address -> permalink and goes there."""
    routes: dict[str, dict[str, str]] = {}
    names: dict[str, set[str]] = {}
    problems = []
    paths = {page.path for page in pages}
    for item in [*site.posts, *site.pages]:
        for alias in (a for a in item.aliases if "?" in a.address):
            path, query = alias.address.split("?", 1)
            host = output_path(path) if output_path(path) in paths else output_path(NOT_FOUND)
            names.setdefault(host, set()).update(parse_qs(query, keep_blank_values=True))
            table = routes.setdefault(path, {})
            if table.get(query, item.url) != item.url:
                problems.append(Problem(f"{alias.address} is also an alias of {table[query]}",
                                        item.source, alias.line))
            table[query] = item.url
    if problems:
        raise ContentError(*problems)
    if not routes:
        return pages
    hosted = [
        replace(page, context={**page.context, QUERY_REDIRECTS: {
            "names": sorted(names[page.path]), "table": QUERY_TABLE}})
        if page.path in names else page
        for page in pages
    ]
    return [*hosted, PlannedFile(QUERY_TABLE, "query_redirects.json", {"routes": routes})]
