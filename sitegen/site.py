"""MODEL: the whole site as one run shows it: posts, pages, threads, tags, archives and
redirects, made by a pure function of what load.py loaded.

The model is always complete, even when only one file changed, so listings are never stale;
what makes that cheap is that loading reuses what earlier builds loaded (state.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from .comments import Thread, empty_thread
from .config import BuildOptions, Config
from .errors import ContentError, Problem
from .load import Loaded
from .plural import count
from .posts import Post, StaticPage, is_published
from .redirects import Redirect
from .related import related_indices
from .urls import month_address, tag_address, tag_slug, year_address


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return tag_address(self.slug)


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    posts: tuple[Post, ...]

    @property
    def url(self) -> str:
        return month_address(self.year, self.month)


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]

    @property
    def url(self) -> str:
        return year_address(self.year)

    @property
    def posts(self) -> tuple[Post, ...]:
        return tuple(post for month in self.months for post in month.posts)


@dataclass(frozen=True)
class Site:
    """Everything a build shows. Posts are newest first; drafts and scheduled posts are
    already left out unless the run asked for them."""

    config: Config
    posts: tuple[Post, ...]
    pages: tuple[StaticPage, ...]
    threads: dict[str, Thread]
    warnings: tuple[Problem, ...] = ()
    redirects: tuple[Redirect, ...] = ()
    # The scheduled post that will appear next, when its date has passed (not shown yet).
    scheduled: Post | None = None
    tags: tuple[Tag, ...] = field(init=False)
    years: tuple[Year, ...] = field(init=False)
    _empty: dict[str, Thread] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _group_tags(self.posts))
        object.__setattr__(self, "years", _group_years(self.posts))

    def thread(self, post: Post) -> Thread:
        found = self.threads.get(post.stem)
        if found is None:
            # Made once per post: planning asks for every post's thread several times.
            found = self._empty.get(post.stem) or self._empty.setdefault(
                post.stem, empty_thread(post.stem))
        return found

    def related(self, index: int) -> tuple[Post, ...]:
        """Up to three posts related to `self.posts[index]`: sharing most tags, then
        nearest in date (see `related.py`)."""
        return tuple(self.posts[other] for other in self._related[index])

    @cached_property
    def _related(self) -> list[tuple[int, ...]]:
        tag_slugs = [tuple(dict.fromkeys(tag_slug(name) for name in post.tags))
                     for post in self.posts]
        return related_indices(tag_slugs, [post.date.timestamp() for post in self.posts])

    def neighbours(self, index: int) -> tuple[Post | None, Post | None]:
        """(older, newer) around `self.posts[index]`."""
        older = self.posts[index + 1] if index + 1 < len(self.posts) else None
        newer = self.posts[index - 1] if index > 0 else None
        return older, newer

    @property
    def comment_count(self) -> int:
        return sum(self.thread(post).count for post in self.posts)


def make_site(loaded: Loaded, config: Config, options: BuildOptions) -> Site:
    """The model of what `loaded` holds, as this run shows it; ContentError listing every
    problem found while loading, if there was one."""
    if loaded.problems:
        raise ContentError(*loaded.problems)
    by_stem = {thread.stem: thread for thread in loaded.threads}
    return Site(
        config=config,
        posts=tuple(_shown(loaded.posts, options)),
        pages=loaded.pages,
        threads=by_stem,
        warnings=_warnings(loaded.posts, by_stem),
        redirects=loaded.redirects,
        scheduled=_next_scheduled(loaded.posts, options),
    )


def _warnings(posts: tuple[Post, ...], threads: dict[str, Thread]) -> tuple:
    warnings = [warning for thread in threads.values() for warning in thread.warnings]
    stems = {post.stem for post in posts}
    warnings += [
        Problem(f"no post content/posts/{stem}.md for this comment thread", threads[stem].source)
        for stem in sorted(set(threads) - stems)
    ]
    return tuple(warnings) + _email_warning(threads)


def _email_warning(threads: dict[str, Thread]) -> tuple[Problem, ...]:
    """One warning for the whole build, at the first thread file that holds readers' email
    addresses, counting the others: they would reach git with it."""
    holding = sorted(thread.source for thread in threads.values()
                     if thread.holds_emails and thread.source is not None)
    if not holding:
        return ()
    others = f" (and {count(len(holding) - 1, 'other thread file')})" if len(holding) > 1 else ""
    return (Problem(f"holds readers' email addresses ('email' keys){others}, which must not "
                    "be in git: move them to the private store with `sitegen comments "
                    "migrate-private`", holding[0]),)


def _shown(posts: Iterable[Post], options: BuildOptions) -> list[Post]:
    """Newest first, without drafts and scheduled posts unless the run asked for them."""
    shown = [post for post in posts if is_published(post, options)]
    return sorted(shown, key=lambda post: (post.date, post.stem), reverse=True)


def _next_scheduled(posts: Iterable[Post], options: BuildOptions) -> Post | None:
    """The earliest post that a later build will show once its date has passed."""
    if options.future:
        return None
    now = options.now or datetime.now(UTC)
    waiting = [post for post in posts if not post.draft and post.date > now]
    return min(waiting, key=lambda post: (post.date, post.stem), default=None)


def _group_tags(posts: tuple[Post, ...]) -> tuple[Tag, ...]:
    """Tags by slug, so "Bread" and "bread" are one tag, named as first written."""
    names: dict[str, str] = {}
    members: dict[str, list[Post]] = {}
    for post in reversed(posts):
        for name in post.tags:
            slug = tag_slug(name)
            names.setdefault(slug, name)
            members.setdefault(slug, []).append(post)
    tags = (Tag(names[slug], slug, tuple(reversed(found))) for slug, found in members.items())
    return tuple(sorted(tags, key=lambda tag: tag.name.casefold()))


def _group_years(posts: tuple[Post, ...]) -> tuple[Year, ...]:
    months: dict[tuple[int, int], list[Post]] = {}
    for post in posts:
        months.setdefault((post.date.year, post.date.month), []).append(post)
    years: dict[int, list[Month]] = {}
    for (year, month), found in months.items():
        years.setdefault(year, []).append(Month(year, month, tuple(found)))
    return tuple(Year(year, tuple(found)) for year, found in years.items())
